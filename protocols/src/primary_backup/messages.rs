//! What the nodes of primary-backup say and keep: write ids, the run's settings, the messages,
//! timers and observations, a replica's stable storage, and [`Host`], the process a role's
//! handlers run in.

use ftsim_api::properties::linearizability::OpEvent;
use ftsim_api::{Duration, NodeId, Process};

/// A client write: (client node, sequence number at that client).
pub type WriteId = (NodeId, u64);

/// The run's settings, as every node reads them.
#[derive(Clone, Copy, Debug, Hash)]
pub struct Config {
    pub replicas: usize,
    pub fenced: bool,
    pub writes: u64,
    pub heartbeat: Duration,
    pub timeout: Duration,
    pub client_retry: Duration,
}

impl Config {
    pub(super) fn majority(&self) -> usize {
        self.replicas / 2 + 1
    }
    pub(super) fn primary_of(&self, view: u64) -> NodeId {
        (view % self.replicas as u64) as NodeId
    }
}

#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub enum Msg {
    Write {
        id: WriteId,
    },
    Redirect {
        primary: NodeId,
    },
    Reply {
        id: WriteId,
        index: usize,
    },
    /// The primary's log and commit point; also its heartbeat.
    Replicate {
        view: u64,
        log: Vec<WriteId>,
        commit: usize,
    },
    /// A backup holds `len` entries of view `view` (or, if `view` is newer than the primary's,
    /// tells a deposed primary that the world moved on).
    ReplicateOk {
        view: u64,
        len: usize,
    },
    /// Fenced failover: "I joined view `view`; here is my log, last normal in `last_normal`".
    DoViewChange {
        view: u64,
        log: Vec<WriteId>,
        last_normal: u64,
    },
    /// Fenced failover: the new primary starts `view` with this log.
    StartView {
        view: u64,
        log: Vec<WriteId>,
        commit: usize,
    },
}

#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub enum Timer {
    Heartbeat,
    FailureCheck,
    ClientRetry,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub enum Obs {
    /// A replica starts acting as primary of `view`.
    Primary { view: u64 },
    /// A replica applied the write `id` at log position `index`.
    Applied { index: usize, id: WriteId },
    /// A client got the answer that `id` is committed at `index`.
    Acked { index: usize, id: WriteId },
    /// A client issued a write.
    Issued { id: WriteId },
}

impl Obs {
    /// The client operation event, for the linearizability checker: a write is an append to
    /// the replicated log, and its acknowledgement says the position it landed at.
    pub fn op_event(&self) -> Option<OpEvent<WriteId, usize>> {
        match *self {
            Obs::Issued { id } => Some(OpEvent::Invoke {
                op: id.1,
                input: id,
            }),
            Obs::Acked { index, id } => Some(OpEvent::Return {
                op: id.1,
                output: index,
            }),
            Obs::Primary { .. } | Obs::Applied { .. } => None,
        }
    }
}

/// What a replica keeps on stable storage (written whenever it changes).
#[derive(Clone, Debug, Default, Hash)]
pub struct Durable {
    pub view: u64,
    pub last_normal: u64,
    pub log: Vec<WriteId>,
}

/// Any process that sends these messages, sets these timers, makes these observations and
/// keeps this storage. A role's handlers take the context of one, so that a role knows what
/// the nodes say and keep, not the process that dispatches to it.
pub trait Host: Process<Msg = Msg, Timer = Timer, Obs = Obs, Stable = Durable> {}

impl<P: Process<Msg = Msg, Timer = Timer, Obs = Obs, Stable = Durable>> Host for P {}
