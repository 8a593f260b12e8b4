//! A protocol prepared for a search: the scenario's [`Config`], the process factory, and the
//! safety monitors a search can branch (those the table declared explorable), each under its
//! table name.

use sim_core::{NodeId, Process, PropertyKind};

use super::config::Config;

/// Builds a node's process (at the start and at a recovery).
pub(crate) type Factory<P> = Box<dyn Fn(NodeId, usize) -> P + Send + Sync>;
/// Builds a Byzantine node's adversary as a snapshot (`None`: it has none, and cannot be
/// explored).
pub(crate) type AdversaryMaker<P> =
    Box<dyn Fn(NodeId) -> Option<Box<dyn sim_core::Adversary<P> + Send>> + Send + Sync>;

/// Everything a search of protocol process `P` needs.
pub(crate) struct Model<P: Process> {
    pub config: Config,
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
    pub bound: Option<super::bounded::DelayBound>,
    /// The model the liveness search follows (with the `eventually` monitors a search can
    /// follow), if there are any.
    pub liveness: Option<Box<Model<P>>>,
}

/// Symmetry reduction as declared: the interchangeable nodes' permutations and the canonical
/// fingerprint (built where the protocol's types can be renamed).
pub(crate) struct Symmetry<P: Process> {
    pub perms: Vec<Vec<NodeId>>,
    pub canonical: super::symmetry::Canonical<P>,
}

/// One property a search checks.
pub(crate) struct MonitorDef<P: Process> {
    pub name: &'static str,
    pub kind: PropertyKind,
    pub make: crate::table::SearchFactory<P>,
}

/// The adversary of a search's Byzantine nodes: its name (for a counterexample's words) and
/// its maker, which gives a snapshot for every node it drives.
pub(crate) struct Adversary<P: Process> {
    pub name: String,
    pub make: AdversaryMaker<P>,
}
