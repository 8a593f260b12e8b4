//! `ftsim run`: every scenario over its seeds, in parallel; each scenario's lines printed as it
//! finishes (or JSON at the end), one progress bar for the whole sweep, and, on request, an
//! HTML report.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use ftsim_api::sweep::{self, ScenarioSummary, Seeds};
use ftsim_api::Scenario;

use super::error::{CliError, Status};
use super::load::load_all;
use super::output::{color_wanted, out, outln, stopwatch};
use super::progress::Progress;
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
}

pub fn cmd_run(app: &App, args: RunArgs<'_>) -> Result<Status, CliError> {
    let scenarios = load_all(app, args.files)?;
    if args.seeds == Some(0) {
        return Err(CliError::Usage("--seeds must be at least 1".into()));
    }
    if args.jobs == Some(0) {
        return Err(CliError::Usage("--jobs must be at least 1".into()));
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.jobs.unwrap_or(0))
        .build()
        .map_err(|e| CliError::Usage(format!("cannot start worker threads: {e}")))?;
    let total_seeds = scenarios.iter().map(|s| seeds_of(s, &args).count).sum();
    let progress = Progress::new(
        std::io::stderr().is_terminal(),
        scenarios.len(),
        total_seeds,
    );
    let color = color_wanted(std::io::stdout().is_terminal());
    let mut summaries: Vec<ScenarioSummary> = Vec::with_capacity(scenarios.len());
    for s in &scenarios {
        let seeds = seeds_of(s, &args);
        let started = stopwatch();
        let tally =
            pool.install(|| sweep::tally(s.simulation.as_ref(), seeds, &|| progress.seed()));
        let elapsed_ms = started.elapsed().as_millis() as u64;
        let summary = sweep::summarize(s, seeds, tally, elapsed_ms, &app.program);
        if args.format == Format::Text {
            progress.print(&reports::table::render_scenario(&summary, color));
        }
        summaries.push(summary);
        progress.scenarios_done(summaries.len());
    }
    progress.finish();
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
        Format::Text => out(&reports::table::render_footer(&summaries)),
    }
    Ok(if all_ok { Status::Met } else { Status::NotMet })
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

/// The sweep as one JSON document (also written to a report's summary.json).
pub fn sweep_json(summaries: &[ScenarioSummary], all_ok: bool) -> String {
    let doc = serde_json::json!({ "ok": all_ok, "scenarios": summaries });
    serde_json::to_string_pretty(&doc).unwrap_or_default()
}
