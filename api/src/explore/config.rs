//! What a search takes from a scenario: the group, which links may lose or duplicate (as
//! branches), FIFO links, the crash budget (and which nodes may crash or recover), the
//! failure detector, and the Byzantine nodes (every placement of them, a branch). A scenario
//! asking for what a search cannot branch on (partitions, omissions, clocks, slow nodes,
//! storage faults, an explicit schedule) is refused with the key at fault, never silently
//! explored without it.

use sim_core::{DelayDist, DetectorModel, Duration, FaultPlan, LinkModel, NodeId};

use crate::protocol::SpecError;
use crate::simulation::RunSpec;
use crate::NodeSet;

/// The search's view of a scenario.
#[derive(Clone, Debug)]
pub(crate) struct Config {
    /// The group size.
    pub n: usize,
    /// Per link (`from * n + to`): what it may do.
    pub links: Vec<LinkRule>,
    /// The most crashes along a path.
    pub crash_budget: u32,
    /// Per node: whether it may crash, and whether it may then recover.
    pub may_crash: Vec<bool>,
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
    /// lists: a search's first step picks one (see `transition`). Empty without.
    pub placements: Vec<NodeSet>,
}

/// The most placements of Byzantine nodes a search branches on.
pub const MAX_PLACEMENTS: usize = 4096;

/// What one link may do, as branches of the search.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct LinkRule {
    /// Any message in flight may be lost.
    pub lossy: bool,
    /// A message may be delivered any number of times: the link holds a set of messages,
    /// and a delivery leaves the message in it.
    pub duplicating: bool,
    /// Only the oldest message in flight may be delivered.
    pub fifo: bool,
}

impl Config {
    /// Reads `spec`, refusing what a search cannot branch on.
    pub(crate) fn of(spec: &RunSpec, detector: DetectorModel) -> Result<Config, SpecError> {
        refuse_unsupported(spec)?;
        let n = spec.nodes;
        // Who suspects whom and where traitors sit are sets of nodes in a state.
        crate::nodes::fits_node_set("a search", n)?;
        let links = spec.network.resolve(n).iter().map(rule_of).collect();
        let mut may_crash = vec![false; n];
        let mut may_recover = vec![false; n];
        let mut crash_budget = 0;
        for crash in &spec.faults.crashes {
            crash_budget += crash.max;
            for node in 0..n {
                let listed = crash.nodes.as_ref().is_none_or(|ns| ns.contains(&node));
                if listed && crash.max > 0 {
                    may_crash[node] = true;
                    may_recover[node] |= crash.recover_after.is_some();
                }
            }
        }
        // `None` if some link's delay has no bound.
        let delays: Option<Vec<Duration>> =
            spec.network.resolve(n).iter().map(longest_delay).collect();
        let max_delay = delays.and_then(|d| d.into_iter().max());
        let (detects, after_last) = match detector {
            DetectorModel::None => (false, false),
            DetectorModel::Perfect { delay } | DetectorModel::EventuallyPerfect { delay, .. } => {
                (true, max_delay.is_some_and(|m| delay > m))
            }
        };
        Ok(Config {
            n,
            links,
            crash_budget,
            may_crash,
            may_recover,
            detector: detects,
            detector_after_last_message: after_last,
            duration: spec.config.duration,
            placements: placements(spec)?,
        })
    }

    /// The rule of the link from `from` to `to`.
    pub(crate) fn link(&self, from: NodeId, to: NodeId) -> LinkRule {
        self.links[from * self.n + to]
    }
}

fn rule_of(link: &LinkModel) -> LinkRule {
    LinkRule {
        lossy: link.loss_ppm > 0,
        duplicating: link.duplicate_ppm > 0,
        fifo: link.fifo,
    }
}

/// The longest delay a link can give a message (`None`: unbounded).
fn longest_delay(link: &LinkModel) -> Option<Duration> {
    match link.delay {
        DelayDist::Constant(d) => Some(d),
        DelayDist::Uniform { max, .. } => Some(max),
        DelayDist::Exponential { .. } => None,
    }
}

/// The first scenario setting a search cannot explore, as an error naming its key.
fn refuse_unsupported(spec: &RunSpec) -> Result<(), SpecError> {
    let f = &spec.faults;
    let refuse = |key: &str, what: &str| {
        Err(SpecError::new(
            key,
            format!(
                "{what} cannot be explored: a state search branches on message order, loss, \
                 duplication, crashes and recoveries only (remove the key, or search the \
                 engine's runs with --strategy decisions)"
            ),
        ))
    };
    if f.partitions.is_some() {
        return refuse("faults.partitions", "partitions");
    }
    if f.omissions.is_some() {
        return refuse("faults.omissions", "omission windows");
    }
    if f.intermittent.is_some() {
        return refuse("faults.intermittent", "intermittent nodes");
    }
    if f.clocks.is_some() {
        return refuse("faults.clocks", "clock skew");
    }
    if f.slow.is_some() {
        return refuse("faults.slow", "slow nodes");
    }
    if f.storage != sim_core::faults::StorageFaults::None {
        return refuse("faults.storage", "storage faults");
    }
    if spec.schedule != FaultPlan::default() {
        return refuse("faults.schedule", "an explicit fault schedule");
    }
    if f.crashes.iter().any(|c| c.mid_broadcast_ppm > 0 || c.chain) {
        return refuse(
            "faults.crashes.mid_broadcast",
            "a mid-broadcast crash (a search already crashes between any two steps and may \
             lose a crashed sender's messages)",
        );
    }
    Ok(())
}

/// Every placement of the scenario's Byzantine nodes: each set of `count` nodes of the pool.
fn placements(spec: &RunSpec) -> Result<Vec<NodeSet>, SpecError> {
    let Some(b) = spec.faults.byzantine.as_ref().filter(|b| b.count > 0) else {
        return Ok(Vec::new());
    };
    let mut pool: Vec<NodeId> = match &b.nodes {
        Some(nodes) => nodes.clone(),
        None => (0..spec.nodes).collect(),
    };
    pool.sort_unstable();
    pool.dedup();
    let count = b.count as usize;
    let mut out = Vec::new();
    let mut chosen: Vec<usize> = (0..count).collect();
    while count <= pool.len() {
        if out.len() == MAX_PLACEMENTS {
            return Err(SpecError::new(
                "faults.byzantine.count",
                format!(
                    "{count} Byzantine nodes among {} have more than {MAX_PLACEMENTS} \
                     placements: too many to explore (name fewer in faults.byzantine.nodes)",
                    pool.len()
                ),
            ));
        }
        out.push(chosen.iter().map(|&i| pool[i]).collect());
        // The next combination of `count` indices into the pool, in lexicographic order.
        let Some(j) = (0..count)
            .rev()
            .find(|&j| chosen[j] < pool.len() - count + j)
        else {
            break;
        };
        chosen[j] += 1;
        for k in j + 1..count {
            chosen[k] = chosen[k - 1] + 1;
        }
    }
    Ok(out)
}
