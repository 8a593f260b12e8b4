//! `ftsim shrink --repro FILE`: the run of a repro file, shrunk further. A seeded repro's run
//! is shrunk from its recorded decisions and plan as a seed's is. A counterexample of
//! `ftsim explore` (a scripted schedule) is already a shortest path, found breadth-first, and
//! shrinking edits drawn decisions and fault plans, not a schedule: that is said, and its run
//! checked to still fail as recorded.

use std::path::{Path, PathBuf};

use ftsim_runner::repro::{Origin, Repro};
use ftsim_runner::shrink::{shrink_case, Case, ShrinkBudget};
use ftsim_runner::RunOptions;

use crate::cli::app::App;
use crate::cli::error::{CliError, Status};
use crate::cli::files;
use crate::cli::output::{out, outln, wrapped};

use super::print::{print_plan, print_trace_left_out, spent};
use super::seed::write_repro;

/// `ftsim shrink --repro FILE`: the repro's run shrunk within `budget`, written to `output`
/// (default: beside it, `NAME.shrunk.repro.json`).
pub fn shrink_repro(
    app: &App,
    path: &Path,
    output: Option<&Path>,
    budget: ShrinkBudget,
) -> Result<Status, CliError> {
    let repro = Repro::load(path)?;
    let simulation = repro.simulation(path, &app.catalog)?;
    let options = RunOptions {
        trace: false,
        plan: Some(&repro.plan),
        choices: Some(&repro.choices),
        script: repro.script.as_ref(),
    };
    let recorded = simulation.run_recorded(repro.seed, options);
    if !repro.failure.shown_by(&recorded.report) {
        return Err(CliError::Usage(format!(
            "{}: its run no longer fails as recorded ({}): see `{} diff {}`",
            path.display(),
            repro.failure.describe(),
            app.program,
            path.display()
        )));
    }
    if let Some(script) = &repro.script {
        let headline = format!(
            "{}: {}; a counterexample of `explore`: a shortest path ({} scripted steps, \
             found breadth-first), which shrink cannot shrink further (it edits drawn \
             decisions and fault plans, not a schedule); nothing written",
            path.display(),
            repro.failure.describe(),
            script.cues.len() + repro.plan.events.len()
        );
        out(&wrapped("", &headline));
        return Ok(Status::Met);
    }
    let case = Case {
        simulation,
        plan: repro.plan.clone(),
        choices: recorded.choices,
        report: recorded.report,
    };
    let target = output.map_or_else(|| shrunk_name(path), Path::to_path_buf);
    files::check_output(&target)?;
    let shrunk = shrink_case(case, repro.failure.clone(), repro.seed, budget);
    let file = PathBuf::from(&repro.scenario.file);
    let origin = Origin {
        name: &repro.scenario.name,
        description: &repro.scenario.description,
        file: &file,
    };
    let mut again = Repro::of_shrunk(&origin, &shrunk);
    again.shrunk_from = repro.shrunk_from.or(again.shrunk_from);
    write_repro(&target, &again)?;
    let headline = format!(
        "{}: {}; shrunk in {}",
        path.display(),
        shrunk.failure.describe(),
        spent(&shrunk)
    );
    out(&wrapped("", &headline));
    let (before, after) = (shrunk.original.size(), shrunk.shrunk.size());
    out(&reports::shrink::table(&before, &after));
    print_plan(&shrunk);
    print_trace_left_out(&again);
    outln(&format!("wrote {}", target.display()));
    Ok(Status::Met)
}

/// `NAME.repro.json` → `NAME.shrunk.repro.json`, next to it.
fn shrunk_name(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map_or("repro".into(), |n| n.to_string_lossy());
    let stem = name.strip_suffix(".repro.json").unwrap_or(&name);
    path.with_file_name(format!("{stem}.shrunk.repro.json"))
}
