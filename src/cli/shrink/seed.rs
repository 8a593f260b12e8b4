//! A failing seed of a scenario shrunk to its smallest run and written as a self-contained
//! repro file: `ftsim shrink FILE --seed S`, and `ftsim run --shrink`, the same for the seed
//! worth replaying of each scenario of a sweep.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use ftsim_api::sim_core::thousands;
use ftsim_runner::repro::{Origin, Repro};
use ftsim_runner::shrink::{shrink, ShrinkBudget, ShrinkOptions, Shrunk};
use ftsim_runner::sweep::ScenarioSummary;
use ftsim_runner::{Expect, Scenario};
use rayon::prelude::*;

use crate::cli::app::App;
use crate::cli::error::{CliError, Status};
use crate::cli::files;
use crate::cli::output::{ewrapped, out, outln, stopwatch, wrapped};
use crate::cli::scenarios::load::{load_chosen, Chosen};

use super::print::{print_plan, print_trace_left_out, spent};

/// Where `run --shrink` writes repros when no `--report` directory is given.
pub const DEFAULT_REPRO_DIR: &str = "ftsim-repros";

/// `ftsim shrink FILE --seed S`: the seed of the scenario `chosen` in `file` shrunk within
/// `budget`, its repro written to `output` (default: beside here, named after the scenario).
pub fn shrink_seed(
    app: &App,
    file: &Path,
    seed: u64,
    chosen: Chosen<'_>,
    output: Option<&Path>,
    budget: ShrinkBudget,
) -> Result<Status, CliError> {
    let scenario = load_chosen(app, file, chosen)?;
    let path = output.map_or_else(
        || PathBuf::from(repro_name(&scenario, seed)),
        Path::to_path_buf,
    );
    // Before the search: a destination that cannot be written costs nothing computed.
    files::check_output(&path)?;
    let started = stopwatch();
    let (shrunk, repro) = shrink_scenario(&scenario, seed, budget)?;
    let wall_ms = started.elapsed().as_secs_f64() * 1000.0;
    write_repro(&path, &repro)?;
    let headline = format!(
        "{} seed {}: {}; shrunk in {} ({wall_ms:.1} ms)",
        scenario.name,
        seed,
        shrunk.failure.describe(),
        spent(&shrunk)
    );
    out(&wrapped("", &headline));
    let (before, after) = (shrunk.original.size(), shrunk.shrunk.size());
    out(&reports::shrink::table(&before, &after));
    print_plan(&shrunk);
    print_trace_left_out(&repro);
    outln(&format!("wrote {}", path.display()));
    outln(&format!(
        "replay: {} replay --repro {}",
        app.program,
        ftsim_runner::sweep::shell_word(&path)
    ));
    Ok(Status::Met)
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

/// Writes a repro file (atomically, see `files`).
pub fn write_repro(path: &Path, repro: &Repro) -> Result<(), CliError> {
    files::write_output(path, repro.to_json().as_bytes())
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
    files::check_dir(dir)?;
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
            ewrapped("  ", &reports::shrink::line(&before, &after))
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
