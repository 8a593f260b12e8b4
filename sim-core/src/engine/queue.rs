//! The event queue: what can happen ([`Ev`]) and in which order: by (virtual time, insertion
//! sequence), so simultaneous events run in the order they were scheduled and every run is a
//! pure function of its inputs.
//!
//! A discrete-event run never schedules into its past, so the queue is a *radix heap* (a
//! monotone priority queue) over the 128-bit key (time, sequence) rather than a binary heap:
//! a key goes into the bucket of the highest bit in which it differs from the last key
//! popped, and a pop only scans and splits the lowest non-empty bucket. Each key moves down a
//! few buckets in its life, by linear scans of small arrays, so the cost of an event does not
//! grow with the number of events pending (a binary heap's does, by its depth and its cache
//! misses). The keys are 24 bytes; the events themselves wait in a slab and never move.
//! Keys are unique (the sequence is), so the pop order is exactly the (time, sequence) order
//! a binary heap would give, and trace hashes are the same.
//!
//! Cleared between runs without giving its memory back, so a sweep worker reuses it.

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
    /// decisions about it).
    pub(super) seq: u64,
    /// The sender's Lamport clock as the message left.
    pub(super) lamport: u64,
    /// When the message left the sender's wire.
    pub(super) depart: Time,
    /// How many times the sender had crashed when it sent the message: if it crashes again
    /// before `depart`, the message was still on its wire and is lost.
    pub(super) sender_incarnation: u32,
    /// What the message weighs, for the memory budget (see `budget::weigh`).
    pub(super) bytes: u64,
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

/// Where an event waits, and when it is due.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Key {
    time: u64,
    seq: u64,
    slot: u32,
}

/// One bucket for keys equal to the last popped, 64 for a difference in the sequence only,
/// 64 for a difference in time.
const BUCKETS: usize = 129;

/// The pending events, earliest first; ties in time pop in push order.
pub(super) struct Queue<P: Process> {
    buckets: Vec<Vec<Key>>,
    /// Bit `i` set when bucket `i` holds keys.
    occupied: u128,
    /// The last key popped (or peeked): every key in the queue is at or after it.
    last: (u64, u64),
    len: usize,
    /// The events, by slot; `None` for a free slot.
    slab: Vec<Option<Ev<P>>>,
    free: Vec<u32>,
    /// The sequence number of the last push.
    seq: u64,
    /// Messages waiting to be delivered.
    messages: usize,
}

impl<P: Process> Queue<P> {
    pub(super) fn new() -> Self {
        Queue {
            buckets: (0..BUCKETS).map(|_| Vec::new()).collect(),
            occupied: 0,
            last: (0, 0),
            len: 0,
            slab: Vec::new(),
            free: Vec::new(),
            seq: 0,
            messages: 0,
        }
    }

    /// Empties the queue for another run, keeping its memory.
    pub(super) fn clear(&mut self) {
        for bucket in &mut self.buckets {
            bucket.clear();
        }
        self.slab.clear();
        self.free.clear();
        self.occupied = 0;
        self.last = (0, 0);
        self.len = 0;
        self.seq = 0;
        self.messages = 0;
    }

    /// The bucket of a key that is at or after `last`.
    fn bucket_of(last: (u64, u64), time: u64, seq: u64) -> usize {
        if time != last.0 {
            64 + (64 - (time ^ last.0).leading_zeros() as usize)
        } else {
            64 - (seq ^ last.1).leading_zeros() as usize
        }
    }

    fn place(&mut self, key: Key) {
        let b = Self::bucket_of(self.last, key.time, key.seq);
        self.buckets[b].push(key);
        self.occupied |= 1 << b;
    }

    pub(super) fn push(&mut self, time: Time, ev: Ev<P>) {
        // The engine never schedules into the past; a key before the last one popped would
        // be misplaced, so it is kept at the present (debug builds stop on it).
        debug_assert!(time.0 >= self.last.0, "an event scheduled in the past");
        let time = time.0.max(self.last.0);
        self.seq += 1;
        self.messages += usize::from(matches!(ev, Ev::Deliver(_)));
        let slot = match self.free.pop() {
            Some(slot) => {
                self.slab[slot as usize] = Some(ev);
                slot
            }
            None => {
                self.slab.push(Some(ev));
                (self.slab.len() - 1) as u32
            }
        };
        self.len += 1;
        self.place(Key {
            time,
            seq: self.seq,
            slot,
        });
    }

    /// Brings the earliest key into bucket 0 (the last key is then that key); false if the
    /// queue is empty.
    fn settle_min(&mut self) -> bool {
        if self.occupied & 1 != 0 {
            return true;
        }
        if self.occupied == 0 {
            return false;
        }
        let b = self.occupied.trailing_zeros() as usize;
        let mut keys = std::mem::take(&mut self.buckets[b]);
        self.occupied &= !(1 << b);
        let min = keys.iter().copied().min().unwrap_or(keys[0]);
        self.last = (min.time, min.seq);
        for &key in &keys {
            self.place(key);
        }
        keys.clear();
        self.buckets[b] = keys;
        true
    }

    /// Removes and returns the earliest event, unless the queue is empty or that event is
    /// due after `end` (then it stays queued).
    pub(super) fn pop_due(&mut self, end: Time) -> Option<(Time, Ev<P>)> {
        if !self.settle_min() {
            return None;
        }
        let key = *self.buckets[0].last()?;
        if key.time > end.0 {
            return None;
        }
        self.buckets[0].pop();
        if self.buckets[0].is_empty() {
            self.occupied &= !1;
        }
        self.len -= 1;
        let ev = self.slab[key.slot as usize].take()?;
        self.free.push(key.slot);
        self.messages -= usize::from(matches!(ev, Ev::Deliver(_)));
        Some((Time(key.time), ev))
    }

    /// When the earliest pending event is due, if any.
    pub(super) fn next_time(&mut self) -> Option<Time> {
        if !self.settle_min() {
            return None;
        }
        self.buckets[0].last().map(|key| Time(key.time))
    }

    pub(super) fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// How many events are pending.
    pub(super) fn len(&self) -> usize {
        self.len
    }

    /// Messages waiting to be delivered (a duplicate copy counts).
    pub(super) fn messages(&self) -> usize {
        self.messages
    }
}

/// The bytes one pending event takes: its key and its slot (not what a message owns on the
/// heap).
pub(super) fn entry_bytes<P: Process>() -> usize {
    std::mem::size_of::<Key>() + std::mem::size_of::<Option<Ev<P>>>()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::process::Ctx;

    #[derive(Debug)]
    struct P;
    impl Process for P {
        type Msg = ();
        type Timer = ();
        type Obs = ();
        type Stable = ();
        fn on_start(&mut self, _: &mut Ctx<'_, Self>) {}
        fn on_message(&mut self, _: &mut Ctx<'_, Self>, _: NodeId, _: ()) {}
    }

    /// Pops everything, checking each pop against a sorted reference.
    #[test]
    fn pops_in_time_then_push_order_like_a_heap() {
        let mut q: Queue<P> = Queue::new();
        let mut reference: Vec<(u64, u64, usize)> = Vec::new();
        let mut state = 12345u64;
        let mut now = 0u64;
        let mut pushed = 0u64;
        for round in 0..2000usize {
            for _ in 0..(round % 5) {
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let at = now + (state >> 33) % 50;
                pushed += 1;
                q.push(Time(at), Ev::Start(round));
                reference.push((at, pushed, round));
            }
            reference.sort_unstable();
            if round % 3 != 0 && !reference.is_empty() {
                let (at, _, node) = reference.remove(0);
                let Some((t, Ev::Start(n))) = q.pop_due(Time(u64::MAX)) else {
                    panic!("expected an event");
                };
                assert_eq!((t.0, n), (at, node));
                now = at;
            }
        }
        while let Some((t, Ev::Start(n))) = q.pop_due(Time(u64::MAX)) {
            let (at, _, node) = reference.remove(0);
            assert_eq!((t.0, n), (at, node));
        }
        assert!(reference.is_empty() && q.is_empty());
    }

    #[test]
    fn an_event_due_after_the_end_stays_queued() {
        let mut q: Queue<P> = Queue::new();
        q.push(Time(10), Ev::FaultsEnd);
        assert!(q.pop_due(Time(9)).is_none());
        assert!(!q.is_empty());
        assert!(matches!(
            q.pop_due(Time(10)),
            Some((Time(10), Ev::FaultsEnd))
        ));
        q.clear();
        assert!(q.is_empty() && q.pop_due(Time(100)).is_none());
    }
}
