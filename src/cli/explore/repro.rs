//! `ftsim explore`'s counterexample as a repro file: the path run as an ordinary traced run
//! (each step at its own virtual time, see `ftsim_runner::explore::Timed`), checked to break the
//! same property at the last step's time, and written where `replay`, `replay --html`, `diff`
//! and `shrink --repro` take it.

use std::path::{Path, PathBuf};

use ftsim_api::sim_core::{Outcome, Violation};
use ftsim_runner::explore::{Counterexample, Timed};
use ftsim_runner::repro::{Origin, Repro};
use ftsim_runner::shrink::{Case, Failure};
use ftsim_runner::simulation::Recorded;
use ftsim_runner::{RunOptions, Scenario};

use crate::cli::app::App;
use crate::cli::error::CliError;
use crate::cli::files;
use crate::cli::output::{out, outln, wrapped};

/// The default file name of a scenario's explored counterexample (in the working directory).
pub fn default_path(scenario: &Scenario) -> PathBuf {
    let stem = reports::html::file_stem(&scenario.name);
    PathBuf::from(format!("{stem}-explore.repro.json"))
}

/// A counterexample's path run as an ordinary traced run.
pub struct AsRun {
    recorded: Recorded,
    /// The run's violation of the counterexample's property (at the path's last step for a
    /// safety property), if it broke it.
    same: Option<Violation>,
}

impl AsRun {
    /// Runs the counterexample's path as a traced run (each step at its own virtual time).
    pub fn of(scenario: &Scenario, cx: &Counterexample) -> Self {
        let timed = &cx.run;
        let options = RunOptions {
            trace: true,
            plan: Some(&timed.plan),
            // The draws the path took; none: each answered with its first outcome.
            choices: (!timed.choices.is_empty()).then_some(&timed.choices[..]),
            script: Some(&timed.script),
        };
        let recorded = scenario
            .simulation
            .run_recorded(scenario.seeds.start, options);
        let last_ns = timed.at_ns.last().copied().unwrap_or(0);
        // A safety violation breaks at the last step; a liveness one is judged at the run's
        // end, after the stem and one turn of its loop.
        let same = (recorded.report.violations.iter())
            .find(|v| v.property == cx.property && (cx.liveness || v.time.0 == last_ns))
            .cloned();
        AsRun { recorded, same }
    }

    /// What the violation says, in the run's own events and times where the run broke the
    /// property (a search has neither: its steps are untimed and number no events).
    pub fn message<'a>(&'a self, cx: &'a Counterexample) -> &'a str {
        self.same.as_ref().map_or(&cx.message, |v| &v.message)
    }
}

/// Writes the run's repro to `path`, saying where; a run that does not break the property
/// at the path's last step is warned about (and written only if it fails some other way).
pub fn write_counterexample(
    app: &App,
    scenario: &Scenario,
    cx: &Counterexample,
    as_run: AsRun,
    path: &Path,
) -> Result<(), CliError> {
    let warn = &mut |warning: String| out(&wrapped("  warning: ", &warning));
    let Some((repro, breaks)) = repro_of(scenario, cx, as_run, warn) else {
        return Ok(());
    };
    files::write_output(path, repro.to_json().as_bytes())?;
    out(&wrapped(
        "  ",
        &format!(
            "as a run ({}): {breaks}; wrote {}",
            spacing(&cx.run),
            path.display()
        ),
    ));
    outln(&format!(
        "  replay: {} replay --repro {}",
        app.program,
        ftsim_runner::sweep::shell_word(path)
    ));
    Ok(())
}

/// The repro of a counterexample's path run as `as_run`, and how that run breaks, in words;
/// `None` if the run passes. A run that does not break the counterexample's property at its
/// last step is told to `warn`.
pub fn repro_of(
    scenario: &Scenario,
    cx: &Counterexample,
    as_run: AsRun,
    warn: &mut dyn FnMut(String),
) -> Option<(Repro, String)> {
    let failure = failure_of(cx, &as_run, warn)?;
    let breaks = match &as_run.same {
        Some(v) => format!("{} breaks at {} (event #{})", v.property, v.time, v.event),
        None => failure.describe(),
    };
    let case = Case {
        simulation: scenario.simulation.clone(),
        plan: cx.run.plan.clone(),
        choices: as_run.recorded.choices,
        report: as_run.recorded.report,
    };
    let origin = Origin {
        name: &scenario.name,
        description: &scenario.description,
        file: &scenario.file,
    };
    let repro = Repro::of_explored(&origin, &case, &failure, cx.run.script.clone());
    Some((repro, breaks))
}

/// How the path run fails: as the counterexample does, else (said in a warning) some other
/// way, or not at all.
fn failure_of(
    cx: &Counterexample,
    as_run: &AsRun,
    warn: &mut dyn FnMut(String),
) -> Option<Failure> {
    let report = &as_run.recorded.report;
    match (&as_run.same, &report.outcome) {
        (Some(v), _) => Some(Failure::Violated {
            property: cx.property.clone(),
            outside: v.outside_assumptions.is_some(),
        }),
        // The search's panic, where the run's handler panicked too.
        (None, Outcome::Panicked { message, .. }) if cx.panicked => Some(Failure::Panicked {
            message: message.clone(),
        }),
        (None, _) => {
            let shown: Vec<String> = (report.violations.iter())
                .map(|v| format!("{} at {} (event #{})", v.property, v.time, v.event))
                .collect();
            warn(format!(
                "the path run with {} does not break {} at its last step ({}); a process may \
                 read its clock, which a search does not model",
                spacing(&cx.run),
                cx.property,
                if shown.is_empty() {
                    "it passes".to_string()
                } else {
                    shown.join(", ")
                }
            ));
            Failure::of(report, None, None)
        }
    }
}

/// How a timed path's steps are spaced, in words.
fn spacing(timed: &Timed) -> String {
    match timed.within_bound {
        Some(true) => "its steps at the times above, within the bound on delays".to_string(),
        Some(false) => format!(
            "step k at k × {}: NOT at times within the bound on delays, which this path \
             does not have within the fault phase",
            sim_core_duration(timed.step_ns)
        ),
        None => format!("step k at k × {}", sim_core_duration(timed.step_ns)),
    }
}

fn sim_core_duration(ns: u64) -> String {
    ftsim_api::Duration(ns).to_string()
}
