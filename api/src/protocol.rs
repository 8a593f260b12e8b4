//! The protocol declaration. A protocol author implements [`Protocol`] once: the process type,
//! the typed parameters, the property table, the adversaries, the failure detector it needs,
//! and the checks its parameters need against the group size. Everything else — `ftsim list`,
//! scenario validation, sweeps, replays, the test harness — reads that one declaration: the
//! runner erases the process type there, once per run, and the engine stays statically
//! dispatched inside. [`ProtocolInfo`] is what is known of a protocol without its types.

use sim_core::{DetectorModel, NodeId, Process};

use crate::adversaries::{Adversaries, AdversaryInfo};
use crate::exploration::Exploring;
use crate::metrics::{Metrics, MetricsInfo};
use crate::model::Model;
use crate::params::{ParamInfo, Params};

/// The group size `ftsim list` states a protocol's model for (its bounds follow the size).
pub const DEFAULT_NODES: usize = 5;
use crate::table::{Properties, PropertyInfo};

/// Why a scenario's protocol settings are unusable. `key` is the scenario key at fault,
/// relative to the scenario root (`params.rounds`, `nodes`, `invariants[1]`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{key}: {message}")]
pub struct SpecError {
    /// The scenario key at fault.
    pub key: String,
    /// What is wrong, and what was expected.
    pub message: String,
}

impl SpecError {
    /// An error at `key`.
    pub fn new(key: impl Into<String>, message: impl Into<String>) -> Self {
        SpecError {
            key: key.into(),
            message: message.into(),
        }
    }
}

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
    /// [`Searchable`](crate::Searchable) consents by answering
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

/// What `ftsim list` and scenario validation know of a protocol, without its types.
#[derive(Clone, Debug)]
pub struct ProtocolInfo {
    /// The name scenario files use.
    pub name: &'static str,
    /// One line on what the protocol does.
    pub summary: &'static str,
    /// Its parameters, with defaults, ranges and help.
    pub params: Vec<ParamInfo>,
    /// Its properties, in table order.
    pub properties: Vec<PropertyInfo>,
    /// Its Byzantine adversaries (the first is the default).
    pub adversaries: Vec<AdversaryInfo>,
    /// The detector it needs, with its default settings.
    pub detector: Option<DetectorModel>,
    /// The model it claims with its default parameters, for `ftsim list` (the bounds follow
    /// the parameters and the group size; the rules say how).
    pub model: Model,
    /// The figures its metric yields, with the default parameters.
    pub metrics: MetricsInfo,
}

impl ProtocolInfo {
    /// What is known of `protocol` without its types, its model stated for the default
    /// parameters and [`DEFAULT_NODES`] nodes.
    pub fn of<T: Protocol>(protocol: &T) -> ProtocolInfo {
        ProtocolInfo {
            name: protocol.name(),
            summary: protocol.summary(),
            params: T::Params::schema(),
            properties: protocol.properties().infos(),
            adversaries: protocol.adversaries().infos(),
            detector: protocol.detector(),
            model: declared_model(protocol, &T::Params::default(), DEFAULT_NODES),
            metrics: protocol.metrics(&T::Params::default()).info(),
        }
    }

    /// Checks the declaration itself: names unique and non-empty, defaults within their own
    /// schema. A protocol that fails this is a bug in the protocol, reported before any run.
    pub fn check(&self) -> Result<(), String> {
        let fail = |what: String| Err(format!("protocol \"{}\": {what}", self.name));
        if self.name.is_empty() {
            return fail("the name is empty".into());
        }
        let needed = self.model.detector_needed();
        let default = crate::model::DetectorClass::of(self.detector.as_ref());
        if default < needed {
            return fail(format!(
                "its model needs {needed}, but its default detector gives {default}: \
                 declare `fn detector` with one of that class"
            ));
        }
        if let Some(n) = bad_name(self.properties.iter().map(|p| p.name)) {
            return fail(format!("property name {n:?} is empty or declared twice"));
        }
        if let Some(n) = bad_name(self.adversaries.iter().map(|a| a.name)) {
            return fail(format!("adversary name {n:?} is empty or declared twice"));
        }
        if let Some(n) = bad_name(self.params.iter().map(|p| p.name)) {
            return fail(format!("parameter name {n:?} is empty or declared twice"));
        }
        for p in &self.params {
            if !p.kind.accepts(&p.default) {
                return fail(format!(
                    "the default of parameter {} ({}) is not {}",
                    p.name,
                    p.default,
                    p.kind.expected()
                ));
            }
        }
        Ok(())
    }
}

/// The first name that is empty or repeats an earlier one.
fn bad_name(names: impl Iterator<Item = &'static str>) -> Option<&'static str> {
    let mut seen = std::collections::BTreeSet::new();
    let mut names = names;
    names.find(|n| n.is_empty() || !seen.insert(*n))
}

/// The model `protocol` declares for `params` and `nodes`, with the detector it needs filled in
/// from its default detector where the model does not say ([`Model::or_detector`]): every
/// verdict reads the model through here.
pub fn declared_model<T: Protocol>(protocol: &T, params: &T::Params, nodes: usize) -> Model {
    let default = crate::model::DetectorClass::of(protocol.detector().as_ref());
    protocol.model(params, nodes).or_detector(default)
}
