//! The sweep of `ftsim run`: every scenario over its seeds, in parallel; each scenario's lines
//! printed as it finishes (or JSON at the end), one progress bar for the whole sweep, and, on
//! request, results kept as they finish, an HTML report, JUnit XML and shrunk repros.

use std::io::IsTerminal;
use std::path::Path;

use ftsim_runner::sweep::{self, ScenarioSummary, Seeds, SweepOptions};
use ftsim_runner::Scenario;

use crate::cli::app::App;
use crate::cli::error::{CliError, Status};
use crate::cli::files;
use crate::cli::interrupt::{self, Interrupt};
use crate::cli::output::{ewrapped, out, outln, stopwatch, wrapped, Format};
use crate::cli::scenarios::load::load_all;
use crate::cli::scenarios::seeds::seeds_of;
use crate::cli::shrink;
use crate::cli::sweep_json::sweep_json_of_shard;

use super::args::Sweep;
use super::progress::Progress;
use super::report::write_report;
use super::results::{result_key, Results};

/// What the sweep produced: a summary per finished scenario (in order, a prefix of all of
/// them if it was interrupted).
struct Swept {
    summaries: Vec<ScenarioSummary>,
    interrupted: bool,
}

/// Runs the sweep `asked` for and says how it went; the exit status.
pub fn run(app: &App, asked: &Sweep<'_>) -> Result<Status, CliError> {
    let args = asked.args;
    let mut scenarios = load_all(app, &args.files)?;
    args.budget.apply(&mut scenarios)?;
    if args.swarm {
        for s in &mut scenarios {
            s.simulation = s.simulation.swarmed();
        }
    }
    check_jobs(args.jobs)?;
    if args.resume && args.results.is_none() {
        return Err(CliError::Usage("--resume needs --results FILE".into()));
    }
    let seeds: Vec<Seeds> = scenarios
        .iter()
        .map(|s| seeds_of(s, args.seed, args.seeds))
        .collect::<Result<_, _>>()?;
    check_destinations(asked)?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.jobs.unwrap_or(0))
        .build()
        .map_err(|e| CliError::Usage(format!("cannot start worker threads: {e}")))?;
    let mut results = match &args.results {
        Some(path) => Some(Results::open(path, args.resume)?),
        None => None,
    };
    let swept = sweep_all(app, asked, &pool, &scenarios, &seeds, results.as_mut())?;
    finish(asked, &pool, &scenarios, swept)
}

/// Before any seed runs: a destination that cannot be written costs nothing computed.
fn check_destinations(asked: &Sweep<'_>) -> Result<(), CliError> {
    let args = asked.args;
    if let Some(dir) = &args.report {
        files::check_dir(dir)?;
    }
    if asked.shrink.is_some() && args.report.is_none() {
        files::check_dir(Path::new(shrink::DEFAULT_REPRO_DIR))?;
    }
    if let Some(path) = &args.junit {
        files::check_output(path)?;
    }
    Ok(())
}

/// Runs (or takes from the results file) every scenario in order, printing each as it ends;
/// stops early if interrupted.
fn sweep_all(
    app: &App,
    asked: &Sweep<'_>,
    pool: &rayon::ThreadPool,
    scenarios: &[Scenario],
    all: &[Seeds],
    mut results: Option<&mut Results>,
) -> Result<Swept, CliError> {
    let args = asked.args;
    let interrupt = Interrupt::install();
    let slices = match asked.shard {
        Some(shard) => shard.slices(all),
        None => all.to_vec(),
    };
    let keys = result_keys(asked, scenarios, all, &slices);
    if let Some(r) = results.as_deref() {
        announce_results(r, args.resume, &keys, &slices);
    }
    let total_seeds = slices.iter().map(|s| s.count).sum();
    let progress = Progress::new(
        std::io::stderr().is_terminal() && !args.quiet,
        scenarios.len(),
        total_seeds,
    );
    let color = args.color.wanted(std::io::stdout().is_terminal());
    let mut summaries: Vec<ScenarioSummary> = Vec::with_capacity(scenarios.len());
    for (((s, &every), &seeds), key) in scenarios.iter().zip(all).zip(&slices).zip(&keys) {
        let stored = results.as_deref().and_then(|r| r.done(key, seeds));
        let summary = match stored {
            Some(line) => {
                progress.seeds(seeds.count);
                let (tally, elapsed_ms) = (line.summary.tally.clone(), line.summary.elapsed_ms);
                summarize(&app.program, args.swarm, s, every, tally, elapsed_ms)
            }
            None => {
                let started = stopwatch();
                let options = SweepOptions {
                    stop: interrupt.flag(),
                    twice: args.check_determinism,
                    seed_wall_time: asked.seed_timeout,
                };
                let sim = &s.simulation;
                let run = || sweep::tally_until(sim, seeds, &|| progress.seed(), options);
                let Some(tally) = pool.install(run) else {
                    break;
                };
                let elapsed_ms = started.elapsed().as_millis() as u64;
                let summary = summarize(&app.program, args.swarm, s, every, tally, elapsed_ms);
                if let Some(r) = results.as_deref_mut() {
                    r.record(key, &summary)?;
                }
                summary
            }
        };
        if args.output.format == Format::Text && !(args.quiet && summary.ok) {
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

/// Each scenario's key in the results file (see `result_key`): `all` its seeds, `slices` the
/// seeds this run (or shard) sweeps of them.
fn result_keys(
    asked: &Sweep<'_>,
    scenarios: &[Scenario],
    all: &[Seeds],
    slices: &[Seeds],
) -> Vec<String> {
    let (args, shard) = (asked.args, asked.shard);
    let shard_name = shard.map(|s| s.to_string()).unwrap_or_default();
    // The flags that change what a sweep counts: a result is reused only under the same.
    let settings = format!(
        "swarm {} twice {} seed_timeout {:?} budget {:?}",
        args.swarm, args.check_determinism, asked.seed_timeout, args.budget
    );
    let each = scenarios.iter().zip(all).zip(slices);
    each.map(|((s, &every), &seeds)| result_key(s, every, seeds, &shard_name, &settings))
        .collect()
}

/// Says where results go and, resuming, how many of this run's scenarios the file already
/// holds a result for that will be taken (a line of another scenario, of other flags, or
/// refused by `Results::done`, is not counted).
fn announce_results(results: &Results, resume: bool, keys: &[String], slices: &[Seeds]) {
    let already = if resume {
        let taken = (keys.iter().zip(slices))
            .filter(|(key, &seeds)| results.done(key, seeds).is_some())
            .count();
        format!("; {taken} of {} scenario(s) already there", keys.len())
    } else {
        String::new()
    };
    let line = format!(
        "{} (one line per finished scenario{already})",
        results.path().display()
    );
    eprint!("{}", ewrapped("results: ", &line));
}

/// The summary of a scenario's tally over `every` seed (a shard's tally covers some of them):
/// judged from the tally and the scenario itself, whether it was just run or read back from
/// a results file.
fn summarize(
    program: &str,
    swarm: bool,
    s: &Scenario,
    every: Seeds,
    tally: sweep::Tally,
    elapsed_ms: u64,
) -> ScenarioSummary {
    let facts = sweep::Facts {
        swarm,
        ..sweep::Facts::of(s, every)
    };
    let mut summary = sweep::summarize_facts(&facts, tally, elapsed_ms, program);
    summary.swarm_mix = summary
        .replay_seed
        .and_then(|seed| s.simulation.swarm_mix(seed));
    summary
}

/// The report, repros and the summary of what was swept; the exit status.
fn finish(
    asked: &Sweep<'_>,
    pool: &rayon::ThreadPool,
    scenarios: &[Scenario],
    swept: Swept,
) -> Result<Status, CliError> {
    let (args, shard) = (asked.args, asked.shard);
    let summaries = swept.summaries;
    let all_ok = summaries.iter().all(|s| s.ok);
    if let Some(dir) = &args.report {
        let diagrams = write_report(dir, scenarios, &summaries, all_ok)?;
        let index = dir.join("index.html");
        eprintln!(
            "wrote the report: {} (with summary.json and {diagrams} diagram(s) beside it)",
            index.display()
        );
    }
    if let Some(path) = &args.junit {
        files::write_output(path, reports::junit::render(&summaries).as_bytes())?;
        eprintln!("wrote JUnit XML: {}", path.display());
    }
    if let Some(budget) = asked.shrink {
        let dir = (args.report.as_deref()).unwrap_or_else(|| Path::new(shrink::DEFAULT_REPRO_DIR));
        shrink::shrink_sweep(pool, dir, scenarios, &summaries, budget)?;
    }
    let interrupted = swept
        .interrupted
        .then(|| interrupted_line(args.results.as_deref(), scenarios, &summaries));
    match (args.output.format, &interrupted) {
        (Format::Json, _) => {
            let shard = shard.map(|s| s.to_string());
            let doc = sweep_json_of_shard(&summaries, all_ok, shard.as_deref());
            interrupt::whole(|| outln(&doc));
        }
        (Format::Text, Some(line)) => out(line),
        (Format::Text, None) => out(&reports::table::render_footer(&summaries)),
    }
    if let Some(shard) = shard {
        let note = "each verdict above judges this shard's seeds only; `ftsim merge` of every \
                    shard's --format json judges the whole sweep";
        eprint!("{}", ewrapped(&format!("shard {shard}: "), note));
    }
    if let Some(line) = interrupted {
        // Said once: on stdout under the table, or on stderr beside a JSON document.
        if args.output.format == Format::Json {
            eprint!("{line}");
        }
        return Ok(Status::Interrupted);
    }
    Ok(if all_ok || shard.is_some() {
        Status::Met
    } else {
        Status::NotMet
    })
}

/// What an interrupted sweep finished, and how to go on from there, wrapped.
fn interrupted_line(
    results: Option<&Path>,
    scenarios: &[Scenario],
    summaries: &[ScenarioSummary],
) -> String {
    let how_to_go_on = match results {
        Some(path) => format!(
            "; run again with --results {} --resume to go on",
            ftsim_runner::sweep::shell_word(path)
        ),
        None => String::new(),
    };
    let finished = format!(
        "{} of {} scenario(s) finished, {} of them not met{how_to_go_on}",
        summaries.len(),
        scenarios.len(),
        summaries.iter().filter(|s| !s.ok).count()
    );
    wrapped("interrupted: ", &finished)
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
