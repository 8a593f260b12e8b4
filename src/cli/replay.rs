//! `ftsim replay`: one seed of a scenario again, or the run of a repro file, with full tracing,
//! as a timeline, JSON, a ShiViz log and, on request, an HTML space-time diagram. The run is
//! streamed (`trace_sinks.rs`): its timeline or JSON is printed as the engine produces it and its
//! diagram keeps a bounded window, so memory does not grow with the run. A repro's run (from
//! `run --shrink`, as long as the run it failed in) is replayed from its recorded decisions;
//! if its trace hash is not the recorded one, stderr says so and why it may differ.

use std::io::IsTerminal;
use std::path::Path;

use ftsim_api::repro::{Replayed, Repro};
use ftsim_api::{RunOptions, RunReport, Simulation, Time};

use super::error::{CliError, Status};
use super::files;
use super::output::{color_wanted, out, outln, wrapped};
use super::scenarios::load::{load_chosen, Chosen};
use super::trace_sinks::{diagram_window, shared, take_back, Chunked, Collected, JsonEvents, Tee};
use super::{App, ReplayFormat};
use ftsim_api::sim_core::TraceSink;

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
        /// Its grid point or `classify` variant, if it names one.
        chosen: Chosen<'a>,
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
    /// Each node's name in the protocol's text, for the diagram's lanes.
    labels: Vec<Option<String>>,
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
        files::check_output(path)?;
    }
    check_window(&filter)?;
    let output = Output {
        format,
        html,
        filter,
    };
    match target {
        Target::Seed {
            file,
            seed,
            chosen,
            swarm,
        } => {
            let (mut shown, simulation) = prepare_seed(app, file, seed, chosen, swarm, budget)?;
            check_nodes(&output.filter, &shown)?;
            let simulation = simulation.as_ref();
            stream(
                &mut shown,
                output,
                || simulation.run(seed, RunOptions::default()).stats.events,
                |sink, _| simulation.run_streamed(seed, RunOptions::default(), sink),
            )
        }
        Target::Repro(_) if !budget.is_empty() => Err(CliError::Usage(
            "the --max-* flags apply to a scenario's seed; a repro replays as recorded".into(),
        )),
        Target::Repro(path) => replay_repro(app, path, output),
    }
}

/// What the replay prints and writes.
struct Output<'a> {
    format: ReplayFormat,
    html: Option<&'a Path>,
    filter: reports::timeline::Filter,
}

/// Writes the space-time diagram and says where (on stderr: stdout may be the JSON document).
fn write_diagram(path: &Path, html: &str) -> Result<(), CliError> {
    files::write_output(path, html.as_bytes())?;
    eprintln!("wrote the diagram: {}", path.display());
    Ok(())
}

fn status(report: &RunReport) -> Status {
    if report.outcome.is_ok() {
        Status::Met
    } else {
        Status::NotMet
    }
}

/// `--node N` must name a node of the run.
fn check_nodes(filter: &reports::timeline::Filter, shown: &Shown) -> Result<(), CliError> {
    match filter.nodes.iter().find(|&&n| n >= shown.nodes) {
        Some(&n) => Err(CliError::Usage(format!(
            "--node {n}: {} has nodes 0 to {}",
            shown.file,
            shown.nodes - 1
        ))),
        None => Ok(()),
    }
}

/// `--from` and `--to` must leave a window, and `--last` at least one entry: a filter that
/// can show nothing is a mistake, not an empty timeline.
fn check_window(filter: &reports::timeline::Filter) -> Result<(), CliError> {
    if let (Some(from), Some(to)) = (filter.from, filter.to) {
        if from > to {
            return Err(CliError::Usage(format!(
                "--from {} is after --to {}: no entry is in between",
                from - Time::ZERO,
                to - Time::ZERO
            )));
        }
    }
    if filter.last == Some(0) {
        return Err(CliError::Usage(
            "--last 0: expected at least 1 entry".into(),
        ));
    }
    Ok(())
}

fn meta(shown: &Shown) -> reports::html::Meta<'_> {
    reports::html::Meta {
        scenario: &shown.name,
        description: &shown.description,
        file: &shown.file,
        protocol: &shown.protocol,
        nodes: shown.nodes,
        labels: &shown.labels,
        replay: &shown.replay,
    }
}

/// Runs `run` with its trace streamed to the output asked for (and to the diagram's window,
/// sized by `events`, the run's length), then prints what comes after the entries (`run`
/// may add to `shown` what it learnt).
fn stream(
    shown: &mut Shown,
    output: Output<'_>,
    events: impl FnOnce() -> u64,
    run: impl FnOnce(Box<dyn TraceSink>, &mut Shown) -> RunReport,
) -> Result<Status, CliError> {
    let Output {
        format,
        html,
        filter,
    } = output;
    let mut sinks = Vec::new();
    let window = html.map(|_| {
        let (window, sink) = diagram_window(events());
        sinks.push(sink);
        window
    });
    let mut timeline = None;
    let mut json = None;
    let mut collected = None;
    match format {
        ReplayFormat::Text => {
            print_title(shown);
            let options = reports::timeline::Options {
                color: color_wanted(std::io::stdout().is_terminal()),
                filter,
            };
            let mut chunks = Chunked::default();
            let write: reports::timeline::Output = Box::new(move |text: &str| chunks.push(text));
            let (rc, sink) = shared(reports::timeline::Streamer::new(options, write));
            timeline = Some(rc);
            sinks.push(sink);
        }
        ReplayFormat::Json => {
            let (rc, sink) = shared(JsonEvents::default());
            json = Some(rc);
            sinks.push(sink);
        }
        ReplayFormat::Shiviz => {
            let (rc, sink) = shared(Collected::default());
            collected = Some(rc);
            sinks.push(sink);
        }
    }
    let mut report = run(Box::new(Tee(sinks)), shown);
    if let (Some(path), Some(window)) = (html, window.and_then(take_back)) {
        write_diagram(path, &window.render(report.clone(), &meta(shown)))?;
    }
    if let Some(mut timeline) = timeline.and_then(take_back) {
        timeline.finish(&report);
        drop(timeline);
        if let Some(verdict) = &shown.verdict {
            outln(verdict);
        }
        outln(&format!("replay: {}", shown.replay));
    }
    if let Some(json) = json.and_then(take_back) {
        json.finish(&json_fields(shown, &report));
    }
    if let Some(collected) = collected.and_then(take_back) {
        report.trace = Some(collected.events);
        out(&shiviz(&report, shown.nodes));
    }
    Ok(status(&report))
}

fn print_title(shown: &Shown) {
    out(&wrapped("", &shown.title));
    if !shown.description.is_empty() {
        outln(&reports::columns::wrap("", &shown.description, 0));
    }
}

/// The ShiViz log. Above the vector clocks' node limit the trace has none, and the log's
/// clocks are empty: stderr says so rather than leave a log ShiViz cannot order.
fn shiviz(report: &RunReport, nodes: usize) -> String {
    let limit = ftsim_api::sim_core::engine::MAX_CLOCK_NODES;
    if nodes > limit {
        eprint!(
            "{}",
            wrapped(
                "warning: ",
                &format!(
                    "{nodes} nodes: traces of groups above {limit} nodes carry no vector                      clocks, so this ShiViz log's clocks are empty (ShiViz cannot order it)"
                )
            )
        );
    }
    reports::shiviz::export(report)
}

/// The replay's JSON document without its `events`.
fn json_fields(shown: &Shown, report: &RunReport) -> serde_json::Value {
    let mut doc = serde_json::json!({
        "scenario": shown.name,
        "file": shown.file,
        "seed": report.seed,
        "trace_hash": format!("{:016x}", report.trace_hash),
        "outcome": report.outcome,
        "violations": report.violations,
        "stats": report.stats,
        "plan": report.plan,
    });
    if let (Some(extra), Some(map)) = (&shown.extra, doc.as_object_mut()) {
        map.insert("repro".into(), extra.clone());
    }
    doc
}

/// Loads a scenario's seed to replay (a grid point, swarm mode, budget flags applied).
fn prepare_seed(
    app: &App,
    file: &Path,
    seed: u64,
    chosen: Chosen<'_>,
    swarm: bool,
    budget: super::budget::BudgetFlags,
) -> Result<(Shown, std::sync::Arc<dyn Simulation>), CliError> {
    let mut scenarios = vec![load_chosen(app, file, chosen)?];
    budget.apply(&mut scenarios)?;
    let mut scenario = scenarios.remove(0);
    if swarm {
        scenario.simulation = scenario.simulation.swarmed();
    }
    let shown = Shown {
        title: format!("scenario {} ({})", scenario.name, scenario.file.display()),
        description: scenario.description.clone(),
        name: scenario.name.clone(),
        file: scenario.file.display().to_string(),
        protocol: scenario.simulation.protocol().to_string(),
        nodes: scenario.simulation.spec().nodes,
        labels: scenario.simulation.node_labels(),
        replay: chosen.replay_command(&app.program, &scenario.file, seed, swarm),
        verdict: None,
        extra: None,
    };
    Ok((shown, scenario.simulation))
}

/// Replays a repro file from its recorded decisions, streamed; warns on stderr when the run
/// is not the recorded one.
fn replay_repro(app: &App, path: &Path, output: Output<'_>) -> Result<Status, CliError> {
    let repro = Repro::load(path)?;
    let simulation = repro.simulation(path, &app.catalog)?;
    let mut shown = Shown {
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
        labels: simulation.node_labels(),
        replay: format!(
            "{} replay --repro {}",
            app.program,
            ftsim_api::sweep::shell_word(path)
        ),
        verdict: None,
        extra: None,
    };
    check_nodes(&output.filter, &shown)?;
    let simulation = simulation.as_ref();
    stream(
        &mut shown,
        output,
        || repro.replay(simulation, false).report.stats.events,
        |sink, shown| {
            let replayed = repro.replay_streamed(simulation, sink);
            let explanation = replayed.explanation(&repro);
            for line in &explanation {
                eprint!("{}", super::output::ewrapped("warning: ", line));
            }
            shown.verdict = Some(if replayed.is_recorded_run() {
                format!(
                    "the repro's run: trace hash {} as recorded",
                    repro.trace_hash
                )
            } else {
                "NOT the repro's run: see the warnings on stderr".to_string()
            });
            shown.extra = Some(repro_fields(&repro, &replayed, &explanation));
            replayed.report
        },
    )
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
