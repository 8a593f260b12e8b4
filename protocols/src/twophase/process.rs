//! What both roles of two-phase commit share: the messages, timers and observations, what
//! survives a crash, and the node itself, the coordinator (node 0) or a participant.

use ftsim_api::properties::Decision;
use ftsim_api::{Ctx, Duration, NodeId, Process};

use super::coordinator::Coordinator;
use super::participant::Participant;

pub const COORDINATOR: NodeId = 0;
const COMMIT: u64 = 1;
const ABORT: u64 = 0;

/// The run's settings, as every node reads them.
#[derive(Clone, Copy, Debug, Hash)]
pub struct Config {
    /// Participants log votes and decisions to stable storage (the correct protocol).
    pub participant_log: bool,
    /// Chance, in percent, that a participant votes no.
    pub no_percent: u64,
    /// How long the coordinator waits for votes before aborting.
    pub vote_timeout: Duration,
    /// Period of retransmissions (prepare, decision, participants' queries).
    pub retry: Duration,
    /// Retransmission rounds each node makes at most (`None`: forever). A bound makes the
    /// state space of a search finite: every re-armed timer is a new state.
    pub retry_limit: Option<u64>,
}

impl Config {
    /// Whether a node that retransmitted `done` times may retransmit again.
    pub(super) fn may_retry(&self, done: u64) -> bool {
        self.retry_limit.is_none_or(|limit| done < limit)
    }
}

#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub enum Msg {
    Prepare,
    Vote {
        yes: bool,
    },
    Decision {
        commit: bool,
    },
    Ack,
    /// A blocked participant asks the coordinator for the outcome.
    Query,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub enum Timer {
    VoteTimeout,
    Retry,
}

/// Why a process decided what it decided; abort-validity judges these against the history.
#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq)]
pub enum Why {
    /// Coordinator: every participant voted yes.
    AllYes,
    /// Coordinator: a participant voted no; participant: it voted no itself.
    NoVote,
    /// Coordinator: votes did not all arrive before the timeout.
    Timeout,
    /// Coordinator: it recovered without a logged decision (presumed abort).
    Recovered,
    /// Participant: the coordinator told it.
    Told,
    /// Participant: it recovered with no record of the transaction and aborted on its own.
    NoRecord,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub enum Obs {
    Vote { yes: bool },
    Decide { commit: bool, why: Why },
}

/// Commit and abort as decided values, for the shared consensus properties.
impl Decision for Obs {
    fn proposed(&self) -> Option<u64> {
        None
    }
    fn decided(&self) -> Option<u64> {
        match self {
            Obs::Decide { commit, .. } => Some(if *commit { COMMIT } else { ABORT }),
            Obs::Vote { .. } => None,
        }
    }
}

/// What survives a crash.
#[derive(Clone, Debug, Default, Hash)]
pub struct Log {
    pub vote: Option<bool>,
    pub decision: Option<bool>,
}

#[derive(Clone, Debug, Hash)]
pub enum Role {
    Coordinator(Coordinator),
    Participant(Participant),
}

#[derive(Clone, Debug, Hash)]
pub struct Node {
    cfg: Config,
    role: Role,
}

/// The context handed to role handlers.
pub(super) type C<'a, 'b> = &'a mut Ctx<'b, Node>;

/// The participants of a group of `n`: every node but the coordinator.
pub(super) fn participants(n: usize) -> impl Iterator<Item = NodeId> {
    1..n
}

impl Node {
    /// Node 0 coordinates; every other node is a participant.
    pub fn new(cfg: Config, id: NodeId) -> Self {
        let role = if id == COORDINATOR {
            Role::Coordinator(Coordinator::new())
        } else {
            Role::Participant(Participant::new())
        };
        Node { cfg, role }
    }
}

impl Process for Node {
    type Msg = Msg;
    type Timer = Timer;
    type Obs = Obs;
    type Stable = Log;

    fn on_start(&mut self, ctx: &mut Ctx<'_, Self>) {
        match &mut self.role {
            Role::Coordinator(c) => c.start(ctx, &self.cfg),
            Role::Participant(_) => {}
        }
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, msg: Msg) {
        match &mut self.role {
            Role::Coordinator(c) => c.on_message(ctx, &self.cfg, from, msg),
            Role::Participant(p) => p.on_message(ctx, &self.cfg, from, msg),
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, Self>, timer: Timer) {
        match &mut self.role {
            Role::Coordinator(c) => c.on_timer(ctx, &self.cfg, timer),
            Role::Participant(p) => p.on_timer(ctx, &self.cfg, timer),
        }
    }

    fn on_recover(&mut self, ctx: &mut Ctx<'_, Self>) {
        match &mut self.role {
            Role::Coordinator(c) => c.recover(ctx, &self.cfg),
            Role::Participant(p) => p.recover(ctx, &self.cfg),
        }
    }
}
