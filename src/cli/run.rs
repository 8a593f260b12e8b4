//! `ftsim run`: every scenario over its seeds, in parallel, then one line each (or JSON) and,
//! on request, an HTML report.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use ftsim_api::sweep::{self, ScenarioSummary, Seeds};
use ftsim_api::Scenario;
use indicatif::{ProgressBar, ProgressStyle};

use super::error::{CliError, Status};
use super::files;
use super::load::load_all;
use super::output::{color_wanted, out, outln, stopwatch};
use super::report::write_report;
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
    /// Budgets that override the scenarios'.
    pub budget: super::budget::BudgetFlags,
}

pub fn cmd_run(app: &App, args: RunArgs<'_>) -> Result<Status, CliError> {
    let mut scenarios = load_all(app, args.files)?;
    args.budget.apply(&mut scenarios)?;
    check_jobs(args.jobs)?;
    let seeds: Vec<Seeds> = scenarios
        .iter()
        .map(|s| seeds_of(s, &args))
        .collect::<Result<_, _>>()?;
    // Before any seed runs: a destination that cannot be written costs nothing computed.
    if let Some(dir) = args.report {
        files::check_dir(dir)?;
    }
    if args.shrink && args.report.is_none() {
        files::check_dir(Path::new(shrink::DEFAULT_REPRO_DIR))?;
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.jobs.unwrap_or(0))
        .build()
        .map_err(|e| CliError::Usage(format!("cannot start worker threads: {e}")))?;
    let show_progress = std::io::stderr().is_terminal();
    let summaries: Vec<ScenarioSummary> = scenarios
        .iter()
        .zip(&seeds)
        .map(|(s, &seeds)| {
            let bar = show_progress.then(|| progress_bar(seeds.count, &s.name));
            let started = stopwatch();
            let tally = pool.install(|| {
                sweep::tally(s.simulation.as_ref(), seeds, &|| {
                    if let Some(b) = &bar {
                        b.inc(1);
                    }
                })
            });
            if let Some(b) = bar {
                b.finish_and_clear();
            }
            let elapsed_ms = started.elapsed().as_millis() as u64;
            sweep::summarize(s, seeds, tally, elapsed_ms, &app.program)
        })
        .collect();
    let all_ok = summaries.iter().all(|s| s.ok);
    if let Some(dir) = args.report {
        write_report(app, dir, &scenarios, &summaries, all_ok)?;
    }
    if args.shrink {
        let dir = args
            .report
            .unwrap_or_else(|| Path::new(shrink::DEFAULT_REPRO_DIR));
        let max_runs = ftsim_api::shrink::DEFAULT_MAX_RUNS;
        shrink::shrink_sweep(&pool, dir, &scenarios, &summaries, max_runs)?;
    }
    match args.format {
        Format::Json => outln(&sweep_json(&summaries, all_ok)),
        Format::Text => out(&reports::table::render_table(
            &summaries,
            color_wanted(std::io::stdout().is_terminal()),
        )),
    }
    Ok(if all_ok { Status::Met } else { Status::NotMet })
}

/// The most worker threads per core `--jobs` may ask for (and never more than
/// [`MAX_JOBS`]): more only costs the time to start them.
const JOBS_PER_CORE: usize = 4;

/// The most worker threads `--jobs` may ask for on any machine.
const MAX_JOBS: usize = 1024;

/// `--jobs` from 1 to 4 threads per core here (at most 1,024).
fn check_jobs(jobs: Option<usize>) -> Result<(), CliError> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let most = (cores * JOBS_PER_CORE).min(MAX_JOBS);
    match jobs {
        Some(j) if j == 0 || j > most => Err(CliError::Usage(format!(
            "--jobs {j}: expected 1 to {most} ({JOBS_PER_CORE} threads per core, {cores} cores \
             here; at most {MAX_JOBS})"
        ))),
        _ => Ok(()),
    }
}

/// The seeds to run: `--seed` alone, `--seeds` from the scenario's start, or the scenario's;
/// a range that would pass the last 64-bit seed, or hold no seed, is an error (never a run of
/// 0 seeds that meets every expectation).
fn seeds_of(s: &Scenario, args: &RunArgs<'_>) -> Result<Seeds, CliError> {
    let seeds = match (args.seed, args.seeds) {
        (Some(one), _) => Seeds {
            start: one,
            count: 1,
        },
        (None, Some(count)) => Seeds {
            start: s.seeds.start,
            count,
        },
        (None, None) => s.seeds,
    };
    let last = u64::MAX - 1;
    if seeds.count == 0 {
        return Err(CliError::Usage(match args.seeds {
            Some(_) => "--seeds 0: expected at least 1 seed".to_string(),
            None => format!("{}: no seed to run", s.file.display()),
        }));
    }
    if seeds.start.checked_add(seeds.count).is_none() {
        return Err(CliError::Usage(match (args.seed, args.seeds) {
            (Some(one), _) => format!("--seed {one}: expected a seed from 0 to {last}"),
            (None, Some(count)) => format!(
                "--seeds {count}: {} starts at seed {}, so at most {} seeds fit below the \
                 last seed ({last})",
                s.file.display(),
                seeds.start,
                u64::MAX - seeds.start
            ),
            (None, None) => format!(
                "{}: its seeds pass the last seed ({last})",
                s.file.display()
            ),
        }));
    }
    Ok(seeds)
}

/// The sweep as one JSON document (also written to a report's summary.json).
pub fn sweep_json(summaries: &[ScenarioSummary], all_ok: bool) -> String {
    let doc = serde_json::json!({ "ok": all_ok, "scenarios": summaries });
    serde_json::to_string_pretty(&doc).unwrap_or_default()
}

fn progress_bar(len: u64, name: &str) -> ProgressBar {
    let bar = ProgressBar::new(len);
    if let Ok(style) = ProgressStyle::with_template(
        "{prefix:.bold} [{bar:30}] {pos}/{len} seeds ({per_sec}, eta {eta})",
    ) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_prefix(name.to_string());
    bar
}
