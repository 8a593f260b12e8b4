//! `ftsim replay`: one seed of a scenario again, or the run of a repro file, with full tracing,
//! as a timeline, JSON, a ShiViz log and, on request, an HTML space-time diagram. A repro is
//! replayed from its recorded decisions; if its trace hash is not the recorded one, stderr says
//! so and why it may differ.

use std::io::IsTerminal;
use std::path::Path;

use ftsim_api::repro::{Replayed, Repro};
use ftsim_api::sweep::replay_command;
use ftsim_api::{RunOptions, RunReport};

use super::error::{CliError, Status};
use super::files;
use super::load::load_one;
use super::output::{color_wanted, out, outln, wrapped};
use super::{App, ReplayFormat};

/// What `replay` was asked for besides what to replay.
pub struct ReplayArgs<'a> {
    pub format: ReplayFormat,
    pub html: Option<&'a Path>,
    /// Which entries the text timeline shows.
    pub filter: reports::timeline::Filter,
    /// Budgets that override the scenario's (not a repro's: it replays as recorded).
    pub budget: super::budget::BudgetFlags,
}

/// What to replay.
pub enum Target<'a> {
    /// One seed of a scenario file.
    Seed {
        file: &'a Path,
        seed: u64,
        /// The point of the file's `[sweep]` grid (1-based), if it has one.
        point: Option<usize>,
        /// The seed draws its own fault mix (`run --swarm`).
        swarm: bool,
    },
    /// The run of a repro file.
    Repro(&'a Path),
}

/// Where the replayed run comes from, for its headers and diagram.
struct Shown {
    /// "scenario NAME (FILE)" or "repro FILE: scenario NAME (FILE), seed S".
    title: String,
    description: String,
    name: String,
    /// The file to name in the diagram and JSON: the scenario's, or the repro's.
    file: String,
    protocol: String,
    nodes: usize,
    replay: String,
    /// For a repro: whether this is its recorded run, in a line.
    verdict: Option<String>,
    /// Fields a repro adds to the JSON output.
    extra: Option<serde_json::Value>,
}

pub fn cmd_replay(app: &App, target: Target<'_>, args: ReplayArgs<'_>) -> Result<Status, CliError> {
    let ReplayArgs {
        format,
        html,
        filter,
        budget,
    } = args;
    if let Some(path) = html {
        // Before the run: a destination that cannot be written costs nothing computed.
        files::check_file(path)?;
    }
    let (shown, report) = match target {
        Target::Seed {
            file,
            seed,
            point,
            swarm,
        } => replay_seed(app, file, seed, point, swarm, budget)?,
        Target::Repro(_) if !budget.is_empty() => {
            return Err(CliError::Usage(
                "the --max-* flags apply to a scenario's seed; a repro replays as recorded".into(),
            ))
        }
        Target::Repro(path) => replay_repro(app, path)?,
    };
    if let Some(&n) = filter.nodes.iter().find(|&&n| n >= shown.nodes) {
        return Err(CliError::Usage(format!(
            "--node {n}: {} has nodes 0 to {}",
            shown.file,
            shown.nodes - 1
        )));
    }
    if let Some(path) = html {
        let meta = reports::html::Meta {
            scenario: &shown.name,
            description: &shown.description,
            file: &shown.file,
            protocol: &shown.protocol,
            nodes: shown.nodes,
            replay: &shown.replay,
        };
        files::write_atomic(path, reports::html::render(&report, &meta).as_bytes())?;
    }
    render(&shown, &report, format, filter);
    Ok(if report.outcome.is_ok() {
        Status::Met
    } else {
        Status::NotMet
    })
}

fn replay_seed(
    app: &App,
    file: &Path,
    seed: u64,
    point: Option<usize>,
    swarm: bool,
    budget: super::budget::BudgetFlags,
) -> Result<(Shown, RunReport), CliError> {
    let mut scenarios = vec![load_one(app, file, point)?];
    budget.apply(&mut scenarios)?;
    let mut scenario = scenarios.remove(0);
    if swarm {
        scenario.simulation = scenario.simulation.swarmed();
    }
    let report = scenario.simulation.run(seed, RunOptions::traced());
    let shown = Shown {
        title: format!("scenario {} ({})", scenario.name, scenario.file.display()),
        description: scenario.description.clone(),
        name: scenario.name.clone(),
        file: scenario.file.display().to_string(),
        protocol: scenario.simulation.protocol().to_string(),
        nodes: scenario.simulation.spec().nodes,
        replay: replay_command(&app.program, &scenario.file, seed),
        verdict: None,
        extra: None,
    };
    Ok((shown, report))
}

/// Replays a repro file; warns on stderr when the run is not the recorded one.
fn replay_repro(app: &App, path: &Path) -> Result<(Shown, RunReport), CliError> {
    let repro = Repro::load(path)?;
    let simulation = repro.simulation(path, &app.catalog)?;
    let replayed = repro.replay(simulation.as_ref(), true);
    let explanation = replayed.explanation(&repro);
    for line in &explanation {
        eprint!("{}", wrapped("warning: ", line));
    }
    let shown = Shown {
        title: format!(
            "repro {}: scenario {} ({}), seed {}",
            path.display(),
            repro.scenario.name,
            repro.scenario.file,
            repro.seed
        ),
        description: repro.scenario.description.clone(),
        name: repro.scenario.name.clone(),
        file: path.display().to_string(),
        protocol: repro.protocol.clone(),
        nodes: simulation.spec().nodes,
        replay: format!("{} replay --repro {}", app.program, path.display()),
        verdict: Some(if replayed.is_recorded_run() {
            format!(
                "the repro's run: trace hash {} as recorded",
                repro.trace_hash
            )
        } else {
            "NOT the repro's run: see the warnings on stderr".to_string()
        }),
        extra: Some(repro_fields(&repro, &replayed, &explanation)),
    };
    Ok((shown, replayed.report))
}

fn repro_fields(repro: &Repro, replayed: &Replayed, explanation: &[String]) -> serde_json::Value {
    serde_json::json!({
        "recorded_trace_hash": repro.trace_hash,
        "is_recorded_run": replayed.is_recorded_run(),
        "fails_as_recorded": replayed.fails_alike,
        "failure": repro.failure,
        "explanation": explanation,
    })
}

fn render(
    shown: &Shown,
    report: &RunReport,
    format: ReplayFormat,
    filter: reports::timeline::Filter,
) {
    match format {
        ReplayFormat::Shiviz => out(&reports::shiviz::export(report)),
        ReplayFormat::Json => {
            let mut doc = serde_json::json!({
                "scenario": shown.name,
                "file": shown.file,
                "seed": report.seed,
                "trace_hash": format!("{:016x}", report.trace_hash),
                "outcome": report.outcome,
                "violations": report.violations,
                "stats": report.stats,
                "plan": report.plan,
                "events": report.trace.as_deref().unwrap_or(&[]),
            });
            if let (Some(extra), Some(map)) = (&shown.extra, doc.as_object_mut()) {
                map.insert("repro".into(), extra.clone());
            }
            outln(&serde_json::to_string_pretty(&doc).unwrap_or_default());
        }
        ReplayFormat::Text => {
            outln(&shown.title);
            if !shown.description.is_empty() {
                outln(&reports::timeline::wrap("", &shown.description, 0));
            }
            let options = reports::timeline::Options {
                color: color_wanted(std::io::stdout().is_terminal()),
                filter,
            };
            out(&reports::timeline::render(report, &options));
            if let Some(verdict) = &shown.verdict {
                outln(verdict);
            }
            outln(&format!("replay: {}", shown.replay));
        }
    }
}
