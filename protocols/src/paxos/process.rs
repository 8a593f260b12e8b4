//! The Paxos process: every node plays acceptor and learner, and the first `proposers` nodes
//! also propose. This file holds what the roles share: the ballots, messages, stable storage,
//! and the dispatch of each message to its role ([`proposer`](super::proposer),
//! [`acceptor`](super::acceptor), [`learner`](super::learner)). A node sends to its own roles
//! by a direct call, not through the network.

use std::fmt;

use ftsim_api::properties::Decision;
use ftsim_api::{Ctx, Duration, NodeId, Process};

use super::acceptor::{Acceptor, AcceptorState};
use super::learner::Learner;
use super::proposer::Proposer;
use super::AcceptorStorage;

/// A proposal number: rounds are compared first, the proposer's id breaks ties, so no two
/// proposers ever use the same ballot. The zero ballot is below every real one.
#[derive(Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Ballot {
    pub round: u32,
    pub node: u32,
}

impl Ballot {
    pub fn new(round: u32, node: NodeId) -> Self {
        Ballot {
            round,
            node: node as u32,
        }
    }
}

impl fmt::Debug for Ballot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "b{}.{}", self.round, self.node)
    }
}

/// A node's stable storage.
#[derive(Clone, Debug, Default, Hash)]
pub struct Stable {
    /// Unused with a volatile acceptor (a known-buggy variant).
    pub acceptor: AcceptorState,
    /// The highest round this node has proposed in, so a recovered proposer never reuses a
    /// ballot (which it might fill with a different value).
    pub round: u32,
    pub learned: Option<u64>,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub enum Msg {
    Prepare {
        ballot: Ballot,
    },
    Promise {
        ballot: Ballot,
        accepted: Option<(Ballot, u64)>,
    },
    /// "I promised a higher ballot": the proposer should give up `ballot`.
    Nack {
        ballot: Ballot,
        promised: Ballot,
    },
    Accept {
        ballot: Ballot,
        value: u64,
    },
    /// An acceptor tells every learner what it accepted.
    Accepted {
        ballot: Ballot,
        value: u64,
    },
    /// A learner that has not learned asks its peers.
    Query,
    Learned {
        value: u64,
    },
}

#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub enum Timer {
    /// A proposer's attempt timed out, or its backoff is over.
    Retry,
    /// A learner that has not learned asks again.
    Poll,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub enum Obs {
    /// A proposer proposes its own value.
    Propose(u64),
    /// An acceptor accepted `value` in `ballot`: the properties count majorities from these.
    Accept { ballot: Ballot, value: u64 },
    /// A learner learns that `value` was chosen.
    Learn(u64),
}

impl Decision for Obs {
    fn proposed(&self) -> Option<u64> {
        match self {
            Obs::Propose(v) => Some(*v),
            _ => None,
        }
    }
    fn decided(&self) -> Option<u64> {
        match self {
            Obs::Learn(v) => Some(*v),
            _ => None,
        }
    }
}

/// The value node `i` proposes.
pub fn own_value(node: NodeId) -> u64 {
    100 + node as u64
}

/// The size of a majority of `n` acceptors.
pub(super) fn majority(n: usize) -> usize {
    n / 2 + 1
}

#[derive(Clone, Debug, Hash)]
pub struct Paxos {
    pub(super) proposer: Proposer,
    pub(super) acceptor: Acceptor,
    pub(super) learner: Learner,
}

impl Paxos {
    /// A node that proposes if `proposer`, keeps its acceptor state as `acceptor_storage`
    /// says, waits `retry` before asking again, and backs off from a preempted ballot for up
    /// to `backoff` doubled per failure.
    pub fn new(
        proposer: bool,
        acceptor_storage: AcceptorStorage,
        retry: Duration,
        backoff: Duration,
    ) -> Self {
        Paxos {
            proposer: Proposer::new(proposer, retry, backoff),
            acceptor: Acceptor::new(acceptor_storage),
            learner: Learner::new(retry),
        }
    }

    pub fn learned(&self) -> Option<u64> {
        self.learner.learned()
    }

    /// Sends to a node, delivering to this node's own roles directly.
    pub(super) fn send_to(&mut self, ctx: &mut Ctx<'_, Self>, to: NodeId, msg: Msg) {
        if to == ctx.id() {
            self.handle(ctx, to, msg);
        } else {
            ctx.send(to, msg);
        }
    }

    /// Sends to every node, this one included.
    pub(super) fn send_all(&mut self, ctx: &mut Ctx<'_, Self>, msg: Msg) {
        ctx.broadcast(msg.clone());
        self.handle(ctx, ctx.id(), msg);
    }

    /// At start and after a recovery: done if stable storage says the value was learned;
    /// otherwise learn and, if a proposer, propose.
    fn begin(&mut self, ctx: &mut Ctx<'_, Self>) {
        if self.resume_learning(ctx) {
            self.begin_proposing(ctx);
        }
    }

    /// Hands a message to the role it is for.
    fn handle(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, msg: Msg) {
        match msg {
            Msg::Prepare { ballot } => self.on_prepare(ctx, from, ballot),
            Msg::Accept { ballot, value } => self.on_accept(ctx, from, ballot, value),
            Msg::Promise { ballot, accepted } => self.on_promise(ctx, from, ballot, accepted),
            Msg::Nack { ballot, promised } => self.on_nack(ctx, ballot, promised),
            Msg::Accepted { ballot, value } => self.on_accepted(ctx, from, ballot, value),
            Msg::Query => self.on_query(ctx, from),
            Msg::Learned { value } => self.learn(ctx, value),
        }
    }
}

impl Process for Paxos {
    type Msg = Msg;
    type Timer = Timer;
    type Obs = Obs;
    type Stable = Stable;

    fn on_start(&mut self, ctx: &mut Ctx<'_, Self>) {
        self.begin(ctx);
    }

    fn on_recover(&mut self, ctx: &mut Ctx<'_, Self>) {
        self.begin(ctx);
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, msg: Msg) {
        self.handle(ctx, from, msg);
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, Self>, timer: Timer) {
        if self.learned().is_some() {
            return;
        }
        match timer {
            Timer::Retry => self.on_retry(ctx),
            Timer::Poll => self.on_poll(ctx),
        }
    }
}
