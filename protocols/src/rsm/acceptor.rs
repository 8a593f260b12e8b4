//! The Multi-Paxos acceptor: promises to ignore lower ballots (for every slot at once) and
//! accepts an entry for a slot unless it promised higher. Its promise and accepted entries
//! live in stable storage and are synced before it answers, so a server that crashes and
//! recovers never goes back on them.

use ftsim_api::{Ctx, NodeId};

use super::messages::{Ballot, Config, Entry, Host, Msg, Obs};
use super::paxos_server::PaxosServer;

impl PaxosServer {
    /// Sends to a server, handing a message to this server directly.
    pub(super) fn send_to(
        &mut self,
        ctx: &mut Ctx<'_, impl Host>,
        cfg: &Config,
        to: NodeId,
        msg: Msg,
    ) {
        if to == ctx.id() {
            self.on_message(ctx, cfg, to, msg);
        } else {
            ctx.send(to, msg);
        }
    }

    /// Sends to every server, this one last (directly).
    pub(super) fn send_all(&mut self, ctx: &mut Ctx<'_, impl Host>, cfg: &Config, msg: Msg) {
        let me = ctx.id();
        for s in (0..cfg.servers).filter(|&s| s != me) {
            ctx.send(s, msg.clone());
        }
        self.on_message(ctx, cfg, me, msg);
    }

    /// Phase 1b: promise `ballot` and report every entry accepted from slot `from` on.
    pub(super) fn on_prepare(
        &mut self,
        ctx: &mut Ctx<'_, impl Host>,
        cfg: &Config,
        from: NodeId,
        ballot: Ballot,
        slot: u64,
    ) {
        let promised = ctx.stable().promised;
        if ballot < promised {
            self.send_to(ctx, cfg, from, Msg::Nack { promised });
            return;
        }
        self.hear_of(ballot);
        if ballot > promised {
            ctx.stable_mut().promised = ballot;
            ctx.sync();
        }
        let accepted = ctx
            .stable()
            .accepted
            .range(slot..)
            .map(|(&s, (b, e))| (s, *b, e.clone()))
            .collect();
        self.send_to(ctx, cfg, from, Msg::Promise { ballot, accepted });
    }

    /// Phase 2b: accept `entry` for `slot` in `ballot`, or nack it.
    pub(super) fn on_accept(
        &mut self,
        ctx: &mut Ctx<'_, impl Host>,
        cfg: &Config,
        from: NodeId,
        ballot: Ballot,
        slot: u64,
        entry: Entry,
    ) {
        let promised = ctx.stable().promised;
        if ballot < promised {
            self.send_to(ctx, cfg, from, Msg::Nack { promised });
            return;
        }
        self.hear_of(ballot);
        self.heard = true;
        let stable = ctx.stable_mut();
        stable.promised = ballot;
        stable.accepted.insert(slot, (ballot, entry));
        ctx.sync();
        if std::mem::take(&mut self.recovered) {
            ctx.observe(Obs::AcceptedAfterRecovery);
        }
        self.send_to(ctx, cfg, from, Msg::Accepted { ballot, slot });
    }
}
