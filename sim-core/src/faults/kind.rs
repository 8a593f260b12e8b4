//! One thing that goes wrong ([`FaultKind`]), with what every part of ftsim asks of a fault
//! kind that is not about applying it: which nodes it names, the same fault in a group with a
//! node taken out (for the shrinker), and which fault window it opens or closes. A new kind
//! is declared here; the engine applies it (`engine/faults.rs`), and the scenario format
//! (reading and writing it), the model (which class it falls in) and the reports (its words)
//! each say it their own way.

use serde::{Deserialize, Serialize};

use super::{check_node, check_ppm, err, FaultError, MAX_DRIFT_PPM, MAX_SLOW_PCT};
use crate::NodeId;

/// One thing that goes wrong.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "fault")]
pub enum FaultKind {
    /// The node stops; its volatile state, timers and pending deliveries are lost.
    Crash {
        /// The node that crashes.
        node: NodeId,
    },
    /// The node restarts from its stable storage only.
    Recover {
        /// The node that recovers.
        node: NodeId,
    },
    /// Nodes in different groups cannot exchange messages until `Heal`. Nodes not listed form
    /// one more group together.
    Partition {
        /// The groups.
        groups: Vec<Vec<NodeId>>,
    },
    /// Every link works again.
    Heal,
    /// The node loses each message it sends / receives with these probabilities (ppm).
    OmissionStart {
        /// The node that loses messages.
        node: NodeId,
        /// The chance of losing each message it sends, in parts per million.
        send_ppm: u32,
        /// The chance of losing each message it receives, in parts per million.
        receive_ppm: u32,
    },
    /// The node's omission window ends.
    OmissionEnd {
        /// The node whose window ends.
        node: NodeId,
    },
    /// Messages from the nodes in `from` to the nodes in `to` are lost, while the other way
    /// works (an asymmetric partition), until `Heal`.
    OneWay {
        /// The senders cut off.
        from: Vec<NodeId>,
        /// The receivers they cannot reach.
        to: Vec<NodeId>,
    },
    /// The node's clock from now on: `offset_ns` ahead of real time (negative: behind), then
    /// running `drift_ppm` parts per million fast (negative: slow). The node's timers fire on
    /// its clock, and `Ctx::now` reads it.
    ClockSkew {
        /// The node whose clock is off.
        node: NodeId,
        /// How far ahead its clock jumps, in nanoseconds (negative: behind).
        offset_ns: i64,
        /// How much faster it runs from now on, in parts per million (negative: slower).
        drift_ppm: i32,
    },
    /// The node runs slow: its messages take `factor_pct` percent as long to leave and to
    /// arrive, and its timers as long to fire, until `SlowEnd`.
    SlowStart {
        /// The slow node.
        node: NodeId,
        /// How slow, in percent of normal (400: four times slower).
        factor_pct: u32,
    },
    /// The node runs at normal speed again.
    SlowEnd {
        /// The node that was slow.
        node: NodeId,
    },
}

/// A fault window's end, with its node where that matters: what a window-opening fault waits
/// for (a crash for its recovery, a partition for the heal).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum WindowEnd {
    /// A node's recovery ends its crash.
    Recover(NodeId),
    /// The heal ends every partition and one-way cut.
    Heal,
    /// A node's slow window ends.
    SlowEnd(NodeId),
    /// A node's omission window ends.
    OmissionEnd(NodeId),
}

impl FaultKind {
    /// What ends the window this fault opens (`None`: it opens none).
    pub fn window_end(&self) -> Option<WindowEnd> {
        match *self {
            FaultKind::Crash { node } => Some(WindowEnd::Recover(node)),
            FaultKind::Partition { .. } | FaultKind::OneWay { .. } => Some(WindowEnd::Heal),
            FaultKind::SlowStart { node, .. } => Some(WindowEnd::SlowEnd(node)),
            FaultKind::OmissionStart { node, .. } => Some(WindowEnd::OmissionEnd(node)),
            _ => None,
        }
    }

    /// The window end this fault is (`None`: it ends none).
    pub fn ends(&self) -> Option<WindowEnd> {
        match *self {
            FaultKind::Recover { node } => Some(WindowEnd::Recover(node)),
            FaultKind::Heal => Some(WindowEnd::Heal),
            FaultKind::SlowEnd { node } => Some(WindowEnd::SlowEnd(node)),
            FaultKind::OmissionEnd { node } => Some(WindowEnd::OmissionEnd(node)),
            _ => None,
        }
    }

    /// Checks the fault against a group of `n` nodes: ids in the group, values in range;
    /// `p(field)` is the error's key for a field of the fault.
    pub(crate) fn validate(&self, n: usize, p: &dyn Fn(&str) -> String) -> Result<(), FaultError> {
        match self {
            FaultKind::Crash { node }
            | FaultKind::Recover { node }
            | FaultKind::OmissionEnd { node }
            | FaultKind::SlowEnd { node } => check_node(p("node"), *node, n)?,
            FaultKind::OneWay { from, to } => {
                for (k, &node) in from.iter().enumerate() {
                    check_node(p(&format!("from[{k}]")), node, n)?;
                }
                for (k, &node) in to.iter().enumerate() {
                    check_node(p(&format!("to[{k}]")), node, n)?;
                }
            }
            FaultKind::ClockSkew {
                node, drift_ppm, ..
            } => {
                check_node(p("node"), *node, n)?;
                if drift_ppm.abs() > MAX_DRIFT_PPM {
                    return Err(err(p("drift"), "expected a drift between -0.5 and 0.5"));
                }
            }
            FaultKind::SlowStart { node, factor_pct } => {
                check_node(p("node"), *node, n)?;
                if !(1..=MAX_SLOW_PCT).contains(factor_pct) {
                    return Err(err(p("factor"), "expected a factor from 0.01 to 1000"));
                }
            }
            FaultKind::OmissionStart {
                node,
                send_ppm,
                receive_ppm,
            } => {
                check_node(p("node"), *node, n)?;
                check_ppm(p("send"), *send_ppm)?;
                check_ppm(p("receive"), *receive_ppm)?;
            }
            FaultKind::Partition { groups } => {
                let mut seen = vec![false; n];
                for (g, group) in groups.iter().enumerate() {
                    for (k, &node) in group.iter().enumerate() {
                        check_node(p(&format!("groups[{g}][{k}]")), node, n)?;
                        if std::mem::replace(&mut seen[node], true) {
                            return Err(err(p("groups"), format!("node {node} is in two groups")));
                        }
                    }
                }
            }
            FaultKind::Heal => {}
        }
        Ok(())
    }

    /// The fault in a few words, as a verdict names the last fault before a run ended ("a
    /// crash", "a slow node"); a window's end is named as its start.
    pub fn what(&self) -> &'static str {
        match self {
            FaultKind::Crash { .. } => "a crash",
            FaultKind::Recover { .. } => "a recovery",
            FaultKind::Partition { .. } | FaultKind::OneWay { .. } => "a partition",
            FaultKind::Heal => "a partition healed",
            FaultKind::OmissionStart { .. } | FaultKind::OmissionEnd { .. } => "an omission window",
            FaultKind::ClockSkew { .. } => "a clock set off",
            FaultKind::SlowStart { .. } | FaultKind::SlowEnd { .. } => "a slow node",
        }
    }

    /// Whether the fault sets up a node's machine (its clock, its speed): one at time 0 is
    /// applied before the node starts, so its first timers already run on it.
    pub fn sets_up_machine(&self) -> bool {
        matches!(
            self,
            FaultKind::ClockSkew { .. } | FaultKind::SlowStart { .. }
        )
    }

    /// Whether the fault is `node`'s, or cuts it off (a partition group or one-way side
    /// holding it).
    pub fn mentions(&self, node: NodeId) -> bool {
        match self {
            FaultKind::Crash { node: n }
            | FaultKind::Recover { node: n }
            | FaultKind::OmissionStart { node: n, .. }
            | FaultKind::OmissionEnd { node: n }
            | FaultKind::ClockSkew { node: n, .. }
            | FaultKind::SlowStart { node: n, .. }
            | FaultKind::SlowEnd { node: n } => *n == node,
            FaultKind::Partition { groups } => groups.iter().flatten().any(|&n| n == node),
            FaultKind::OneWay { from, to } => from.contains(&node) || to.contains(&node),
            FaultKind::Heal => false,
        }
    }

    /// The same fault with every node id `n` renamed `rename(n)`, where `None` takes the node
    /// out: a fault of a node taken out is gone (`None`), a partition loses it from its
    /// groups (and an empty group), a one-way cut left with no senders or no receivers is
    /// gone.
    pub fn renamed(&self, rename: impl Fn(NodeId) -> Option<NodeId>) -> Option<FaultKind> {
        let ids =
            |ids: &[NodeId]| -> Vec<NodeId> { ids.iter().filter_map(|&n| rename(n)).collect() };
        let mut kind = self.clone();
        match &mut kind {
            FaultKind::Crash { node }
            | FaultKind::Recover { node }
            | FaultKind::OmissionStart { node, .. }
            | FaultKind::OmissionEnd { node }
            | FaultKind::ClockSkew { node, .. }
            | FaultKind::SlowStart { node, .. }
            | FaultKind::SlowEnd { node } => *node = rename(*node)?,
            FaultKind::Partition { groups } => {
                *groups = groups
                    .iter()
                    .map(|g| ids(g))
                    .filter(|g| !g.is_empty())
                    .collect();
            }
            FaultKind::OneWay { from, to } => {
                (*from, *to) = (ids(from), ids(to));
                if from.is_empty() || to.is_empty() {
                    return None;
                }
            }
            FaultKind::Heal => {}
        }
        Some(kind)
    }
}
