//! Flooding consensus throughput on one core: `cargo bench -p protocols --bench flooding`.
//! Each run is a whole FloodSet instance (5 processes, 1 random crash, 2 rounds, random
//! delays), run on one sweep worker (an engine reset between seeds); the figure includes
//! setting up each run, drawing its fault plan and checking its invariants, as a sweep does.

use ftsim_api::sim_core::faults::CrashSpec;
use ftsim_api::{Duration, FaultSpec, ParamValues, RunSpec, Time};
use ftsim_runner::{AnyProtocol, Simulation};
use protocols::flooding::FloodingConsensus;

fn simulation() -> std::sync::Arc<dyn Simulation> {
    let mut spec = RunSpec::new(5);
    spec.network.send_gap = Duration::from_millis(1);
    spec.faults = FaultSpec::crashes(CrashSpec::exactly(1, [Time::ZERO, Time::from_millis(12)]));
    spec.sometimes = Some(Vec::new());
    let protocol: &'static dyn AnyProtocol = &FloodingConsensus;
    protocol
        .prepare(&ParamValues::new(), spec)
        .expect("a valid spec")
}

#[allow(clippy::disallowed_methods)] // wall-clock time measures the benchmark, not a run
fn main() {
    let seeds: u64 = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(200_000);
    let sim = simulation();
    for _ in 0..2 {
        let start = std::time::Instant::now();
        let mut events = 0u64;
        let mut failed = 0u64;
        let mut worker = sim.worker();
        for seed in 0..seeds {
            let r = worker.run(seed);
            events += r.stats.events;
            failed += u64::from(!r.outcome.is_ok());
        }
        let secs = start.elapsed().as_secs_f64();
        println!(
            "flooding, 5 nodes, 1 crash: {seeds} runs, {events} events in {secs:.3}s = {:.2} M events/s, {:.0} runs/s ({failed} failed)",
            events as f64 / secs / 1e6,
            seeds as f64 / secs
        );
    }
}
