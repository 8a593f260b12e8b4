//! `ftsim replay`: one seed of a scenario again, or the run of a repro file, with full tracing,
//! as a timeline, JSON, a ShiViz log and, on request, an HTML space-time diagram. The run is
//! streamed (`show.rs`): its timeline or JSON is printed as the engine produces it and its
//! diagram keeps a bounded window, so memory does not grow with the run. `--history` writes
//! the clients' history the run's linearizability check kept (`client_history.rs`). A
//! repro's run (from `run --shrink`, as long as the run it failed in) is replayed from its
//! recorded decisions; if its trace hash is not the recorded one, stderr says so and why it
//! may differ.

mod args;
mod client_history;
mod show;

pub use args::ReplayArgs;

use std::path::Path;

use ftsim_api::Time;
use ftsim_runner::repro::{Replayed, Repro};
use ftsim_runner::{RunOptions, Simulation};

use crate::cli::app::App;
use crate::cli::budget::BudgetFlags;
use crate::cli::error::{CliError, Status};
use crate::cli::files;
use crate::cli::output::ewrapped;
use crate::cli::scenarios::load::{load_chosen, Chosen};

use args::Target;
use show::{stream, Output, Shown};

/// `ftsim replay`: the flags checked, then the seed or the repro replayed.
pub fn main(args: ReplayArgs, app: &App) -> Result<Status, CliError> {
    let target = args.target()?;
    let output = Output {
        format: args.format,
        html: args.html.as_deref(),
        history: args.history.as_deref(),
        program: &app.program,
        filter: args.filter(),
    };
    // Before the run: a destination that cannot be written costs nothing computed.
    for path in output.html.iter().chain(&output.history) {
        files::check_output(path)?;
    }
    check_window(&output.filter)?;
    match target {
        Target::Seed {
            file,
            seed,
            chosen,
            swarm,
        } => {
            let (mut shown, simulation) =
                prepare_seed(app, file, seed, chosen, swarm, args.budget)?;
            check_nodes(&output.filter, &shown)?;
            let simulation = simulation.as_ref();
            stream(
                &mut shown,
                output,
                || simulation.run(seed, RunOptions::default()).stats.events,
                |sink, _| simulation.run_streamed(seed, RunOptions::default(), sink),
            )
        }
        Target::Repro(_) if !args.budget.is_empty() => Err(CliError::Usage(
            "the --max-* flags apply to a scenario's seed; a repro replays as recorded".into(),
        )),
        Target::Repro(path) => replay_repro(app, path, output),
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

/// Loads a scenario's seed to replay (a grid point, swarm mode, budget flags applied).
fn prepare_seed(
    app: &App,
    file: &Path,
    seed: u64,
    chosen: Chosen<'_>,
    swarm: bool,
    budget: BudgetFlags,
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
            ftsim_runner::sweep::shell_word(path)
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
                eprint!("{}", ewrapped("warning: ", line));
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
