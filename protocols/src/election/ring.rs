//! The ring election (Chang-Roberts) over a ring that skips crashed nodes. A candidate sends
//! a token with its own id to its successor; a node passes on a token with a higher id, puts
//! its own id in place of a lower one (once per epoch: after that it swallows lower tokens),
//! and wins when its own id comes back. Each hop waits `higher_wait` for the successor's ack
//! and otherwise skips to the next successor; a token whose candidate is the one that did not
//! ack is dropped (its candidate crashed). A participant that sees no winner in time stands
//! again.

use ftsim_api::{Ctx, NodeId};

use super::process::{ElectionNode, Hop, Msg, Obs, Role, Timer};

impl ElectionNode {
    /// Stands in `epoch`: sends a token with its own id round the ring.
    pub(super) fn enter_ring(&mut self, ctx: &mut Ctx<'_, Self>, epoch: u64) {
        self.participate(ctx, epoch, true);
        let me = ctx.id();
        self.pass_token(ctx, epoch, me, successor(me, ctx.n()));
    }

    /// Takes part in `epoch` (with its own token out or not) until a leader is known.
    fn participate(&mut self, ctx: &mut Ctx<'_, Self>, epoch: u64, own_token: bool) {
        self.role = Role::Candidate {
            epoch,
            answered: false,
            own_token,
        };
        let wait = self.timing.coordinator_wait;
        ctx.set_timer(wait, Timer::CoordinatorWait { epoch });
    }

    /// Sends the token to `to`, or, when the ring has come round to this node with nobody
    /// else alive, wins (its own token) or drops it.
    fn pass_token(&mut self, ctx: &mut Ctx<'_, Self>, epoch: u64, candidate: NodeId, to: NodeId) {
        if to == ctx.id() {
            if candidate == to {
                self.win(ctx, epoch);
            }
            return;
        }
        ctx.send(to, Msg::Token { epoch, candidate });
        let timer = ctx.set_timer(
            self.timing.higher_wait,
            Timer::Hop {
                epoch,
                candidate,
                to,
            },
        );
        self.hops.push(Hop {
            epoch,
            candidate,
            to,
            timer,
        });
    }

    /// Whether the election of `epoch` is over here (this node leads or follows in it).
    fn decided(&self, epoch: u64) -> bool {
        match self.role {
            Role::Leader { epoch: e } | Role::Follower { epoch: e, .. } => e == epoch,
            Role::Candidate { .. } | Role::CatchingUp => false,
        }
    }

    /// A token of `epoch` carrying `candidate` arrives from the predecessor `from`.
    pub(super) fn on_token(
        &mut self,
        ctx: &mut Ctx<'_, Self>,
        from: NodeId,
        epoch: u64,
        candidate: NodeId,
    ) {
        ctx.send(from, Msg::TokenAck { epoch, candidate });
        if epoch < self.epoch || self.decided(epoch) {
            return; // a token of an election that is over
        }
        self.adopt(ctx, epoch);
        if self.role == Role::CatchingUp {
            return; // it stands in a newer epoch once it has caught up
        }
        let own_token = match self.role {
            Role::Candidate {
                epoch: e,
                own_token,
                ..
            } if e == epoch => own_token,
            _ => {
                self.enter_as_forwarder(ctx, epoch);
                false
            }
        };
        let (me, next) = (ctx.id(), successor(ctx.id(), ctx.n()));
        if candidate > me {
            self.pass_token(ctx, epoch, candidate, next);
        } else if candidate == me {
            if own_token {
                self.win(ctx, epoch);
            }
        } else if !own_token {
            self.role = Role::Candidate {
                epoch,
                answered: false,
                own_token: true,
            };
            self.pass_token(ctx, epoch, me, next);
        }
    }

    /// Joins the election of `epoch`, which another node started.
    fn enter_as_forwarder(&mut self, ctx: &mut Ctx<'_, Self>, epoch: u64) {
        ctx.observe(Obs::Stand { epoch });
        self.participate(ctx, epoch, false);
    }

    /// The successor got the token: stop waiting for it.
    pub(super) fn on_token_ack(
        &mut self,
        ctx: &mut Ctx<'_, Self>,
        from: NodeId,
        epoch: u64,
        candidate: NodeId,
    ) {
        let acked = |h: &Hop| h.epoch == epoch && h.candidate == candidate && h.to == from;
        if let Some(i) = self.hops.iter().position(acked) {
            let hop = self.hops.remove(i);
            ctx.cancel_timer(hop.timer);
        }
    }

    /// The successor `to` did not ack in time: it crashed, so skip it (or drop the token if it
    /// was the token's candidate).
    pub(super) fn on_hop_timeout(
        &mut self,
        ctx: &mut Ctx<'_, Self>,
        epoch: u64,
        candidate: NodeId,
        to: NodeId,
    ) {
        let pending = |h: &Hop| h.epoch == epoch && h.candidate == candidate && h.to == to;
        let Some(i) = self.hops.iter().position(pending) else {
            return;
        };
        self.hops.remove(i);
        if epoch < self.epoch || self.decided(epoch) || to == candidate {
            return;
        }
        self.pass_token(ctx, epoch, candidate, successor(to, ctx.n()));
    }
}

/// The next node on the ring.
fn successor(node: NodeId, n: usize) -> NodeId {
    (node + 1) % n
}
