//! The results of a run: its outcome, violations, statistics, running trace hash, and, when
//! tracing is on, the full trace. Everything here is independent of the protocol's types
//! (message contents are rendered with `Debug`), so reports can render any protocol's runs.

use serde::{Deserialize, Serialize};

use crate::faults::FaultPlan;
use crate::message::DropReason;
use crate::property::PropertyKind;
use crate::time::{Duration, Time};
use crate::NodeId;

/// The version of what a run's record means: what the running trace hash mixes (each event's
/// time, kind, nodes, timer tags, message contents, drops) and which decisions a run asks for,
/// in what order and under what [`Draw`](crate::entropy::Draw) keys. A repro file stores it
/// with its expected hash and recorded decisions; a build with another version cannot check
/// that hash or replay those decisions. Bump it with any change to either (and to
/// `PINNED_HASH` in `tests/determinism.rs`, which guards the hash).
pub const TRACE_FORMAT: u32 = 1;

/// What happened in one trace entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum TraceKind {
    /// The node started.
    Start,
    /// The node crashed.
    Crash,
    /// The node recovered.
    Recover,
    /// The node sent a message.
    Send {
        /// The receiver.
        to: NodeId,
        /// The message's number in the run.
        msg_id: u64,
        /// Its content (`Debug`).
        msg: String,
        /// When it leaves the sender (after the serialisation gap).
        depart: Time,
    },
    /// A message reached the node.
    Deliver {
        /// The sender.
        from: NodeId,
        /// The message's number in the run.
        msg_id: u64,
        /// Its content (`Debug`).
        msg: String,
    },
    /// A message was lost.
    Drop {
        /// The sender.
        from: NodeId,
        /// The receiver.
        to: NodeId,
        /// The message's number in the run.
        msg_id: u64,
        /// Why it was lost.
        reason: DropReason,
    },
    /// The network will deliver this message a second time.
    Duplicate {
        /// The receiver.
        to: NodeId,
        /// The message's number in the run.
        msg_id: u64,
    },
    /// A Byzantine node's adversary replaced what the correct code sent.
    Tamper {
        /// The receiver.
        to: NodeId,
        /// The message's number in the run.
        msg_id: u64,
        /// What the correct code sent (`Debug`).
        original: String,
    },
    /// The node set a timer.
    TimerSet {
        /// The timer's slot.
        timer: u32,
        /// Its tag (`Debug`).
        tag: String,
        /// When it will fire.
        fires_at: Time,
    },
    /// The node cancelled a timer.
    TimerCancel {
        /// The timer's slot.
        timer: u32,
    },
    /// A timer fired.
    TimerFire {
        /// The timer's slot.
        timer: u32,
        /// Its tag (`Debug`).
        tag: String,
    },
    /// The node wrote its stable storage.
    Persist {
        /// What it holds now (`Debug`, at most `STABLE_TEXT_BYTES_MAX` bytes: longer is
        /// clipped).
        stable: String,
    },
    /// The node reported something to the properties.
    Observe {
        /// The observation (`Debug`).
        obs: String,
    },
    /// The failure detector now suspects `about`.
    Suspect {
        /// The suspected node.
        about: NodeId,
    },
    /// The failure detector no longer suspects `about`.
    Restore {
        /// The node trusted again.
        about: NodeId,
    },
    /// The network split into groups.
    Partition {
        /// The groups (the nodes not listed form one more).
        groups: Vec<Vec<NodeId>>,
    },
    /// The network healed.
    Heal,
    /// The node started losing messages.
    OmissionStart {
        /// The chance of losing each message it sends, in parts per million.
        send_ppm: u32,
        /// The chance of losing each message it receives, in parts per million.
        receive_ppm: u32,
    },
    /// The node stopped losing messages.
    OmissionEnd,
    /// Messages from `from` to `to` are lost from now on (the other way works).
    OneWay {
        /// The senders cut off.
        from: Vec<NodeId>,
        /// The receivers they cannot reach.
        to: Vec<NodeId>,
    },
    /// The node's clock jumped and drifts (see `FaultKind::ClockSkew`).
    ClockSkew {
        /// How far ahead it jumped, in nanoseconds (negative: behind).
        offset_ns: i64,
        /// How much faster it runs now, in parts per million.
        drift_ppm: i32,
    },
    /// The node runs at `factor_pct` percent of normal time (100: normal again).
    Slow {
        /// Percent of normal time its sends and timers take.
        factor_pct: u32,
    },
    /// A crash lost the node's unsynced writes: its stable storage now holds `stable`.
    StorageLost {
        /// What survived (`Debug`).
        stable: String,
    },
    /// The network heals and omissions end: the liveness phase starts.
    FaultsEnd,
    /// A property was violated.
    Violation {
        /// Its name.
        property: String,
        /// What went wrong.
        message: String,
    },
}

/// One entry of a full trace.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TraceEvent {
    /// The engine event this entry belongs to (several entries share one event: a delivery and
    /// the sends its handler made).
    pub event: u64,
    /// When it happened.
    pub time: Time,
    /// The node it happened at; `None` for network-wide events (partition, heal).
    pub node: Option<NodeId>,
    /// The node's Lamport clock after this entry.
    pub lamport: u64,
    /// The node's vector clock after this entry (empty for network-wide events, and in groups
    /// of more than the engine's `MAX_CLOCK_NODES` nodes).
    pub vc: Vec<u64>,
    #[serde(flatten)]
    /// What happened.
    pub kind: TraceKind,
}

impl TraceEvent {
    /// About what the entry takes in memory, and in a report or a repro file: its texts, its
    /// vector clock and a fixed part. What holds a trace (a diagram's window, a shrunk run's
    /// repro) bounds it by this.
    pub fn approx_bytes(&self) -> usize {
        let text = match &self.kind {
            TraceKind::Send { msg, .. } | TraceKind::Deliver { msg, .. } => msg.len(),
            TraceKind::Tamper { original, .. } => original.len(),
            TraceKind::TimerSet { tag, .. } | TraceKind::TimerFire { tag, .. } => tag.len(),
            TraceKind::Persist { stable } | TraceKind::StorageLost { stable } => stable.len(),
            TraceKind::Observe { obs } => obs.len(),
            TraceKind::Violation { message, .. } => message.len(),
            _ => 0,
        };
        text + Self::approx_bytes_without_text(self.vc.len())
    }

    /// What [`approx_bytes`](TraceEvent::approx_bytes) counts for an entry with no text and a
    /// vector clock of `clock_counters` counters: the least an entry weighs.
    pub fn approx_bytes_without_text(clock_counters: usize) -> usize {
        clock_counters * 8 + 96
    }
}

/// A process's state after one of its events, as its `Debug` renders it. A
/// traced run records one whenever the state changed, so the state at any event is the latest
/// record of that node at or before it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcessState {
    /// The engine event after which the process was in this state.
    pub event: u64,
    /// The process.
    pub node: NodeId,
    /// Its state (`{:?}`; reports indent it).
    pub state: String,
}

impl ProcessState {
    /// About what the record takes in memory (see [`TraceEvent::approx_bytes`]).
    pub fn approx_bytes(&self) -> usize {
        self.state.len() + 32
    }
}

/// A property that failed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Violation {
    /// The property's name.
    pub property: String,
    /// Its kind.
    pub kind: PropertyKind,
    /// When it was violated.
    pub time: Time,
    /// The engine event at which it failed (the last event for liveness).
    pub event: u64,
    /// What that event was, in words.
    pub during: String,
    /// What went wrong, in words.
    pub message: String,
    /// The other events that make the property false, in order (the other side of a
    /// disagreement; for liveness, what a stuck process waited for and its last step).
    #[serde(default)]
    pub related: Vec<u64>,
    /// Why the run that broke it stepped outside its protocol's assumptions, if it did: a
    /// failure outside the model the protocol claims is not a bug in it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outside_assumptions: Option<String>,
    /// For liveness: when the oldest wait the verdict names began (an operation's
    /// invocation), if the property says ([`Falsified::waiting_since`]): a wait begun too
    /// close to the end of the run is the run ending too early, not the protocol stuck.
    ///
    /// [`Falsified::waiting_since`]: crate::Falsified::waiting_since
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiting_since: Option<Time>,
}

/// Which budget a run exhausted (the engine's `Budgets` set their limits).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Budget {
    /// The event budget (`max_events`); the limit is a number of events.
    Events,
    /// The virtual-time budget (`max_time`), in nanoseconds.
    VirtualTime,
    /// The most messages in flight at once (`max_in_flight`).
    MessagesInFlight,
    /// The most memory the run's queue and messages may hold (`max_memory`), in bytes.
    Memory,
    /// The wall time a sweep gives one seed (its watchdog); the limit is in milliseconds. A
    /// protocol stuck in a handler never returns to the event loop, so only the sweep, which
    /// runs the seed on a thread it can abandon, can end it.
    WallTime,
}

impl Budget {
    /// The budget and its limit in words: "10,000,000 messages in flight".
    pub fn describe(self, limit: u64) -> String {
        match self {
            Budget::Events => format!("{} events", thousands(limit)),
            Budget::VirtualTime => format!("{} of virtual time", crate::time::Duration(limit)),
            Budget::MessagesInFlight => format!("{} messages in flight", thousands(limit)),
            Budget::Memory => format!("{} MiB of memory", thousands(limit >> 20)),
            Budget::WallTime => format!("{} ms of wall time", thousands(limit)),
        }
    }

    /// The budget's name in a word or two, as summaries count it: "events", "wall time".
    pub fn name(self) -> &'static str {
        match self {
            Budget::Events => "events",
            Budget::VirtualTime => "virtual time",
            Budget::MessagesInFlight => "messages in flight",
            Budget::Memory => "memory",
            Budget::WallTime => "wall time",
        }
    }

    /// What exhausting it usually means, for a verdict line.
    pub fn likely_cause(self) -> &'static str {
        match self {
            Budget::Events => "a livelock, or a run that never quiesces",
            Budget::VirtualTime => "a run that never quiesces, or timers that re-arm forever",
            Budget::MessagesInFlight => "a flood: messages sent faster than delivered",
            Budget::Memory => "state or messages that grow without end",
            Budget::WallTime => "a handler that never returns",
        }
    }
}

/// `n` with a comma every three digits.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// How a run ended.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "status")]
pub enum Outcome {
    /// Every checked property held.
    #[default]
    Ok,
    /// At least one property failed (see `violations`).
    Violated,
    /// The run hit a budget: a livelock or a protocol that never quiesces is a finding.
    BudgetExceeded {
        /// Which budget.
        budget: Budget,
        /// Its limit.
        limit: u64,
    },
    /// A protocol handler panicked.
    Panicked {
        /// The panic's message.
        message: String,
        /// The event it happened in.
        during: String,
    },
}

impl Outcome {
    /// Whether the run passed.
    pub fn is_ok(&self) -> bool {
        matches!(self, Outcome::Ok)
    }

    /// For a budget overrun, what ran out: "budget exceeded: 10,000,000 messages in flight".
    pub fn budget_text(&self) -> Option<String> {
        match self {
            Outcome::BudgetExceeded { budget, limit } => {
                Some(format!("budget exceeded: {}", budget.describe(*limit)))
            }
            _ => None,
        }
    }
}

/// Counters of a run.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stats {
    /// Events processed.
    pub events: u64,
    /// Messages sent (each destination of a broadcast counts).
    pub messages_sent: u64,
    /// Messages delivered.
    pub messages_delivered: u64,
    /// Messages lost.
    pub messages_dropped: u64,
    /// Messages the network delivered twice.
    pub messages_duplicated: u64,
    /// Timers that fired.
    pub timers_fired: u64,
    /// The virtual time the run ended at: that of its last event (a timer cancelled before
    /// it was due, or a moot failure-detector notice, is not one).
    pub end_time: Time,
    /// Messages the link lost (part of `messages_dropped`).
    #[serde(default)]
    pub messages_lost: u64,
    /// Messages scheduled to arrive before one sent earlier on the same link.
    #[serde(default)]
    pub messages_reordered: u64,
    /// The longest time from a send (in its handler) to the arrival of the message.
    #[serde(default)]
    pub max_transit: Duration,
    /// Messages of a crashed sender delivered after the receiver was told of the crash.
    #[serde(default)]
    pub late_after_detection: u64,
    /// Crashes that lost stable-storage writes the node had not synced (storage faults).
    #[serde(default)]
    pub storage_losses: u64,
    /// Crashes of the plan's `triggered` entries whose trigger fired (a chain's are counted
    /// apart): a trigger whose message kind, count or broadcast never comes never fires.
    #[serde(default)]
    pub triggered_crashes: u64,
    /// Crashes of the plan's crash chains that fired, each link one.
    #[serde(default)]
    pub chain_crashes: u64,
    /// False suspicions an eventually perfect detector planned for the run (its `mistakes`).
    #[serde(default)]
    pub false_suspicions_planned: u64,
    /// False suspicions that fired: a live node suspected by a live node (a mistake whose
    /// watcher was down, or that came while the suspicion was already held, is moot).
    #[serde(default)]
    pub false_suspicions: u64,
    /// Those suspicions withdrawn again (the detector's restore after its mistake).
    #[serde(default)]
    pub false_suspicions_withdrawn: u64,
    /// When the link last lost a message (its departure), if it lost any: on a network that
    /// does not heal, loss goes on to the end of the run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_lost_at: Option<Time>,
}

/// Everything a run produced.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunReport {
    /// The seed of the run.
    pub seed: u64,
    /// How it ended.
    pub outcome: Outcome,
    /// The properties it violated (at most one safety violation: it stops the run).
    pub violations: Vec<Violation>,
    /// Names of the `sometimes` properties reached in this run.
    pub reached: Vec<String>,
    /// Counts.
    pub stats: Stats,
    /// Running hash of every event: equal hashes mean (with overwhelming probability) equal runs.
    pub trace_hash: u64,
    /// Its fault plan.
    pub plan: FaultPlan,
    /// The nodes that crashed at some point of the run.
    #[serde(default)]
    pub crashed: Vec<NodeId>,
    /// The nodes that were down when the run ended.
    #[serde(default)]
    pub down_at_end: Vec<NodeId>,
    /// Why the run stepped outside its protocol's assumptions (empty: it did not). Judged by
    /// the protocol's declared model after the run; see each violation's own reason.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub outside_assumptions: Vec<String>,
    /// The full trace, when tracing was on.
    pub trace: Option<Vec<TraceEvent>>,
    /// When tracing was on: each process's state after its events, where it changed.
    #[serde(default)]
    pub states: Vec<ProcessState>,
    /// What the protocol's declared metric measured (latencies, availability). The engine
    /// leaves it empty; ftsim-api fills it from the observations after the run.
    #[serde(default, skip_serializing_if = "Measured::is_empty")]
    pub measured: Measured,
    /// When tracing was on: the client histories its properties kept, one per property that
    /// keeps one. Not part of the report's JSON: `ftsim replay --history` writes it to a file
    /// of its own.
    #[serde(skip)]
    pub client_histories: Vec<crate::ClientHistory>,
}

/// What a protocol's declared metric measured in one run: latency samples (time to decide,
/// deliver, commit, answer) and, for a service, how long it answered within its grace out of
/// how long it was watched. Filled outside the engine; never part of the trace hash.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Measured {
    /// Latency samples, in nanoseconds of virtual time.
    #[serde(default)]
    pub latencies_ns: Vec<u64>,
    /// Virtual time the service answered requests within their grace, in nanoseconds.
    #[serde(default)]
    pub available_ns: u64,
    /// Virtual time the service was watched, in nanoseconds (0: no availability measured).
    #[serde(default)]
    pub watched_ns: u64,
}

impl Measured {
    /// Whether nothing was measured.
    pub fn is_empty(&self) -> bool {
        self.latencies_ns.is_empty() && self.watched_ns == 0
    }
}
