//! The acceptor: promises to ignore ballots below the highest it has seen, and accepts a value
//! unless it promised a higher ballot. Its promise and accepted value must survive a crash, so
//! they live in stable storage, except in the known-buggy volatile variant.

use ftsim_api::{Ctx, NodeId};

use super::process::{Ballot, Msg, Obs, Paxos};

/// What an acceptor must not forget.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct AcceptorState {
    pub promised: Ballot,
    pub accepted: Option<(Ballot, u64)>,
}

/// Where the acceptor keeps its [`AcceptorState`].
#[derive(Debug)]
pub(super) struct Acceptor {
    volatile: bool,
    /// The state when it is volatile (the buggy variant); otherwise it is in stable storage
    /// and this stays at its default.
    state: AcceptorState,
}

impl Acceptor {
    pub(super) fn new(volatile: bool) -> Self {
        Acceptor {
            volatile,
            state: AcceptorState::default(),
        }
    }

    fn load(&self, ctx: &Ctx<'_, Paxos>) -> AcceptorState {
        if self.volatile {
            self.state
        } else {
            ctx.stable().acceptor
        }
    }

    /// Keeps `a`; stable storage is written only when it changes.
    fn store(&mut self, ctx: &mut Ctx<'_, Paxos>, a: AcceptorState) {
        if self.volatile {
            self.state = a;
        } else if ctx.stable().acceptor != a {
            ctx.stable_mut().acceptor = a;
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
