//! Faults fired by what a node does rather than by the clock. Random crash times rarely land
//! in the middle of a broadcast, and textbook bugs need exactly that (a crash that reaches part
//! of the group, chained across rounds); a trigger puts the crash there. Triggers are part of
//! the plan, decided before the run from the seed like every other fault: the engine only
//! fires them when the node does what they name.

use serde::{Deserialize, Serialize};

use crate::time::Duration;
use crate::NodeId;

/// What a node does that fires a triggered crash.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "on")]
pub enum Trigger {
    /// Once the node's `count`-th message left its wire (every destination of a broadcast
    /// counts): the crash cuts whatever it sends after that.
    Sends {
        /// How many of its messages leave before the crash.
        count: u64,
    },
    /// In the middle of the node's `nth` broadcast, once `sent` of that broadcast's messages
    /// to live nodes left (0: before the first): the classic partial broadcast.
    Broadcast {
        /// Which of its broadcasts (from 1).
        nth: u32,
        /// How many of that broadcast's messages to live nodes leave before the crash.
        sent: u32,
    },
    /// When the node receives its `nth` message; that message is lost with it.
    Delivery {
        /// Which delivery (from 1).
        nth: u64,
    },
    /// When the node receives its `nth` message of this kind (the name `Debug` prints first,
    /// such as `Prepare` or `Round`); that message is lost with it.
    Message {
        /// The message kind.
        kind: String,
        /// Which one of that kind (from 1).
        nth: u32,
    },
    /// Right after the node makes its `nth` observation of this kind (such as `Decide`):
    /// whatever the same handler sends afterwards is lost.
    Observation {
        /// The observation kind.
        kind: String,
        /// Which one of that kind (from 1).
        nth: u32,
    },
}

/// A crash fired by what the node does.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TriggeredCrash {
    /// The node that crashes.
    pub node: NodeId,
    /// What fires it.
    pub when: Trigger,
    /// If given, the node recovers this long after the crash.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recover_after: Option<Duration>,
}

/// A chain of partial broadcasts, the worst case of round-based crash-tolerant algorithms: a
/// value reaches one more node per round, each of which crashes before passing it on to all.
/// `start` cuts a node's broadcast; then, link after link, the first live node to receive a
/// message from the last node of the chain after its crash fired crashes in the middle of its
/// next broadcast. Which nodes those are is found as the run goes; the rule is in the plan.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CrashChain {
    /// The first crash of the chain.
    pub start: TriggeredCrash,
    /// The crashes that follow, in order.
    pub links: Vec<ChainLink>,
}

/// One crash of a chain after its start.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainLink {
    /// How many messages of the node's next broadcast to live nodes leave before the crash.
    pub sent: u32,
    /// If given, the node recovers this long after the crash.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recover_after: Option<Duration>,
}

impl Trigger {
    /// Why it can never fire, if it cannot (counts start at 1).
    pub fn problem(&self) -> Option<&'static str> {
        match self {
            Trigger::Sends { count: 0 } | Trigger::Delivery { nth: 0 } => Some("counts start at 1"),
            Trigger::Broadcast { nth: 0, .. }
            | Trigger::Message { nth: 0, .. }
            | Trigger::Observation { nth: 0, .. } => Some("counts start at 1"),
            Trigger::Message { kind, .. } | Trigger::Observation { kind, .. }
                if kind.is_empty() =>
            {
                Some("the kind is empty")
            }
            _ => None,
        }
    }
}

/// The kind of a message or observation: the name its `Debug` output starts with.
pub fn kind_of(debug: &str) -> &str {
    let end = debug
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(debug.len());
    &debug[..end]
}
