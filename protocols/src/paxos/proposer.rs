//! The proposer: picks a ballot above any it has used or seen, gathers promises from a
//! majority of acceptors (phase 1), then asks them to accept the value of the highest ballot
//! they reported, or its own value if none (phase 2). It re-sends its current phase to the
//! acceptors that have not answered until it learns; once nacked (preempted) it retries with a
//! higher ballot after a random, exponentially growing backoff, so dueling proposers
//! eventually let one of them finish.

use ftsim_api::{Ctx, Duration, NodeId, NodeSet};

use super::messages::{majority, own_value, Ballot, Msg, Obs, Timer};
use super::process::{Paxos, Phase};

/// The highest backoff is `backoff << MAX_DOUBLINGS`, so a proposer that lost many times
/// during the fault phase still retries soon after the network heals.
const MAX_DOUBLINGS: u32 = 4;

impl Paxos {
    /// Proposes this node's own value, if it is a proposer.
    pub(super) fn begin_proposing(&mut self, ctx: &mut Ctx<'_, Self>) {
        if self.proposer.enabled {
            ctx.observe(Obs::Propose(own_value(ctx.id())));
            self.new_ballot(ctx);
        }
    }

    /// The value is learned: nothing left to propose.
    pub(super) fn stop_proposing(&mut self, ctx: &mut Ctx<'_, Self>) {
        self.proposer.phase = Phase::Idle;
        if let Some(t) = self.proposer.retry_timer.take() {
            ctx.cancel_timer(t);
        }
    }

    fn arm_retry(&mut self, ctx: &mut Ctx<'_, Self>, delay: Duration) {
        if let Some(t) = self.proposer.retry_timer.take() {
            ctx.cancel_timer(t);
        }
        self.proposer.retry_timer = Some(ctx.set_timer(delay, Timer::Retry));
    }

    fn new_ballot(&mut self, ctx: &mut Ctx<'_, Self>) {
        let round = ctx.stable().round.max(self.proposer.highest_seen) + 1;
        ctx.stable_mut().round = round;
        ctx.sync();
        let p = &mut self.proposer;
        p.ballot = Ballot::new(round, ctx.id());
        p.phase = Phase::Preparing;
        p.promises = NodeSet::EMPTY;
        p.best = None;
        let (retry, ballot) = (p.retry, p.ballot);
        self.arm_retry(ctx, retry);
        self.send_all(ctx, Msg::Prepare { ballot });
    }

    /// Sends `msg` again to every other acceptor not in `answered`, and waits again.
    fn resend(&mut self, ctx: &mut Ctx<'_, Self>, answered: NodeSet, msg: Msg) {
        let me = ctx.id();
        for to in (0..ctx.n()).filter(|&i| i != me && !answered.contains(i)) {
            ctx.send(to, msg.clone());
        }
        self.arm_retry(ctx, self.proposer.retry);
    }

    /// The ballot was preempted: wait a random, growing time so that dueling proposers drift
    /// apart.
    fn back_off(&mut self, ctx: &mut Ctx<'_, Self>) {
        let p = &mut self.proposer;
        p.phase = Phase::Idle;
        p.failures += 1;
        let ceiling = Duration(p.backoff.0 << p.failures.min(MAX_DOUBLINGS));
        let wait = ctx.random_duration(Duration::ZERO, ceiling);
        self.arm_retry(ctx, wait);
    }

    /// Phase 1 answer: with a majority of promises, ask to accept the value of the highest
    /// reported ballot, or this node's own.
    pub(super) fn on_promise(
        &mut self,
        ctx: &mut Ctx<'_, Self>,
        from: NodeId,
        ballot: Ballot,
        accepted: Option<(Ballot, u64)>,
    ) {
        let p = &mut self.proposer;
        if p.phase != Phase::Preparing || ballot != p.ballot {
            return;
        }
        p.promises.insert(from);
        if accepted.map(|(b, _)| b) > p.best.map(|(b, _)| b) {
            p.best = accepted;
        }
        if p.promises.len() >= majority(ctx.n()) {
            let value = p.best.map_or(own_value(ctx.id()), |(_, v)| v);
            p.phase = Phase::Accepting;
            p.value = value;
            self.send_all(ctx, Msg::Accept { ballot, value });
        }
    }

    /// An acceptor promised higher: remember its round, and give up `ballot` if it is the
    /// current one.
    pub(super) fn on_nack(&mut self, ctx: &mut Ctx<'_, Self>, ballot: Ballot, promised: Ballot) {
        let p = &mut self.proposer;
        p.highest_seen = p.highest_seen.max(promised.round);
        if ballot == p.ballot && p.phase != Phase::Idle && self.learner.learned().is_none() {
            self.back_off(ctx);
        }
    }

    /// The retry timer fired: start a ballot after a backoff, or ask again in this one.
    pub(super) fn on_retry(&mut self, ctx: &mut Ctx<'_, Self>) {
        self.proposer.retry_timer = None;
        let (ballot, value) = (self.proposer.ballot, self.proposer.value);
        match self.proposer.phase {
            Phase::Idle => self.new_ballot(ctx),
            // No majority answered in time (loss, crashes, a partition): ask the silent
            // acceptors again in the same ballot. Only a nack says the ballot is lost; a fresh
            // ballot per timeout would need every message of one attempt to get through,
            // which heavy loss rarely allows.
            Phase::Preparing => {
                let answered = self.proposer.promises;
                self.resend(ctx, answered, Msg::Prepare { ballot });
            }
            Phase::Accepting => {
                let answered = self.learner.voters(ballot);
                self.resend(ctx, answered, Msg::Accept { ballot, value });
            }
        }
    }
}
