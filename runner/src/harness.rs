//! The test harness: sweeps for `cargo test`. Build a run in code with [`Harness`] (or load a
//! scenario file with [`check_scenario`]), run its seeds in parallel, and get a panic that says
//! which seed broke which property, why, and how to replay it. Every check also reruns a few
//! seeds and compares trace hashes, so a protocol that is not deterministic (a `HashMap`
//! iterated, a global counter, the wall clock) is caught where it is written.
//!
//! ```
//! use ftsim_api::properties::consensus::{Agreement, Decision};
//! use ftsim_api::{params, Ctx, Model, NodeId, Process, Properties, Protocol};
//! use ftsim_runner::Harness;
//!
//! #[derive(Debug)]
//! struct Echo;
//! #[derive(Clone, Debug, Hash)]
//! struct Decide(u64);
//! impl Decision for Decide {
//!     fn proposed(&self) -> Option<u64> { Some(self.0) }
//!     fn decided(&self) -> Option<u64> { Some(self.0) }
//! }
//! impl Process for Echo {
//!     type Msg = ();
//!     type Timer = ();
//!     type Obs = Decide;
//!     type Stable = ();
//!     fn on_start(&mut self, ctx: &mut Ctx<'_, Self>) { ctx.observe(Decide(7)) }
//!     fn on_message(&mut self, _: &mut Ctx<'_, Self>, _: NodeId, _: ()) {}
//! }
//! params! { pub struct NoneToSet {} }
//! struct Constant;
//! impl Protocol for Constant {
//!     type Process = Echo;
//!     type Params = NoneToSet;
//!     fn name(&self) -> &'static str { "constant" }
//!     fn summary(&self) -> &'static str { "everyone decides 7" }
//!     fn properties(&self) -> Properties<Echo> {
//!         Properties::new().always("agreement", "all decide alike", Agreement::default)
//!     }
//!     fn model(&self, _: &NoneToSet, _: usize) -> Model { Model::new() }
//!     fn process(&self, _: &NoneToSet, _: NodeId, _: usize) -> Echo { Echo }
//! }
//!
//! // Every seed passes, every `sometimes` property is reached, and runs are deterministic.
//! Harness::new(&Constant).nodes(4).seeds(0..200).check();
//! ```

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use sim_core::{
    DelayDist, DetectorModel, Duration, FaultPlan, FaultSpec, NetworkModel, Outcome, RunReport,
};

use crate::any_protocol::AnyProtocol;
use crate::catalog::Catalog;
use crate::scenario::{self, Expect, Header};
use crate::shrink::{shrink, ShrinkOptions, Shrunk};
use crate::simulation::{prepare_typed, Prepared, RunOptions, Simulation};
use crate::sweep::{self, Seeds, Tally};
use ftsim_api::Protocol;
use ftsim_api::RunSpec;

/// How many seeds each check reruns to compare trace hashes.
const DETERMINISM_SAMPLES: u64 = 4;

/// A sweep of one protocol, built in code, for `cargo test`.
pub struct Harness<T: Protocol> {
    protocol: &'static T,
    params: T::Params,
    spec: RunSpec,
    seeds: Seeds,
    name: String,
}

impl<T: Protocol> Harness<T> {
    /// Three nodes, default parameters, the default network, no faults, seeds 0..100.
    pub fn new(protocol: &'static T) -> Self {
        Harness {
            protocol,
            params: T::Params::default(),
            spec: RunSpec::new(3),
            seeds: Seeds {
                start: 0,
                count: 100,
            },
            name: protocol.name().to_string(),
        }
    }

    /// A name for messages and the scenario file written on failure.
    pub fn named(mut self, name: &str) -> Self {
        self.name = name.to_string();
        self
    }

    /// The protocol's parameters (default: the struct's defaults).
    pub fn params(mut self, params: T::Params) -> Self {
        self.params = params;
        self
    }

    /// The group size (default: 3).
    pub fn nodes(mut self, nodes: usize) -> Self {
        self.spec.nodes = nodes;
        self
    }

    /// The whole network model (delays, loss, duplication, per-link overrides, send gap).
    pub fn network(mut self, network: NetworkModel) -> Self {
        self.spec.network = network;
        self
    }

    /// The delay of every link.
    pub fn delay(mut self, delay: DelayDist) -> Self {
        self.spec.network.default.delay = delay;
        self
    }

    /// The time a message takes to leave its sender (so a crash can cut a broadcast).
    pub fn send_gap(mut self, gap: Duration) -> Self {
        self.spec.network.send_gap = gap;
        self
    }

    /// The failure detector (default: the one the protocol declares, if any).
    pub fn detector(mut self, detector: DetectorModel) -> Self {
        self.spec.detector = Some(detector);
        self
    }

    /// The random fault mix drawn for each seed.
    pub fn faults(mut self, faults: FaultSpec) -> Self {
        self.spec.faults = faults;
        self
    }

    /// Explicit faults added to every seed.
    pub fn schedule(mut self, schedule: FaultPlan) -> Self {
        self.spec.schedule = schedule;
        self
    }

    /// The fault phase; then the network heals and liveness is judged after `settle`.
    pub fn duration(mut self, duration: Duration) -> Self {
        self.spec.config.duration = duration;
        self
    }

    /// The quiet period after the fault phase before liveness is judged.
    pub fn settle(mut self, settle: Duration) -> Self {
        self.spec.config.settle = settle;
        self
    }

    /// The most events a run may take before it ends as a budget overrun.
    pub fn max_events(mut self, max_events: u64) -> Self {
        self.spec.config.max_events = max_events;
        self
    }

    /// The seeds to run (default: `0..100`).
    pub fn seeds(mut self, seeds: std::ops::Range<u64>) -> Self {
        self.seeds = Seeds {
            start: seeds.start,
            count: seeds.end.saturating_sub(seeds.start),
        };
        self
    }

    /// The safety and liveness properties to check (default: all).
    pub fn invariants(mut self, names: &[&str]) -> Self {
        self.spec.invariants = Some(names.iter().map(|s| s.to_string()).collect());
        self
    }

    /// The reachability properties that must be reached (default: all).
    pub fn sometimes(mut self, names: &[&str]) -> Self {
        self.spec.sometimes = Some(names.iter().map(|s| s.to_string()).collect());
        self
    }

    /// The adversary that drives Byzantine nodes (default: the protocol's first).
    pub fn adversary(mut self, name: &str) -> Self {
        self.spec.adversary = Some(name.to_string());
        self
    }

    /// Everything the seeds share, to set what the builder has no method for.
    pub fn spec_mut(&mut self) -> &mut RunSpec {
        &mut self.spec
    }

    /// The prepared simulation. Panics if the protocol's declaration or this spec is invalid.
    pub fn simulation(&self) -> Arc<Prepared<T>> {
        if let Err(e) = self.protocol.info().check() {
            panic!("{e}");
        }
        prepare_typed(self.protocol, self.params.clone(), self.spec.clone())
            .unwrap_or_else(|e| panic!("harness \"{}\": invalid spec: {e}", self.name))
    }

    /// Runs every seed and returns the tally, for custom assertions.
    pub fn run(&self) -> Tally {
        sweep::tally(self.simulation().as_ref(), self.seeds, &|| {})
    }

    /// One seed, without tracing.
    pub fn run_seed(&self, seed: u64) -> RunReport {
        self.simulation().run(seed, RunOptions::default())
    }

    /// One seed, returning the engine after the run: its `states()` and `stable()` are the
    /// nodes' final process states and stable storage.
    pub fn engine(&self, seed: u64) -> sim_core::Engine<T::Process> {
        self.simulation().engine(seed, RunOptions::default())
    }

    /// One seed with the full trace, for reading or rendering.
    pub fn replay(&self, seed: u64) -> RunReport {
        self.simulation().run(seed, RunOptions::traced())
    }

    /// Shrinks the failure of `seed` to the smallest run that still fails the same way (see
    /// [`shrink`](crate::shrink)): fewer nodes, faults and messages, no needless drop, the
    /// shortest delays. [`Repro::of_shrunk`](crate::repro::Repro::of_shrunk) makes it a repro
    /// file that `ftsim replay --repro` replays. Panics if the seed passes.
    pub fn shrink(&self, seed: u64) -> Shrunk {
        let simulation: Arc<dyn Simulation> = self.simulation();
        shrink(&simulation, seed, &ShrinkOptions::default())
            .unwrap_or_else(|e| panic!("ftsim harness \"{}\": {e}", self.name))
    }

    /// Asserts that every seed passes, every tracked `sometimes` property is reached, some
    /// planned triggered crash (and crash chain) fires if any is planned, and runs are
    /// deterministic. Panics with the seed, the property, the message and how to replay.
    pub fn check(&self) -> Tally {
        self.verify(&Expect::Pass)
    }

    /// Asserts that some seed violates `property` (and that runs are deterministic); returns
    /// the seed that shows it.
    ///
    /// The violation must be inside the protocol's model: a bug, not a fault the protocol never
    /// claimed to tolerate (see [`Harness::expect_outside`]).
    pub fn expect_violation(&self, property: &str) -> u64 {
        let t = self.verify(&Expect::Violation(property.to_string()));
        t.first_seed_by_invariant[property]
    }

    /// Asserts that some seed violates `property` outside the protocol's model (its faults
    /// exceed what the protocol claims; the violation is the model's edge, not a bug), and
    /// that runs are deterministic; returns the seed that shows it.
    pub fn expect_outside(&self, property: &str) -> u64 {
        let t = self.verify(&Expect::Outside(property.to_string()));
        t.first_outside_seed_by_invariant[property]
    }

    /// Asserts that `seed` replays bit-identically: the same trace hash on a second run and
    /// with tracing on.
    pub fn assert_replays(&self, seed: u64) {
        assert_deterministic(self.simulation().as_ref(), &self.name, seed);
    }

    fn verify(&self, expect: &Expect) -> Tally {
        let sim = self.simulation();
        let t = sweep::tally(sim.as_ref(), self.seeds, &|| {});
        let sometimes: Vec<String> = sim.spec().sometimes.iter().flatten().cloned().collect();
        let (ok, verdict) = sweep::judge(expect, &sometimes, &t);
        if !ok {
            let file = self.write_scenario(sim.as_ref(), expect);
            panic!(
                "{}",
                failure_text(&self.name, sim.as_ref(), &t, &verdict, &file)
            );
        }
        for seed in self.seeds.range().take(DETERMINISM_SAMPLES as usize) {
            assert_deterministic(sim.as_ref(), &self.name, seed);
        }
        if let Some(seed) = t.first_failing_seed {
            assert_deterministic(sim.as_ref(), &self.name, seed);
        }
        t
    }

    /// Writes the harness as a scenario file under the target directory, so the command
    /// line can replay a failure; `None` if it cannot be written.
    fn write_scenario(&self, sim: &dyn Simulation, expect: &Expect) -> Option<PathBuf> {
        let dir = std::env::var_os("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("target"))
            .join("ftsim-harness");
        let stem: String = self
            .name
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        let text = scenario::to_toml(
            &Header {
                name: &self.name,
                description: "written by the ftsim test harness",
                seeds: self.seeds,
                expect,
            },
            sim,
        );
        let path = dir.join(format!("{stem}.toml"));
        std::fs::create_dir_all(&dir).ok()?;
        std::fs::write(&path, text).ok()?;
        Some(path)
    }
}

/// Runs `seed` twice untraced and once traced; panics if the trace hashes differ.
fn assert_deterministic(sim: &dyn Simulation, name: &str, seed: u64) {
    let first = sim.run(seed, RunOptions::default());
    let again = sim.run(seed, RunOptions::default());
    let traced = sim.run(seed, RunOptions::traced());
    let hashes = [first.trace_hash, again.trace_hash, traced.trace_hash];
    if hashes[0] != hashes[1] || hashes[0] != hashes[2] {
        panic!(
            "ftsim harness \"{name}\": seed {seed} is not deterministic: trace hashes \
             {:016x}, {:016x} on a second run, {:016x} traced.\n\
             A run must be a pure function of its seed. Common causes: iterating a HashMap or \
             HashSet (use BTreeMap/BTreeSet), state kept in statics or thread-locals between \
             runs, the wall clock (Instant::now), randomness not drawn through ctx.random_below. \
             The clippy settings in ftsim's clippy.toml ban the first and the last two.",
            hashes[0], hashes[1], hashes[2]
        );
    }
}

/// The panic text of a failed check: what broke, where, and how to replay it.
fn failure_text(
    name: &str,
    sim: &dyn Simulation,
    t: &Tally,
    verdict: &str,
    file: &Option<PathBuf>,
) -> String {
    let mut out = format!("ftsim harness \"{name}\": {verdict}\n");
    let seed = t
        .first_failing_seed
        .or(t.first_outside.as_ref().map(|o| o.0));
    if let Some(seed) = seed {
        let report = sim.run(seed, RunOptions::default());
        let _ = writeln!(out, "seed {seed}: {}", outcome_text(&report));
    }
    let _ = writeln!(
        out,
        "{} of {} runs failed inside the protocol's model {:?}; {} outside it {:?}",
        t.failed_runs, t.runs, t.violations, t.outside_runs, t.outside_violations
    );
    let seed = seed.unwrap_or(0);
    let _ = writeln!(
        out,
        "replay in code: add `.replay({seed})` to this harness for the traced run, \
         `.shrink({seed})` for the smallest run that fails the same way"
    );
    if let Some(file) = file {
        let _ = writeln!(
            out,
            "replay from the command line (with a binary built by ftsim::cli::main_with): \
             {}",
            sweep::replay_command("cargo run --", file, seed, None, false)
        );
    }
    out
}

/// One line per violation or the outcome, for messages.
fn outcome_text(r: &RunReport) -> String {
    match &r.outcome {
        Outcome::Panicked { message, during } => format!("panicked during {during}: {message}"),
        Outcome::BudgetExceeded { budget, limit } => {
            format!("exceeded its budget of {}", budget.describe(*limit))
        }
        _ => r
            .violations
            .iter()
            .map(|v| {
                let outside = v
                    .outside_assumptions
                    .as_ref()
                    .map(|why| format!(" (outside the protocol's assumptions: {why})"))
                    .unwrap_or_default();
                format!(
                    "violated \"{}\" at {}: {}{outside}",
                    v.property, v.during, v.message
                )
            })
            .collect::<Vec<_>>()
            .join("; "),
    }
}

/// Loads a scenario file with these protocols, sweeps it and asserts its `expect`; panics with
/// the verdict and the command that replays the seed worth looking at.
pub fn check_scenario(
    file: impl AsRef<Path>,
    protocols: &[&'static dyn AnyProtocol],
) -> sweep::ScenarioSummary {
    let catalog = Catalog::new(protocols.iter().copied()).unwrap_or_else(|e| panic!("{e}"));
    let s = scenario::load(file.as_ref(), &catalog).unwrap_or_else(|e| panic!("{e}"));
    let t = sweep::tally(s.simulation.as_ref(), s.seeds, &|| {});
    let summary = sweep::summarize(&s, s.seeds, t, 0, "cargo run --");
    if !summary.ok {
        panic!(
            "scenario {} ({}): {}\nreplay: {}",
            summary.name,
            summary.file,
            summary.verdict,
            summary.replay.as_deref().unwrap_or("-")
        );
    }
    if let Some(seed) = summary.replay_seed.or(Some(s.seeds.start)) {
        assert_deterministic(s.simulation.as_ref(), &summary.name, seed);
    }
    summary
}
