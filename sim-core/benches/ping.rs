//! Engine throughput on the ping workload: `cargo bench -p sim-core --bench ping [-- EVENTS]`.
//! Reports events per second on one core (the engine is single-threaded per run), next to a
//! yardstick measured in the same process: a minimal loop that pops the earliest of 32
//! pending events from a binary heap, dispatches it through a trait object to a handler that
//! draws its successor's delay (1 to 5 ms) and pushes the successor. Its events are as large
//! as the engine's own pending events (sized from them), so it is the least any event queue
//! of this shape can cost here: the engine's figure over it is how much of the yardstick's
//! speed the engine keeps while it also numbers, hashes, budgets and traces every event.

#[path = "../tests/common/ping.rs"]
mod ping;

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

use sim_core::*;

#[allow(clippy::disallowed_methods)] // wall-clock time measures the benchmark, not a run
fn measure(label: &str, events: u64, delay: DelayDist) -> f64 {
    let start = std::time::Instant::now();
    let report = Engine::new(ping::ping_setup(4, 8, events, delay), 1).run();
    let secs = start.elapsed().as_secs_f64();
    assert_eq!(report.stats.events, events);
    let rate = events as f64 / secs / 1e6;
    println!("{label:<28} {events:>10} events in {secs:>6.3}s = {rate:>6.2} M events/s");
    rate
}

/// The size of a pending ping event in the engine's slab, in 8-byte words: the yardstick
/// follows the engine's event size as it changes (80 bytes before b552a7e, 64 after).
const EVENT_WORDS: usize = sim_core::engine::pending_event_bytes::<ping::Ping>() / 8;
const _: () = assert!(EVENT_WORDS * 8 == sim_core::engine::pending_event_bytes::<ping::Ping>());

/// One pending event of the yardstick: when it is due, its push order, and a payload as
/// large as the engine's pending event.
struct Pending {
    time: u64,
    seq: u64,
    payload: [u64; EVENT_WORDS],
}

impl PartialEq for Pending {
    fn eq(&self, other: &Self) -> bool {
        (self.time, self.seq) == (other.time, other.seq)
    }
}
impl Eq for Pending {}
impl PartialOrd for Pending {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Pending {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.time, self.seq).cmp(&(other.time, other.seq))
    }
}

/// What the yardstick dispatches to, through a trait object as a simulator must.
trait Handler {
    /// Handles one event's payload and returns the delay of its successor, in nanoseconds.
    fn handle(&mut self, payload: &mut [u64; EVENT_WORDS]) -> u64;
}

/// Answers each event with a successor 1 to 5 ms later (xorshift draws).
struct Echo {
    state: u64,
}

impl Handler for Echo {
    fn handle(&mut self, payload: &mut [u64; EVENT_WORDS]) -> u64 {
        self.state ^= self.state << 13;
        self.state ^= self.state >> 7;
        self.state ^= self.state << 17;
        payload[0] = payload[0].wrapping_add(1);
        1_000_000 + self.state % 4_000_000
    }
}

/// The yardstick: heap pop, a dispatch through a trait object, heap push, for `events`
/// events of the engine's event size.
#[allow(clippy::disallowed_methods)] // wall-clock time measures the benchmark, not a run
fn minimal_heap_loop(events: u64) -> f64 {
    let start = std::time::Instant::now();
    let mut heap: BinaryHeap<Reverse<Pending>> = BinaryHeap::new();
    let mut echo = Echo {
        state: 0x9e37_79b9_7f4a_7c15,
    };
    let handler: &mut dyn Handler = std::hint::black_box(&mut echo);
    let mut seq = 0u64;
    for i in 0..32u64 {
        seq += 1;
        let mut payload = [0; EVENT_WORDS];
        payload[1] = i;
        heap.push(Reverse(Pending {
            time: 1_000_000,
            seq,
            payload,
        }));
    }
    for _ in 0..events {
        let Some(Reverse(mut event)) = heap.pop() else {
            break;
        };
        event.time += handler.handle(&mut event.payload);
        seq += 1;
        event.seq = seq;
        heap.push(Reverse(event));
    }
    let secs = start.elapsed().as_secs_f64();
    std::hint::black_box(&heap);
    let rate = events as f64 / secs / 1e6;
    println!(
        "{:<28} {events:>10} events in {secs:>6.3}s = {rate:>6.2} M events/s",
        "minimal heap loop"
    );
    rate
}

fn main() {
    let events = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(20_000_000u64);
    for _ in 0..2 {
        let yardstick = minimal_heap_loop(events);
        let constant = measure(
            "ping, constant delay",
            events,
            DelayDist::Constant(Duration::from_millis(1)),
        );
        let uniform = measure(
            "ping, uniform 1-5ms delay",
            events,
            DelayDist::Uniform {
                min: Duration::from_millis(1),
                max: Duration::from_millis(5),
            },
        );
        println!(
            "ping / minimal loop: {:.2} (constant), {:.2} (uniform)",
            constant / yardstick,
            uniform / yardstick
        );
    }
}
