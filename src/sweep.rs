//! Runs a scenario over its seeds in parallel and folds the results into a [`Tally`]. The fold
//! is order-independent, so the summary is identical for any `--jobs`, and nothing per seed is
//! kept, so memory stays flat however many seeds run. A protocol that panics outside the
//! engine's own guard (say, while being built) still only fails its seed.

use std::panic::{catch_unwind, AssertUnwindSafe};

use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;
use reports::sweep::{ScenarioSummary, Tally};
use sim_core::{Outcome, RunReport, Stats};

use crate::scenario::{Expect, Scenario};

/// Runs one seed, containing any panic to that seed.
pub fn run_seed(scenario: &Scenario, seed: u64, trace: bool) -> RunReport {
    let spec = scenario.spec(seed, trace);
    catch_unwind(AssertUnwindSafe(|| scenario.protocol.run(&spec))).unwrap_or_else(|payload| {
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic with a non-text payload".into());
        RunReport {
            seed,
            outcome: Outcome::Panicked {
                message,
                during: "setting up the run".into(),
            },
            violations: Vec::new(),
            reached: Vec::new(),
            stats: Stats::default(),
            trace_hash: 0,
            plan: spec.plan.clone(),
            trace: None,
        }
    })
}

/// Which seeds to run.
#[derive(Clone, Copy, Debug)]
pub struct Seeds {
    pub start: u64,
    pub count: u64,
}

/// Runs the seeds on `pool`, showing `progress` if given.
pub fn tally(
    scenario: &Scenario,
    seeds: Seeds,
    pool: &rayon::ThreadPool,
    progress: Option<&ProgressBar>,
) -> Tally {
    pool.install(|| {
        (seeds.start..seeds.start + seeds.count)
            .into_par_iter()
            .fold(Tally::default, |mut t, seed| {
                let report = run_seed(scenario, seed, false);
                t.add(seed, &report);
                if let Some(p) = progress {
                    p.inc(1);
                }
                t
            })
            .reduce(Tally::default, Tally::merge)
    })
}

pub fn progress_bar(len: u64, name: &str) -> ProgressBar {
    let bar = ProgressBar::new(len);
    if let Ok(style) = ProgressStyle::with_template(
        "{prefix:.bold} [{bar:30}] {pos}/{len} seeds ({per_sec}, eta {eta})",
    ) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_prefix(name.to_string());
    bar
}

/// Whether the tally meets the scenario's expectation, and why not.
pub fn judge(scenario: &Scenario, t: &Tally) -> (bool, String) {
    let mut problems = Vec::new();
    match &scenario.expect {
        Expect::Pass => {
            if t.failed_runs > 0 {
                problems.push(format!(
                    "expected every run to pass, but {} of {} failed",
                    t.failed_runs, t.runs
                ));
            }
            for name in &scenario.base.sometimes {
                if t.reached.get(name).copied().unwrap_or(0) == 0 {
                    problems.push(format!(
                        "`sometimes` property \"{name}\" was never reached: the sweep may be vacuous"
                    ));
                }
            }
        }
        Expect::Violation(name) => {
            if !t.violations.contains_key(name) {
                problems.push(format!(
                    "expected some run to violate \"{name}\", but none of {} did",
                    t.runs
                ));
            }
        }
    }
    if let Some((seed, message)) = &t.first_panic {
        problems.push(format!(
            "{} run(s) panicked (first: seed {seed}: {message})",
            t.panics
        ));
    }
    if t.budget_exceeded > 0 && scenario.expect != Expect::Pass {
        problems.push(format!(
            "{} run(s) exceeded the event budget (first: seed {})",
            t.budget_exceeded,
            t.first_budget_seed.unwrap_or_default()
        ));
    }
    (problems.is_empty(), problems.join("; "))
}

/// The command that replays a seed of a scenario.
pub fn replay_command(scenario: &Scenario, seed: u64) -> String {
    let file = scenario.file.display().to_string();
    let quoted = if file.contains(|c: char| c.is_whitespace() || c == '\'' || c == '"') {
        format!("'{}'", file.replace('\'', "'\\''"))
    } else {
        file
    };
    format!("ftsim replay {quoted} --seed {seed}")
}

pub fn summarize(scenario: &Scenario, seeds: Seeds, t: Tally, elapsed_ms: u64) -> ScenarioSummary {
    let (ok, verdict) = judge(scenario, &t);
    // Replay the seed that shows the expected violation if there is one, else the first failure.
    let replay_seed = match &scenario.expect {
        Expect::Violation(name) => t
            .first_seed_by_invariant
            .get(name)
            .copied()
            .or(t.first_failing_seed),
        Expect::Pass => t.first_failing_seed,
    };
    ScenarioSummary {
        name: scenario.name.clone(),
        file: scenario.file.display().to_string(),
        protocol: scenario.protocol.info().name.to_string(),
        seed_start: seeds.start,
        seeds: seeds.count,
        runs: t.runs,
        failed_runs: t.failed_runs,
        violations: t.violations,
        first_failing_seed: t.first_failing_seed,
        first_failing_seed_by_invariant: t.first_seed_by_invariant,
        panics: t.panics,
        budget_exceeded: t.budget_exceeded,
        sometimes_reached: t.reached,
        expect: scenario.expect.to_json(),
        ok,
        verdict,
        replay_seed,
        replay: replay_seed.map(|s| replay_command(scenario, s)),
        events: t.events,
        sweep_hash: format!("{:016x}", t.sweep_hash),
        elapsed_ms,
    }
}
