//! One scenario's result as people and CI read it: counts, the seed worth replaying and the
//! command that replays it, and whether the expectation was met.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::scenario::{Expect, Scenario};

use super::{judge, Seeds, Tally};

/// One scenario's line in a sweep report.
#[derive(Clone, Debug, Serialize)]
pub struct ScenarioSummary {
    /// The scenario's name.
    pub name: String,
    /// The scenario file.
    pub file: String,
    /// The protocol's name.
    pub protocol: String,
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
    /// Why the first run outside the model was outside it.
    pub first_outside_reason: Option<String>,
    /// How runs of this scenario may step outside the model, found before running.
    pub may_step_outside: Vec<String>,
    /// Runs that panicked.
    pub panics: u64,
    /// Runs cut short by a budget.
    pub budget_exceeded: u64,
    /// `sometimes` property name → runs that reached it.
    pub sometimes_reached: BTreeMap<String, u64>,
    /// What the scenario expected.
    pub expect: Expect,
    /// Whether the expectation was met.
    pub ok: bool,
    /// Why not, in words (empty when ok).
    pub verdict: String,
    /// The seed worth replaying: the first to show the expected violation, else the first
    /// failing one.
    pub replay_seed: Option<u64>,
    /// The command that replays it.
    pub replay: Option<String>,
    /// Events processed by all runs together.
    pub events: u64,
    /// An order-independent hash of every (seed, trace hash): equal sweeps have equal hashes.
    pub sweep_hash: String,
    /// Wall time of the sweep; the only field that differs between identical sweeps.
    pub elapsed_ms: u64,
}

/// The command that replays `seed` of the scenario in `file`, run by `program` (the binary's
/// name: `ftsim`, or a user's binary built with `ftsim::cli::main_with`).
pub fn replay_command(program: &str, file: &std::path::Path, seed: u64) -> String {
    let file = file.display().to_string();
    let quoted = if file.contains(|c: char| c.is_whitespace() || c == '\'' || c == '"') {
        format!("'{}'", file.replace('\'', "'\\''"))
    } else {
        file
    };
    format!("{program} replay {quoted} --seed {seed}")
}

/// Judges a scenario's tally and summarises it.
pub fn summarize(
    scenario: &Scenario,
    seeds: Seeds,
    t: Tally,
    elapsed_ms: u64,
    program: &str,
) -> ScenarioSummary {
    let sim = scenario.simulation.as_ref();
    let (ok, verdict) = judge(&scenario.expect, sim, &t);
    // Replay the seed that shows the expected violation if there is one, else the first failure.
    let replay_seed = match &scenario.expect {
        Expect::Violation(name) => t
            .first_seed_by_invariant
            .get(name)
            .copied()
            .or(t.first_failing_seed),
        Expect::Outside(name) => t
            .first_outside_seed_by_invariant
            .get(name)
            .copied()
            .or(t.first_failing_seed),
        Expect::Pass => t.first_failing_seed,
    };
    ScenarioSummary {
        name: scenario.name.clone(),
        file: scenario.file.display().to_string(),
        protocol: sim.protocol().to_string(),
        seed_start: seeds.start,
        seeds: seeds.count,
        runs: t.runs,
        failed_runs: t.failed_runs,
        violations: t.violations,
        first_failing_seed: t.first_failing_seed,
        first_failing_seed_by_invariant: t.first_seed_by_invariant,
        outside_runs: t.outside_runs,
        outside_violations: t.outside_violations,
        first_outside_seed_by_invariant: t.first_outside_seed_by_invariant,
        first_outside_reason: t.first_outside.map(|(_, why)| why),
        may_step_outside: sim.may_step_outside().to_vec(),
        panics: t.panics,
        budget_exceeded: t.budget_exceeded,
        sometimes_reached: t.reached,
        expect: scenario.expect.clone(),
        ok,
        verdict,
        replay_seed,
        replay: replay_seed.map(|s| replay_command(program, &scenario.file, s)),
        events: t.events,
        sweep_hash: format!("{:016x}", t.sweep_hash),
        elapsed_ms,
    }
}
