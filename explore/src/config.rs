//! What a search takes from a scenario: the group, which links may lose or duplicate (as
//! branches), FIFO links, the crash budget (and which nodes may crash or recover), the
//! failure detector, and the Byzantine nodes (every placement of them, a branch). The runner
//! reads it from a scenario, refusing what a search cannot branch on.

use sim_core::{Duration, NodeId, NodeSet};

/// The search's view of a scenario.
#[derive(Clone, Debug)]
pub struct Config {
    /// The group size.
    pub n: usize,
    /// Per link (`from * n + to`): what it may do.
    pub links: Vec<LinkRule>,
    /// The most crashes along a path.
    pub crash_budget: u32,
    /// Per node: whether it may crash, and whether it may then recover.
    pub may_crash: Vec<bool>,
    /// Per node: whether it may recover after a crash.
    pub may_recover: Vec<bool>,
    /// Whether processes get failure-detector notices.
    pub detector: bool,
    /// Whether a crashed node's last messages are in before anyone is told of the crash (the
    /// detector's delay exceeds the longest message delay): then a notice about a crashed
    /// sender waits until none of its messages to that node is in flight.
    pub detector_after_last_message: bool,
    /// The fault phase of a run: a counterexample's steps are timed to fit in it.
    pub duration: Duration,
    /// With Byzantine nodes, every placement of them, in the order of their sorted node
    /// lists: a search's first step picks one (see `stepper`). Empty without.
    pub placements: Vec<NodeSet>,
}

/// The most placements of Byzantine nodes a search branches on.
pub const MAX_PLACEMENTS: usize = 4096;

/// What one link may do, as branches of the search.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LinkRule {
    /// Any message in flight may be lost.
    pub lossy: bool,
    /// A message may be delivered any number of times: the link holds a set of messages,
    /// and a delivery leaves the message in it.
    pub duplicating: bool,
    /// Only the oldest message in flight may be delivered.
    pub fifo: bool,
}

impl Config {
    /// Whether a node can crash along some path: the budget allows one and some node may
    /// crash (else `stepper::enabled` offers no crash).
    pub fn crashable(&self) -> bool {
        self.crash_budget > 0 && self.may_crash.contains(&true)
    }

    /// The rule of the link from `from` to `to`.
    pub fn link(&self, from: NodeId, to: NodeId) -> LinkRule {
        self.links[from * self.n + to]
    }
}
