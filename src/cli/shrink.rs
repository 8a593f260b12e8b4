//! `ftsim shrink`: a failing seed to its smallest run, written as a self-contained repro file;
//! and `ftsim run --shrink`, the same for the seed worth replaying of each scenario.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use ftsim_api::repro::{Origin, Repro};
use ftsim_api::shrink::{shrink, ShrinkBudget, ShrinkOptions, Shrunk};
use ftsim_api::sim_core::{thousands, FaultPlan};
use ftsim_api::sweep::ScenarioSummary;
use ftsim_api::{Expect, Scenario};
use rayon::prelude::*;

use super::app::App;
use super::error::{CliError, Status};
use super::output::{outln, stopwatch, wrapped};

/// Where `run --shrink` writes repros when no `--report` directory is given.
pub const DEFAULT_REPRO_DIR: &str = "ftsim-repros";

/// What `ftsim shrink` was asked to do.
pub struct ShrinkArgs<'a> {
    pub file: &'a Path,
    pub seed: u64,
    pub output: Option<&'a Path>,
    pub budget: ShrinkBudget,
    /// Its grid point or `classify` variant, if it names one.
    pub chosen: super::scenarios::load::Chosen<'a>,
}

/// The budget of `--{flags}max-runs` and `--{flags}max-events` (`shrink`'s, or `run`'s with
/// `flags` "shrink-"), each at least 1.
pub fn budget(flags: &str, max_runs: u64, max_events: u64) -> Result<ShrinkBudget, CliError> {
    for (name, value) in [("max-runs", max_runs), ("max-events", max_events)] {
        if value == 0 {
            let flag = format!("--{flags}{name}");
            return Err(CliError::Usage(format!("{flag} must be at least 1")));
        }
    }
    Ok(ShrinkBudget {
        max_runs,
        max_events,
    })
}

pub fn cmd_shrink(app: &App, args: ShrinkArgs<'_>) -> Result<Status, CliError> {
    let scenario = super::scenarios::load::load_chosen(app, args.file, args.chosen)?;
    let path = args.output.map_or_else(
        || PathBuf::from(repro_name(&scenario, args.seed)),
        Path::to_path_buf,
    );
    // Before the search: a destination that cannot be written costs nothing computed.
    super::files::check_output(&path)?;
    let started = stopwatch();
    let (shrunk, repro) = shrink_scenario(&scenario, args.seed, args.budget)?;
    let wall_ms = started.elapsed().as_secs_f64() * 1000.0;
    write_repro(&path, &repro)?;
    let headline = format!(
        "{} seed {}: {}; shrunk in {} ({wall_ms:.1} ms)",
        scenario.name,
        args.seed,
        shrunk.failure.describe(),
        spent(&shrunk)
    );
    super::output::out(&wrapped("", &headline));
    let (before, after) = (shrunk.original.size(), shrunk.shrunk.size());
    super::output::out(&reports::shrink::table(&before, &after));
    print_plan(&shrunk);
    print_trace_left_out(&repro);
    outln(&format!("wrote {}", path.display()));
    outln(&format!(
        "replay: {} replay --repro {}",
        app.program,
        ftsim_api::sweep::shell_word(&path)
    ));
    Ok(Status::Met)
}

/// What a shrink spent: "12 runs of 3,456 events", and ", the whole budget" if it ran out.
pub(super) fn spent(shrunk: &Shrunk) -> String {
    let budget = if shrunk.exhausted {
        ", the whole budget"
    } else {
        ""
    };
    format!(
        "{} runs of {} events{budget}",
        shrunk.runs,
        thousands(shrunk.events)
    )
}

/// Says that a repro leaves its run's trace out, if it does.
pub(super) fn print_trace_left_out(repro: &Repro) {
    if repro.trace_left_out {
        let line = format!(
            "the trace is left out of the repro file: its {} events and {} messages would \
             take more than {} MiB; its decisions and trace hash replay the run exactly",
            thousands(repro.stats.events),
            thousands(repro.stats.messages_sent),
            ftsim_api::shrink::TRACE_BYTES_MAX >> 20
        );
        super::output::out(&wrapped("note: ", &line));
    }
}

pub(super) fn print_plan(shrunk: &Shrunk) {
    print_plan_of(&shrunk.shrunk.plan, "");
}

/// A run's fault plan, a line per fault, under `indent`.
pub(super) fn print_plan_of(plan: &FaultPlan, indent: &str) {
    let untimed = reports::timeline::untimed_faults(plan);
    if plan.events.is_empty() && plan.byzantine.is_empty() && untimed.is_empty() {
        outln(&format!("{indent}fault plan: none"));
        return;
    }
    outln(&format!("{indent}fault plan:"));
    for node in &plan.byzantine {
        outln(&format!("{indent}  {:>12}  byzantine n{node}", "always"));
    }
    for e in &plan.events {
        let at = format!("{indent}  {:>12}  ", e.at.to_string());
        let fault = reports::timeline::describe_fault(&e.kind);
        outln(&reports::columns::wrap(
            &at,
            &fault,
            reports::columns::width(&at),
        ));
    }
    for line in untimed {
        outln(&reports::columns::wrap(&format!("{indent}  "), &line, 4));
    }
}

/// Shrinks `seed` of a scenario, keeping its expected violation (inside or outside the
/// protocol's model, as expected) if the seed shows it.
pub fn shrink_scenario(
    scenario: &Scenario,
    seed: u64,
    budget: ShrinkBudget,
) -> Result<(Shrunk, Repro), CliError> {
    let outside = match &scenario.expect {
        Expect::Violation(_) => Some(false),
        Expect::Outside(_) => Some(true),
        Expect::Pass => None,
    };
    let options = ShrinkOptions {
        budget,
        property: scenario.expect.property().map(str::to_string),
        outside,
    };
    let shrunk = shrink(&scenario.simulation, seed, &options)
        .map_err(|e| CliError::Usage(format!("{}: {e}", scenario.file.display())))?;
    let origin = Origin {
        name: &scenario.name,
        description: &scenario.description,
        file: &scenario.file,
    };
    let repro = Repro::of_shrunk(&origin, &shrunk);
    Ok((shrunk, repro))
}

/// The default file name of a scenario's repro.
fn repro_name(scenario: &Scenario, seed: u64) -> String {
    let stem = reports::html::file_stem(&scenario.name);
    format!("{stem}-seed-{seed}.repro.json")
}

pub(super) fn write_repro(path: &Path, repro: &Repro) -> Result<(), CliError> {
    super::files::write_output(path, repro.to_json().as_bytes())
}

/// `run --shrink`: shrinks the seed worth replaying of each scenario (in parallel on `pool`),
/// writes each repro into `dir` and says so on stderr, one scenario at a time.
pub fn shrink_sweep(
    pool: &rayon::ThreadPool,
    dir: &Path,
    scenarios: &[Scenario],
    summaries: &[ScenarioSummary],
    budget: ShrinkBudget,
) -> Result<(), CliError> {
    let work: Vec<(&Scenario, u64)> = scenarios
        .iter()
        .zip(summaries)
        .filter_map(|(s, summary)| summary.replay_seed.map(|seed| (s, seed)))
        .collect();
    if work.is_empty() {
        return Ok(());
    }
    super::files::check_dir(dir)?;
    let results: Vec<_> = pool.install(|| {
        work.par_iter()
            .map(|(s, seed)| shrink_scenario(s, *seed, budget))
            .collect()
    });
    let mut used = BTreeSet::new();
    for ((s, seed), result) in work.iter().zip(results) {
        let (shrunk, repro) = result?;
        let mut name = repro_name(s, *seed);
        let mut k = 2;
        while !used.insert(name.clone()) {
            name = format!(
                "{}-{k}-seed-{seed}.repro.json",
                reports::html::file_stem(&s.name)
            );
            k += 1;
        }
        let path = dir.join(&name);
        write_repro(&path, &repro)?;
        let (before, after) = (shrunk.original.size(), shrunk.shrunk.size());
        eprintln!("shrunk {} seed {seed} ({})", s.name, spent(&shrunk));
        eprint!(
            "{}",
            super::output::ewrapped("  ", &reports::shrink::line(&before, &after))
        );
        if repro.trace_left_out {
            eprintln!(
                "  (its trace left out: {} events, {} messages)",
                thousands(repro.stats.events),
                thousands(repro.stats.messages_sent)
            );
        }
        eprintln!("  {}", path.display());
    }
    eprintln!("repro files in {}", dir.display());
    Ok(())
}
