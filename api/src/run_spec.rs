//! What every seed of an experiment shares: the group, network, detector, faults, budgets and
//! which properties to check. A model judges a run spec (does the scenario step outside the
//! model?) and the runner prepares one against a protocol.

use sim_core::{DetectorModel, FaultPlan, FaultSpec, NetworkModel, RunConfig};

/// What every seed of an experiment shares. The `Option`s are "the protocol's default"; a
/// prepared simulation reports its spec with every one of them filled in.
#[derive(Clone, Debug, PartialEq)]
pub struct RunSpec {
    /// The group size.
    pub nodes: usize,
    /// Delays, loss, duplication, FIFO order and the send gap, per link.
    pub network: NetworkModel,
    /// `None`: the detector the protocol declares (or none).
    pub detector: Option<DetectorModel>,
    /// Duration, settle period and event budget (`trace` is set per run).
    pub config: RunConfig,
    /// The safety and liveness properties to check; `None`: all of them.
    pub invariants: Option<Vec<String>>,
    /// The reachability properties to track; `None`: all of them.
    pub sometimes: Option<Vec<String>>,
    /// The adversary of Byzantine nodes; `None`: the protocol's first.
    pub adversary: Option<String>,
    /// The random fault mix, drawn per seed.
    pub faults: FaultSpec,
    /// Explicit faults added to every seed's plan (and Byzantine nodes fixed for every seed).
    pub schedule: FaultPlan,
}

impl RunSpec {
    /// A group of `nodes` on the default network, with no faults and every default.
    pub fn new(nodes: usize) -> Self {
        RunSpec {
            nodes,
            network: NetworkModel::default(),
            detector: None,
            config: RunConfig::default(),
            invariants: None,
            sometimes: None,
            adversary: None,
            faults: FaultSpec::default(),
            schedule: FaultPlan::default(),
        }
    }

    /// The fault plan of one seed: the random mix drawn from the seed's fault-plan stream,
    /// plus the explicit schedule.
    pub fn plan(&self, seed: u64) -> FaultPlan {
        self.faults.plan_for(self.nodes, seed, &self.schedule)
    }

    /// Whether any node can be Byzantine.
    pub fn has_byzantine(&self) -> bool {
        self.faults.byzantine.as_ref().is_some_and(|b| b.count > 0)
            || !self.schedule.byzantine.is_empty()
    }
}
