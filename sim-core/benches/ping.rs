//! Engine throughput on the ping workload: `cargo bench -p sim-core --bench ping [-- EVENTS]`.
//! Prints the commit it runs at, then events per second on one core (the engine is
//! single-threaded per run), next to a yardstick measured in the same process with the same
//! delays: the minimal loop of a discrete-event simulator. A std `BinaryHeap` holds the 32
//! pending events (the ping run keeps 4 nodes × 8 messages in flight) as 32-byte entries;
//! each step pops the earliest, dispatches on its kind with a `match`, and pushes its
//! follow-up. Nothing else: no numbering beyond the push order, no hashing, no budgets, no
//! allocation. The engine's figure over it is how much of a plain loop's speed the engine
//! keeps while it also routes, numbers, hashes, budgets and traces every event.

#[path = "../tests/common/ping.rs"]
mod ping;

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

use sim_core::*;

/// Nodes and messages in flight per node of both the ping run and the yardstick.
const NODES: u32 = 4;
const WINDOW: u32 = 8;

#[allow(clippy::disallowed_methods)] // wall-clock time measures the benchmark, not a run
fn measure(label: &str, events: u64, delay: DelayDist) -> f64 {
    let start = std::time::Instant::now();
    let setup = ping::ping_setup(NODES as usize, WINDOW, events, delay);
    let report = Engine::new(setup, 1).run();
    let secs = start.elapsed().as_secs_f64();
    assert_eq!(report.stats.events, events);
    print_rate(label, events, secs)
}

/// Prints one figure's line; the rate in millions of events per second.
fn print_rate(label: &str, events: u64, secs: f64) -> f64 {
    let rate = events as f64 / secs / 1e6;
    println!("{label:<32} {events:>10} events in {secs:>6.3}s = {rate:>6.2} M events/s");
    rate
}

/// What a yardstick event is: a message one way, or its answer.
#[derive(Clone, Copy)]
enum Kind {
    Ping,
    Pong,
}

/// One pending event of the yardstick, 32 bytes: when it is due, its push order (the tie
/// break), where it goes, its kind and a payload.
struct Entry {
    time: u64,
    seq: u64,
    to: u32,
    kind: Kind,
    payload: u64,
}

const _: () = assert!(std::mem::size_of::<Entry>() == 32);

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        (self.time, self.seq) == (other.time, other.seq)
    }
}
impl Eq for Entry {}
impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Entry {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.time, self.seq).cmp(&(other.time, other.seq))
    }
}

/// The yardstick's delays, as the ping run's: a constant 1 ms, or 1 to 5 ms drawn by an
/// xorshift generator.
enum Delay {
    Constant,
    Uniform { state: u64 },
}

impl Delay {
    fn next_ns(&mut self) -> u64 {
        match self {
            Delay::Constant => 1_000_000,
            Delay::Uniform { state } => {
                *state ^= *state << 13;
                *state ^= *state >> 7;
                *state ^= *state << 17;
                1_000_000 + *state % 4_000_001
            }
        }
    }
}

/// The yardstick: `events` times, pop the earliest entry, match on its kind, push its
/// follow-up (a ping is answered to its sender's neighbour, a pong pings the next node).
#[allow(clippy::disallowed_methods)] // wall-clock time measures the benchmark, not a run
fn minimal_heap_loop(label: &str, events: u64, mut delay: Delay) -> f64 {
    let start = std::time::Instant::now();
    let mut heap = BinaryHeap::with_capacity((NODES * WINDOW) as usize);
    let mut seq = 0u64;
    for to in 0..NODES {
        for i in 0..WINDOW {
            seq += 1;
            let (time, kind, payload) = (delay.next_ns(), Kind::Ping, u64::from(i));
            heap.push(Reverse(Entry {
                time,
                seq,
                to,
                kind,
                payload,
            }));
        }
    }
    for _ in 0..events {
        let Some(Reverse(event)) = heap.pop() else {
            break;
        };
        let (to, kind) = match event.kind {
            Kind::Ping => (event.to ^ 1, Kind::Pong),
            Kind::Pong => ((event.to + 1) % NODES, Kind::Ping),
        };
        seq += 1;
        heap.push(Reverse(Entry {
            time: event.time + delay.next_ns(),
            seq,
            to,
            kind,
            payload: event.payload + 1,
        }));
    }
    let secs = start.elapsed().as_secs_f64();
    std::hint::black_box(&heap);
    print_rate(label, events, secs)
}

/// The commit this benchmark runs at (`git rev-parse --short HEAD`, marked when the work tree
/// has changes), or "unknown" outside a git checkout.
fn commit() -> String {
    let git = |args: &[&str]| {
        let out = std::process::Command::new("git").args(args).output().ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
    };
    match git(&["rev-parse", "--short", "HEAD"]) {
        Some(hash) => match git(&["status", "--porcelain", "--untracked-files=no"]) {
            Some(changes) if !changes.is_empty() => format!("{hash} with uncommitted changes"),
            _ => hash,
        },
        None => "unknown".to_string(),
    }
}

fn main() {
    let events = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(20_000_000u64);
    println!("commit: {}", commit());
    let uniform_delay = || DelayDist::Uniform {
        min: Duration::from_millis(1),
        max: Duration::from_millis(5),
    };
    let seed = 0x9e37_79b9_7f4a_7c15;
    for _ in 0..2 {
        let loop_constant =
            minimal_heap_loop("minimal loop, constant delay", events, Delay::Constant);
        let loop_uniform = minimal_heap_loop(
            "minimal loop, uniform 1-5ms",
            events,
            Delay::Uniform { state: seed },
        );
        let constant = measure(
            "ping, constant delay",
            events,
            DelayDist::Constant(Duration::from_millis(1)),
        );
        let uniform = measure("ping, uniform 1-5ms delay", events, uniform_delay());
        println!(
            "ping / minimal loop: {:.2} (constant), {:.2} (uniform)",
            constant / loop_constant,
            uniform / loop_uniform
        );
    }
}
