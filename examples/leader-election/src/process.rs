//! One node of the bully election. Every handler reads the message or timer, updates the
//! node's state and pushes what it wants done (sends, timers, observations) into `ctx`.

use ftsim_api::{Ctx, Duration, NodeId, Process, TimerId};

/// What nodes tell each other. Every message carries the sender's epoch.
#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub enum Msg {
    /// "I am running an election in this epoch": sent to every higher id.
    Election { epoch: u64 },
    /// "I am alive and higher than you: stand down" (the answer to `Election`).
    Answer { epoch: u64 },
    /// "I am the leader of this epoch."
    Coordinator { epoch: u64 },
    /// The leader's periodic "still here".
    Heartbeat { epoch: u64 },
}

/// What a timer means when it fires.
#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub enum Timer {
    /// The election of this epoch waited long enough for answers from higher ids.
    AnswerWait { epoch: u64 },
    /// A higher id answered but never announced itself: try again.
    CoordinatorWait { epoch: u64 },
    /// Time for the leader's next heartbeat.
    Beat,
    /// No heartbeat from the leader for too long.
    LeaderSilent,
}

/// What the properties judge.
#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub enum Obs {
    /// This node became the leader of `epoch`.
    Leader { epoch: u64 },
    /// This node now follows `leader`.
    Follow { leader: NodeId },
}

/// The timing a node works with (from the parameters).
#[derive(Clone, Copy, Debug)]
pub struct Timeouts {
    pub answer_wait: Duration,
    pub heartbeat: Duration,
    pub leader_timeout: Duration,
}

/// A node's state.
#[derive(Debug)]
pub struct Node {
    timing: Timeouts,
    /// The highest epoch seen; an election runs in the next one.
    epoch: u64,
    leader: Option<NodeId>,
    /// The epoch of our own election while it runs, and whether a higher id answered it.
    election: Option<u64>,
    answered: bool,
    /// The follower's "leader silent" timer, reset by every heartbeat.
    silence: Option<TimerId>,
}

impl Node {
    pub fn new(timing: Timeouts) -> Self {
        Node {
            timing,
            epoch: 0,
            leader: None,
            election: None,
            answered: false,
            silence: None,
        }
    }

    /// The node this one follows (itself when it leads).
    pub fn leader(&self) -> Option<NodeId> {
        self.leader
    }

    /// Asks every higher id to stand up; with none, this node wins at once.
    fn start_election(&mut self, ctx: &mut Ctx<'_, Self>) {
        self.epoch += 1;
        self.election = Some(self.epoch);
        self.answered = false;
        self.leader = None;
        let epoch = self.epoch;
        let higher: Vec<NodeId> = (ctx.id() + 1..ctx.n()).collect();
        if higher.is_empty() {
            return self.become_leader(ctx, epoch);
        }
        for to in higher {
            ctx.send(to, Msg::Election { epoch });
        }
        ctx.set_timer(self.timing.answer_wait, Timer::AnswerWait { epoch });
    }

    /// Wins the election of `epoch`.
    fn become_leader(&mut self, ctx: &mut Ctx<'_, Self>, epoch: u64) {
        self.election = None;
        self.leader = Some(ctx.id());
        ctx.observe(Obs::Leader { epoch });
        ctx.broadcast(Msg::Coordinator { epoch: self.epoch });
        ctx.set_timer(self.timing.heartbeat, Timer::Beat);
    }

    /// Follows `leader` and (re)starts waiting for its heartbeats.
    fn follow(&mut self, ctx: &mut Ctx<'_, Self>, leader: NodeId) {
        self.election = None;
        if self.leader != Some(leader) {
            self.leader = Some(leader);
            ctx.observe(Obs::Follow { leader });
        }
        self.expect_heartbeat(ctx);
    }

    fn expect_heartbeat(&mut self, ctx: &mut Ctx<'_, Self>) {
        if let Some(t) = self.silence.take() {
            ctx.cancel_timer(t);
        }
        self.silence = Some(ctx.set_timer(self.timing.leader_timeout, Timer::LeaderSilent));
    }

    /// A lower id claims to lead while we are alive: bully it (unless we are on it already).
    fn challenge(&mut self, ctx: &mut Ctx<'_, Self>) {
        if self.leader == Some(ctx.id()) {
            ctx.broadcast(Msg::Coordinator { epoch: self.epoch });
        } else if self.election.is_none() {
            self.start_election(ctx);
        }
    }
}

impl Process for Node {
    type Msg = Msg;
    type Timer = Timer;
    type Obs = Obs;
    type Stable = ();

    fn on_start(&mut self, ctx: &mut Ctx<'_, Self>) {
        self.start_election(ctx);
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, msg: Msg) {
        let (Msg::Election { epoch }
        | Msg::Answer { epoch }
        | Msg::Coordinator { epoch }
        | Msg::Heartbeat { epoch }) = msg;
        self.epoch = self.epoch.max(epoch);
        match msg {
            Msg::Election { .. } => {
                ctx.send(from, Msg::Answer { epoch: self.epoch });
                self.challenge(ctx);
            }
            Msg::Answer { .. } => {
                if let Some(epoch) = self.election.filter(|_| !self.answered) {
                    self.answered = true;
                    let wait = self.timing.leader_timeout;
                    ctx.set_timer(wait, Timer::CoordinatorWait { epoch });
                }
            }
            Msg::Coordinator { .. } | Msg::Heartbeat { .. } if from > ctx.id() => {
                self.follow(ctx, from)
            }
            Msg::Coordinator { .. } | Msg::Heartbeat { .. } => self.challenge(ctx),
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, Self>, timer: Timer) {
        match timer {
            Timer::AnswerWait { epoch } if self.election == Some(epoch) && !self.answered => {
                self.become_leader(ctx, epoch);
            }
            Timer::CoordinatorWait { epoch } if self.election == Some(epoch) => {
                self.start_election(ctx);
            }
            Timer::Beat if self.leader == Some(ctx.id()) => {
                ctx.broadcast(Msg::Heartbeat { epoch: self.epoch });
                ctx.set_timer(self.timing.heartbeat, Timer::Beat);
            }
            Timer::LeaderSilent => {
                self.silence = None;
                if self.election.is_none() {
                    self.start_election(ctx);
                }
            }
            _ => {} // a timer of an election or a leadership that is over
        }
    }
}
