//! The `ftsim` command line: parses arguments, validates every scenario file before anything
//! runs, then runs, replays, checks or lists. Exit codes: 0 every expectation met, 1 some
//! expectation not met (or a replayed run failed), 2 bad input or usage.

/// Writes to stdout and ignores a closed pipe: `ftsim list | head -1` must end quietly, not
/// panic (Rust ignores SIGPIPE, so the std macros would panic on EPIPE).
macro_rules! println {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

macro_rules! print {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stdout(), $($arg)*);
    }};
}

mod scenario;
mod sweep;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use scenario::{Scenario, ScenarioError};

#[derive(Parser)]
#[command(
    name = "ftsim",
    version,
    about = "Deterministic simulator for fault-tolerance protocols",
    long_about = "Deterministic simulator for fault-tolerance protocols.\n\n\
        A run is a pure function of (scenario, seed): run a scenario over many seeds to find \
        what breaks, then replay one seed exactly to see how.\n\n\
        Exit codes: 0 every expectation met; 1 some expectation not met; 2 bad input or usage."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum Format {
    Text,
    Json,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum ReplayFormat {
    /// A readable timeline
    Text,
    /// JSON with seed, trace_hash, outcome, violations, plan and events
    Json,
    /// A log with vector clocks for the ShiViz visualiser
    Shiviz,
}

#[derive(Subcommand)]
enum Command {
    /// Run scenarios over their seeds and report which invariants broke
    #[command(
        long_about = "Run each scenario over its seeds (in parallel; the results are \
        identical for any --jobs) and print, per scenario: runs, failing runs by invariant, the \
        first failing seed and the command that replays it, and whether the scenario's `expect` \
        was met. Exits 1 if any expectation is not met."
    )]
    Run {
        /// Scenario files, or directories of *.toml files
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Run this many seeds instead of the scenario's count (from its start seed)
        #[arg(long, conflicts_with = "seed")]
        seeds: Option<u64>,
        /// Run only this seed
        #[arg(long)]
        seed: Option<u64>,
        /// Worker threads (default: all cores)
        #[arg(long, short = 'j')]
        jobs: Option<usize>,
        /// Output format
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
        /// Also write DIR/index.html (every scenario at a glance), DIR/summary.json, and a
        /// space-time diagram of the first failing seed of each scenario
        #[arg(long, value_name = "DIR")]
        report: Option<PathBuf>,
    },
    /// Re-run one seed of a scenario with full tracing and print its timeline
    #[command(
        long_about = "Re-run one seed with full tracing and print the timeline (time, \
        node, event), ending with the verdict and the trace hash. The run is bit-identical to \
        the one `ftsim run` reported. Exits 1 if the run violated a property, panicked or \
        exceeded its budget, 0 if it passed."
    )]
    Replay {
        /// The scenario file
        file: PathBuf,
        /// The seed to replay
        #[arg(long)]
        seed: u64,
        /// Output format
        #[arg(long, value_enum, default_value = "text")]
        format: ReplayFormat,
        /// Also write the run as a self-contained HTML space-time diagram to this file
        #[arg(long, value_name = "OUT.html")]
        html: Option<PathBuf>,
    },
    /// Validate scenario files without running them
    Check {
        /// Scenario files, or directories of *.toml files
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// List protocols, their parameters with defaults, and their invariants
    List,
}

/// Expands directories into their *.toml files (sorted), keeps files as given.
fn expand(files: &[PathBuf]) -> Result<Vec<PathBuf>, ScenarioError> {
    let mut out = Vec::new();
    for f in files {
        if f.is_dir() {
            let entries = std::fs::read_dir(f).map_err(|e| io_error(f, e))?;
            let mut found: Vec<PathBuf> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "toml"))
                .collect();
            found.sort();
            out.extend(found);
        } else {
            out.push(f.clone());
        }
    }
    Ok(out)
}

fn io_error(f: &Path, e: std::io::Error) -> ScenarioError {
    ScenarioError {
        file: f.to_path_buf(),
        key: None,
        line: None,
        message: format!("cannot read: {e}"),
    }
}

/// Loads every file, reporting every bad one; nothing runs unless all are good.
fn load_all(files: &[PathBuf]) -> Result<Vec<Scenario>, ExitCode> {
    let files = expand(files).map_err(|e| {
        eprintln!("error: {e}");
        ExitCode::from(2)
    })?;
    let mut scenarios = Vec::new();
    let mut bad = 0;
    for f in &files {
        match scenario::load(f) {
            Ok(s) => scenarios.push(s),
            Err(e) => {
                eprintln!("error: {e}");
                bad += 1;
            }
        }
    }
    if files.is_empty() {
        eprintln!("error: no scenario files given");
        return Err(ExitCode::from(2));
    }
    if bad > 0 {
        return Err(ExitCode::from(2));
    }
    Ok(scenarios)
}

fn color_wanted(stream_is_terminal: bool) -> bool {
    stream_is_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

#[allow(clippy::disallowed_methods)] // wall time of a sweep is reported, never used in a run
fn stopwatch() -> std::time::Instant {
    std::time::Instant::now()
}

struct RunArgs<'a> {
    files: &'a [PathBuf],
    seeds: Option<u64>,
    seed: Option<u64>,
    jobs: Option<usize>,
    format: Format,
    report: Option<&'a Path>,
}

fn cmd_run(args: RunArgs<'_>) -> ExitCode {
    let RunArgs {
        files,
        seeds,
        seed,
        jobs,
        format,
        report,
    } = args;
    let scenarios = match load_all(files) {
        Ok(s) => s,
        Err(code) => return code,
    };
    if seeds == Some(0) {
        eprintln!("error: --seeds must be at least 1");
        return ExitCode::from(2);
    }
    if jobs == Some(0) {
        eprintln!("error: --jobs must be at least 1");
        return ExitCode::from(2);
    }
    let pool = match rayon::ThreadPoolBuilder::new()
        .num_threads(jobs.unwrap_or(0))
        .build()
    {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: cannot start worker threads: {e}");
            return ExitCode::from(2);
        }
    };
    let show_progress = std::io::stderr().is_terminal();
    let mut summaries = Vec::new();
    for s in &scenarios {
        let range = match (seed, seeds) {
            (Some(one), _) => sweep::Seeds {
                start: one,
                count: 1,
            },
            (None, Some(count)) => sweep::Seeds {
                start: s.seed_start,
                count,
            },
            (None, None) => sweep::Seeds {
                start: s.seed_start,
                count: s.seed_count,
            },
        };
        let bar = show_progress.then(|| sweep::progress_bar(range.count, &s.name));
        let started = stopwatch();
        let tally = sweep::tally(s, range, &pool, bar.as_ref());
        if let Some(b) = bar {
            b.finish_and_clear();
        }
        let elapsed_ms = started.elapsed().as_millis() as u64;
        summaries.push(sweep::summarize(s, range, tally, elapsed_ms));
    }
    let all_ok = summaries.iter().all(|s| s.ok);
    if let Some(dir) = report {
        if let Err(e) = write_report(dir, &scenarios, &summaries, all_ok) {
            eprintln!("error: cannot write the report to {}: {e}", dir.display());
            return ExitCode::from(2);
        }
    }
    match format {
        Format::Json => {
            let doc = serde_json::json!({ "ok": all_ok, "scenarios": summaries });
            match serde_json::to_string_pretty(&doc) {
                Ok(text) => println!("{text}"),
                Err(e) => {
                    eprintln!("error: cannot write JSON: {e}");
                    return ExitCode::from(2);
                }
            }
        }
        Format::Text => print!(
            "{}",
            reports::sweep::render_table(&summaries, color_wanted(std::io::stdout().is_terminal()))
        ),
    }
    if all_ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn diagram(scenario: &Scenario, report: &sim_core::RunReport) -> String {
    let replay = sweep::replay_command(scenario, report.seed);
    let file = scenario.file.display().to_string();
    reports::html::render(
        report,
        &reports::html::Meta {
            scenario: &scenario.name,
            description: &scenario.description,
            file: &file,
            protocol: scenario.protocol.info().name,
            nodes: scenario.base.n,
            replay: &replay,
        },
    )
}

/// Writes a sweep report: index.html, summary.json and a diagram per failing scenario.
fn write_report(
    dir: &Path,
    scenarios: &[Scenario],
    summaries: &[reports::sweep::ScenarioSummary],
    all_ok: bool,
) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let mut diagrams = Vec::new();
    let mut used = std::collections::BTreeSet::new();
    for (s, summary) in scenarios.iter().zip(summaries) {
        let seed = summary.replay_seed;
        let Some(seed) = seed else {
            diagrams.push(None);
            continue;
        };
        // Sanitised and made unique: two scenarios may share a name.
        let stem = reports::html::file_stem(&s.name);
        let mut name = format!("{stem}-seed-{seed}.html");
        let mut k = 2;
        while !used.insert(name.clone()) {
            name = format!("{stem}-{k}-seed-{seed}.html");
            k += 1;
        }
        let run = sweep::run_seed(s, seed, true);
        std::fs::write(dir.join(&name), diagram(s, &run))?;
        diagrams.push(Some(name));
    }
    let rows: Vec<reports::html::IndexRow<'_>> = summaries
        .iter()
        .zip(diagrams)
        .map(|(summary, diagram)| reports::html::IndexRow { summary, diagram })
        .collect();
    std::fs::write(dir.join("index.html"), reports::html::render_index(&rows))?;
    let doc = serde_json::json!({ "ok": all_ok, "scenarios": summaries });
    let text = serde_json::to_string_pretty(&doc).map_err(std::io::Error::other)?;
    std::fs::write(dir.join("summary.json"), text + "\n")
}

fn cmd_replay(file: &Path, seed: u64, format: ReplayFormat, html: Option<&Path>) -> ExitCode {
    let scenario = match load_all(&[file.to_path_buf()]) {
        Ok(mut s) => s.remove(0),
        Err(code) => return code,
    };
    let report = sweep::run_seed(&scenario, seed, true);
    if let Some(out) = html {
        if let Err(e) = std::fs::write(out, diagram(&scenario, &report)) {
            eprintln!("error: cannot write {}: {e}", out.display());
            return ExitCode::from(2);
        }
    }
    match format {
        ReplayFormat::Shiviz => print!("{}", reports::shiviz::export(&report)),
        ReplayFormat::Json => {
            let doc = serde_json::json!({
                "scenario": scenario.name,
                "file": scenario.file.display().to_string(),
                "seed": report.seed,
                "trace_hash": format!("{:016x}", report.trace_hash),
                "outcome": report.outcome,
                "violations": report.violations,
                "stats": report.stats,
                "plan": report.plan,
                "events": report.trace.as_deref().unwrap_or(&[]),
            });
            match serde_json::to_string_pretty(&doc) {
                Ok(text) => println!("{text}"),
                Err(e) => {
                    eprintln!("error: cannot write JSON: {e}");
                    return ExitCode::from(2);
                }
            }
        }
        ReplayFormat::Text => {
            println!("scenario {} ({})", scenario.name, scenario.file.display());
            if !scenario.description.is_empty() {
                println!("{}", scenario.description);
            }
            print!(
                "{}",
                reports::timeline::render(&report, color_wanted(std::io::stdout().is_terminal()))
            );
            println!("replay: {}", sweep::replay_command(&scenario, seed));
        }
    }
    if report.outcome.is_ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn cmd_check(files: &[PathBuf]) -> ExitCode {
    match load_all(files) {
        Ok(scenarios) => {
            for s in &scenarios {
                println!(
                    "ok: {} ({}, {} on {} nodes, {} seeds)",
                    s.file.display(),
                    s.name,
                    s.protocol.info().name,
                    s.base.n,
                    s.seed_count
                );
            }
            ExitCode::SUCCESS
        }
        Err(code) => code,
    }
}

fn cmd_list() -> ExitCode {
    for p in protocols::all() {
        let info = p.info();
        println!("{}\n  {}", info.name, info.summary);
        if !info.params.is_empty() {
            println!("  parameters:");
            for param in &info.params {
                println!(
                    "    {} = {}  ({}; {})",
                    param.name,
                    param.default,
                    param.help,
                    param.expected()
                );
            }
        }
        println!("  properties (default: every always/eventually one; list sometimes ones under `sometimes`):");
        for inv in &info.invariants {
            println!(
                "    {:<24} {:<10} {}",
                inv.name,
                inv.kind.to_string(),
                inv.help
            );
        }
        if !info.adversaries.is_empty() {
            println!("  adversaries: {}", info.adversaries.join(", "));
        }
        if info.needs_detector {
            println!("  needs a failure detector (default: perfect, 2ms detection delay)");
        }
        println!();
    }
    ExitCode::SUCCESS
}

fn main() -> ExitCode {
    // Protocol panics are run outcomes, reported in the summary; keep them off stderr.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !sim_core::in_simulation() {
            default_hook(info);
        }
    }));
    let cli = Cli::parse();
    match cli.command {
        Command::Run {
            files,
            seeds,
            seed,
            jobs,
            format,
            report,
        } => cmd_run(RunArgs {
            files: &files,
            seeds,
            seed,
            jobs,
            format,
            report: report.as_deref(),
        }),
        Command::Replay {
            file,
            seed,
            format,
            html,
        } => cmd_replay(&file, seed, format, html.as_deref()),
        Command::Check { files } => cmd_check(&files),
        Command::List => cmd_list(),
    }
}
