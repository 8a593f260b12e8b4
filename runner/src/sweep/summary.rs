//! One scenario's result as people and CI read it: counts, the seed worth replaying and the
//! command that replays it, and whether the expectation was met.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::scenario::{Expect, GridPoint, Scenario};

use super::figures::{figures, AvailabilityFigures, LatencyFigures, MetricNames};
use super::{judge, Seeds, Tally};

/// One scenario's line in a sweep report.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ScenarioSummary {
    /// The scenario's name.
    pub name: String,
    /// The scenario file.
    pub file: String,
    /// The protocol's name.
    pub protocol: String,
    /// Which point of its file's `[sweep]` grid this is (null: the file has no grid).
    pub point: Option<GridPoint>,
    /// The first seed run.
    pub seed_start: u64,
    /// How many seeds were asked for.
    pub seeds: u64,
    /// How many runs finished.
    pub runs: u64,
    /// Runs that violated a property, panicked or exceeded a budget.
    pub failed_runs: u64,
    /// Property name → runs that violated it.
    pub violations: BTreeMap<String, u64>,
    /// The lowest failing seed.
    pub first_failing_seed: Option<u64>,
    /// Property name → the lowest seed that violated it.
    pub first_failing_seed_by_invariant: BTreeMap<String, u64>,
    /// Runs whose every failure was outside the protocol's model.
    pub outside_runs: u64,
    /// Property name → runs that violated it outside the protocol's model.
    pub outside_violations: BTreeMap<String, u64>,
    /// Property name → the lowest seed that violated it outside the model.
    pub first_outside_seed_by_invariant: BTreeMap<String, u64>,
    /// Property name → the seed to replay for it: of the runs that violated it (inside the
    /// model if any did, else outside), the one with the fewest events; ties: the lowest seed.
    pub replay_seed_by_invariant: BTreeMap<String, u64>,
    /// Property name → how many events that run took.
    pub replay_events_by_invariant: BTreeMap<String, u64>,
    /// Why the first run outside the model was outside it.
    pub first_outside_reason: Option<String>,
    /// How runs of this scenario may step outside the model, found before running.
    pub may_step_outside: Vec<String>,
    /// Runs that panicked.
    pub panics: u64,
    /// Runs cut short by a budget.
    pub budget_exceeded: u64,
    /// `sometimes` property name → runs that reached it; every tracked one is listed (0: never
    /// reached).
    pub sometimes_reached: BTreeMap<String, u64>,
    /// What the scenario expected.
    pub expect: Expect,
    /// Whether the expectation was met.
    pub ok: bool,
    /// Why not, in words (empty when ok).
    pub verdict: String,
    /// The seed worth replaying: the shortest run (fewest events, then lowest seed) that shows
    /// the expected violation, else the shortest failing one.
    pub replay_seed: Option<u64>,
    /// The command that replays it.
    pub replay: Option<String>,
    /// Whether each seed drew its own fault mix (`run --swarm`).
    pub swarm: bool,
    /// In swarm mode, the fault mix the replay seed drew, in words.
    pub swarm_mix: Option<String>,
    /// Events processed by all runs together.
    pub events: u64,
    /// Messages sent by all runs together.
    pub messages: u64,
    /// Fault kind → how many times it happened over all runs (what the sweep exercised).
    pub faults_fired: BTreeMap<String, u64>,
    /// Seeds that ran differently twice (`--check-determinism`; 0 without it).
    pub nondeterministic_runs: u64,
    /// The protocol's latency (time to decide, deliver, commit...), if it declares one.
    pub latency: Option<LatencyFigures>,
    /// The service's availability, if the protocol declares one.
    pub availability: Option<AvailabilityFigures>,
    /// An order-independent hash of every (seed, trace hash): equal sweeps have equal hashes.
    pub sweep_hash: String,
    /// Wall time of the sweep; the only field that differs between identical sweeps.
    pub elapsed_ms: u64,
    /// The fold the summary was judged from; `ftsim merge` adds the tallies of a scenario's
    /// shards and judges the sum.
    pub tally: Tally,
}

/// What a summary says about its scenario besides the tally: enough to judge and summarise a
/// tally again without the scenario file (`ftsim merge`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Facts {
    /// The scenario's name.
    pub name: String,
    /// The scenario file.
    pub file: std::path::PathBuf,
    /// The protocol's name.
    pub protocol: String,
    /// Every seed of the scenario (a shard runs some of them).
    pub seeds: Seeds,
    /// What the scenario expects.
    pub expect: Expect,
    /// How runs may step outside the protocol's model.
    pub may_step_outside: Vec<String>,
    /// The tracked `sometimes` properties.
    pub sometimes: Vec<String>,
    /// The names of the protocol's figures.
    pub metrics: MetricNames,
    /// Which point of its file's grid the scenario is.
    pub point: Option<GridPoint>,
    /// Whether each seed draws its own fault mix (`--swarm`).
    pub swarm: bool,
}

impl Facts {
    /// The facts of a loaded scenario swept over `seeds`.
    pub fn of(scenario: &Scenario, seeds: Seeds) -> Self {
        let sim = scenario.simulation.as_ref();
        Facts {
            name: scenario.name.clone(),
            file: scenario.file.clone(),
            protocol: sim.protocol().to_string(),
            seeds,
            expect: scenario.expect.clone(),
            may_step_outside: sim.may_step_outside().to_vec(),
            sometimes: sim.spec().sometimes.iter().flatten().cloned().collect(),
            metrics: sim.metrics().into(),
            point: scenario.point.clone(),
            swarm: false,
        }
    }
}

impl ScenarioSummary {
    /// The seeds the scenario was swept over (a shard's summary: every shard's).
    pub fn seeds_swept(&self) -> Seeds {
        Seeds {
            start: self.seed_start,
            count: self.seeds,
        }
    }

    /// The facts this summary records.
    pub fn facts(&self) -> Facts {
        Facts {
            name: self.name.clone(),
            file: self.file.clone().into(),
            protocol: self.protocol.clone(),
            seeds: self.seeds_swept(),
            expect: self.expect.clone(),
            may_step_outside: self.may_step_outside.clone(),
            sometimes: self.sometimes_reached.keys().cloned().collect(),
            metrics: MetricNames {
                latency: self.latency.as_ref().map(|l| l.name.clone()),
                latency_per_operation: self.latency.as_ref().is_some_and(|l| l.per_operation),
                availability: self.availability.as_ref().map(|a| a.name.clone()),
            },
            point: self.point.clone(),
            swarm: self.swarm,
        }
    }
}

/// The command that replays `seed` of the scenario in `file` (at grid `point`, in `swarm`
/// mode), run by `program` (the binary's name: `ftsim`, or a user's binary built with
/// `ftsim::cli::main_with`).
pub fn replay_command(
    program: &str,
    file: &std::path::Path,
    seed: u64,
    point: Option<usize>,
    swarm: bool,
) -> String {
    let quoted = shell_word(file);
    let point = point.map_or(String::new(), |p| format!(" --point {p}"));
    let swarm = if swarm { " --swarm" } else { "" };
    format!("{program} replay {quoted} --seed {seed}{point}{swarm}")
}

/// `path` as one word of a POSIX shell command: quoted if it holds a space, a quote or any
/// other character a shell would read, so a printed command pastes as it was meant.
pub fn shell_word(path: &std::path::Path) -> String {
    let text = path.display().to_string();
    let plain = |c: char| c.is_alphanumeric() || "/._-+:,=@%".contains(c);
    if !text.is_empty() && text.chars().all(plain) {
        return text;
    }
    format!("'{}'", text.replace('\'', "'\\''"))
}

/// Judges a scenario's tally and summarises it.
pub fn summarize(
    scenario: &Scenario,
    seeds: Seeds,
    t: Tally,
    elapsed_ms: u64,
    program: &str,
) -> ScenarioSummary {
    summarize_facts(&Facts::of(scenario, seeds), t, elapsed_ms, program)
}

/// Judges a tally of the scenario `facts` describe and summarises it.
pub fn summarize_facts(f: &Facts, t: Tally, elapsed_ms: u64, program: &str) -> ScenarioSummary {
    let (ok, verdict) = judge(&f.expect, &f.sometimes, &t);
    // Replay the seed that shows the expected violation if there is one, else the first failure.
    let mut shortest = t.shortest_outside_by_invariant.clone();
    shortest.extend(t.shortest_by_invariant.clone());
    let failing = t.shortest_failing.map(|(_, seed)| seed);
    let replay_seed = match &f.expect {
        Expect::Violation(name) => t.shortest_by_invariant.get(name).map(|r| r.1).or(failing),
        Expect::Outside(name) => t
            .shortest_outside_by_invariant
            .get(name)
            .map(|r| r.1)
            .or(failing),
        Expect::Pass => failing,
    };
    let (latency, availability) = figures(&f.metrics, &t.metrics);
    let mut sometimes_reached = t.reached.clone();
    for name in &f.sometimes {
        sometimes_reached.entry(name.clone()).or_insert(0);
    }
    ScenarioSummary {
        name: f.name.clone(),
        file: f.file.display().to_string(),
        protocol: f.protocol.clone(),
        point: f.point.clone(),
        seed_start: f.seeds.start,
        seeds: f.seeds.count,
        runs: t.runs,
        failed_runs: t.failed_runs,
        violations: t.violations.clone(),
        first_failing_seed: t.first_failing_seed,
        first_failing_seed_by_invariant: t.first_seed_by_invariant.clone(),
        outside_runs: t.outside_runs,
        outside_violations: t.outside_violations.clone(),
        first_outside_seed_by_invariant: t.first_outside_seed_by_invariant.clone(),
        replay_seed_by_invariant: shortest.iter().map(|(k, r)| (k.clone(), r.1)).collect(),
        replay_events_by_invariant: shortest.iter().map(|(k, r)| (k.clone(), r.0)).collect(),
        first_outside_reason: t.first_outside.as_ref().map(|(_, why)| why.clone()),
        may_step_outside: f.may_step_outside.clone(),
        panics: t.panics,
        budget_exceeded: t.budget_exceeded,
        sometimes_reached,
        expect: f.expect.clone(),
        ok,
        verdict,
        replay_seed,
        replay: replay_seed.map(|s| {
            replay_command(
                program,
                &f.file,
                s,
                f.point.as_ref().map(|p| p.index),
                f.swarm,
            )
        }),
        swarm: f.swarm,
        swarm_mix: None,
        events: t.events,
        messages: t.messages,
        faults_fired: t.faults.by_name(),
        nondeterministic_runs: t.nondeterministic,
        latency,
        availability,
        sweep_hash: format!("{:016x}", t.sweep_hash),
        elapsed_ms,
        tally: t,
    }
}
