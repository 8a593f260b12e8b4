//! The process every node of two-phase commit runs: the coordinator (node 0) or a
//! participant.

use ftsim_api::{Ctx, NodeId, Process};

use super::coordinator::Coordinator;
use super::messages::{Config, Log, Msg, Obs, Timer, COORDINATOR};
use super::participant::Participant;

#[derive(Clone, Debug, Hash)]
pub enum Role {
    Coordinator(Coordinator),
    Participant(Participant),
}

#[derive(Clone, Debug, Hash)]
pub struct Node {
    cfg: Config,
    role: Role,
}

impl Node {
    /// Node 0 coordinates; every other node is a participant.
    pub fn new(cfg: Config, id: NodeId) -> Self {
        let role = if id == COORDINATOR {
            Role::Coordinator(Coordinator::new())
        } else {
            Role::Participant(Participant::new())
        };
        Node { cfg, role }
    }
}

impl Process for Node {
    type Msg = Msg;
    type Timer = Timer;
    type Obs = Obs;
    type Stable = Log;

    fn on_start(&mut self, ctx: &mut Ctx<'_, Self>) {
        match &mut self.role {
            Role::Coordinator(c) => c.start(ctx, &self.cfg),
            Role::Participant(_) => {}
        }
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, msg: Msg) {
        match &mut self.role {
            Role::Coordinator(c) => c.on_message(ctx, &self.cfg, from, msg),
            Role::Participant(p) => p.on_message(ctx, &self.cfg, from, msg),
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, Self>, timer: Timer) {
        match &mut self.role {
            Role::Coordinator(c) => c.on_timer(ctx, &self.cfg, timer),
            Role::Participant(p) => p.on_timer(ctx, &self.cfg, timer),
        }
    }

    fn on_recover(&mut self, ctx: &mut Ctx<'_, Self>) {
        match &mut self.role {
            Role::Coordinator(c) => c.recover(ctx, &self.cfg),
            Role::Participant(p) => p.recover(ctx, &self.cfg),
        }
    }
}
