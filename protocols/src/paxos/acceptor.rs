//! The acceptor: promises to ignore ballots below the highest it has seen, and accepts a value
//! unless it promised a higher ballot. Its promise and accepted value must survive a crash, so
//! they live in stable storage, synced before it answers, except in the known-buggy variants:
//! volatile (never written) and unsynced (written, but answered before the sync).

use ftsim_api::{Ctx, NodeId};

use super::messages::{AcceptorState, Ballot, Msg, Obs};
use super::process::{Acceptor, Paxos};
use super::AcceptorStorage;

impl Acceptor {
    fn load(&self, ctx: &Ctx<'_, Paxos>) -> AcceptorState {
        match self.storage {
            AcceptorStorage::Volatile => self.state,
            AcceptorStorage::Stable | AcceptorStorage::Unsynced => ctx.stable().acceptor,
        }
    }

    /// Keeps `a` before the handler answers; stable storage is written (and synced) only when
    /// it changes.
    fn store(&mut self, ctx: &mut Ctx<'_, Paxos>, a: AcceptorState) {
        match self.storage {
            AcceptorStorage::Volatile => self.state = a,
            _ if ctx.stable().acceptor == a => {}
            AcceptorStorage::Stable => {
                ctx.stable_mut().acceptor = a;
                ctx.sync();
            }
            // The bug: the answer leaves before the write is on disk.
            AcceptorStorage::Unsynced => ctx.stable_mut().acceptor = a,
        }
    }
}

impl Paxos {
    /// Phase 1b: promise `ballot` and report what was accepted, or nack it.
    pub(super) fn on_prepare(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, ballot: Ballot) {
        let mut a = self.acceptor.load(ctx);
        if ballot >= a.promised {
            a.promised = ballot;
            self.acceptor.store(ctx, a);
            let accepted = a.accepted;
            self.send_to(ctx, from, Msg::Promise { ballot, accepted });
        } else {
            let promised = a.promised;
            self.send_to(ctx, from, Msg::Nack { ballot, promised });
        }
    }

    /// Phase 2b: accept `value` in `ballot` and tell every learner, or nack it.
    pub(super) fn on_accept(
        &mut self,
        ctx: &mut Ctx<'_, Self>,
        from: NodeId,
        ballot: Ballot,
        value: u64,
    ) {
        let mut a = self.acceptor.load(ctx);
        if ballot >= a.promised {
            a.promised = ballot;
            a.accepted = Some((ballot, value));
            self.acceptor.store(ctx, a);
            ctx.observe(Obs::Accept { ballot, value });
            self.send_all(ctx, Msg::Accepted { ballot, value });
        } else {
            let promised = a.promised;
            self.send_to(ctx, from, Msg::Nack { ballot, promised });
        }
    }
}
