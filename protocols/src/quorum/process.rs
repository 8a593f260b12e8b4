//! The process every node of quorum replication runs: a replica or a client by its id.

use ftsim_api::{Ctx, NodeId, Process};

use super::client::Client;
use super::messages::{Config, Msg, Obs, Stored, Timer};
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
            Role::Replica(Replica)
        } else {
            Role::Client(Client::new())
        };
        Node { cfg, role }
    }

    /// Whether this node is a client that has operations left to invoke.
    pub fn unfinished_client(&self) -> bool {
        matches!(&self.role, Role::Client(c) if c.issued() < self.cfg.ops)
    }
}

impl Process for Node {
    type Msg = Msg;
    type Timer = Timer;
    type Obs = Obs;
    type Stable = Stored;

    fn on_start(&mut self, ctx: &mut Ctx<'_, Self>) {
        if let Role::Client(c) = &mut self.role {
            c.think(ctx, &self.cfg);
        }
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, msg: Msg) {
        match &mut self.role {
            Role::Replica(r) => r.on_message(ctx, from, msg),
            Role::Client(c) => c.on_message(ctx, &self.cfg, from, msg),
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, Self>, timer: Timer) {
        if let Role::Client(c) = &mut self.role {
            match timer {
                Timer::Think => c.issue(ctx, &self.cfg),
                Timer::Retry => c.retry(ctx, &self.cfg),
            }
        }
    }

    // A replica's state is all in stable storage; a client that crashed does not resume.
}
