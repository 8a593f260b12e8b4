//! Where the debugger opens: the scenario's initial state, a path given (`--path`), a seed's
//! run (`--seed`, a sweep's failing seed), or a repro file's run (`--repro`: a shrunk run, or
//! an `explore` counterexample). A run is replayed traced and followed as a path of moves as
//! far as a search can follow it (`ftsim_explore`'s `path_of_run`); where it stops early,
//! stderr says why.

use std::path::{Path, PathBuf};

use ftsim_runner::explore::{Explorer, Move};
use ftsim_runner::repro::Repro;
use ftsim_runner::{error_at_key, scenario, RunOptions, Scenario};

use super::path;
use crate::cli::app::App;
use crate::cli::error::CliError;
use crate::cli::output::ewrapped;
use crate::cli::scenarios::load::load_all;

/// Where to open.
pub enum Start<'a> {
    /// A path of moves, as the page's address writes it.
    Path(&'a str),
    /// The run of a seed of the scenario.
    Seed(u64),
    /// The run a repro file holds.
    Repro(&'a Path),
}

/// The scenario, its search, and the path the page opens at.
pub struct Opened {
    pub scenario: Scenario,
    pub explorer: Box<dyn Explorer>,
    pub path: Vec<Move>,
}

/// Opens `file` (a scenario; `None` with a repro) at `start`.
pub fn open(app: &App, file: Option<&Path>, start: Start<'_>) -> Result<Opened, CliError> {
    let (scenario, repro) = match (&start, file) {
        (Start::Repro(repro), _) => {
            let (scenario, repro) = scenario_of_repro(app, repro)?;
            (scenario, Some(repro))
        }
        (_, Some(file)) => (load_all(app, &[file.to_path_buf()])?.remove(0), None),
        (_, None) => {
            return Err(CliError::Usage(
                "a scenario file or --repro is needed".into(),
            ))
        }
    };
    let explorer = scenario
        .simulation
        .explorer()
        .map_err(|e| CliError::Scenarios(vec![error_at_key(&scenario.file, &e.key, &e.message)]))?;
    let path = match start {
        Start::Path(text) => {
            let moves =
                path::parse(text).map_err(|why| CliError::Usage(format!("--path: {why}")))?;
            explorer
                .position(&moves)
                .map_err(|why| CliError::Usage(format!("--path: {why}")))?;
            moves
        }
        Start::Seed(seed) => {
            let options = RunOptions {
                trace: true,
                plan: None,
                choices: None,
                script: None,
            };
            let recorded = scenario.simulation.run_recorded(seed, options);
            let trace = recorded.report.trace.unwrap_or_default();
            followed(explorer.as_ref(), &trace, &format!("seed {seed}"))
        }
        Start::Repro(file) => {
            let repro = repro.expect("read with its scenario");
            let trace = repro
                .replay(scenario.simulation.as_ref(), true)
                .report
                .trace;
            let what = format!("the run of {}", file.display());
            followed(explorer.as_ref(), &trace.unwrap_or_default(), &what)
        }
    };
    Ok(Opened {
        scenario,
        explorer,
        path,
    })
}

/// A repro file's scenario, as this build reads its text.
fn scenario_of_repro(app: &App, file: &Path) -> Result<(Scenario, Repro), CliError> {
    let repro = Repro::load(file)?;
    repro.simulation(file, &app.catalog)?;
    let mut scenario = scenario::parse(file, &repro.scenario.text, &app.catalog)
        .map_err(|e| CliError::Scenarios(vec![e]))?;
    scenario.file = PathBuf::from(&repro.scenario.file);
    Ok((scenario, repro))
}

/// `trace` (the run `what` names) as a path, saying on stderr how far it was followed.
fn followed(
    explorer: &dyn Explorer,
    trace: &[ftsim_runner::ftsim_api::sim_core::TraceEvent],
    what: &str,
) -> Vec<Move> {
    let from_run = explorer.path_of_run(trace);
    let steps = from_run.path.len();
    let said = match &from_run.stopped {
        None => format!(
            "{what}: its {} events followed as {steps} moves",
            from_run.events_followed
        ),
        Some((event, why)) => format!(
            "{what}: followed as {steps} moves up to its event #{event}, where a search has \
             no move: {why}"
        ),
    };
    eprint!("{}", ewrapped("", &said));
    from_run.path
}
