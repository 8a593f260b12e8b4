//! The event queue: what can happen ([`Ev`]) and in which order: by (virtual time, insertion
//! sequence), so simultaneous events run in the order they were scheduled and every run is a
//! pure function of its inputs.
//!
//! While few events are pending (most runs: a handful per node) they wait in a slab and a
//! binary heap orders their 16-byte keys (time, sequence, slot): the cheapest there is at
//! that size, all of it in the first-level caches. Past [`TO_RADIX`] pending events they
//! move, whole, into a radix heap (`radix`), whose cost per event does not grow with the
//! number pending and whose every access is a scan or an append (a slab that large would
//! cost a cache miss per event), and back below [`TO_HEAP`]. Keys are unique (the sequence
//! is), so both pop exactly the (time, sequence) order and trace hashes do not depend on
//! which one holds the events.
//!
//! An event no longer wanted (a timer cancelled, or lost in a crash, after it was set: the
//! engine says which, see `Nodes::still_set`) leaves the queue when it is met and is never
//! handed out: the binary heap meets it at its top, the radix heap at its first bucket split
//! (so it does not move down every level). Neither the run's clock, its next event nor its
//! budgets see it, whichever holds the events; only the pending count that the memory budget
//! weighs counts it while it is held.
//!
//! Cleared between runs without giving its memory back, so a sweep worker reuses it.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use crate::message::MsgKey;
use crate::process::Process;
use crate::time::Time;
use crate::timer::TimerId;
use crate::NodeId;

use super::radix::{Keyed, Radix};

/// A message in flight, built once when it is sent (and cloned for a duplicate copy).
///
/// The ids, the sender's incarnation and the weight are held in 32 bits, and the sender's
/// Lamport clock is not here (only a traced run keeps one, in its tracer): the queue moves
/// every pending event a few times, and with a 16-byte message this is 72 bytes to move, not
/// 96. The engine never has more than `u32::MAX` nodes (see `Engine::with_choices`).
#[derive(Clone)]
pub(super) struct Envelope<M> {
    from: u32,
    to: u32,
    /// How many times the sender had crashed when it sent the message: if it crashes again
    /// before `depart`, the message was still on its wire and is lost.
    pub(super) sender_incarnation: u32,
    /// What the message weighs, for the memory budget (see `budget::weigh`), at most
    /// `u32::MAX` (a heavier one is counted as that much).
    bytes: u32,
    pub(super) msg_id: u64,
    /// The message's number on its link (with `from` and `to`, the key of the network's
    /// decisions about it).
    pub(super) seq: u64,
    /// When the message left the sender's wire.
    pub(super) depart: Time,
    pub(super) msg: M,
}

/// What an [`Envelope`] is made from, besides the message: named, so the engine's two places
/// that send cannot swap two numbers.
pub(super) struct Sending {
    pub(super) key: MsgKey,
    pub(super) msg_id: u64,
    pub(super) depart: Time,
    pub(super) sender_incarnation: u32,
    pub(super) bytes: u64,
}

impl<M> Envelope<M> {
    pub(super) fn new(sending: Sending, msg: M) -> Self {
        let Sending {
            key,
            msg_id,
            depart,
            sender_incarnation,
            bytes,
        } = sending;
        Envelope {
            from: key.from as u32,
            to: key.to as u32,
            sender_incarnation,
            bytes: u32::try_from(bytes).unwrap_or(u32::MAX),
            msg_id,
            seq: key.seq,
            depart,
            msg,
        }
    }

    /// The sender.
    pub(super) fn from(&self) -> NodeId {
        self.from as NodeId
    }

    /// The destination.
    pub(super) fn to(&self) -> NodeId {
        self.to as NodeId
    }

    /// What the message weighs, for the memory budget.
    pub(super) fn bytes(&self) -> u64 {
        u64::from(self.bytes)
    }

    /// The key of the network's decisions about this message.
    pub(super) fn key(&self) -> MsgKey {
        MsgKey {
            from: self.from(),
            to: self.to(),
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

/// Where an event waits in the slab, and when it is due, packed into one integer whose order
/// is the queue's: the time in the high 64 bits, then the push sequence, then the slot in
/// the low [`SLOT_BITS`] (the slab holds at most [`TO_RADIX`] events, and the sequences are
/// unique, so the slot never decides the order). One 16-byte compare per step of the heap.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Key(u128);

/// The bits of a [`Key`] that hold the slot.
const SLOT_BITS: u32 = 16;

impl Key {
    fn new(time: u64, seq: u64, slot: usize) -> Key {
        debug_assert!(slot < 1 << SLOT_BITS && seq < 1 << (64 - SLOT_BITS));
        Key(u128::from(time) << 64 | u128::from(seq) << SLOT_BITS | slot as u128)
    }

    fn time(self) -> u64 {
        (self.0 >> 64) as u64
    }

    fn seq(self) -> u64 {
        (self.0 as u64) >> SLOT_BITS
    }

    fn slot(self) -> usize {
        (self.0 as usize) & ((1 << SLOT_BITS) - 1)
    }
}

/// A pending event held whole, in the radix heap.
struct Entry<P: Process> {
    time: u64,
    seq: u64,
    ev: Ev<P>,
}

impl<P: Process> Keyed for Entry<P> {
    fn key(&self) -> (u64, u64) {
        (self.time, self.seq)
    }
}

/// Pending events above which they move from the binary heap to the radix heap: the slab
/// then outgrows the second-level cache, and the heap's depth makes a pop dearer than the
/// radix heap's bucket splits. At most `1 << SLOT_BITS`.
const TO_RADIX: usize = 8192;

/// Pending events below which they move back to the binary heap (well under [`TO_RADIX`],
/// so a queue hovering at one size does not move its events back and forth).
const TO_HEAP: usize = 1024;

/// The pending events, earliest first; ties in time pop in push order.
pub(super) struct Queue<P: Process> {
    /// The keys of the events in the slab, while `in_radix` is false.
    heap: BinaryHeap<Reverse<Key>>,
    /// The events, by slot, while `in_radix` is false; `None` for a free slot.
    slab: Vec<Option<Ev<P>>>,
    free: Vec<u32>,
    /// The events while many are pending.
    radix: Radix<Entry<P>>,
    in_radix: bool,
    /// The last key popped (or peeked): every key in the queue is at or after it.
    last: (u64, u64),
    len: usize,
    /// The sequence number of the last push.
    seq: u64,
    /// Messages waiting to be delivered.
    messages: usize,
}

impl<P: Process> Queue<P> {
    pub(super) fn new() -> Self {
        Queue {
            heap: BinaryHeap::new(),
            slab: Vec::new(),
            free: Vec::new(),
            radix: Radix::new(),
            in_radix: false,
            last: (0, 0),
            len: 0,
            seq: 0,
            messages: 0,
        }
    }

    /// Empties the queue for another run, keeping its memory.
    pub(super) fn clear(&mut self) {
        self.heap.clear();
        self.slab.clear();
        self.free.clear();
        // Empty unless the run ended with many events pending (`move_to_radix` clears it
        // anyway): a short run does not pay for its buckets.
        if self.in_radix {
            self.radix.clear((0, 0));
        }
        self.in_radix = false;
        self.last = (0, 0);
        self.len = 0;
        self.seq = 0;
        self.messages = 0;
    }

    /// Inlined, so an event is built where it is kept: moved whole through a call, it is
    /// read back in wider pieces than its fields were written in, which stalls each push.
    #[inline(always)]
    pub(super) fn push(&mut self, time: Time, ev: Ev<P>) {
        // The engine never schedules into the past; a key before the last one popped would
        // be misplaced in the radix heap, so it is kept at the present (debug builds stop on
        // it).
        debug_assert!(time.0 >= self.last.0, "an event scheduled in the past");
        let time = time.0.max(self.last.0);
        self.seq += 1;
        self.messages += usize::from(matches!(ev, Ev::Deliver(_)));
        self.len += 1;
        if self.in_radix {
            let seq = self.seq;
            self.radix.push(Entry { time, seq, ev });
            return;
        }
        let slot = self.store(ev);
        self.heap.push(Reverse(Key::new(time, self.seq, slot)));
        if self.len > TO_RADIX {
            self.move_to_radix();
        }
    }

    /// Keeps an event in a free slot of the slab, and says which (inlined, see `push`).
    #[inline(always)]
    fn store(&mut self, ev: Ev<P>) -> usize {
        match self.free.pop() {
            Some(slot) => {
                self.slab[slot as usize] = Some(ev);
                slot as usize
            }
            None => {
                self.slab.push(Some(ev));
                self.slab.len() - 1
            }
        }
    }

    #[inline(never)]
    fn move_to_radix(&mut self) {
        self.radix.clear(self.last);
        for Reverse(key) in self.heap.drain() {
            if let Some(ev) = self.slab[key.slot()].take() {
                let (time, seq) = (key.time(), key.seq());
                self.radix.push(Entry { time, seq, ev });
            }
        }
        self.slab.clear();
        self.free.clear();
        self.in_radix = true;
    }

    fn move_to_heap(&mut self) {
        let mut slab = std::mem::take(&mut self.slab);
        let mut heap = std::mem::take(&mut self.heap).into_vec();
        for (slot, entry) in self.radix.drain().enumerate() {
            slab.push(Some(entry.ev));
            heap.push(Reverse(Key::new(entry.time, entry.seq, slot)));
        }
        self.slab = slab;
        self.heap = BinaryHeap::from(heap);
        self.in_radix = false;
    }

    /// The earliest key of an event still `wanted`, if any (it becomes the last key);
    /// unwanted events met on the way leave the queue.
    fn peek_wanted(&mut self, mut wanted: impl FnMut(&Ev<P>) -> bool) -> Option<(u64, u64)> {
        let key = if self.in_radix {
            let (front, dropped) = self.radix.peek_wanted(|entry| wanted(&entry.ev));
            let key = front.map(Keyed::key);
            self.len -= dropped;
            key?
        } else {
            loop {
                let Reverse(key) = *self.heap.peek()?;
                if self.slab[key.slot()].as_ref().is_some_and(&mut wanted) {
                    break (key.time(), key.seq());
                }
                self.heap.pop();
                self.len -= 1;
                self.free.push(key.slot() as u32);
                self.discard(key.slot());
            }
        };
        self.last = key;
        Some(key)
    }

    /// Removes and returns the earliest event still `wanted`, unless there is none or it is
    /// due after `end` (then it stays queued). Events no longer wanted (a cancelled timer)
    /// leave the queue without being returned, whenever they are met: so neither a run's
    /// clock nor its budgets see them, whichever of the two orders holds the events.
    /// Inlined into the event loop, so the event moves from its slot straight to its handler.
    #[inline]
    pub(super) fn pop_due(
        &mut self,
        end: Time,
        mut wanted: impl FnMut(&Ev<P>) -> bool,
    ) -> Option<(Time, Ev<P>)> {
        if self.in_radix {
            return self.pop_radix_due(end, wanted);
        }
        loop {
            let Reverse(key) = *self.heap.peek()?;
            self.last = (key.time(), key.seq());
            if key.time() > end.0 {
                return None;
            }
            self.heap.pop();
            let slot = key.slot();
            self.len -= 1;
            self.free.push(slot as u32);
            // Tested in its slot, so a wanted event moves once, from the slot to its handler.
            if !self.slab[slot].as_ref().is_some_and(&mut wanted) {
                self.discard(slot);
                continue;
            }
            let ev = self.slab[slot].take()?;
            self.messages -= usize::from(matches!(ev, Ev::Deliver(_)));
            return Some((Time(key.time()), ev));
        }
    }

    /// Empties the slot of an unwanted event, already counted out of `len` and freed.
    #[cold]
    fn discard(&mut self, slot: usize) {
        if let Some(ev) = self.slab[slot].take() {
            self.messages -= usize::from(matches!(ev, Ev::Deliver(_)));
        }
    }

    /// [`pop_due`](Queue::pop_due) while the events are in the radix heap.
    fn pop_radix_due(
        &mut self,
        end: Time,
        wanted: impl FnMut(&Ev<P>) -> bool,
    ) -> Option<(Time, Ev<P>)> {
        let key = self.peek_wanted(wanted)?;
        if key.0 > end.0 {
            return None;
        }
        self.len -= 1;
        let ev = self.radix.pop_peeked()?.ev;
        if self.len < TO_HEAP {
            self.move_to_heap();
        }
        self.messages -= usize::from(matches!(ev, Ev::Deliver(_)));
        Some((Time(key.0), ev))
    }

    /// When the earliest pending event still `wanted` is due, if any.
    pub(super) fn next_time(&mut self, wanted: impl FnMut(&Ev<P>) -> bool) -> Option<Time> {
        self.peek_wanted(wanted).map(|(time, _)| Time(time))
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

/// The bytes one pending event takes, as the memory budget counts them: 24 for its place in
/// the queue (a key and a free-list entry, or the time and sequence of a whole event) and its
/// slot (not what a message owns on the heap). A constant of the process type, so a run's
/// budget outcome does not depend on which of the two orders its events.
pub(super) fn entry_bytes<P: Process>() -> usize {
    24 + std::mem::size_of::<Option<Ev<P>>>()
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
                let Some((t, Ev::Start(n))) = q.pop_due(Time(u64::MAX), |_| true) else {
                    panic!("expected an event");
                };
                assert_eq!((t.0, n), (at, node));
                now = at;
            }
        }
        while let Some((t, Ev::Start(n))) = q.pop_due(Time(u64::MAX), |_| true) {
            let (at, _, node) = reference.remove(0);
            assert_eq!((t.0, n), (at, node));
        }
        assert!(reference.is_empty() && q.len() == 0);
    }

    /// Fills the queue past the switch to the radix heap and drains it below the switch back,
    /// twice, with pushes in between: the pop order is still (time, push order).
    #[test]
    fn pops_in_order_across_the_switch_between_heap_and_radix() {
        let mut q: Queue<P> = Queue::new();
        let mut reference: Vec<(u64, u64, usize)> = Vec::new();
        let mut popped: Vec<(u64, usize)> = Vec::new();
        let mut expected: Vec<(u64, usize)> = Vec::new();
        let (mut state, mut now, mut pushed) = (99u64, 0u64, 0u64);
        for _ in 0..2 {
            for i in 0..(TO_RADIX + 500) {
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let at = now + (state >> 33) % 1_000;
                pushed += 1;
                q.push(Time(at), Ev::Start(i));
                reference.push((at, pushed, i));
            }
            assert!(q.in_radix);
            reference.sort_unstable();
            let keep = TO_HEAP / 2;
            while q.len() > keep {
                let Some((t, Ev::Start(n))) = q.pop_due(Time(u64::MAX), |_| true) else {
                    panic!("expected an event");
                };
                popped.push((t.0, n));
                let (at, _, node) = reference.remove(0);
                expected.push((at, node));
                now = t.0;
            }
            assert!(!q.in_radix);
        }
        assert_eq!(popped, expected);
    }

    /// Events no longer wanted (a cancelled timer) never come out, in the binary heap as in
    /// the radix heap, and the rest come out in order; the next time is that of a wanted one.
    #[test]
    fn unwanted_events_never_come_out_of_either_order() {
        let wanted = |ev: &Ev<P>| !matches!(ev, Ev::Start(i) if i % 3 == 0);
        for count in [100, TO_RADIX + 500] {
            let mut q: Queue<P> = Queue::new();
            let mut expected: Vec<(u64, usize)> = Vec::new();
            let mut state = 7u64;
            for i in 0..count {
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let at = 1 + (state >> 33) % 1_000;
                q.push(Time(at), Ev::Start(i));
                if i % 3 != 0 {
                    expected.push((at, i));
                }
            }
            assert_eq!(q.in_radix, count > TO_RADIX);
            // Stable: equal times keep push order, as the queue does.
            expected.sort_by_key(|&(at, _)| at);
            assert_eq!(q.next_time(wanted), Some(Time(expected[0].0)));
            let mut popped = Vec::new();
            while let Some((t, Ev::Start(i))) = q.pop_due(Time(u64::MAX), wanted) {
                popped.push((t.0, i));
            }
            assert_eq!(popped, expected);
            assert!(q.len() == 0 && q.next_time(wanted).is_none());
        }
    }

    #[test]
    fn an_event_due_after_the_end_stays_queued() {
        let mut q: Queue<P> = Queue::new();
        q.push(Time(10), Ev::FaultsEnd);
        assert!(q.pop_due(Time(9), |_| true).is_none());
        assert_eq!(q.len(), 1);
        assert!(matches!(
            q.pop_due(Time(10), |_| true),
            Some((Time(10), Ev::FaultsEnd))
        ));
        q.clear();
        assert!(q.len() == 0 && q.pop_due(Time(100), |_| true).is_none());
    }

    /// An envelope keeps its ids and weight in 32 bits: they read back as given, and a
    /// weight past `u32::MAX` is counted as that much, never wrapped to a small one.
    #[test]
    fn an_envelope_reads_back_its_key_and_saturates_its_weight() {
        let key = MsgKey {
            from: 7,
            to: 1023,
            seq: u64::MAX,
        };
        let sending = |bytes| Sending {
            key,
            msg_id: 5,
            depart: Time(3),
            sender_incarnation: 2,
            bytes,
        };
        let light = Envelope::new(sending(40), ());
        assert_eq!(
            (light.from(), light.to(), light.key().seq),
            (7, 1023, u64::MAX)
        );
        assert_eq!(light.bytes(), 40);
        let heavy = Envelope::new(sending(u64::from(u32::MAX) + 10), ());
        assert_eq!(heavy.bytes(), u64::from(u32::MAX));
    }
}
