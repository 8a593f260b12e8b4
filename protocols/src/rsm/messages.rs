//! What the nodes of the replicated state machine say and keep: commands and log entries,
//! ballots, the run's settings, the messages, timers and observations, a server's stable
//! storage, and [`Host`], the process a role's handlers run in.

use std::collections::BTreeMap;

use ftsim_api::properties::linearizability::{KvOp, KvOutput, OpEvent};
use ftsim_api::{Duration, NodeId, Process};

use super::Variant;

/// A client's command: its `seq`-th operation.
#[derive(Clone, Debug, Hash, PartialEq, Eq, PartialOrd, Ord)]
pub struct Cmd {
    pub client: NodeId,
    pub seq: u64,
    pub op: KvOp<u64, u64>,
}

/// A log entry: a command, or a no-op that fills a gap.
pub type Entry = Option<Cmd>;

/// A Multi-Paxos ballot: (round, proposer), compared as a pair.
pub type Ballot = (u32, NodeId);

/// The run's settings, as every node reads them.
#[derive(Clone, Copy, Debug, Hash)]
pub struct Config {
    pub variant: Variant,
    pub servers: usize,
    pub ops: u64,
    pub keys: u64,
    pub writes_percent: u64,
    pub retry: Duration,
    pub think: Duration,
    pub heartbeat: Duration,
    pub election_timeout: Duration,
}

impl Config {
    pub(super) fn majority(&self) -> usize {
        self.servers / 2 + 1
    }
}

#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub enum Msg {
    /// A client's command, to a server.
    Request {
        cmd: Cmd,
    },
    /// A server's answer to the client's `seq`-th command.
    Reply {
        seq: u64,
        out: KvOutput<u64>,
    },
    /// "The leader is elsewhere" (Multi-Paxos).
    Redirect {
        leader: NodeId,
    },
    /// Total order: the sequencer's `slot`-th command.
    Ordered {
        slot: u64,
        cmd: Cmd,
    },
    /// Total order: a replica holds every slot below `upto`.
    OrderedAck {
        upto: u64,
    },
    /// Multi-Paxos phase 1 for every slot from `from` on.
    Prepare {
        ballot: Ballot,
        from: u64,
    },
    Promise {
        ballot: Ballot,
        accepted: Vec<(u64, Ballot, Entry)>,
    },
    /// "I promised a higher ballot."
    Nack {
        promised: Ballot,
    },
    /// Multi-Paxos phase 2 for one slot.
    Accept {
        ballot: Ballot,
        slot: u64,
        entry: Entry,
    },
    Accepted {
        ballot: Ballot,
        slot: u64,
    },
    /// The entry of `slot` is chosen.
    Commit {
        slot: u64,
        entry: Entry,
    },
    /// The leader is alive; it knows the log is chosen up to `chosen`.
    Heartbeat {
        ballot: Ballot,
        chosen: u64,
    },
    /// A replica that missed commits asks for the chosen entries from `from` on.
    CatchUp {
        from: u64,
    },
}

#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub enum Timer {
    /// A client's next operation.
    Think,
    /// A client re-sends its command.
    Retry,
    /// A server's periodic work: heartbeats, re-sends, failure checks.
    Tick,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub enum Obs {
    /// A client invokes its `seq`-th operation.
    Invoke { seq: u64, op: KvOp<u64, u64> },
    /// It returns.
    Return { seq: u64, out: KvOutput<u64> },
    /// A replica applied log position `index`: a client's command, or a no-op.
    Applied {
        index: u64,
        cmd: Option<(NodeId, u64)>,
    },
    /// A server became the leader of `ballot` (Multi-Paxos).
    Leader { ballot: Ballot },
    /// A replica got a sequenced command ahead of a gap and held it back (total order).
    HeldBack { slot: u64 },
    /// A server accepted an entry after recovering from a crash (Multi-Paxos).
    AcceptedAfterRecovery,
}

impl Obs {
    /// The operation event, for the linearizability checker.
    pub fn op_event(&self) -> Option<OpEvent<KvOp<u64, u64>, KvOutput<u64>>> {
        match self {
            Obs::Invoke { seq, op } => Some(OpEvent::Invoke {
                op: *seq,
                input: op.clone(),
            }),
            Obs::Return { seq, out } => Some(OpEvent::Return {
                op: *seq,
                output: out.clone(),
            }),
            _ => None,
        }
    }
}

/// A Multi-Paxos server's stable storage: the acceptor's promise and accepted entries
/// (synced before it answers), its highest round, and the chosen entries it learned.
#[derive(Clone, Debug, Default, Hash)]
pub struct Durable {
    pub promised: Ballot,
    pub accepted: BTreeMap<u64, (Ballot, Entry)>,
    pub round: u32,
    pub chosen: BTreeMap<u64, Entry>,
}

/// Any process that sends these messages, sets these timers, makes these observations and
/// keeps this storage. A role's handlers take the context of one, so that a role knows what
/// the nodes say and keep, not the process that dispatches to it.
pub trait Host: Process<Msg = Msg, Timer = Timer, Obs = Obs, Stable = Durable> {}

impl<P: Process<Msg = Msg, Timer = Timer, Obs = Obs, Stable = Durable>> Host for P {}
