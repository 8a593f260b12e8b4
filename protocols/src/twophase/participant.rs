//! A participant: votes at the first `Prepare` (yes, or no with some probability), logging its
//! vote before answering; a no voter aborts at once. A yes voter is blocked until it learns the
//! decision, and asks the coordinator for it periodically. After a crash it asks again if its
//! log says it voted yes, and aborts on its own otherwise: without a log (the known bug) that
//! is also what a participant that voted yes does.

use ftsim_api::{Ctx, NodeId};

use super::messages::{Config, Host, Msg, Obs, Timer, Why, COORDINATOR};

#[derive(Clone, Debug, Hash)]
pub struct Participant {
    vote: Option<bool>,
    decision: Option<bool>,
    /// Queries sent on its retry timer so far (bounded by `Config::retry_limit`).
    queries: u64,
}

impl Participant {
    pub(super) fn new() -> Self {
        Participant {
            vote: None,
            decision: None,
            queries: 0,
        }
    }

    /// Decides (once), logging first if participants log.
    fn decide(&mut self, ctx: &mut Ctx<'_, impl Host>, cfg: &Config, commit: bool, why: Why) {
        if self.decision.is_some() {
            return;
        }
        self.decision = Some(commit);
        if cfg.participant_log {
            ctx.stable_mut().decision = Some(commit);
            ctx.sync();
        }
        ctx.observe(Obs::Decide { commit, why });
    }

    pub(super) fn on_message(
        &mut self,
        ctx: &mut Ctx<'_, impl Host>,
        cfg: &Config,
        from: NodeId,
        msg: Msg,
    ) {
        match msg {
            Msg::Prepare => {
                let yes = match self.vote {
                    Some(v) => v,
                    None => self.vote(ctx, cfg),
                };
                ctx.send(from, Msg::Vote { yes });
            }
            Msg::Decision { commit } => {
                self.decide(ctx, cfg, commit, Why::Told);
                ctx.send(from, Msg::Ack);
            }
            Msg::Vote { .. } | Msg::Ack | Msg::Query => {}
        }
    }

    /// Casts (and logs) this participant's vote; a no is an abort at once.
    fn vote(&mut self, ctx: &mut Ctx<'_, impl Host>, cfg: &Config) -> bool {
        // A participant that already aborted on its own can only vote no.
        let yes = self.decision != Some(false) && ctx.random_below(100) >= cfg.no_percent;
        self.vote = Some(yes);
        if cfg.participant_log {
            ctx.stable_mut().vote = Some(yes);
            ctx.sync();
        }
        ctx.observe(Obs::Vote { yes });
        if !yes {
            self.decide(ctx, cfg, false, Why::NoVote);
        } else {
            ctx.set_timer(cfg.retry, Timer::Retry);
        }
        yes
    }

    pub(super) fn on_timer(&mut self, ctx: &mut Ctx<'_, impl Host>, cfg: &Config, timer: Timer) {
        match timer {
            // A yes voter without a decision is blocked: keep asking.
            Timer::Retry if self.vote == Some(true) && self.decision.is_none() => {
                ctx.send(COORDINATOR, Msg::Query);
                self.queries += 1;
                if cfg.may_retry(self.queries) {
                    ctx.set_timer(cfg.retry, Timer::Retry);
                }
            }
            // Only the coordinator sets a vote timeout.
            Timer::Retry | Timer::VoteTimeout => {}
        }
    }

    pub(super) fn recover(&mut self, ctx: &mut Ctx<'_, impl Host>, cfg: &Config) {
        let log = ctx.stable().clone();
        self.vote = log.vote;
        self.decision = log.decision;
        if log.decision.is_some() {
            return;
        }
        match log.vote {
            Some(true) => {
                ctx.send(COORDINATOR, Msg::Query);
                ctx.set_timer(cfg.retry, Timer::Retry);
            }
            // Voted no (and so aborted, logged or not), or never voted: abort on its own.
            // Without a log, this is also what a participant that voted yes does: the bug.
            _ => self.decide(ctx, cfg, false, Why::NoRecord),
        }
    }
}
