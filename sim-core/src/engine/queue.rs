//! The event queue: what can happen ([`Ev`]) and in which order. A binary heap keyed by
//! (virtual time, insertion sequence), so simultaneous events run in the order they were
//! scheduled and every run is a pure function of its inputs.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use crate::entropy::MsgKey;
use crate::process::{Process, TimerId};
use crate::time::Time;
use crate::NodeId;

/// A message in flight, built once when it is sent (and cloned for a duplicate copy).
#[derive(Clone)]
pub(super) struct Envelope<M> {
    pub(super) from: NodeId,
    pub(super) to: NodeId,
    pub(super) msg_id: u64,
    /// The message's number on its link (with `from` and `to`, the key of the network's
    /// decisions about it; kept as one word, the queue moves envelopes a lot).
    pub(super) seq: u64,
    /// The sender's Lamport clock as the message left.
    pub(super) lamport: u64,
    /// When the message left the sender's wire.
    pub(super) depart: Time,
    /// How many times the sender had crashed when it sent the message: if it crashes again
    /// before `depart`, the message was still on its wire and is lost.
    pub(super) sender_incarnation: u32,
    pub(super) msg: M,
}

impl<M> Envelope<M> {
    /// The key of the network's decisions about this message.
    pub(super) fn key(&self) -> MsgKey {
        MsgKey {
            from: self.from,
            to: self.to,
            seq: self.seq,
        }
    }
}

/// Something scheduled to happen.
pub(super) enum Ev<P: Process> {
    Start(NodeId),
    Deliver(Envelope<P::Msg>),
    Timer {
        node: NodeId,
        id: TimerId,
        tag: P::Timer,
    },
    /// The fault plan's event at this index.
    Fault(usize),
    /// The crash of the plan's triggered crash at this index (its trigger fired).
    Triggered(usize),
    /// The recovery of a node after a triggered crash.
    Recover(NodeId),
    /// A failure-detector notice to `node` about `about`.
    Detect {
        node: NodeId,
        about: NodeId,
        suspect: bool,
        false_alarm: bool,
    },
    FaultsEnd,
}

struct Entry<P: Process> {
    time: Time,
    seq: u64,
    ev: Ev<P>,
}

impl<P: Process> PartialEq for Entry<P> {
    fn eq(&self, other: &Self) -> bool {
        (self.time, self.seq) == (other.time, other.seq)
    }
}
impl<P: Process> Eq for Entry<P> {}
impl<P: Process> PartialOrd for Entry<P> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<P: Process> Ord for Entry<P> {
    /// Reversed, so that `BinaryHeap` (a max-heap) pops the earliest (time, seq) first.
    fn cmp(&self, other: &Self) -> Ordering {
        (other.time, other.seq).cmp(&(self.time, self.seq))
    }
}

/// The pending events, earliest first; ties in time pop in push order.
pub(super) struct Queue<P: Process> {
    heap: BinaryHeap<Entry<P>>,
    /// The sequence number of the last push.
    seq: u64,
}

impl<P: Process> Queue<P> {
    pub(super) fn new() -> Self {
        Queue {
            heap: BinaryHeap::new(),
            seq: 0,
        }
    }

    pub(super) fn push(&mut self, time: Time, ev: Ev<P>) {
        self.seq += 1;
        self.heap.push(Entry {
            time,
            seq: self.seq,
            ev,
        });
    }

    /// Removes and returns the earliest event, unless the queue is empty or that event is
    /// due after `end` (then it stays queued).
    pub(super) fn pop_due(&mut self, end: Time) -> Option<(Time, Ev<P>)> {
        if self.heap.peek()?.time > end {
            return None;
        }
        self.heap.pop().map(|entry| (entry.time, entry.ev))
    }

    pub(super) fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }
}
