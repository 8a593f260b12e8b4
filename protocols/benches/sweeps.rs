//! Sweep throughput on one thread, and the engine's per-event cost as the group grows:
//! `cargo bench -p protocols --bench sweeps [-- WHAT [COUNT]]`.
//!
//! - `2pc [SEEDS]`, `paxos [SEEDS]`: the bundled scenarios `two-phase-commit-crash-recover`
//!   and `paxos-lossy` swept over SEEDS seeds on a one-thread pool, as `ftsim run --jobs 1`
//!   does (runs per second);
//! - `broadcast [NODES...]`: eager reliable broadcast over exactly-once links (node 0
//!   broadcasts one message; every node relays it to all; every link message is acknowledged
//!   and guarded by a retransmission timer), run over seeds on one sweep worker (one engine
//!   reset between seeds, as a sweep runs them) until at least 2,000,000 events are
//!   processed at each group size, then as many more on the same worker; prints nanoseconds
//!   per event over each: *cold*, the worker's first runs (its memory touched for the first
//!   time, page faults and all: a large group's first run faults in tens of megabytes), and
//!   *warm*, the runs after (what each further seed of a long sweep costs);
//! - `broadcast-at-most-once [NODES...]`: the same over at-most-once links (no
//!   acknowledgements, no timers, no per-peer lists in the protocol), so what is left to grow
//!   with the group is mostly the engine's: its pending messages and its link counters;
//! - `growth SMALL LARGE [ROUNDS]` (and `growth-at-most-once`): how much dearer an event is
//!   in the larger group, on a machine whose speed drifts while it is measured: one warm
//!   worker per size, ROUNDS (31) rounds of at least 200,000 events at each size in turn;
//!   prints each size's median nanoseconds per event and the median and quartiles of the
//!   rounds' ratios (each ratio from two runs a fraction of a second apart);
//! - with no argument, all of them but `growth`.
//!
//! Every figure includes building each run, drawing its fault plan and checking its
//! invariants, as a sweep does.

/// The allocator the `ftsim` binary runs with (see `src/main.rs`), so that the figures are the
/// CLI's; but with mimalloc's own purge delay (a second), where the CLI gives freed memory back
/// after 10 ms (`src/allocator.rs`): as `MIMALLOC_PURGE_DELAY=1000 ftsim` runs.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::path::Path;
use std::sync::Arc;

use ftsim_api::{ParamValue, ParamValues, RunSpec};
use ftsim_runner::sweep::{self, Seeds};
use ftsim_runner::{AnyProtocol, Catalog, Simulation};

/// The links the broadcast figures are measured over unless named.
const EXACTLY_ONCE: &str = "exactly-once";

fn catalog() -> Catalog {
    Catalog::new(protocols::all().iter().copied()).expect("the bundled catalogue")
}

/// Sweeps a bundled scenario over `count` seeds on one thread.
#[allow(clippy::disallowed_methods)] // wall-clock time measures the benchmark, not a run
fn sweep_scenario(label: &str, file: &str, count: u64) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../scenarios")
        .join(file);
    let text = std::fs::read_to_string(&path).expect("the bundled scenario");
    let scenario = ftsim_runner::scenario::parse(&path, &text, &catalog()).expect("a valid file");
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("a pool");
    let seeds = Seeds {
        start: scenario.seeds.start,
        count,
    };
    let start = std::time::Instant::now();
    let tally = pool.install(|| sweep::tally(scenario.simulation.as_ref(), seeds, &|| {}));
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{label:<22} {count:>7} runs in {secs:>6.3}s = {:>8.0} runs/s, {:>5.2} M events/s \
         (sweep hash {:016x})",
        count as f64 / secs,
        tally.events as f64 / secs / 1e6,
        tally.sweep_hash
    );
}

/// Eager reliable broadcast of one message from node 0 over `n` nodes and `link`s (a value
/// of the protocol's `link` parameter).
fn broadcast(n: usize, link: &str) -> Arc<dyn Simulation> {
    let mut spec = RunSpec::new(n);
    spec.config.max_events = u64::MAX;
    let mut params = ParamValues::new();
    params.insert("mode".into(), ParamValue::Str("eager-reliable".into()));
    params.insert("messages".into(), ParamValue::Int(1));
    params.insert("link".into(), ParamValue::Str(link.into()));
    let protocol: &'static dyn AnyProtocol = &protocols::broadcast::Broadcast;
    protocol.prepare(&params, spec).expect("a valid spec")
}

/// The engine's cost per event at `n` nodes, in nanoseconds: over the first runs of a new
/// worker (cold: its memory is touched for the first time, page faults and all), and over
/// later runs of the same worker (warm: what each further seed of a sweep costs).
#[allow(clippy::disallowed_methods)] // wall-clock time measures the benchmark, not a run
fn per_event(n: usize, link: &str) {
    let sim = broadcast(n, link);
    let mut worker = sim.worker();
    let (cold, runs) = time_runs(worker.as_mut(), 0);
    let (warm, _) = time_runs(worker.as_mut(), runs);
    let label = if link == EXACTLY_ONCE {
        "eager broadcast".to_string()
    } else {
        format!("{link} links")
    };
    println!("{label:<18} {n:>4} nodes: {cold:>6.1} ns/event cold ({runs} runs), {warm:>6.1} warm");
}

/// Runs seeds from `first` on `worker` until at least 2,000,000 events are handled: the
/// nanoseconds per event, and how many runs that took.
#[allow(clippy::disallowed_methods)] // wall-clock time measures the benchmark, not a run
fn time_runs(worker: &mut dyn ftsim_runner::Worker, first: u64) -> (f64, u64) {
    const EVENTS: u64 = 2_000_000;
    let start = std::time::Instant::now();
    let (mut events, mut runs) = (0u64, 0u64);
    while events < EVENTS {
        let report = worker.run(first + runs);
        assert!(report.outcome.is_ok(), "{:?}", report.outcome);
        events += report.stats.events;
        runs += 1;
    }
    let secs = start.elapsed().as_secs_f64();
    (secs * 1e9 / events as f64, runs)
}

/// The per-event cost of `large` nodes against `small` over `link`s, measured in `rounds`
/// alternated rounds on one warm worker per size (see the module doc).
#[allow(clippy::disallowed_methods)] // wall-clock time measures the benchmark, not a run
fn growth(link: &str, small: usize, large: usize, rounds: usize) {
    const ROUND_EVENTS: u64 = 200_000;
    let sims = [broadcast(small, link), broadcast(large, link)];
    let mut workers = sims.each_ref().map(|sim| sim.worker());
    let mut next = [0u64; 2];
    let mut ns = [Vec::new(), Vec::new()];
    // One round more, first and not counted: every worker warm before the rounds start.
    for round in 0..=rounds {
        for (i, worker) in workers.iter_mut().enumerate() {
            let start = std::time::Instant::now();
            let mut events = 0;
            while events < ROUND_EVENTS {
                let report = worker.run(next[i]);
                assert!(report.outcome.is_ok(), "{:?}", report.outcome);
                events += report.stats.events;
                next[i] += 1;
            }
            if round > 0 {
                ns[i].push(start.elapsed().as_secs_f64() * 1e9 / events as f64);
            }
        }
    }
    let ratios: Vec<f64> = ns[1].iter().zip(&ns[0]).map(|(l, s)| l / s).collect();
    let label = if link == EXACTLY_ONCE {
        "eager broadcast".to_string()
    } else {
        format!("eager broadcast, {link} links")
    };
    println!("{label}, {rounds} rounds of 200,000+ events at each size in turn, warm:");
    println!(
        "  {small:>5} nodes: {:>6.1} ns/event (median)",
        quantile(&ns[0], 0.5)
    );
    println!(
        "  {large:>5} nodes: {:>6.1} ns/event (median), {:.2}x of {small} (quartiles {:.2}x-{:.2}x)",
        quantile(&ns[1], 0.5),
        quantile(&ratios, 0.5),
        quantile(&ratios, 0.25),
        quantile(&ratios, 0.75)
    );
}

/// The `q` quantile of `values` (the nearest rank).
fn quantile(values: &[f64], q: f64) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted[((sorted.len() - 1) as f64 * q).round() as usize]
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let what = args.first().map_or("all", String::as_str);
    let numbers: Vec<u64> = args.iter().skip(1).filter_map(|a| a.parse().ok()).collect();
    let count = numbers.first().copied();
    if matches!(what, "2pc" | "all") {
        let file = "two-phase-commit-crash-recover.toml";
        sweep_scenario("2PC sweep, 1 thread", file, count.unwrap_or(20_000));
    }
    if matches!(what, "paxos" | "all") {
        sweep_scenario(
            "Paxos sweep, 1 thread",
            "paxos-lossy.toml",
            count.unwrap_or(2_000),
        );
    }
    if let Some(link) = what.strip_prefix("growth") {
        let link = link.strip_prefix('-').unwrap_or(EXACTLY_ONCE);
        let [small, large] = [0, 1].map(|i| numbers.get(i).map_or([20, 200][i], |&n| n as usize));
        growth(
            link,
            small,
            large,
            numbers.get(2).map_or(31, |&r| r as usize),
        );
    }
    if matches!(what, "broadcast" | "broadcast-at-most-once" | "all") {
        let link = what.strip_prefix("broadcast-").unwrap_or(EXACTLY_ONCE);
        let sizes = if what != "all" && !numbers.is_empty() {
            numbers.iter().map(|&n| n as usize).collect()
        } else {
            vec![5, 20, 200, 1000]
        };
        for n in sizes {
            per_event(n, link);
        }
    }
}
