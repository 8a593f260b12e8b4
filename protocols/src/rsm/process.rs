//! The process every node of the replicated state machine runs: a server (running one of
//! the three variants) or a client, by its id.

use ftsim_api::{Ctx, NodeId, Process};

use super::broadcast::BroadcastServer;
use super::client::Client;
use super::messages::{Config, Durable, Msg, Obs, Timer};
use super::paxos_server::PaxosServer;
use super::sequencer::SequencedServer;
use super::Variant;

#[derive(Clone, Debug, Hash)]
pub enum Role {
    Broadcast(BroadcastServer),
    Sequenced(SequencedServer),
    Paxos(Box<PaxosServer>),
    Client(Client),
}

#[derive(Clone, Debug, Hash)]
pub struct Node {
    pub(super) cfg: Config,
    pub(super) role: Role,
}

impl Node {
    /// Nodes `0..servers` are servers of the configured variant; the rest are clients.
    pub fn new(cfg: Config, id: NodeId) -> Self {
        let role = match cfg.variant {
            _ if id >= cfg.servers => Role::Client(Client::new()),
            Variant::Broadcast => Role::Broadcast(BroadcastServer::default()),
            Variant::TotalOrder => Role::Sequenced(SequencedServer::default()),
            Variant::MultiPaxos => Role::Paxos(Box::default()),
        };
        Node { cfg, role }
    }

    /// Whether this node is a client that has operations left to invoke.
    pub fn unfinished_client(&self) -> bool {
        matches!(&self.role, Role::Client(c) if c.issued() < self.cfg.ops)
    }

    /// Whether this node is a server.
    pub fn is_server(&self) -> bool {
        !matches!(self.role, Role::Client(_))
    }
}

impl Process for Node {
    type Msg = Msg;
    type Timer = Timer;
    type Obs = Obs;
    type Stable = Durable;

    fn on_start(&mut self, ctx: &mut Ctx<'_, Self>) {
        let cfg = &self.cfg;
        match &mut self.role {
            Role::Client(c) => c.think(ctx, cfg),
            Role::Sequenced(s) => s.start(ctx, cfg),
            Role::Paxos(s) => s.start(ctx, cfg),
            Role::Broadcast(_) => {}
        }
    }

    fn on_recover(&mut self, ctx: &mut Ctx<'_, Self>) {
        // A client that crashed does not resume; the other variants keep nothing stable.
        if let Role::Paxos(s) = &mut self.role {
            s.recover(ctx, &self.cfg);
        }
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, msg: Msg) {
        let cfg = &self.cfg;
        match &mut self.role {
            Role::Client(c) => c.on_message(ctx, cfg, msg),
            Role::Broadcast(s) => s.on_message(ctx, from, msg),
            Role::Sequenced(s) => s.on_message(ctx, cfg, from, msg),
            Role::Paxos(s) => s.on_message(ctx, cfg, from, msg),
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, Self>, timer: Timer) {
        let cfg = &self.cfg;
        match (&mut self.role, timer) {
            (Role::Client(c), Timer::Think) => c.issue(ctx, cfg),
            (Role::Client(c), Timer::Retry) => c.retry(ctx, cfg),
            (Role::Sequenced(s), Timer::Tick) => s.tick(ctx, cfg),
            (Role::Paxos(s), Timer::Tick) => s.tick(ctx, cfg),
            _ => {}
        }
    }
}
