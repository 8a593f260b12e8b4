//! The Paxos process: every node plays acceptor and learner, and the first `proposers` nodes
//! also propose. This file holds the node, each role's state, and the dispatch of each message
//! to its role, whose handlers are in `proposer.rs`,
//! `acceptor.rs` and `learner.rs`. A node sends to its own roles
//! by a direct call, not through the network.

use std::collections::BTreeMap;

use ftsim_api::{Ctx, Duration, NodeId, NodeSet, Process, TimerId};

use super::messages::{AcceptorState, Ballot, Msg, Obs, Stable, Timer};
use super::AcceptorStorage;

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

/// Where the proposer's current ballot stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(super) enum Phase {
    Idle,
    Preparing,
    Accepting,
}

/// The proposer's state; its handlers are in `proposer.rs`.
#[derive(Clone, Debug, Hash)]
pub(super) struct Proposer {
    /// Whether this node proposes at all.
    pub(super) enabled: bool,
    pub(super) retry: Duration,
    pub(super) backoff: Duration,
    pub(super) phase: Phase,
    pub(super) ballot: Ballot,
    pub(super) promises: NodeSet,
    pub(super) best: Option<(Ballot, u64)>,
    /// The value of the current ballot's accept phase.
    pub(super) value: u64,
    /// The highest round a nack told us about: the next ballot must beat it.
    pub(super) highest_seen: u32,
    pub(super) failures: u32,
    pub(super) retry_timer: Option<TimerId>,
}

impl Proposer {
    pub(super) fn new(enabled: bool, retry: Duration, backoff: Duration) -> Self {
        Proposer {
            enabled,
            retry,
            backoff,
            phase: Phase::Idle,
            ballot: Ballot::default(),
            promises: NodeSet::EMPTY,
            best: None,
            value: 0,
            highest_seen: 0,
            failures: 0,
            retry_timer: None,
        }
    }
}

/// Where the acceptor keeps its [`AcceptorState`]; its handlers are in
/// `acceptor.rs`.
#[derive(Clone, Debug, Hash)]
pub(super) struct Acceptor {
    pub(super) storage: AcceptorStorage,
    /// The state when it is volatile (a buggy variant); otherwise it is in stable storage
    /// and this stays at its default.
    pub(super) state: AcceptorState,
}

impl Acceptor {
    pub(super) fn new(storage: AcceptorStorage) -> Self {
        Acceptor {
            storage,
            state: AcceptorState::default(),
        }
    }
}

/// The learner's state; its handlers are in `learner.rs`.
#[derive(Clone, Debug, Hash)]
pub(super) struct Learner {
    /// How long to wait between queries.
    pub(super) poll: Duration,
    /// Per ballot: the value accepted in it and which acceptors said so.
    pub(super) votes: BTreeMap<Ballot, (u64, NodeSet)>,
    pub(super) learned: Option<u64>,
}

impl Learner {
    pub(super) fn new(poll: Duration) -> Self {
        Learner {
            poll,
            votes: BTreeMap::new(),
            learned: None,
        }
    }

    pub(super) fn learned(&self) -> Option<u64> {
        self.learned
    }

    /// The acceptors known to have accepted in `ballot`.
    pub(super) fn voters(&self, ballot: Ballot) -> NodeSet {
        self.votes.get(&ballot).map_or(NodeSet::EMPTY, |&(_, m)| m)
    }
}
