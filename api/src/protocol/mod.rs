//! The protocol declaration. A protocol author implements [`Protocol`] once: the process type,
//! the typed parameters, the property table, the adversaries, the failure detector it needs,
//! and the checks its parameters need against the group size. Everything else — `ftsim list`,
//! scenario validation, sweeps, replays, the test harness — reads that one declaration: the
//! runner erases the process type there, once per run, and the engine stays statically
//! dispatched inside. [`ProtocolInfo`] is what is known of a protocol without its types.

pub mod adversaries;
pub mod exploration;
mod info;

use sim_core::{DetectorModel, NodeId, Process};

pub use adversaries::{Adversaries, AdversaryDef, AdversaryInfo};
pub use exploration::{Exploring, NodeClass, Renamable, Searchable};
pub use info::ProtocolInfo;

use crate::metrics::Metrics;
use crate::model::Model;
use crate::params::Params;
use crate::spec_error::SpecError;
use crate::table::Properties;

/// The group size `ftsim list` states a protocol's model for (its bounds follow the size).
pub const DEFAULT_NODES: usize = 5;

/// A protocol family, declared once.
///
/// ```
/// use ftsim_api::properties::consensus::{Agreement, Decision};
/// use ftsim_api::{params, Ctx, Model, NodeId, Process, Properties, Protocol};
///
/// /// Every process decides its own id: agreement breaks as soon as two decide.
/// #[derive(Debug)]
/// struct Selfish;
///
/// #[derive(Clone, Debug, Hash)]
/// struct Decide(u64);
///
/// impl Decision for Decide {
///     fn proposed(&self) -> Option<u64> { None }
///     fn decided(&self) -> Option<u64> { Some(self.0) }
/// }
///
/// impl Process for Selfish {
///     type Msg = ();
///     type Timer = ();
///     type Obs = Decide;
///     type Stable = ();
///     fn on_start(&mut self, ctx: &mut Ctx<'_, Self>) {
///         ctx.observe(Decide(ctx.id() as u64));
///     }
///     fn on_message(&mut self, _: &mut Ctx<'_, Self>, _: NodeId, _: ()) {}
/// }
///
/// params! {
///     /// Nothing to set.
///     pub struct SelfishParams {}
/// }
///
/// struct SelfishConsensus;
///
/// impl Protocol for SelfishConsensus {
///     type Process = Selfish;
///     type Params = SelfishParams;
///     fn name(&self) -> &'static str { "selfish" }
///     fn summary(&self) -> &'static str { "every process decides its own id" }
///     fn properties(&self) -> Properties<Selfish> {
///         Properties::new().always("agreement", "no two decide differently", Agreement::default)
///     }
///     fn model(&self, _: &SelfishParams, _: usize) -> Model { Model::new() }
///     fn process(&self, _: &SelfishParams, _: NodeId, _: usize) -> Selfish { Selfish }
/// }
///
/// // The declaration is checked before anything runs; the runner's harness
/// // (`ftsim::Harness::new(&SelfishConsensus)`) then runs it over seeds.
/// let info = ftsim_api::ProtocolInfo::of(&SelfishConsensus);
/// assert!(info.check().is_ok());
/// assert_eq!(info.properties[0].name, "agreement");
/// ```
pub trait Protocol: Send + Sync + 'static {
    /// The process every node runs.
    type Process: Process + 'static;
    /// The typed parameters, declared with [`params!`](crate::params!).
    type Params: Params;

    /// The name scenario files use (`protocol = "flooding"`).
    fn name(&self) -> &'static str;

    /// One line on what the protocol does, for `ftsim list`.
    fn summary(&self) -> &'static str;

    /// The property table: the only place a property's name and kind are written.
    fn properties(&self) -> Properties<Self::Process>;

    /// The Byzantine adversaries (the first is the default); none by default.
    fn adversaries(&self) -> Adversaries<Self>
    where
        Self: Sized,
    {
        Adversaries::new()
    }

    /// The failure detector the protocol needs, with the settings a scenario gets when it
    /// names none; `None` if it uses no detector.
    fn detector(&self) -> Option<DetectorModel> {
        None
    }

    /// Checks beyond each parameter's own range: relations between parameters and the group
    /// size. Runs once per scenario, before any seed; errors name the scenario key.
    fn validate(&self, params: &Self::Params, nodes: usize) -> Result<(), SpecError> {
        let _ = (params, nodes);
        Ok(())
    }

    /// The model the protocol claims to tolerate with these parameters and this group size:
    /// which faults, how many, what timing. A failure outside it is reported apart from real
    /// violations ("outside assumptions"), with the reason.
    fn model(&self, params: &Self::Params, nodes: usize) -> Model;

    /// The name the protocol's own text (its observations, its violations) gives node `node`
    /// in a group of `nodes`, where that is not just `n{node}`: "s0" for a storage server,
    /// "client 3", "coordinator". Diagrams show it beside the node id. `None` by default.
    fn node_label(&self, params: &Self::Params, node: NodeId, nodes: usize) -> Option<String> {
        let _ = (params, node, nodes);
        None
    }

    /// The protocol's metric: a latency (time to decide, deliver, commit) and, for a service,
    /// its availability, measured from the observations (see [`crate::metrics`]). None by
    /// default; sweeps report the figures of the protocols that declare one.
    fn metrics(&self, params: &Self::Params) -> Metrics<Self::Process> {
        let _ = params;
        Metrics::none()
    }

    /// Builds node `node`'s process in a group of `nodes`, at start and again, from scratch,
    /// when it recovers from a crash.
    fn process(&self, params: &Self::Params, node: NodeId, nodes: usize) -> Self::Process;

    /// Whether `ftsim explore` may search this protocol's states. A protocol whose process is
    /// [`Searchable`] consents by answering
    /// `Some(explorer.searchable())`, or `Some(explorer.symmetric(class))` where some nodes are
    /// interchangeable (see [`Exploring`]). `None` by default: then only seeds run it.
    fn exploration<E: Exploring<Self>>(&self, explorer: E) -> Option<E::Explorer>
    where
        Self: Sized,
    {
        let _ = explorer;
        None
    }
}

/// The model `protocol` declares for `params` and `nodes`, with the detector it needs filled in
/// from its default detector where the model does not say ([`Model::or_detector`]): every
/// verdict reads the model through here.
pub fn declared_model<T: Protocol>(protocol: &T, params: &T::Params, nodes: usize) -> Model {
    let default = crate::model::DetectorClass::of(protocol.detector().as_ref());
    protocol.model(params, nodes).or_detector(default)
}
