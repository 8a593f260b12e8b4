//! The Multi-Paxos leader: runs for leader with a ballot above any it has seen (phase 1 for
//! every slot from its chosen prefix on), re-proposes what a majority reported for those
//! slots (the highest-ballot entry, or a no-op for a gap), then gives each new client command
//! the next slot (phase 2) and commits it once a majority accepted. It answers clients as it
//! applies their commands, and steps down as soon as it hears of a higher ballot.

use std::collections::BTreeMap;

use ftsim_api::{Ctx, NodeId, NodeSet};

use super::messages::{Ballot, Cmd, Config, Entry, Host, Msg, Obs};
use super::paxos_server::{Leadership, PaxosServer};

impl PaxosServer {
    /// Phase 1a with a ballot above any this server has used or heard of.
    pub(super) fn start_election(&mut self, ctx: &mut Ctx<'_, impl Host>, cfg: &Config) {
        let seen = self.leader_ballot.0.max(ctx.stable().promised.0);
        let round = ctx.stable().round.max(seen) + 1;
        ctx.stable_mut().round = round;
        ctx.sync();
        let ballot = (round, ctx.id());
        self.leader_ballot = ballot;
        self.leadership = Leadership::Preparing {
            ballot,
            promises: NodeSet::EMPTY,
            reported: BTreeMap::new(),
        };
        let from = self.chosen_prefix(ctx);
        self.send_all(ctx, cfg, Msg::Prepare { ballot, from });
    }

    /// Phase 1 answer: with a majority of promises, lead.
    pub(super) fn on_promise(
        &mut self,
        ctx: &mut Ctx<'_, impl Host>,
        cfg: &Config,
        from: NodeId,
        ballot: Ballot,
        accepted: Vec<(u64, Ballot, Entry)>,
    ) {
        let Leadership::Preparing {
            ballot: ours,
            promises,
            reported,
        } = &mut self.leadership
        else {
            return;
        };
        if ballot != *ours {
            return;
        }
        promises.insert(from);
        for (slot, b, entry) in accepted {
            if reported.get(&slot).is_none_or(|(seen, _)| b > *seen) {
                reported.insert(slot, (b, entry));
            }
        }
        if promises.len() >= cfg.majority() {
            let reported = std::mem::take(reported);
            self.lead(ctx, cfg, ballot, reported);
        }
    }

    /// Becomes leader of `ballot`: re-proposes every slot a majority reported (and fills the
    /// gaps with no-ops), then takes new commands.
    fn lead(
        &mut self,
        ctx: &mut Ctx<'_, impl Host>,
        cfg: &Config,
        ballot: Ballot,
        reported: BTreeMap<u64, (Ballot, Entry)>,
    ) {
        ctx.observe(Obs::Leader { ballot });
        let start = self.chosen_prefix(ctx);
        let end = reported
            .keys()
            .next_back()
            .map_or(start, |&s| s + 1)
            .max(start);
        self.leadership = Leadership::Leading {
            ballot,
            next_slot: end,
            pending: BTreeMap::new(),
        };
        for slot in start..end {
            let entry = match ctx.stable().chosen.get(&slot) {
                Some(chosen) => chosen.clone(),
                None => reported.get(&slot).and_then(|(_, e)| e.clone()),
            };
            self.propose(ctx, cfg, slot, entry);
        }
        self.lead_tick(ctx, cfg);
    }

    fn propose(&mut self, ctx: &mut Ctx<'_, impl Host>, cfg: &Config, slot: u64, entry: Entry) {
        let Leadership::Leading {
            ballot, pending, ..
        } = &mut self.leadership
        else {
            return;
        };
        let ballot = *ballot;
        pending.insert(slot, (entry.clone(), NodeSet::EMPTY));
        self.send_all(
            ctx,
            cfg,
            Msg::Accept {
                ballot,
                slot,
                entry,
            },
        );
    }

    /// A client's command: the leader gives it the next slot unless it already has one (or
    /// was applied: then it answers again); anyone else points at the leader.
    pub(super) fn on_request(
        &mut self,
        ctx: &mut Ctx<'_, impl Host>,
        cfg: &Config,
        from: NodeId,
        cmd: Cmd,
    ) {
        let Leadership::Leading {
            next_slot, pending, ..
        } = &mut self.leadership
        else {
            let leader = self.leader_ballot.1;
            if leader != ctx.id() {
                ctx.send(from, Msg::Redirect { leader });
            }
            return;
        };
        if let Some((client, seq, out)) = self.machine.answered(&cmd) {
            ctx.send(client, Msg::Reply { seq, out });
            return;
        }
        let entry = Some(cmd);
        let in_log = pending.values().any(|(e, _)| *e == entry)
            || ctx
                .stable()
                .chosen
                .range(self.machine.applied..)
                .any(|(_, e)| *e == entry);
        if in_log || self.machine.has_applied(entry.as_ref().expect("a command")) {
            return;
        }
        let slot = *next_slot;
        *next_slot += 1;
        self.propose(ctx, cfg, slot, entry);
    }

    /// Phase 2 answer: once a majority accepted, the entry is chosen.
    pub(super) fn on_accepted(
        &mut self,
        ctx: &mut Ctx<'_, impl Host>,
        cfg: &Config,
        from: NodeId,
        ballot: Ballot,
        slot: u64,
    ) {
        let Leadership::Leading {
            ballot: ours,
            pending,
            ..
        } = &mut self.leadership
        else {
            return;
        };
        let Some((_, voters)) = pending.get_mut(&slot).filter(|_| ballot == *ours) else {
            return;
        };
        voters.insert(from);
        if voters.len() < cfg.majority() {
            return;
        }
        let (entry, _) = pending.remove(&slot).expect("a pending slot");
        let me = ctx.id();
        for s in (0..cfg.servers).filter(|&s| s != me) {
            ctx.send(
                s,
                Msg::Commit {
                    slot,
                    entry: entry.clone(),
                },
            );
        }
        self.learn(ctx, slot, entry);
    }

    /// The leader's tick: a heartbeat with its chosen prefix, and its pending proposals
    /// again to the acceptors that have not accepted them.
    pub(super) fn lead_tick(&mut self, ctx: &mut Ctx<'_, impl Host>, cfg: &Config) {
        let Leadership::Leading {
            ballot, pending, ..
        } = &self.leadership
        else {
            return;
        };
        let (ballot, chosen) = (*ballot, self.chosen_prefix(ctx));
        let resend: Vec<(u64, Entry, NodeSet)> = pending
            .iter()
            .map(|(&slot, (e, v))| (slot, e.clone(), *v))
            .collect();
        let me = ctx.id();
        for s in (0..cfg.servers).filter(|&s| s != me) {
            ctx.send(s, Msg::Heartbeat { ballot, chosen });
            for (slot, entry, _) in resend.iter().filter(|(_, _, v)| !v.contains(s)) {
                let (slot, entry) = (*slot, entry.clone());
                ctx.send(
                    s,
                    Msg::Accept {
                        ballot,
                        slot,
                        entry,
                    },
                );
            }
        }
    }
}
