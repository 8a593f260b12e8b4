//! What a search is given: the scenario's [`Config`], the process factory, the monitors a
//! search can follow (those the protocol's table declared explorable), each under its table
//! name, the adversary, the symmetry and the bound on delays. The runner builds it from a
//! prepared scenario.

use std::hash::Hash;
use std::sync::Arc;

use sim_core::{NodeId, Process, PropertyKind, Rename, SearchMonitor};

use super::config::Config;

/// Builds a node's process (at the start and at a recovery).
pub type Factory<P> = Box<dyn Fn(NodeId, usize) -> P + Send + Sync>;
/// Builds a Byzantine node's adversary as a snapshot (`None`: it has none, and cannot be
/// explored).
pub type AdversaryMaker<P> =
    Box<dyn Fn(NodeId) -> Option<sim_core::AdversarySnapshot<P>> + Send + Sync>;

/// Makes a fresh monitor of a property for a search.
pub type MonitorMaker<P> = Arc<dyn Fn() -> Box<dyn SearchMonitor<P>> + Send + Sync>;

/// Everything a search of protocol process `P` needs.
pub struct Model<P: Process> {
    /// The scenario, as a search sees it.
    pub config: Config,
    /// Builds each node's process.
    pub factory: Factory<P>,
    /// The checked properties a search can follow, in table order.
    pub monitors: Vec<MonitorDef<P>>,
    /// Checked properties a search cannot follow (declared for runs only), by name.
    pub unchecked: Vec<&'static str>,
    /// What drives the Byzantine nodes, if the scenario has any.
    pub adversary: Option<Adversary<P>>,
    /// The protocol's interchangeable nodes, if it declares any.
    pub symmetry: Option<Symmetry<P>>,
    /// The bound the protocol's model declares on message delays: violations are checked
    /// against it (see `bounded`).
    pub bound: Option<DelayBound>,
    /// The model the liveness search follows (with the `eventually` monitors a search can
    /// follow), if there are any.
    pub liveness: Option<Box<Model<P>>>,
}

#[cfg(test)]
impl<P: Process> Model<P> {
    /// For unit tests: `n` nodes built by `factory`, every link `link`, no crash, no
    /// detector, no Byzantine node, a 100 ms run, and `monitors`.
    pub(crate) fn for_test(
        n: usize,
        link: super::config::LinkRule,
        factory: Factory<P>,
        monitors: Vec<MonitorDef<P>>,
    ) -> Self {
        Model {
            config: Config {
                n,
                links: vec![link; n * n],
                crash_budget: 0,
                may_crash: vec![false; n],
                may_recover: vec![false; n],
                detector: false,
                detector_after_last_message: false,
                duration: sim_core::Duration::from_millis(100),
                placements: Vec::new(),
            },
            factory,
            monitors,
            unchecked: Vec::new(),
            adversary: None,
            symmetry: None,
            bound: None,
            liveness: None,
        }
    }
}

/// Symmetry reduction as declared: the interchangeable nodes and the canonical fingerprint
/// (built where the protocol's types can be renamed).
pub struct Symmetry<P: Process> {
    /// Sorted, without repeats.
    pub(crate) class: Vec<NodeId>,
    pub(crate) canonical: super::symmetry::Canonical<P>,
}

impl<P> Symmetry<P>
where
    P: Process + Hash + Rename,
    P::Msg: Rename,
    P::Timer: Rename,
    P::Stable: Rename + Hash,
{
    /// The nodes `class` of a group of `n` are interchangeable.
    pub fn new(n: usize, class: &[NodeId]) -> Self {
        Symmetry {
            class: {
                let mut class: Vec<NodeId> = class.iter().copied().filter(|&c| c < n).collect();
                class.sort_unstable();
                class.dedup();
                class
            },
            canonical: super::symmetry::canonical::<P>,
        }
    }
}

/// One property a search checks.
pub struct MonitorDef<P: Process> {
    /// Its table name.
    pub name: &'static str,
    /// `always` or `eventually`.
    pub kind: PropertyKind,
    /// Makes a fresh monitor.
    pub make: MonitorMaker<P>,
}

/// The adversary of a search's Byzantine nodes: its name (for a counterexample's words) and
/// its maker, which gives a snapshot for every node it drives.
pub struct Adversary<P: Process> {
    /// Its name.
    pub name: String,
    /// Its maker.
    pub make: AdversaryMaker<P>,
}

/// The bound a protocol's model declares on message delays.
#[derive(Clone, Debug)]
pub struct DelayBound {
    /// Every message is delivered within this of being sent.
    pub delay_max_ns: u64,
    /// Where it comes from, in words (the model's rule).
    pub rule: String,
}
