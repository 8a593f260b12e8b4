//! Flooding consensus throughput on one core: `cargo bench -p protocols --bench flooding`.
//! Each run is a whole FloodSet instance (5 processes, 1 random crash, 2 rounds, random
//! delays); the figure includes building each run, drawing its fault plan and checking its
//! invariants, as a sweep does.

use protocols::flooding::FloodingConsensus;
use protocols::registry::{Params, Protocol, RunSpec};
use sim_core::faults::CrashSpec;
use sim_core::{DetectorModel, Duration, FaultSpec, NetworkModel, RunConfig, Seeded, Time};

#[allow(clippy::disallowed_methods)] // wall-clock time measures the benchmark, not a run
fn main() {
    let seeds: u64 = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(200_000);
    let info = FloodingConsensus.info();
    let params = Params::resolve(&info, &Default::default()).expect("defaults are valid");
    let network = NetworkModel {
        send_gap: Duration::from_millis(1),
        ..NetworkModel::default()
    };
    let base = RunSpec {
        n: 5,
        params,
        network,
        detector: DetectorModel::Perfect {
            delay: Duration::from_millis(2),
        },
        plan: Default::default(),
        config: RunConfig::default(),
        invariants: ["agreement", "validity", "integrity", "termination"]
            .map(String::from)
            .to_vec(),
        sometimes: Vec::new(),
        adversary: String::new(),
        seed: 0,
    };
    let faults = FaultSpec {
        crashes: Some(CrashSpec {
            min: 1,
            max: 1,
            between: [Time::ZERO, Time(Duration::from_millis(12).0)],
            nodes: None,
            recover_after: None,
        }),
        ..FaultSpec::default()
    };
    for _ in 0..2 {
        let start = std::time::Instant::now();
        let mut events = 0u64;
        let mut failed = 0u64;
        for seed in 0..seeds {
            let mut spec = base.clone();
            spec.seed = seed;
            spec.plan = faults.generate(5, &mut Seeded::new(seed));
            let r = FloodingConsensus.run(&spec);
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
