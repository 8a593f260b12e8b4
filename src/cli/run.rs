//! `ftsim run`: every scenario over its seeds, in parallel; each scenario's lines printed as it
//! finishes (or JSON at the end), one progress bar for the whole sweep, and, on request, an
//! HTML report.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use ftsim_api::sweep::{self, ScenarioSummary, Seeds, SweepOptions};
use ftsim_api::Scenario;

use super::error::{CliError, Status};
use super::interrupt::Interrupt;
use super::load::load_all;
use super::output::{out, outln, stopwatch, ColorChoice};
use super::progress::Progress;
use super::report::write_report;
use super::results::{result_key, Results};
use super::shard::Shard;
use super::shrink;
use super::{App, Format};

/// What `ftsim run` was asked to do.
pub struct RunArgs<'a> {
    pub files: &'a [PathBuf],
    pub seeds: Option<u64>,
    pub seed: Option<u64>,
    pub jobs: Option<usize>,
    pub format: Format,
    pub report: Option<&'a Path>,
    /// Shrink each scenario's replay seed and write its repro.
    pub shrink: bool,
    /// Append each finished scenario to this JSON-lines file.
    pub results: Option<&'a Path>,
    /// Take the scenarios already in `results` from it instead of running them.
    pub resume: bool,
    /// Run only this shard's slice of the work.
    pub shard: Option<Shard>,
    /// Write the sweep as JUnit XML here.
    pub junit: Option<&'a Path>,
    /// Run each seed twice; a different trace hash fails the scenario.
    pub check_determinism: bool,
    /// Give up on a seed after this much wall time (a handler that never returns).
    pub seed_timeout: Option<std::time::Duration>,
    /// Each seed draws its own fault mix within the scenario's bounds.
    pub swarm: bool,
    /// No progress bar; only the scenarios not met, and the last line.
    pub quiet: bool,
    /// When to colour the table.
    pub color: ColorChoice,
}

/// What the sweep produced: a summary per finished scenario (in order, a prefix of all of
/// them if it was interrupted).
struct Swept {
    summaries: Vec<ScenarioSummary>,
    interrupted: bool,
}

pub fn cmd_run(app: &App, args: RunArgs<'_>) -> Result<Status, CliError> {
    let mut scenarios = load_all(app, args.files)?;
    if args.swarm {
        for s in &mut scenarios {
            s.simulation = s.simulation.swarmed();
        }
    }
    if args.seeds == Some(0) {
        return Err(CliError::Usage("--seeds must be at least 1".into()));
    }
    if args.jobs == Some(0) {
        return Err(CliError::Usage("--jobs must be at least 1".into()));
    }
    if args.resume && args.results.is_none() {
        return Err(CliError::Usage("--resume needs --results FILE".into()));
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.jobs.unwrap_or(0))
        .build()
        .map_err(|e| CliError::Usage(format!("cannot start worker threads: {e}")))?;
    let mut results = match args.results {
        Some(path) => Some(Results::open(path, args.resume)?),
        None => None,
    };
    if let Some(r) = &results {
        eprintln!(
            "results: {} (one line per finished scenario{})",
            r.path().display(),
            if args.resume {
                format!("; {} already there", r.resumed())
            } else {
                String::new()
            }
        );
    }
    let swept = sweep_all(app, &args, &pool, &scenarios, results.as_mut())?;
    finish(app, &args, &pool, &scenarios, swept)
}

/// Runs (or takes from the results file) every scenario in order, printing each as it ends;
/// stops early if interrupted.
fn sweep_all(
    app: &App,
    args: &RunArgs<'_>,
    pool: &rayon::ThreadPool,
    scenarios: &[Scenario],
    mut results: Option<&mut Results>,
) -> Result<Swept, CliError> {
    let interrupt = Interrupt::install();
    let all: Vec<Seeds> = scenarios.iter().map(|s| seeds_of(s, args)).collect();
    let slices = match args.shard {
        Some(shard) => shard.slices(&all),
        None => all.clone(),
    };
    let shard_name = args.shard.map(|s| s.to_string()).unwrap_or_default();
    let total_seeds = slices.iter().map(|s| s.count).sum();
    let progress = Progress::new(
        std::io::stderr().is_terminal() && !args.quiet,
        scenarios.len(),
        total_seeds,
    );
    let color = args.color.wanted(std::io::stdout().is_terminal());
    let mut summaries: Vec<ScenarioSummary> = Vec::with_capacity(scenarios.len());
    for ((s, &every), &seeds) in scenarios.iter().zip(&all).zip(&slices) {
        let key = result_key(s, every, seeds, &shard_name);
        let stored = results.as_deref().and_then(|r| r.done(&key));
        let summary = match stored {
            Some(line) => {
                progress.seeds(seeds.count);
                line.summary.clone()
            }
            None => {
                let started = stopwatch();
                let options = SweepOptions {
                    stop: interrupt.flag(),
                    twice: args.check_determinism,
                    seed_wall_time: args.seed_timeout,
                };
                let sim = &s.simulation;
                let run = || sweep::tally_until(sim, seeds, &|| progress.seed(), options);
                let Some(tally) = pool.install(run) else {
                    break;
                };
                let elapsed_ms = started.elapsed().as_millis() as u64;
                let facts = sweep::Facts {
                    swarm: args.swarm,
                    ..sweep::Facts::of(s, every)
                };
                let mut summary = sweep::summarize_facts(&facts, tally, elapsed_ms, &app.program);
                summary.swarm_mix = summary
                    .replay_seed
                    .and_then(|seed| s.simulation.swarm_mix(seed));
                if let Some(r) = results.as_deref_mut() {
                    r.record(&key, &summary)?;
                }
                summary
            }
        };
        if args.format == Format::Text && !(args.quiet && summary.ok) {
            progress.print(&reports::table::render_scenario(&summary, color));
        }
        summaries.push(summary);
        progress.scenarios_done(summaries.len());
    }
    progress.finish();
    Ok(Swept {
        interrupted: interrupt.requested() && summaries.len() < scenarios.len(),
        summaries,
    })
}

/// The report, repros and the summary of what was swept; the exit status.
fn finish(
    app: &App,
    args: &RunArgs<'_>,
    pool: &rayon::ThreadPool,
    scenarios: &[Scenario],
    swept: Swept,
) -> Result<Status, CliError> {
    let summaries = swept.summaries;
    let all_ok = summaries.iter().all(|s| s.ok);
    if let Some(dir) = args.report {
        write_report(app, dir, scenarios, &summaries, all_ok)?;
    }
    if let Some(path) = args.junit {
        std::fs::write(path, reports::junit::render(&summaries)).map_err(|error| CliError::Io {
            path: path.to_path_buf(),
            error,
        })?;
        eprintln!("wrote JUnit XML: {}", path.display());
    }
    if args.shrink {
        let dir = args
            .report
            .unwrap_or_else(|| Path::new(shrink::DEFAULT_REPRO_DIR));
        let max_runs = ftsim_api::shrink::DEFAULT_MAX_RUNS;
        shrink::shrink_sweep(pool, dir, scenarios, &summaries, max_runs)?;
    }
    match args.format {
        Format::Json => outln(&sweep_json_of_shard(&summaries, all_ok, args.shard)),
        Format::Text if swept.interrupted => out(&format!(
            "interrupted: {} of {} scenario(s) finished, {} of them not met\n",
            summaries.len(),
            scenarios.len(),
            summaries.iter().filter(|s| !s.ok).count()
        )),
        Format::Text => out(&reports::table::render_footer(&summaries)),
    }
    if let Some(shard) = args.shard {
        eprintln!(
            "shard {shard}: each verdict above judges this shard's seeds only; `ftsim merge` \
             of every shard's --format json judges the whole sweep"
        );
    }
    if swept.interrupted {
        eprintln!(
            "interrupted: {} of {} scenario(s) finished{}",
            summaries.len(),
            scenarios.len(),
            match args.results {
                Some(path) => format!(
                    "; run again with --results {} --resume to go on",
                    path.display()
                ),
                None => String::new(),
            }
        );
        return Ok(Status::Interrupted);
    }
    Ok(if all_ok || args.shard.is_some() {
        Status::Met
    } else {
        Status::NotMet
    })
}

/// The seeds to run: `--seed` alone, `--seeds` from the scenario's start, or the scenario's.
fn seeds_of(s: &Scenario, args: &RunArgs<'_>) -> Seeds {
    match (args.seed, args.seeds) {
        (Some(one), _) => Seeds {
            start: one,
            count: 1,
        },
        (None, Some(count)) => Seeds {
            start: s.seeds.start,
            count,
        },
        (None, None) => s.seeds,
    }
}

/// The sweep as one JSON document (also written to a report's summary.json); its fields are
/// documented, and checked against it, in docs/json.md.
pub fn sweep_json(summaries: &[ScenarioSummary], all_ok: bool) -> String {
    sweep_json_of_shard(summaries, all_ok, None)
}

/// [`sweep_json`] of one shard's slice of a sweep (`shard`: "K/N"), for `ftsim merge`.
fn sweep_json_of_shard(
    summaries: &[ScenarioSummary],
    all_ok: bool,
    shard: Option<Shard>,
) -> String {
    let doc = serde_json::json!({
        "schema": "ftsim.sweep",
        "schema_version": sweep::SCHEMA_VERSION,
        "ok": all_ok,
        "shard": shard.map(|s| s.to_string()),
        "scenarios": summaries,
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default()
}
