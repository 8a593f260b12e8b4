//! What the nodes of the quorum register say and keep: timestamps, the run's settings, the
//! messages, timers and observations, a replica's stable storage, and [`Host`], the process a
//! role's handlers run in.

use ftsim_api::properties::linearizability::{OpEvent, RegisterOp, RegisterOutput};
use ftsim_api::{Duration, NodeId, Process};

/// A write's timestamp: (counter, writer). Compared as a pair, so two writers that pick the
/// same counter are still ordered, by id.
pub type Ts = (u64, NodeId);

/// The run's settings, as every node reads them.
#[derive(Clone, Copy, Debug, Hash)]
pub struct Config {
    pub replicas: usize,
    pub write_quorum: usize,
    pub read_quorum: usize,
    /// Whether a read writes what it read back to a write quorum before returning.
    pub write_back: bool,
    pub ops: u64,
    pub writes_percent: u64,
    /// If not 0, only the first this many clients write; the others only read.
    pub writers: usize,
    pub retry: Duration,
    pub think: Duration,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub enum Msg {
    /// "What is your timestamp and value?" (phase 1 of a read or a write).
    Query {
        tag: u64,
    },
    QueryReply {
        tag: u64,
        ts: Ts,
        value: u64,
    },
    /// "Keep this value if its timestamp is newer" (phase 2; `write_back` for a read's).
    Store {
        tag: u64,
        ts: Ts,
        value: u64,
        write_back: bool,
    },
    StoreAck {
        tag: u64,
    },
}

#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub enum Timer {
    /// Time for a client's next operation.
    Think,
    /// A client re-sends its current phase to the replicas that have not answered.
    Retry,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub enum Obs {
    /// A client invokes its operation `tag`.
    Invoke { tag: u64, op: RegisterOp<u64> },
    /// Operation `tag` returns.
    Return { tag: u64, out: RegisterOutput<u64> },
    /// A replica took a newer value from a read's write-back.
    Repaired { ts: Ts },
}

impl Obs {
    /// The operation event, for the linearizability checker.
    pub fn op_event(&self) -> Option<OpEvent<RegisterOp<u64>, RegisterOutput<u64>>> {
        match self {
            Obs::Invoke { tag, op } => Some(OpEvent::Invoke {
                op: *tag,
                input: op.clone(),
            }),
            Obs::Return { tag, out } => Some(OpEvent::Return {
                op: *tag,
                output: out.clone(),
            }),
            Obs::Repaired { .. } => None,
        }
    }
}

/// A replica's stable storage: its timestamp and value, synced before it answers a store.
#[derive(Clone, Debug, Default, Hash)]
pub struct Stored {
    pub ts: Ts,
    pub value: u64,
}

/// Any process that sends these messages, sets these timers, makes these observations and
/// keeps this storage. A role's handlers take the context of one, so that a role knows what
/// the nodes say and keep, not the process that dispatches to it.
pub trait Host: Process<Msg = Msg, Timer = Timer, Obs = Obs, Stable = Stored> {}

impl<P: Process<Msg = Msg, Timer = Timer, Obs = Obs, Stable = Stored>> Host for P {}
