//! `ftsim diff`: where two runs part. Given two repro files, it compares their recorded
//! traces; given one, it compares the recorded trace with the run this build makes from the
//! same scenario, plan and decisions (what changed after editing a protocol). A repro that
//! left its trace out (a run whose trace was too heavy to keep) is compared by its trace hash
//! only. Exits 0 if the runs are the same, 1 if they differ.

use std::path::Path;

use ftsim_api::repro::diff::first_difference;
use ftsim_api::repro::Repro;
use ftsim_api::{Outcome, RunReport};

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
    let mut protocols = (first.protocol.clone(), first.protocol.clone());
    let (b, names) = match args.second {
        Some(path) => {
            outln(&format!("first:  {} (as recorded)", args.first.display()));
            outln(&format!("second: {} (as recorded)", path.display()));
            let second = Repro::load(path)?;
            protocols.1 = second.protocol.clone();
            (second.report(), ("first", "second"))
        }
        None => {
            outln(&format!("recorded:   {}", args.first.display()));
            outln("this build: the same scenario, fault plan and decisions, run now");
            let simulation = first.simulation(args.first, &app.catalog)?;
            // A repro without its trace is compared by hash: the run's trace is not kept.
            let replayed = first.replay(simulation.as_ref(), !first.trace_left_out);
            for line in replayed.explanation(&first) {
                out(&wrapped("note: ", &line));
            }
            (replayed.report, ("recorded", "this build"))
        }
    };
    let (Some(trace_a), Some(trace_b)) = (a.trace.as_deref(), b.trace.as_deref()) else {
        return Ok(by_hash(&a, &b, names));
    };
    let Some(at) = first_difference(trace_a, trace_b) else {
        if let Some(why) = unlike_with_the_same_trace(&a, &b, &protocols) {
            out(&wrapped("", &format!("the traces are the same, but {why}")));
            return Ok(Status::NotMet);
        }
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

/// What tells two runs with the same trace apart, if anything: a file whose trace hash or
/// protocol does not go with its trace was edited, or written by another version.
fn unlike_with_the_same_trace(
    a: &RunReport,
    b: &RunReport,
    protocols: &(String, String),
) -> Option<String> {
    if protocols.0 != protocols.1 {
        return Some(format!(
            "they are runs of different protocols ({} and {})",
            protocols.0, protocols.1
        ));
    }
    (a.trace_hash != b.trace_hash).then(|| {
        format!(
            "their trace hashes differ ({:016x} and {:016x}): a file was edited, or \
             written by a version that hashes traces otherwise",
            a.trace_hash, b.trace_hash
        )
    })
}

/// Two runs compared by their trace hashes, one of them recorded without its trace.
fn by_hash(a: &RunReport, b: &RunReport, names: (&str, &str)) -> Status {
    let note = "a repro left its trace out (its run's trace was too heavy to keep): the runs are \
                compared by their trace hashes only";
    out(&wrapped("note: ", note));
    if a.trace_hash == b.trace_hash && a.stats.events == b.stats.events {
        outln(&format!(
            "the runs are the same: {} events, trace hash {:016x}",
            a.stats.events, a.trace_hash
        ));
        return Status::Met;
    }
    outln("the runs differ (where is not known without both traces):");
    for (name, report) in [(names.0, a), (names.1, b)] {
        out(&wrapped(&format!("{name}: "), &ending(report)));
    }
    Status::NotMet
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
