//! The broadcast process, two layers in one node: the link layer sends one message to one peer
//! (at most once, at least once, or exactly once by de-duplication), and the broadcast layer
//! sends one message to everyone over those links (best-effort or eager reliable).

use std::collections::BTreeSet;
use std::hash::{Hash, Hasher};

use ftsim_api::properties::delivery::{DeliveryObs, MsgKey};
use ftsim_api::{Ctx, Duration, NodeId, Process};

use super::links::{PerPeer, Received, Unacked};
use super::{BroadcastParams, Link, Mode, Senders};

#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub enum Msg {
    /// Link-layer data: broadcast message `key` (origin, number), numbered `seq` on its link.
    Data { seq: u32, key: (u32, u32) },
    /// Link-layer acknowledgement of `seq`.
    Ack { seq: u32 },
}

#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub enum Timer {
    /// Time to broadcast this node's next message.
    Broadcast,
    /// Link data `seq` (broadcast message `key`) to `to` may have been lost.
    Retransmit {
        to: NodeId,
        seq: u32,
        key: (u32, u32),
    },
}

#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub enum Obs {
    Broadcast(MsgKey),
    Deliver(MsgKey),
}

impl DeliveryObs for Obs {
    fn broadcast(&self) -> Option<u64> {
        match self {
            Obs::Broadcast(k) => Some(k.1),
            Obs::Deliver(_) => None,
        }
    }
    fn delivered(&self) -> Option<MsgKey> {
        match self {
            Obs::Deliver(k) => Some(*k),
            Obs::Broadcast(_) => None,
        }
    }
}

/// A broadcast message's key as messages carry it: a group has at most `u32::MAX` nodes and
/// a sender broadcasts at most 1,000 messages (`BroadcastParams::messages`).
fn carried(key: MsgKey) -> (u32, u32) {
    (key.0 as u32, key.1 as u32)
}

fn key_of(carried: (u32, u32)) -> MsgKey {
    (carried.0 as NodeId, u64::from(carried.1))
}

#[derive(Clone, Debug)]
pub struct Node {
    params: BroadcastParams,
    sent: u32,
    /// Per peer, the seq of the next link data to it.
    next_seq: PerPeer<u32>,
    /// The link data sent and not acknowledged yet.
    unacked: Unacked,
    /// The link data received, for exactly-once processing.
    received: Received,
    /// Messages delivered, for eager reliable broadcast's relay-once rule.
    delivered: BTreeSet<MsgKey>,
}

/// By hand: the parameters are the same in every state of a run (and have no `Hash`), so a
/// search's fingerprint leaves them out.
impl Hash for Node {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.sent.hash(state);
        self.next_seq.hash(state);
        self.unacked.hash(state);
        self.received.hash(state);
        self.delivered.hash(state);
    }
}

impl Node {
    /// A node of a group of `n`.
    pub fn new(params: BroadcastParams, n: usize) -> Self {
        Node {
            params,
            sent: 0,
            next_seq: PerPeer::new(n),
            unacked: Unacked::new(n),
            received: Received::new(n),
            delivered: BTreeSet::new(),
        }
    }

    fn interval(&self) -> Duration {
        self.params.interval
    }

    fn retransmit(&self) -> Duration {
        self.params.retransmit
    }

    fn link_send(&mut self, ctx: &mut Ctx<'_, Self>, to: NodeId, key: MsgKey) {
        let seq = self.next_seq[to];
        self.next_seq[to] += 1;
        let key = carried(key);
        ctx.send(to, Msg::Data { seq, key });
        if self.params.link != Link::AtMostOnce {
            let timer = ctx.set_timer(self.retransmit(), Timer::Retransmit { to, seq, key });
            self.unacked.add(to, seq, timer);
        }
    }

    fn send_to_all(&mut self, ctx: &mut Ctx<'_, Self>, key: MsgKey) {
        let me = ctx.id();
        for to in (0..ctx.n()).filter(|&p| p != me) {
            self.link_send(ctx, to, key);
        }
    }

    fn deliver(&mut self, ctx: &mut Ctx<'_, Self>, key: MsgKey) {
        ctx.observe(Obs::Deliver(key));
        self.delivered.insert(key);
    }

    /// What the broadcast layer does with a message the link layer passes up.
    fn on_link_deliver(&mut self, ctx: &mut Ctx<'_, Self>, key: MsgKey) {
        match self.params.mode {
            Mode::BestEffort => self.deliver(ctx, key),
            Mode::EagerReliable => {
                if self.delivered.contains(&key) {
                    return;
                }
                self.deliver(ctx, key);
                self.send_to_all(ctx, key);
            }
        }
    }

    /// Broadcasts this node's next message: delivers it locally, sends it to everyone.
    fn broadcast_next(&mut self, ctx: &mut Ctx<'_, Self>) {
        let key = (ctx.id(), self.sent as u64);
        self.sent += 1;
        ctx.observe(Obs::Broadcast(key));
        self.deliver(ctx, key);
        self.send_to_all(ctx, key);
        if self.sent < self.params.messages {
            ctx.set_timer(self.interval(), Timer::Broadcast);
        }
    }

    /// Sends link data `seq` to `to` again if it is still unacknowledged.
    fn resend(&mut self, ctx: &mut Ctx<'_, Self>, to: NodeId, seq: u32, key: (u32, u32)) {
        let retransmit = self.retransmit();
        if let Some(timer) = self.unacked.timer_mut(to, seq) {
            ctx.send(to, Msg::Data { seq, key });
            *timer = ctx.set_timer(retransmit, Timer::Retransmit { to, seq, key });
        }
    }
}

impl Process for Node {
    type Msg = Msg;
    type Timer = Timer;
    type Obs = Obs;
    type Stable = ();

    fn on_start(&mut self, ctx: &mut Ctx<'_, Self>) {
        let sends = self.params.senders == Senders::All || ctx.id() == 0;
        if sends && self.params.messages > 0 {
            ctx.set_timer(self.interval(), Timer::Broadcast);
        }
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, msg: Msg) {
        match msg {
            Msg::Data { seq, key } => {
                if self.params.link != Link::AtMostOnce {
                    ctx.send(from, Msg::Ack { seq });
                }
                if self.params.link == Link::ExactlyOnce && !self.received.first_time(from, seq) {
                    return;
                }
                self.on_link_deliver(ctx, key_of(key));
            }
            Msg::Ack { seq } => {
                if let Some(timer) = self.unacked.acknowledged(from, seq) {
                    ctx.cancel_timer(timer);
                }
            }
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, Self>, timer: Timer) {
        match timer {
            Timer::Broadcast => self.broadcast_next(ctx),
            Timer::Retransmit { to, seq, key } => self.resend(ctx, to, seq, key),
        }
    }
}
