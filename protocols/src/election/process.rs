//! One node of the election: what bully and ring share. Epochs (adopted, kept in stable
//! storage and synced before they are used), winning and announcing, following a leader and
//! its heartbeats, challenging a lower leader, and recovering (catching up on epochs before
//! standing). How a node stands and who wins is the variant's: `bully.rs` and
//! `ring.rs`.

use ftsim_api::{Ctx, Duration, NodeId, Process, TimerId};

use super::{Recovery, Variant};

/// What nodes tell each other. Every message but `Rejoin` carries an epoch.
#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub enum Msg {
    /// Bully: "I stand in this epoch", to every higher id.
    Election { epoch: u64 },
    /// Bully: "I am alive and higher than you" (the answer to `Election`), with the answering
    /// node's epoch.
    Answer { epoch: u64 },
    /// Ring: the highest id seen so far in this epoch's trip round the ring.
    Token { epoch: u64, candidate: NodeId },
    /// Ring: the successor got the token.
    TokenAck { epoch: u64, candidate: NodeId },
    /// "I lead this epoch."
    Coordinator { epoch: u64 },
    /// The leader's periodic "still here".
    Heartbeat { epoch: u64 },
    /// A recovered node asks every node for its epoch.
    Rejoin,
    /// The answer to `Rejoin`.
    Status { epoch: u64 },
}

/// What a timer means when it fires.
#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub enum Timer {
    /// Bully: the candidate of this epoch waited a round trip for a higher id.
    AnswerWait { epoch: u64 },
    /// A candidate (bully: answered; ring: any) of this epoch waited for a leader in vain.
    CoordinatorWait { epoch: u64 },
    /// Ring: the successor `to` did not ack this token in time.
    Hop {
        epoch: u64,
        candidate: NodeId,
        to: NodeId,
    },
    /// The leader's next heartbeat.
    Beat,
    /// No heartbeat from the leader for too long.
    LeaderSilent,
    /// A recovered node has heard every live node's epoch.
    CatchUp,
}

/// What the properties judge.
#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub enum Obs {
    /// The node takes part in the election of `epoch` (it stands, or joins a higher id's).
    Stand { epoch: u64 },
    /// The node won `epoch`.
    Leader { epoch: u64 },
    /// The node follows `leader`, which leads `epoch`.
    Follow { leader: NodeId, epoch: u64 },
    /// The node recovered from a crash, knowing `epoch` from stable storage.
    Recovered { epoch: u64 },
}

/// What survives a crash.
#[derive(Clone, Debug, Default, Hash)]
pub struct Stable {
    /// The highest epoch the node has seen (unused with `recovery = "volatile"`).
    pub epoch: u64,
}

/// The waits a node works with, derived from the parameters.
#[derive(Clone, Copy, Debug, Hash)]
pub struct Timings {
    /// How long a node waits for a higher id: an answer (bully), an ack (ring), the epochs of
    /// the others after a recovery.
    pub higher_wait: Duration,
    /// How long a candidate that did not win waits for a leader before standing again.
    pub coordinator_wait: Duration,
    /// The leader's heartbeat period.
    pub heartbeat: Duration,
    /// A follower's patience with a silent leader.
    pub leader_timeout: Duration,
}

/// Where a node stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    /// Recovered, asking for the others' epochs before standing.
    CatchingUp,
    /// Taking part in the election of `epoch`. Bully: `answered` once a higher id answered.
    /// Ring: `own_token` once it sent a token with its own id.
    Candidate {
        epoch: u64,
        answered: bool,
        own_token: bool,
    },
    /// Leading `epoch`.
    Leader { epoch: u64 },
    /// Following `leader`, which leads `epoch`.
    Follower { leader: NodeId, epoch: u64 },
}

/// A ring token sent to a successor and not acked yet.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(super) struct Hop {
    pub(super) epoch: u64,
    pub(super) candidate: NodeId,
    pub(super) to: NodeId,
    pub(super) timer: TimerId,
}

/// A node's state. A search (`ftsim explore`) copies and hashes it: the timer handles it
/// holds hash by their canonical names, so a re-armed silence timer makes no new state.
#[derive(Clone, Debug, Hash)]
pub struct ElectionNode {
    pub(super) variant: Variant,
    pub(super) recovery: Recovery,
    pub(super) timing: Timings,
    /// The highest epoch seen.
    pub(super) epoch: u64,
    pub(super) role: Role,
    /// The follower's "leader silent" timer, reset by every heartbeat.
    silence: Option<TimerId>,
    /// Ring: tokens waiting for their successor's ack.
    pub(super) hops: Vec<Hop>,
}

impl ElectionNode {
    pub fn new(variant: Variant, recovery: Recovery, timing: Timings) -> Self {
        ElectionNode {
            variant,
            recovery,
            timing,
            epoch: 0,
            role: Role::CatchingUp,
            silence: None,
            hops: Vec::new(),
        }
    }

    /// The node this one follows (itself when it leads).
    pub fn leader(&self, me: NodeId) -> Option<NodeId> {
        match self.role {
            Role::Leader { .. } => Some(me),
            Role::Follower { leader, .. } => Some(leader),
            _ => None,
        }
    }

    /// The epoch this node leads, if it leads.
    pub fn leading(&self) -> Option<u64> {
        match self.role {
            Role::Leader { epoch } => Some(epoch),
            _ => None,
        }
    }

    /// The highest epoch this node has seen.
    pub fn epoch(&self) -> u64 {
        self.epoch
    }

    /// Adopts `epoch` if it is newer, keeping it in stable storage (synced before anything this
    /// handler sends afterwards) unless the variant keeps it in memory only.
    pub(super) fn adopt(&mut self, ctx: &mut Ctx<'_, Self>, epoch: u64) {
        if epoch <= self.epoch {
            return;
        }
        self.epoch = epoch;
        if self.recovery != Recovery::Volatile {
            ctx.stable_mut().epoch = epoch;
            ctx.sync();
        }
    }

    /// Stands in a fresh epoch: one above the highest seen.
    pub(super) fn stand(&mut self, ctx: &mut Ctx<'_, Self>) {
        let epoch = self.epoch + 1;
        self.adopt(ctx, epoch);
        self.enter(ctx, epoch);
    }

    /// Takes part in the election of `epoch` (already adopted), as the variant does it.
    pub(super) fn enter(&mut self, ctx: &mut Ctx<'_, Self>, epoch: u64) {
        self.stop_listening(ctx);
        ctx.observe(Obs::Stand { epoch });
        match self.variant {
            Variant::Bully => self.enter_bully(ctx, epoch),
            Variant::Ring => self.enter_ring(ctx, epoch),
        }
    }

    /// Wins `epoch`: announces it to everyone and starts the heartbeats.
    pub(super) fn win(&mut self, ctx: &mut Ctx<'_, Self>, epoch: u64) {
        self.role = Role::Leader { epoch };
        ctx.observe(Obs::Leader { epoch });
        ctx.broadcast(Msg::Coordinator { epoch });
        ctx.set_timer(self.timing.heartbeat, Timer::Beat);
    }

    /// Follows `leader` of `epoch` and (re)starts waiting for its heartbeats.
    fn follow(&mut self, ctx: &mut Ctx<'_, Self>, leader: NodeId, epoch: u64) {
        let role = Role::Follower { leader, epoch };
        if self.role != role {
            self.role = role;
            ctx.observe(Obs::Follow { leader, epoch });
        }
        self.stop_listening(ctx);
        self.silence = Some(ctx.set_timer(self.timing.leader_timeout, Timer::LeaderSilent));
    }

    fn stop_listening(&mut self, ctx: &mut Ctx<'_, Self>) {
        if let Some(t) = self.silence.take() {
            ctx.cancel_timer(t);
        }
    }

    /// `from` leads `epoch` (an announcement or a heartbeat). A higher id is followed; a lower
    /// one is challenged, since this node is alive and higher.
    fn on_leader_message(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, epoch: u64) {
        if epoch < self.epoch {
            return; // a leader of an epoch this node has left; the newer leader will reach it
        }
        self.adopt(ctx, epoch);
        if self.role == Role::CatchingUp {
            return;
        }
        if from > ctx.id() {
            self.follow(ctx, from, epoch);
        } else if !matches!(self.role, Role::Candidate { epoch: e, .. } if e > epoch) {
            self.stand(ctx);
        }
    }

    /// After a recovery: what the node knows of epochs, by the variant; then it stands, at
    /// once or after asking everyone.
    fn rejoin(&mut self, ctx: &mut Ctx<'_, Self>) {
        let kept = match self.recovery {
            Recovery::Volatile => 0,
            Recovery::Rejoin | Recovery::StableOnly => ctx.stable().epoch,
        };
        self.epoch = kept;
        ctx.observe(Obs::Recovered { epoch: kept });
        match self.recovery {
            Recovery::Rejoin => {
                self.role = Role::CatchingUp;
                ctx.broadcast(Msg::Rejoin);
                ctx.set_timer(self.timing.higher_wait, Timer::CatchUp);
            }
            Recovery::StableOnly | Recovery::Volatile => self.stand(ctx),
        }
    }
}

impl Process for ElectionNode {
    type Msg = Msg;
    type Timer = Timer;
    type Obs = Obs;
    type Stable = Stable;

    fn on_start(&mut self, ctx: &mut Ctx<'_, Self>) {
        self.stand(ctx);
    }

    fn on_recover(&mut self, ctx: &mut Ctx<'_, Self>) {
        self.rejoin(ctx);
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, msg: Msg) {
        match msg {
            Msg::Election { epoch } => self.on_election(ctx, from, epoch),
            Msg::Answer { epoch } => self.on_answer(ctx, epoch),
            Msg::Token { epoch, candidate } => self.on_token(ctx, from, epoch, candidate),
            Msg::TokenAck { epoch, candidate } => self.on_token_ack(ctx, from, epoch, candidate),
            Msg::Coordinator { epoch } | Msg::Heartbeat { epoch } => {
                self.on_leader_message(ctx, from, epoch)
            }
            Msg::Rejoin => ctx.send(from, Msg::Status { epoch: self.epoch }),
            Msg::Status { epoch } => self.adopt(ctx, epoch),
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, Self>, timer: Timer) {
        match timer {
            Timer::AnswerWait { epoch } => self.on_answer_wait(ctx, epoch),
            Timer::CoordinatorWait { epoch } => {
                if matches!(self.role, Role::Candidate { epoch: e, .. } if e == epoch) {
                    self.stand(ctx);
                }
            }
            Timer::Hop {
                epoch,
                candidate,
                to,
            } => self.on_hop_timeout(ctx, epoch, candidate, to),
            Timer::Beat => {
                if let Role::Leader { epoch } = self.role {
                    ctx.broadcast(Msg::Heartbeat { epoch });
                    ctx.set_timer(self.timing.heartbeat, Timer::Beat);
                }
            }
            Timer::LeaderSilent => {
                self.silence = None;
                if let Role::Follower { .. } = self.role {
                    self.stand(ctx);
                }
            }
            Timer::CatchUp => {
                if self.role == Role::CatchingUp {
                    self.stand(ctx);
                }
            }
        }
    }
}
