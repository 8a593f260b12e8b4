//! The coordinator (node 0): sends `Prepare` until every participant voted, commits only if
//! every vote is yes, aborts on a no or when votes do not arrive in time, logs the decision
//! before sending it, and resends it until every participant acknowledges. After a crash it
//! resends a logged decision, or aborts if it had none (presumed abort).

use std::collections::{BTreeMap, BTreeSet};

use ftsim_api::{Ctx, NodeId};

use super::messages::{participants, Config, Host, Msg, Obs, Timer, Why};

#[derive(Clone, Debug, Hash)]
pub struct Coordinator {
    decision: Option<bool>,
    /// Retransmission rounds so far (bounded by `Config::retry_limit`).
    retries: u64,
    /// Votes received so far.
    votes: BTreeMap<NodeId, bool>,
    /// Participants that have not acknowledged the decision.
    unacked: BTreeSet<NodeId>,
}

impl Coordinator {
    pub(super) fn new() -> Self {
        Coordinator {
            decision: None,
            retries: 0,
            votes: BTreeMap::new(),
            unacked: BTreeSet::new(),
        }
    }

    pub(super) fn start(&mut self, ctx: &mut Ctx<'_, impl Host>, cfg: &Config) {
        for p in participants(ctx.n()) {
            ctx.send(p, Msg::Prepare);
        }
        ctx.set_timer(cfg.vote_timeout, Timer::VoteTimeout);
        ctx.set_timer(cfg.retry, Timer::Retry);
    }

    /// Decides (once), logging first, then tells every participant until each acknowledges.
    fn decide(&mut self, ctx: &mut Ctx<'_, impl Host>, cfg: &Config, commit: bool, why: Why) {
        if self.decision.is_some() {
            return;
        }
        self.decision = Some(commit);
        ctx.stable_mut().decision = Some(commit);
        ctx.sync();
        ctx.observe(Obs::Decide { commit, why });
        self.announce(ctx, cfg);
    }

    /// Sends the decision to every participant, and again every retry period until all
    /// acknowledged.
    fn announce(&mut self, ctx: &mut Ctx<'_, impl Host>, cfg: &Config) {
        self.unacked = participants(ctx.n()).collect();
        self.send_decision(ctx);
        ctx.set_timer(cfg.retry, Timer::Retry);
    }

    fn send_decision(&mut self, ctx: &mut Ctx<'_, impl Host>) {
        if let Some(commit) = self.decision {
            for &p in &self.unacked {
                ctx.send(p, Msg::Decision { commit });
            }
        }
    }

    pub(super) fn on_message(
        &mut self,
        ctx: &mut Ctx<'_, impl Host>,
        cfg: &Config,
        from: NodeId,
        msg: Msg,
    ) {
        match msg {
            Msg::Vote { yes } => {
                self.votes.insert(from, yes);
                if !yes {
                    self.decide(ctx, cfg, false, Why::NoVote);
                } else if self.votes.len() == ctx.n() - 1 && self.votes.values().all(|&v| v) {
                    self.decide(ctx, cfg, true, Why::AllYes);
                }
            }
            Msg::Ack => {
                self.unacked.remove(&from);
            }
            Msg::Query => {
                if let Some(commit) = self.decision {
                    ctx.send(from, Msg::Decision { commit });
                }
            }
            Msg::Prepare | Msg::Decision { .. } => {}
        }
    }

    pub(super) fn on_timer(&mut self, ctx: &mut Ctx<'_, impl Host>, cfg: &Config, timer: Timer) {
        match timer {
            Timer::VoteTimeout => self.decide(ctx, cfg, false, Why::Timeout),
            Timer::Retry => {
                self.retries += 1;
                if self.decision.is_none() {
                    for p in participants(ctx.n()).filter(|p| !self.votes.contains_key(p)) {
                        ctx.send(p, Msg::Prepare);
                    }
                } else {
                    self.send_decision(ctx);
                }
                let pending = self.decision.is_none() || !self.unacked.is_empty();
                if pending && cfg.may_retry(self.retries) {
                    ctx.set_timer(cfg.retry, Timer::Retry);
                }
            }
        }
    }

    pub(super) fn recover(&mut self, ctx: &mut Ctx<'_, impl Host>, cfg: &Config) {
        self.decision = ctx.stable().decision;
        match self.decision {
            Some(_) => self.announce(ctx, cfg),
            None => self.decide(ctx, cfg, false, Why::Recovered),
        }
    }
}
