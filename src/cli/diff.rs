//! `ftsim diff`: where two runs part. Given two repro files, it compares their recorded
//! traces; given one, it compares the recorded trace with the run this build makes from the
//! same scenario, plan and decisions (what changed after editing a protocol). Exits 0 if the
//! runs are the same, 1 if they differ.

use std::path::Path;

use ftsim_api::repro::diff::first_difference;
use ftsim_api::repro::Repro;
use ftsim_api::{Outcome, RunReport, TraceEvent};

use super::error::{CliError, Status};
use super::output::{out, outln, wrapped};
use super::App;

/// What `ftsim diff` was asked to compare.
pub struct DiffArgs<'a> {
    pub first: &'a Path,
    /// `None`: the first repro against this build.
    pub second: Option<&'a Path>,
    /// Trace entries shown on each side of the difference.
    pub context: usize,
}

pub fn cmd_diff(app: &App, args: DiffArgs<'_>) -> Result<Status, CliError> {
    let first = Repro::load(args.first)?;
    let a = first.report();
    let (b, names) = match args.second {
        Some(path) => {
            outln(&format!("first:  {} (as recorded)", args.first.display()));
            outln(&format!("second: {} (as recorded)", path.display()));
            (Repro::load(path)?.report(), ("first", "second"))
        }
        None => {
            outln(&format!("recorded:   {}", args.first.display()));
            outln("this build: the same scenario, fault plan and decisions, run now");
            let simulation = first.simulation(args.first, &app.catalog)?;
            let replayed = first.replay(simulation.as_ref(), true);
            for line in replayed.explanation(&first) {
                out(&wrapped("note: ", &line));
            }
            (replayed.report, ("recorded", "this build"))
        }
    };
    let (trace_a, trace_b) = (traced(&a), traced(&b));
    let Some(at) = first_difference(trace_a, trace_b) else {
        outln(&format!(
            "the runs are the same: {} trace entries, trace hash {:016x}",
            trace_a.len(),
            a.trace_hash
        ));
        return Ok(Status::Met);
    };
    out(&reports::diff::render(
        trace_a,
        trace_b,
        at,
        names,
        args.context,
    ));
    for (name, report) in [(names.0, &a), (names.1, &b)] {
        out(&wrapped(&format!("{name}: "), &ending(report)));
    }
    Ok(Status::NotMet)
}

fn traced(report: &RunReport) -> &[TraceEvent] {
    report.trace.as_deref().unwrap_or(&[])
}

/// How a run ended, in a line: its outcome, its size and hash.
fn ending(report: &RunReport) -> String {
    let outcome = match &report.outcome {
        Outcome::Ok => "passes".to_string(),
        Outcome::Violated => {
            let names: Vec<String> = report
                .violations
                .iter()
                .map(|v| match v.outside_assumptions {
                    Some(_) => format!("{} (outside the protocol's assumptions)", v.property),
                    None => v.property.clone(),
                })
                .collect();
            format!("violates {}", names.join(", "))
        }
        Outcome::Panicked { .. } => "panics".to_string(),
        Outcome::BudgetExceeded { budget, limit } => {
            format!("exceeds its budget of {}", budget.describe(*limit))
        }
    };
    format!(
        "{outcome}; {} events, trace hash {:016x}",
        report.stats.events, report.trace_hash
    )
}
