//! The process every node of the lock server runs: the server on node 0, a client everywhere
//! else.

use std::hash::{Hash, Hasher};

use ftsim_api::{Ctx, NodeId, Process};

use super::client::Client;
use super::messages::{Msg, Obs, Stable, Timer, SERVER};
use super::server::Server;
use super::LockServerParams;

#[derive(Clone, Debug, Hash)]
enum Role {
    Server(Server),
    Client(Client),
}

#[derive(Clone, Debug)]
pub struct LockProcess {
    params: LockServerParams,
    role: Role,
}

/// By hand: the parameters are the same in every state of a run (and have no `Hash`), so a
/// search's fingerprint leaves them out.
impl Hash for LockProcess {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.role.hash(state);
    }
}

impl LockProcess {
    pub fn new(id: NodeId, params: LockServerParams) -> Self {
        let role = if id == SERVER {
            Role::Server(Server::default())
        } else {
            Role::Client(Client::default())
        };
        LockProcess { params, role }
    }
}

impl Process for LockProcess {
    type Msg = Msg;
    type Timer = Timer;
    type Obs = Obs;
    type Stable = Stable;

    fn on_start(&mut self, ctx: &mut Ctx<'_, Self>) {
        if let Role::Client(_) = self.role {
            Client::think(ctx);
        }
    }

    fn on_recover(&mut self, ctx: &mut Ctx<'_, Self>) {
        match &mut self.role {
            Role::Server(s) => s.reboot(ctx, &self.params),
            Role::Client(c) => c.restart(ctx),
        }
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, msg: Msg) {
        match &mut self.role {
            Role::Server(s) => s.on_message(ctx, &self.params, from, msg),
            Role::Client(c) if from == SERVER => c.on_message(ctx, msg),
            Role::Client(_) => {}
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, Self>, timer: Timer) {
        match &mut self.role {
            Role::Server(s) => s.on_timer(ctx, &self.params, timer),
            Role::Client(c) => c.on_timer(ctx, &self.params, timer),
        }
    }

    fn on_suspect(&mut self, ctx: &mut Ctx<'_, Self>, node: NodeId) {
        if let Role::Server(s) = &mut self.role {
            s.on_suspect(ctx, &self.params, node);
        }
    }
}
