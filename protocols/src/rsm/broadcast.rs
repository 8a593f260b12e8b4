//! The broken approach of the course notes: every server applies each request as it arrives
//! and answers. Requests from different clients reach servers in different orders, so the
//! replicas diverge, and a client that takes the first answer sees one replica's order.

use ftsim_api::{Ctx, NodeId};

use super::machine::Machine;
use super::messages::{Host, Msg};

#[derive(Clone, Debug, Default, Hash)]
pub struct BroadcastServer {
    machine: Machine,
}

impl BroadcastServer {
    pub(super) fn on_message(&mut self, ctx: &mut Ctx<'_, impl Host>, from: NodeId, msg: Msg) {
        let Msg::Request { cmd } = msg else {
            return;
        };
        let answer = match self.machine.answered(&cmd) {
            Some(answer) => Some(answer),
            None if self.machine.has_applied(&cmd) => None,
            None => self.machine.apply(ctx, &Some(cmd)),
        };
        if let Some((_, seq, out)) = answer {
            ctx.send(from, Msg::Reply { seq, out });
        }
    }
}
