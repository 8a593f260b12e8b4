//! The total-order multicast process: Lamport-stamped multicasts, a hold-back queue in stamp
//! order, acks to everyone, and (with live membership) flushes about suspected members.

use std::collections::{BTreeMap, BTreeSet};

use ftsim_api::properties::delivery::{DeliveryObs, MsgKey};
use ftsim_api::{Ctx, Duration, NodeId, NodeSet, Process};

/// (Lamport clock, origin): the total order of messages.
pub type Stamp = (u64, NodeId);

#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub enum Msg {
    /// A multicast: the origin's `seq`-th message, stamped.
    Data { stamp: Stamp, seq: u64 },
    /// "I accepted the message stamped `stamp`."
    Ack { stamp: Stamp },
    /// "I suspect `about`; here is every message I accepted."
    Flush {
        about: NodeId,
        msgs: Vec<(Stamp, u64)>,
    },
}

#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub enum Obs {
    Multicast { seq: u64 },
    Deliver { origin: NodeId, seq: u64 },
}

impl DeliveryObs for Obs {
    fn broadcast(&self) -> Option<u64> {
        match self {
            Obs::Multicast { seq } => Some(*seq),
            Obs::Deliver { .. } => None,
        }
    }
    fn delivered(&self) -> Option<MsgKey> {
        match self {
            Obs::Deliver { origin, seq } => Some((*origin, *seq)),
            Obs::Multicast { .. } => None,
        }
    }
}

/// The timer tag: time for this process's next multicast.
#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub struct NextMulticast;

/// Each process multicasts after a gap drawn from 1..=SPREAD_MS milliseconds.
const SPREAD_MS: u64 = 20;

#[derive(Clone, Debug, Hash)]
pub struct TotalOrderProcess {
    live_members: bool,
    messages: u64,
    clock: u64,
    sent: u64,
    /// Every accepted message (stamp -> origin's seq), delivered or not.
    accepted: BTreeMap<Stamp, u64>,
    /// The hold-back queue: accepted, not yet delivered, in stamp order.
    queue: BTreeSet<Stamp>,
    /// Who is known to have acked each stamp (acks can precede the message itself).
    acks: BTreeMap<Stamp, NodeSet>,
    suspected: NodeSet,
    /// Per suspected node: the members whose flush about it has arrived.
    flushed: Vec<NodeSet>,
}

impl TotalOrderProcess {
    pub fn new(n: usize, live_members: bool, messages: u64) -> Self {
        TotalOrderProcess {
            live_members,
            messages,
            clock: 0,
            sent: 0,
            accepted: BTreeMap::new(),
            queue: BTreeSet::new(),
            acks: BTreeMap::new(),
            suspected: NodeSet::EMPTY,
            flushed: vec![NodeSet::EMPTY; n],
        }
    }

    fn ack_from(&mut self, stamp: Stamp, node: NodeId) {
        self.acks.entry(stamp).or_default().insert(node);
    }

    /// Takes a message into the hold-back queue (once) and acks it to everyone.
    fn accept(&mut self, ctx: &mut Ctx<'_, Self>, stamp: Stamp, seq: u64) {
        self.clock = self.clock.max(stamp.0) + 1;
        if self.accepted.insert(stamp, seq).is_some() {
            return;
        }
        self.queue.insert(stamp);
        self.ack_from(stamp, ctx.id());
        ctx.broadcast(Msg::Ack { stamp });
    }

    /// Whether member `j` no longer holds up the head `stamp`.
    fn settled(&self, me: NodeId, n: usize, stamp: Stamp, j: NodeId) -> bool {
        if !self.suspected.contains(j) {
            return self.acks.get(&stamp).is_some_and(|a| a.contains(j));
        }
        // A suspected member's ack is not enough: it vouches for j's own earlier multicasts,
        // not for messages of others that j relayed in its flushes after acking. Every
        // unsuspected member (other than us and j) must have flushed what it got from j.
        let needed: NodeSet = (0..n)
            .filter(|&k| k != me && k != j && !self.suspected.contains(k))
            .collect();
        self.flushed[j].is_superset(needed)
    }

    fn try_deliver(&mut self, ctx: &mut Ctx<'_, Self>) {
        let (me, n) = (ctx.id(), ctx.n());
        while let Some(&head) = self.queue.first() {
            if !(0..n).all(|j| j == me || self.settled(me, n, head, j)) {
                return;
            }
            self.queue.remove(&head);
            ctx.observe(Obs::Deliver {
                origin: head.1,
                seq: self.accepted[&head],
            });
        }
    }

    fn schedule(&mut self, ctx: &mut Ctx<'_, Self>) {
        if self.sent < self.messages {
            let gap = Duration::from_millis(1 + ctx.random_below(SPREAD_MS));
            ctx.set_timer(gap, NextMulticast);
        }
    }
}

impl Process for TotalOrderProcess {
    type Msg = Msg;
    type Timer = NextMulticast;
    type Obs = Obs;
    type Stable = ();

    fn on_start(&mut self, ctx: &mut Ctx<'_, Self>) {
        self.schedule(ctx);
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, Self>, _: NextMulticast) {
        let me = ctx.id();
        self.clock += 1;
        let stamp = (self.clock, me);
        let seq = self.sent;
        self.sent += 1;
        ctx.observe(Obs::Multicast { seq });
        self.accepted.insert(stamp, seq);
        self.queue.insert(stamp);
        self.ack_from(stamp, me);
        ctx.broadcast(Msg::Data { stamp, seq });
        self.schedule(ctx);
        self.try_deliver(ctx);
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, msg: Msg) {
        // A suspected member is dead to us: what it sent after our flush must not count.
        if self.suspected.contains(from) {
            return;
        }
        match msg {
            Msg::Data { stamp, seq } => {
                // Sending its own message is the origin's ack, but only on the direct path:
                // only there does FIFO order put its earlier messages before this one.
                self.ack_from(stamp, from);
                self.accept(ctx, stamp, seq);
            }
            Msg::Ack { stamp } => {
                self.clock += 1;
                self.ack_from(stamp, from);
            }
            Msg::Flush { about, msgs } => {
                self.flushed[about].insert(from);
                for (stamp, seq) in msgs {
                    self.accept(ctx, stamp, seq);
                }
            }
        }
        self.try_deliver(ctx);
    }

    fn on_suspect(&mut self, ctx: &mut Ctx<'_, Self>, node: NodeId) {
        if !self.live_members {
            return;
        }
        self.suspected.insert(node);
        let msgs = self.accepted.iter().map(|(&s, &q)| (s, q)).collect();
        ctx.broadcast(Msg::Flush { about: node, msgs });
        self.try_deliver(ctx);
    }
}
