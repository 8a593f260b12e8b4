//! Engine throughput on the ping workload: `cargo bench -p sim-core --bench ping`.
//! Reports events per second on one core (the engine is single-threaded per run).

#[path = "../tests/common/ping.rs"]
mod ping;

use sim_core::*;

#[allow(clippy::disallowed_methods)] // wall-clock time measures the benchmark, not a run
fn measure(label: &str, events: u64, delay: DelayDist) {
    let start = std::time::Instant::now();
    let report = Engine::new(ping::ping_setup(4, 8, events, delay), 1).run();
    let secs = start.elapsed().as_secs_f64();
    assert_eq!(report.stats.events, events);
    println!(
        "{label:<28} {events:>10} events in {secs:>6.3}s = {:>6.2} M events/s",
        events as f64 / secs / 1e6
    );
}

fn main() {
    let events = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(20_000_000u64);
    for _ in 0..2 {
        measure(
            "ping, constant delay",
            events,
            DelayDist::Constant(Duration::from_millis(1)),
        );
        measure(
            "ping, uniform 1-5ms delay",
            events,
            DelayDist::Uniform {
                min: Duration::from_millis(1),
                max: Duration::from_millis(5),
            },
        );
    }
}
