//! The bully election: a candidate sends `Election` to every higher id and waits a round trip
//! (`higher_wait`). A live higher node answers and stands in the same epoch itself (or, if it
//! leads a newer one, tells the candidate); a candidate that hears no answer wins. An answered
//! candidate waits for the winner's announcement and stands again if none comes.

use ftsim_api::{Ctx, NodeId};

use super::process::{ElectionNode, Msg, Role, Timer};

impl ElectionNode {
    /// Stands in `epoch`: asks every higher id, or wins at once if there is none.
    pub(super) fn enter_bully(&mut self, ctx: &mut Ctx<'_, Self>, epoch: u64) {
        self.role = Role::Candidate {
            epoch,
            answered: false,
            own_token: false,
        };
        let me = ctx.id();
        if me + 1 == ctx.n() {
            return self.win(ctx, epoch);
        }
        for higher in me + 1..ctx.n() {
            ctx.send(higher, Msg::Election { epoch });
        }
        ctx.set_timer(self.timing.higher_wait, Timer::AnswerWait { epoch });
    }

    /// A lower id stands in `epoch`: answer it, and stand in that epoch too if it is new here
    /// (this node is higher, so the candidate must not win). A leader of the same or a newer
    /// epoch tells the candidate who leads instead.
    pub(super) fn on_election(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, epoch: u64) {
        let new_here = epoch > self.epoch;
        self.adopt(ctx, epoch);
        ctx.send(from, Msg::Answer { epoch: self.epoch });
        match self.role {
            Role::CatchingUp => {}
            _ if new_here => self.enter(ctx, epoch),
            Role::Leader { epoch: led } => ctx.send(from, Msg::Coordinator { epoch: led }),
            Role::Candidate { .. } | Role::Follower { .. } => {}
        }
    }

    /// A higher id is alive at `epoch` or later: stop hoping to win, and wait for its
    /// announcement.
    pub(super) fn on_answer(&mut self, ctx: &mut Ctx<'_, Self>, epoch: u64) {
        self.adopt(ctx, epoch);
        if let Role::Candidate {
            epoch: standing,
            answered: false,
            own_token,
        } = self.role
        {
            if epoch >= standing {
                self.role = Role::Candidate {
                    epoch: standing,
                    answered: true,
                    own_token,
                };
                let wait = self.timing.coordinator_wait;
                ctx.set_timer(wait, Timer::CoordinatorWait { epoch: standing });
            }
        }
    }

    /// The candidate of `epoch` waited a round trip: with no answer, it wins.
    pub(super) fn on_answer_wait(&mut self, ctx: &mut Ctx<'_, Self>, epoch: u64) {
        let unanswered = Role::Candidate {
            epoch,
            answered: false,
            own_token: false,
        };
        if self.role == unanswered {
            self.win(ctx, epoch);
        }
    }
}
