//! The process every node of the transactions runs: a server (nodes `0..servers`) or a client
//! (the rest).

use ftsim_api::{Ctx, NodeId, Process};

use super::client::Client;
use super::messages::{Config, Msg, Obs, Timer};
use super::server::Server;

#[derive(Clone, Debug, Hash)]
enum Role {
    Server(Server),
    Client(Client),
}

#[derive(Clone, Debug)]
pub struct Node {
    cfg: Config,
    role: Role,
}

/// A search tells states apart by the role's state (the settings are every node's, always).
impl std::hash::Hash for Node {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        self.role.hash(h);
    }
}

impl Node {
    /// Nodes `0..cfg.servers` serve; every other node is a client.
    pub fn new(cfg: Config, id: NodeId) -> Self {
        let role = if id < cfg.servers {
            Role::Server(Server::default())
        } else {
            Role::Client(Client::default())
        };
        Node { cfg, role }
    }

    /// The client role's state, for properties and tests (`None` on a server).
    pub fn client(&self) -> Option<&Client> {
        match &self.role {
            Role::Client(c) => Some(c),
            Role::Server(_) => None,
        }
    }

    /// The server role's state, for properties and tests (`None` on a client).
    pub fn server(&self) -> Option<&Server> {
        match &self.role {
            Role::Server(s) => Some(s),
            Role::Client(_) => None,
        }
    }
}

impl Process for Node {
    type Msg = Msg;
    type Timer = Timer;
    type Obs = Obs;
    type Stable = ();

    fn on_start(&mut self, ctx: &mut Ctx<'_, Self>) {
        if let Role::Client(c) = &mut self.role {
            c.start(ctx, &self.cfg);
        }
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, msg: Msg) {
        match &mut self.role {
            Role::Server(s) => s.on_message(ctx, &self.cfg, from, msg),
            Role::Client(c) => c.on_message(ctx, &self.cfg, msg),
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, Self>, timer: Timer) {
        match (&mut self.role, timer) {
            (Role::Client(c), Timer::Begin) => c.begin(ctx, &self.cfg),
            (Role::Server(_), Timer::Begin) => {}
        }
    }
}
