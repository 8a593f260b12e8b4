//! The process every workload runs: an external node (a server, `n0`…), one of the
//! workload's clients (`c1`…) or a service (`lin-kv`…), with what they exchange, observe and
//! keep.

use std::collections::BTreeSet;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use ftsim_api::{Ctx, Duration, NodeId, Process, Time, TimerId};
use serde_json::Value;

use crate::client::{Client, Io};
use crate::messages::{Obs, Packet, Storage, Tick};
use crate::names::Names;
use crate::node::{ExternalNode, NodeCtx};
use crate::services::Service;

/// A node of a workload. A search copies it and hashes its state: an external node's is its
/// history (`history`), a client's and a service's their fields.
#[derive(Debug)]
pub enum Member {
    /// An external program.
    Node(Box<ExternalNode>),
    /// One of the workload's clients, the group's names, and the requests answered so far
    /// (a later answer to one of them is ignored, as Maelstrom's clients ignore it).
    Client(Box<dyn Client>, Arc<Names>, BTreeSet<u64>),
    /// A service the nodes send requests to.
    Service(Box<dyn Service>),
}

impl Clone for Member {
    fn clone(&self) -> Self {
        match self {
            Member::Node(node) => Member::Node(node.clone()),
            Member::Client(client, names, answered) => {
                Member::Client(client.copy(), Arc::clone(names), answered.clone())
            }
            Member::Service(service) => Member::Service(service.copy()),
        }
    }
}

impl Hash for Member {
    fn hash<H: Hasher>(&self, state: &mut H) {
        std::mem::discriminant(self).hash(state);
        match self {
            Member::Node(node) => node.hash(state),
            Member::Client(client, _, answered) => {
                client.fingerprint(state);
                answered.hash(state);
            }
            Member::Service(service) => service.fingerprint(state),
        }
    }
}

impl Process for Member {
    type Msg = Packet;
    type Timer = Tick;
    type Obs = Obs;
    type Stable = Storage;

    fn on_start(&mut self, ctx: &mut Ctx<'_, Self>) {
        match self {
            Member::Node(node) => node.start(ctx, false),
            Member::Client(client, names, _) => client.on_start(&mut ClientCtx { ctx, names }),
            Member::Service(_) => {}
        }
    }

    fn on_recover(&mut self, ctx: &mut Ctx<'_, Self>) {
        match self {
            Member::Node(node) => node.start(ctx, true),
            Member::Client(client, names, _) => client.on_start(&mut ClientCtx { ctx, names }),
            Member::Service(_) => {}
        }
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, msg: Packet) {
        match self {
            Member::Node(node) => node.deliver(ctx, from, &msg),
            Member::Client(client, names, answered) => {
                let body = msg.json();
                let Some(op) = body.get("in_reply_to").and_then(Value::as_u64) else {
                    return;
                };
                if !answered.insert(op) {
                    return;
                }
                ctx.observe(Obs::Complete {
                    op,
                    server: from,
                    reply: msg,
                });
                client.on_reply(&mut ClientCtx { ctx, names }, from, op, &body);
            }
            Member::Service(service) => {
                let body = msg.json();
                let Some(request) = body.get("msg_id").and_then(Value::as_u64) else {
                    return;
                };
                let mut reply =
                    service.answer(from, &body, &mut |bound| ctx.random_below(bound.max(1)));
                reply["in_reply_to"] = request.into();
                ctx.send(from, Packet(reply.to_string().into()));
            }
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, Self>, timer: Tick) {
        match (self, timer) {
            (Member::Node(node), Tick::Node(number)) => node.fire(ctx, number),
            (Member::Client(client, names, _), Tick::Client(tick)) => {
                client.on_timer(&mut ClientCtx { ctx, names }, tick)
            }
            _ => {}
        }
    }

    fn on_suspect(&mut self, ctx: &mut Ctx<'_, Self>, node: NodeId) {
        if let Member::Node(external) = self {
            external.notice(ctx, "suspect", node);
        }
    }

    fn on_restore(&mut self, ctx: &mut Ctx<'_, Self>, node: NodeId) {
        if let Member::Node(external) = self {
            external.notice(ctx, "restore", node);
        }
    }
}

impl NodeCtx for Ctx<'_, Member> {
    fn now_ns(&self) -> u64 {
        self.now().0
    }
    fn random_below(&mut self, bound: u64) -> u64 {
        Ctx::random_below(self, bound)
    }
    fn storage(&self) -> &Storage {
        self.stable()
    }
    fn storage_mut(&mut self) -> &mut Storage {
        self.stable_mut()
    }
    fn sync(&mut self) {
        Ctx::sync(self)
    }
    fn send(&mut self, to: NodeId, body: Packet) {
        Ctx::send(self, to, body)
    }
    fn set_timer(&mut self, delay: Duration, number: u64) -> TimerId {
        Ctx::set_timer(self, delay, Tick::Node(number))
    }
    fn cancel_timer(&mut self, id: TimerId) {
        Ctx::cancel_timer(self, id)
    }
    fn observe(&mut self, obs: Obs) {
        Ctx::observe(self, obs)
    }
}

/// A client's view of its handler's `Ctx`.
struct ClientCtx<'c, 'a> {
    ctx: &'c mut Ctx<'a, Member>,
    names: &'c Names,
}

impl Io for ClientCtx<'_, '_> {
    fn now(&self) -> Time {
        self.ctx.now()
    }
    fn me(&self) -> NodeId {
        self.ctx.id()
    }
    fn servers(&self) -> usize {
        self.names.servers()
    }
    fn client_index(&self) -> usize {
        self.ctx.id() - self.names.servers()
    }
    fn clients(&self) -> usize {
        self.names.clients()
    }
    fn random_below(&mut self, bound: u64) -> u64 {
        self.ctx.random_below(bound.max(1))
    }
    fn set_timer(&mut self, delay: Duration, tick: u32) {
        self.ctx.set_timer(delay, Tick::Client(tick));
    }
    fn request(&mut self, server: NodeId, op: u64, mut body: Value) {
        if let Value::Object(fields) = &mut body {
            fields.insert("msg_id".into(), op.into());
        }
        let request = Packet(body.to_string().into());
        self.ctx.observe(Obs::Invoke {
            op,
            server,
            request: request.clone(),
        });
        self.ctx.send(server, request);
    }
}
