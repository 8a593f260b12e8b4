//! The learner: counts the acceptors' `Accepted` announcements per ballot and learns a value
//! once a majority accepted it in one ballot. One that missed them (loss, a crash) asks its
//! peers until someone who learned answers. The learned value is kept in stable storage.

use ftsim_api::{Ctx, NodeId, NodeSet};

use super::messages::{majority, Ballot, Msg, Obs, Timer};
use super::process::Paxos;

impl Paxos {
    /// Takes back a value learned before a crash; otherwise starts polling. Whether the value
    /// is still to be learned.
    pub(super) fn resume_learning(&mut self, ctx: &mut Ctx<'_, Self>) -> bool {
        if let Some(v) = ctx.stable().learned {
            self.learner.learned = Some(v);
            return false;
        }
        ctx.set_timer(self.learner.poll, Timer::Poll);
        true
    }

    /// Learns `value` (once), and stops proposing.
    pub(super) fn learn(&mut self, ctx: &mut Ctx<'_, Self>, value: u64) {
        if self.learner.learned.is_some() {
            return;
        }
        self.learner.learned = Some(value);
        ctx.stable_mut().learned = Some(value);
        ctx.sync();
        ctx.observe(Obs::Learn(value));
        self.stop_proposing(ctx);
    }

    /// An acceptor accepted `value` in `ballot`: learn it once a majority did.
    pub(super) fn on_accepted(
        &mut self,
        ctx: &mut Ctx<'_, Self>,
        from: NodeId,
        ballot: Ballot,
        value: u64,
    ) {
        if self.learner.learned.is_some() {
            return;
        }
        let (v, voters) = self
            .learner
            .votes
            .entry(ballot)
            .or_insert((value, NodeSet::EMPTY));
        // One ballot carries one value; anything else is not a vote for it.
        if *v != value {
            return;
        }
        voters.insert(from);
        if voters.len() >= majority(ctx.n()) {
            self.learn(ctx, value);
        }
    }

    /// A peer asks what was learned: answer if this node knows.
    pub(super) fn on_query(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId) {
        if let Some(value) = self.learner.learned {
            self.send_to(ctx, from, Msg::Learned { value });
        }
    }

    /// Not learned yet: ask every peer again.
    pub(super) fn on_poll(&mut self, ctx: &mut Ctx<'_, Self>) {
        ctx.broadcast(Msg::Query);
        ctx.set_timer(self.learner.poll, Timer::Poll);
    }
}
