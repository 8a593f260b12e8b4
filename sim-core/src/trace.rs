//! The results of a run: its outcome, violations, statistics, running trace hash, and, when
//! tracing is on, the full trace. Everything here is independent of the protocol's types
//! (message contents are rendered with `Debug`), so reports can render any protocol's runs.

use serde::{Deserialize, Serialize};

use crate::faults::FaultPlan;
use crate::property::PropertyKind;
use crate::time::Time;
use crate::NodeId;

/// Why a message was not delivered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DropReason {
    /// The link lost it.
    Loss,
    /// Sender and receiver were in different partition groups.
    Partition,
    /// The sender was in a send-omission window.
    SendOmission,
    /// The receiver was in a receive-omission window.
    ReceiveOmission,
    /// The receiver was down when it arrived.
    ReceiverDown,
    /// The sender crashed before the message left it (crash in the middle of a broadcast).
    SenderCrashed,
    /// A Byzantine sender's adversary suppressed it.
    Adversary,
}

impl DropReason {
    pub fn as_str(self) -> &'static str {
        match self {
            DropReason::Loss => "loss",
            DropReason::Partition => "partition",
            DropReason::SendOmission => "send omission",
            DropReason::ReceiveOmission => "receive omission",
            DropReason::ReceiverDown => "receiver down",
            DropReason::SenderCrashed => "sender crashed before sending",
            DropReason::Adversary => "adversary",
        }
    }
}

/// What happened in one trace entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum TraceKind {
    Start,
    Crash,
    Recover,
    Send {
        to: NodeId,
        msg_id: u64,
        msg: String,
        /// When it leaves the sender (after the serialisation gap).
        depart: Time,
    },
    Deliver {
        from: NodeId,
        msg_id: u64,
        msg: String,
    },
    Drop {
        from: NodeId,
        to: NodeId,
        msg_id: u64,
        reason: DropReason,
    },
    /// The network will deliver this message a second time.
    Duplicate {
        to: NodeId,
        msg_id: u64,
    },
    /// A Byzantine node's adversary replaced what the correct code sent.
    Tamper {
        to: NodeId,
        msg_id: u64,
        original: String,
    },
    TimerSet {
        timer: u32,
        tag: String,
        fires_at: Time,
    },
    TimerCancel {
        timer: u32,
    },
    TimerFire {
        timer: u32,
        tag: String,
    },
    Persist {
        stable: String,
    },
    Observe {
        obs: String,
    },
    Suspect {
        about: NodeId,
    },
    Restore {
        about: NodeId,
    },
    Partition {
        groups: Vec<Vec<NodeId>>,
    },
    Heal,
    OmissionStart {
        send_ppm: u32,
        receive_ppm: u32,
    },
    OmissionEnd,
    /// The network heals and omissions end: the liveness phase starts.
    FaultsEnd,
    Violation {
        property: String,
        message: String,
    },
}

/// One entry of a full trace.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TraceEvent {
    /// The engine event this entry belongs to (several entries share one event: a delivery and
    /// the sends its handler made).
    pub event: u64,
    pub time: Time,
    /// The node it happened at; `None` for network-wide events (partition, heal).
    pub node: Option<NodeId>,
    /// The node's Lamport clock after this entry.
    pub lamport: u64,
    /// The node's vector clock after this entry (empty for network-wide events).
    pub vc: Vec<u64>,
    #[serde(flatten)]
    pub kind: TraceKind,
}

/// A property that failed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Violation {
    pub property: String,
    pub kind: PropertyKind,
    pub time: Time,
    /// The engine event at which it failed (the last event for liveness).
    pub event: u64,
    /// What that event was, in words.
    pub during: String,
    pub message: String,
    /// Earlier events the violation conflicts with (the other side of a disagreement).
    #[serde(default)]
    pub related: Vec<u64>,
}

/// Which budget a run exhausted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Budget {
    Events,
}

/// How a run ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "status")]
pub enum Outcome {
    /// Every checked property held.
    Ok,
    /// At least one property failed (see `violations`).
    Violated,
    /// The run hit a budget: a livelock or a protocol that never quiesces is a finding.
    BudgetExceeded { budget: Budget, limit: u64 },
    /// A protocol handler panicked.
    Panicked { message: String, during: String },
}

impl Outcome {
    pub fn is_ok(&self) -> bool {
        matches!(self, Outcome::Ok)
    }
}

/// Counters of a run.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stats {
    pub events: u64,
    pub messages_sent: u64,
    pub messages_delivered: u64,
    pub messages_dropped: u64,
    pub messages_duplicated: u64,
    pub timers_fired: u64,
    pub end_time: Time,
}

/// Everything a run produced.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunReport {
    pub seed: u64,
    pub outcome: Outcome,
    pub violations: Vec<Violation>,
    /// Names of the `sometimes` properties reached in this run.
    pub reached: Vec<String>,
    pub stats: Stats,
    /// Running hash of every event: equal hashes mean (with overwhelming probability) equal runs.
    pub trace_hash: u64,
    pub plan: FaultPlan,
    /// The full trace, when tracing was on.
    pub trace: Option<Vec<TraceEvent>>,
}
