//! What every node of quorum replication shares: timestamps, messages, timers, observations,
//! a replica's stable storage, and the node itself, a replica or a client by its id.

use ftsim_api::properties::linearizability::{OpEvent, RegisterOp, RegisterOutput};
use ftsim_api::{Ctx, Duration, NodeId, Process};

use super::client::Client;
use super::replica::Replica;

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

#[derive(Clone, Debug, Hash)]
pub enum Role {
    Replica(Replica),
    Client(Client),
}

#[derive(Clone, Debug, Hash)]
pub struct Node {
    pub(super) cfg: Config,
    pub(super) role: Role,
}

/// The context handed to role handlers.
pub(super) type C<'a, 'b> = &'a mut Ctx<'b, Node>;

impl Node {
    /// Nodes `0..replicas` are replicas; the rest are clients.
    pub fn new(cfg: Config, id: NodeId) -> Self {
        let role = if id < cfg.replicas {
            Role::Replica(Replica)
        } else {
            Role::Client(Client::new())
        };
        Node { cfg, role }
    }

    /// Whether this node is a client that has operations left to invoke.
    pub fn unfinished_client(&self) -> bool {
        matches!(&self.role, Role::Client(c) if c.issued() < self.cfg.ops)
    }
}

impl Process for Node {
    type Msg = Msg;
    type Timer = Timer;
    type Obs = Obs;
    type Stable = Stored;

    fn on_start(&mut self, ctx: &mut Ctx<'_, Self>) {
        if let Role::Client(c) = &mut self.role {
            c.think(ctx, &self.cfg);
        }
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, msg: Msg) {
        match &mut self.role {
            Role::Replica(r) => r.on_message(ctx, from, msg),
            Role::Client(c) => c.on_message(ctx, &self.cfg, from, msg),
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, Self>, timer: Timer) {
        if let Role::Client(c) = &mut self.role {
            match timer {
                Timer::Think => c.issue(ctx, &self.cfg),
                Timer::Retry => c.retry(ctx, &self.cfg),
            }
        }
    }

    // A replica's state is all in stable storage; a client that crashed does not resume.
}
