//! A Multi-Paxos server: acceptor (`acceptor.rs`), learner and replica
//! (`learner.rs`), and, when elected, the stable leader
//! (`leader.rs`) that runs phase 1 once for every slot from its chosen prefix
//! on and then one phase 2 per client command. This file holds the server's state, the
//! dispatch of messages to those roles, the periodic tick (heartbeats and re-sends as leader,
//! failure checks as follower) and recovery.

use std::collections::BTreeMap;

use ftsim_api::{Ctx, NodeId, NodeSet};

use super::machine::Machine;
use super::messages::{Ballot, Config, Entry, Host, Msg, Timer};

/// What the server is doing about leadership.
#[derive(Clone, Debug, Default, Hash)]
pub(super) enum Leadership {
    /// Following whoever leads `PaxosServer::leader_ballot`.
    #[default]
    Following,
    /// Phase 1 for `ballot`: promises so far and the highest-ballot entry reported per slot.
    Preparing {
        ballot: Ballot,
        promises: NodeSet,
        reported: BTreeMap<u64, (Ballot, Entry)>,
    },
    /// Leading `ballot`: the next free slot, and each proposed slot's entry and acceptors.
    Leading {
        ballot: Ballot,
        next_slot: u64,
        pending: BTreeMap<u64, (Entry, NodeSet)>,
    },
}

#[derive(Clone, Debug, Default, Hash)]
pub struct PaxosServer {
    pub(super) machine: Machine,
    pub(super) leadership: Leadership,
    /// The highest ballot heard of; its proposer is the leader this server believes in.
    pub(super) leader_ballot: Ballot,
    /// Whether the leader was heard from since the last tick.
    pub(super) heard: bool,
    /// Ticks in a row without hearing from the leader.
    silent_ticks: u64,
    /// Whether this server recovered from a crash (and has not yet said it accepted since).
    pub(super) recovered: bool,
}

impl PaxosServer {
    pub(super) fn start(&mut self, ctx: &mut Ctx<'_, impl Host>, cfg: &Config) {
        if ctx.id() == 0 {
            self.start_election(ctx, cfg);
        }
        ctx.set_timer(cfg.heartbeat, Timer::Tick);
    }

    /// Back from a crash with only stable storage: re-applies the chosen entries it kept and
    /// follows whoever it last promised.
    pub(super) fn recover(&mut self, ctx: &mut Ctx<'_, impl Host>, cfg: &Config) {
        self.leader_ballot = ctx.stable().promised;
        self.recovered = true;
        self.apply_chosen(ctx);
        ctx.set_timer(cfg.heartbeat, Timer::Tick);
    }

    pub(super) fn on_message(
        &mut self,
        ctx: &mut Ctx<'_, impl Host>,
        cfg: &Config,
        from: NodeId,
        msg: Msg,
    ) {
        match msg {
            Msg::Request { cmd } => self.on_request(ctx, cfg, from, cmd),
            Msg::Prepare { ballot, from: slot } => self.on_prepare(ctx, cfg, from, ballot, slot),
            Msg::Promise { ballot, accepted } => self.on_promise(ctx, cfg, from, ballot, accepted),
            Msg::Nack { promised } => self.hear_of(promised),
            Msg::Accept {
                ballot,
                slot,
                entry,
            } => self.on_accept(ctx, cfg, from, ballot, slot, entry),
            Msg::Accepted { ballot, slot } => self.on_accepted(ctx, cfg, from, ballot, slot),
            Msg::Commit { slot, entry } => self.learn(ctx, slot, entry),
            Msg::Heartbeat { ballot, chosen } => self.on_heartbeat(ctx, from, ballot, chosen),
            Msg::CatchUp { from: slot } => self.on_catch_up(ctx, from, slot),
            _ => {}
        }
    }

    /// A ballot was heard of: a higher one than ours means someone else leads (or tries to).
    pub(super) fn hear_of(&mut self, ballot: Ballot) {
        if ballot > self.leader_ballot {
            self.leader_ballot = ballot;
        }
        let ours = match &self.leadership {
            Leadership::Following => return,
            Leadership::Preparing { ballot, .. } | Leadership::Leading { ballot, .. } => *ballot,
        };
        if ballot > ours {
            self.leadership = Leadership::Following;
        }
    }

    /// The leader's heartbeat: it is alive; catch up if it chose more than we learned.
    fn on_heartbeat(
        &mut self,
        ctx: &mut Ctx<'_, impl Host>,
        from: NodeId,
        ballot: Ballot,
        chosen: u64,
    ) {
        if ballot < self.leader_ballot {
            return;
        }
        self.hear_of(ballot);
        self.heard = true;
        let prefix = self.chosen_prefix(ctx);
        if prefix < chosen {
            ctx.send(from, Msg::CatchUp { from: prefix });
        }
    }

    pub(super) fn tick(&mut self, ctx: &mut Ctx<'_, impl Host>, cfg: &Config) {
        match &self.leadership {
            Leadership::Leading { .. } => self.lead_tick(ctx, cfg),
            Leadership::Preparing {
                ballot, promises, ..
            } => {
                let (ballot, from) = (*ballot, self.chosen_prefix(ctx));
                for s in (0..cfg.servers).filter(|&s| !promises.contains(s)) {
                    ctx.send(s, Msg::Prepare { ballot, from });
                }
            }
            Leadership::Following => self.check_leader(ctx, cfg),
        }
        ctx.set_timer(cfg.heartbeat, Timer::Tick);
    }

    /// A follower that has not heard from the leader for long enough runs for leader. The
    /// wait grows with the distance from the silent leader's id, so that one server (the
    /// next) usually runs alone.
    fn check_leader(&mut self, ctx: &mut Ctx<'_, impl Host>, cfg: &Config) {
        if std::mem::take(&mut self.heard) {
            self.silent_ticks = 0;
            return;
        }
        self.silent_ticks += 1;
        let n = cfg.servers;
        let rank = (ctx.id() + n - self.leader_ballot.1 - 1) % n;
        let patience = cfg.election_timeout.0 / cfg.heartbeat.0.max(1);
        if self.silent_ticks >= patience.max(1) * (1 + rank as u64) {
            self.silent_ticks = 0;
            self.start_election(ctx, cfg);
        }
    }
}
