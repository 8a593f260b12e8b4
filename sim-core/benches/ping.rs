//! Engine throughput on the ping workload: `cargo bench -p sim-core --bench ping [-- EVENTS]`.
//! Reports events per second on one core (the engine is single-threaded per run), next to a
//! yardstick measured in the same process: a minimal loop that pops the earliest of 32
//! pending events from a binary heap, "dispatches" it (one multiply) and pushes its successor
//! a draw later, which is the least any event queue of this shape can cost here.

#[path = "../tests/common/ping.rs"]
mod ping;

use std::cmp::Reverse;
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

/// The yardstick: heap pop, a trivial dispatch, heap push, for `events` events.
#[allow(clippy::disallowed_methods)] // wall-clock time measures the benchmark, not a run
fn minimal_heap_loop(events: u64) -> f64 {
    let start = std::time::Instant::now();
    let mut heap: BinaryHeap<Reverse<(u64, u64, u32)>> = BinaryHeap::new();
    let mut seq = 0u64;
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    for i in 0..32u32 {
        seq += 1;
        heap.push(Reverse((1_000_000, seq, i)));
    }
    let mut checksum = 0u64;
    for _ in 0..events {
        let Some(Reverse((time, _, payload))) = heap.pop() else {
            break;
        };
        // xorshift: a delay of 1 to 5 ms.
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        checksum = checksum.wrapping_add(u64::from(payload).wrapping_mul(state));
        seq += 1;
        heap.push(Reverse((
            time + 1_000_000 + state % 4_000_000,
            seq,
            payload,
        )));
    }
    let secs = start.elapsed().as_secs_f64();
    std::hint::black_box(checksum);
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
