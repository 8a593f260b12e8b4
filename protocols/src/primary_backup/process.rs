//! The process every node of primary-backup runs: a replica or a client by its id.

use ftsim_api::{Ctx, NodeId, Process};

use super::client::Client;
use super::messages::{Config, Durable, Msg, Obs, Timer};
use super::replica::Replica;

#[derive(Clone, Debug, Hash)]
pub enum Role {
    Replica(Replica),
    Client(Client),
}

#[derive(Clone, Debug, Hash)]
pub struct Node {
    pub(super) cfg: Config,
    pub(super) role: Role,
}

impl Node {
    /// Nodes `0..replicas` are replicas; the rest are clients.
    pub fn new(cfg: Config, id: NodeId) -> Self {
        let role = if id < cfg.replicas {
            Role::Replica(Replica::new())
        } else {
            Role::Client(Client::new())
        };
        Node { cfg, role }
    }

    /// The view in which this node acts as primary, if it does (for the split-brain check).
    pub fn acting_primary(&self, me: NodeId) -> Option<u64> {
        match &self.role {
            Role::Replica(r) => r.acting_primary(&self.cfg, me),
            Role::Client(_) => None,
        }
    }
}

impl Process for Node {
    type Msg = Msg;
    type Timer = Timer;
    type Obs = Obs;
    type Stable = Durable;

    fn on_start(&mut self, ctx: &mut Ctx<'_, Self>) {
        match &mut self.role {
            Role::Replica(r) => r.start(ctx, &self.cfg),
            Role::Client(c) => c.issue(ctx, &self.cfg),
        }
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, msg: Msg) {
        match &mut self.role {
            Role::Replica(r) => r.on_message(ctx, &self.cfg, from, msg),
            Role::Client(c) => c.on_message(ctx, &self.cfg, msg),
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, Self>, timer: Timer) {
        match &mut self.role {
            Role::Replica(r) => r.on_timer(ctx, &self.cfg, timer),
            Role::Client(c) => c.on_timer(ctx, &self.cfg),
        }
    }

    fn on_recover(&mut self, ctx: &mut Ctx<'_, Self>) {
        match &mut self.role {
            Role::Replica(r) => r.recover(ctx, &self.cfg),
            // A client that crashed has lost its place; it does not resume.
            Role::Client(_) => {}
        }
    }
}
