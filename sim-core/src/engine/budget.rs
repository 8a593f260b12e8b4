//! What a run may spend besides events: virtual time, messages in flight, memory. Each is an
//! outcome of its seed when exceeded (`Outcome::BudgetExceeded`), never an abort of a sweep,
//! so a protocol that floods the network or grows its messages without bound ends its own run
//! with a report while the sweep goes on.
//!
//! Memory is the engine's own accounting, not the allocator's: the events pending in the queue
//! (each a key and a slab slot), the contents of the messages in flight, weighed by the bytes
//! their `Hash` writes (a `Vec<u8>` of a million bytes weighs a million), and the processes'
//! states and stable storage, weighed by the length of their `Debug` text (written into a
//! counter, nothing allocated). States are weighed one node at a time, round robin, spaced so
//! that weighing costs a few bytes of text per event however large the states and the group,
//! yet often while states grow (`weighing`); a node's weight is the one of its last weighing.
//! All of it is a pure
//! function of the run, like everything else, so the outcome is the same on every machine,
//! with any number of threads, traced or not (the trace is not counted: a replay streams it).

use std::hash::{Hash, Hasher};

use serde::{Deserialize, Serialize};

use crate::process::Process;
use crate::time::{Duration, Time};
use crate::trace::Budget;

/// The default `max_in_flight`: a million messages.
pub const DEFAULT_MAX_IN_FLIGHT: u64 = 1_000_000;

/// The default `max_memory_bytes`: 512 MiB, so a sweep on `j` threads stays near
/// `j × 512 MiB` plus what the protocol's processes keep.
pub const DEFAULT_MAX_MEMORY_BYTES: u64 = 512 << 20;

/// The budgets of a run besides its events (`RunConfig::max_events`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Budgets {
    /// The latest virtual time a run may reach before its end (`duration + settle`); `None`:
    /// the end bounds it.
    pub max_time: Option<Duration>,
    /// The most messages in flight at once (sent, not yet delivered or dropped).
    pub max_in_flight: u64,
    /// The most bytes the pending events and the messages in flight may weigh.
    pub max_memory_bytes: u64,
}

impl Default for Budgets {
    fn default() -> Self {
        Budgets {
            max_time: None,
            max_in_flight: DEFAULT_MAX_IN_FLIGHT,
            max_memory_bytes: DEFAULT_MAX_MEMORY_BYTES,
        }
    }
}

/// A hasher that only counts the bytes written: how much a message weighs.
#[derive(Default)]
struct Weigher(u64);

impl Hasher for Weigher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        self.0 += bytes.len() as u64;
    }
    fn write_u8(&mut self, _: u8) {
        self.0 += 1;
    }
    fn write_u64(&mut self, _: u64) {
        self.0 += 8;
    }
    fn write_usize(&mut self, _: usize) {
        self.0 += 8;
    }
}

/// The weight of a message's contents in bytes (at least its inline size).
pub(super) fn weigh<M: Hash>(msg: &M) -> u64 {
    let mut w = Weigher::default();
    msg.hash(&mut w);
    w.0.max(std::mem::size_of::<M>() as u64)
}

/// A `fmt::Write` that only counts what is written: how long a `Debug` text is.
#[derive(Default)]
struct Counter(u64);

impl std::fmt::Write for Counter {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0 += s.len() as u64;
        Ok(())
    }
}

/// The weight of a value's `Debug` text, in bytes (at least its inline size).
pub(super) fn weigh_debug<T: std::fmt::Debug>(value: &T) -> u64 {
    use std::fmt::Write;
    let mut counter = Counter::default();
    // A `Debug` that fails leaves what it wrote so far counted.
    let _ = write!(counter, "{value:?}");
    counter.0.max(std::mem::size_of::<T>() as u64)
}

/// The running account of a run against its budgets.
#[derive(Clone, Debug, Default)]
pub(super) struct Account {
    /// The weight of the messages in flight.
    pub(super) in_flight_bytes: u64,
    /// Each node's state and stable storage at its last weighing (empty until the first).
    node_bytes: Vec<u64>,
    /// The sum of `node_bytes`.
    nodes_bytes: u64,
}

impl Account {
    /// A new run's account, keeping the memory.
    pub(super) fn reset(&mut self) {
        self.in_flight_bytes = 0;
        self.node_bytes.fill(0);
        self.nodes_bytes = 0;
    }

    /// Records that `node` (of `n`) now weighs `bytes`.
    pub(super) fn weighed(&mut self, node: usize, n: usize, bytes: u64) {
        if self.node_bytes.len() != n {
            self.node_bytes.resize(n, 0);
        }
        self.nodes_bytes = self.nodes_bytes - self.node_bytes[node] + bytes;
        self.node_bytes[node] = bytes;
    }

    /// What the run weighs now: `pending` events queued, each taking `event_bytes`, the
    /// messages in flight and the states at their last weighing.
    pub(super) fn bytes(&self, pending: usize, event_bytes: usize) -> u64 {
        (pending as u64)
            .saturating_mul(event_bytes as u64)
            .saturating_add(self.in_flight_bytes)
            .saturating_add(self.nodes_bytes)
    }

    /// The budget the run exceeds now, with its limit: `pending` events are queued, of which
    /// `messages` are messages, each event taking `event_bytes`.
    pub(super) fn exceeded(
        &self,
        budgets: &Budgets,
        pending: usize,
        messages: usize,
        event_bytes: usize,
    ) -> Option<(Budget, u64)> {
        if messages as u64 > budgets.max_in_flight {
            return Some((Budget::MessagesInFlight, budgets.max_in_flight));
        }
        if self.bytes(pending, event_bytes) > budgets.max_memory_bytes {
            return Some((Budget::Memory, budgets.max_memory_bytes));
        }
        None
    }
}

/// The bytes one pending event takes in the queue of a process type.
pub(super) fn event_bytes<P: Process>() -> usize {
    super::queue::entry_bytes::<P>()
}

/// Where the run stops: at its end, or earlier at its virtual-time budget.
pub(super) fn stop_time(end: Time, budgets: &Budgets) -> Time {
    match budgets.max_time {
        Some(max) => end.min(Time::ZERO + max),
        None => end,
    }
}
