//! What every node of primary-backup shares: the messages, timers and observations, what a
//! replica keeps on stable storage, and the node itself, a replica or a client by its id.

use ftsim_api::properties::linearizability::OpEvent;
use ftsim_api::{Ctx, Duration, NodeId, Process};

use super::client::Client;
use super::replica::Replica;

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
            Role::Replica(Replica::new())
        } else {
            Role::Client(Client::new())
        };
        Node { cfg, role }
    }

    /// The view in which this node acts as primary, if it does (for the split-brain check).
    pub fn acting_primary(&self, me: NodeId) -> Option<u64> {
        match &self.role {
            Role::Replica(r) => r.acting_primary(&self.cfg, me),
            Role::Client(_) => None,
        }
    }
}

impl Process for Node {
    type Msg = Msg;
    type Timer = Timer;
    type Obs = Obs;
    type Stable = Durable;

    fn on_start(&mut self, ctx: &mut Ctx<'_, Self>) {
        match &mut self.role {
            Role::Replica(r) => r.start(ctx, &self.cfg),
            Role::Client(c) => c.issue(ctx, &self.cfg),
        }
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, msg: Msg) {
        match &mut self.role {
            Role::Replica(r) => r.on_message(ctx, &self.cfg, from, msg),
            Role::Client(c) => c.on_message(ctx, &self.cfg, msg),
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, Self>, timer: Timer) {
        match &mut self.role {
            Role::Replica(r) => r.on_timer(ctx, &self.cfg, timer),
            Role::Client(c) => c.on_timer(ctx, &self.cfg),
        }
    }

    fn on_recover(&mut self, ctx: &mut Ctx<'_, Self>) {
        match &mut self.role {
            Role::Replica(r) => r.recover(ctx, &self.cfg),
            // A client that crashed has lost its place; it does not resume.
            Role::Client(_) => {}
        }
    }
}
