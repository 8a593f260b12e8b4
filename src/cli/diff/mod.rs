//! `ftsim diff`: where two runs part. Given two repro files, it compares their recorded
//! traces; given one, it compares the recorded trace with the run this build makes from the
//! same scenario, plan and decisions (what changed after editing a protocol). A repro that
//! left its trace out (a run whose trace was too heavy to keep) is compared by its trace hash
//! only. The run this build makes is compared as it streams (`stream.rs`): its memory
//! does not grow with the new run. Exits 0 if the runs are the same, 1 if they differ.

mod args;
mod stream;

pub use args::DiffArgs;

use std::path::Path;
use std::rc::Rc;

use ftsim_api::sim_core::TraceEvent;
use ftsim_api::{Outcome, RunReport};
use ftsim_runner::repro::diff::first_difference;
use ftsim_runner::repro::Repro;

use crate::cli::app::App;
use crate::cli::error::{CliError, Status};
use crate::cli::output::{out, outln, wrapped};

use stream::Comparing;

/// `ftsim diff`: two recorded runs, or a recorded run and this build's, compared.
pub fn main(args: DiffArgs, app: &App) -> Result<Status, CliError> {
    let first = Repro::load(&args.first)?;
    match &args.second {
        Some(path) => two_repros(&first, path, &args),
        None => against_this_build(app, &first, &args),
    }
}

/// Two recorded runs: their traces, both in their files, compared.
fn two_repros(first: &Repro, path: &Path, args: &DiffArgs) -> Result<Status, CliError> {
    outln(&format!("first:  {} (as recorded)", args.first.display()));
    outln(&format!("second: {} (as recorded)", path.display()));
    let second = Repro::load(path)?;
    let protocols = (first.protocol.clone(), second.protocol.clone());
    let (a, b) = (first.report(), second.report());
    let names = ("first", "second");
    let (Some(trace_a), Some(trace_b)) = (a.trace.as_deref(), b.trace.as_deref()) else {
        return Ok(by_hash(&a, &b, names));
    };
    let parted = first_difference(trace_a, trace_b);
    let b_next = parted.map_or(&[][..], |at| trace_b.get(at..).unwrap_or(&[]));
    let parting = Parting {
        recorded: trace_a,
        parted,
        b_next,
        b_entries: trace_b.len(),
    };
    Ok(show(&parting, (&a, &b), &protocols, names, args.context))
}

/// A recorded run against the run this build makes of it: the new run is compared entry by
/// entry as it streams (`stream.rs`), never held whole.
fn against_this_build(app: &App, first: &Repro, args: &DiffArgs) -> Result<Status, CliError> {
    outln(&format!("recorded:   {}", args.first.display()));
    outln("this build: the same scenario, fault plan and decisions, run now");
    let simulation = first.simulation(&args.first, &app.catalog)?;
    let protocols = (first.protocol.clone(), first.protocol.clone());
    let names = ("recorded", "this build");
    let mut a = first.report();
    let recorded = match a.trace.take() {
        Some(trace) if !first.trace_left_out => Rc::new(trace),
        // A repro without its trace is compared by hash: the run's trace is not kept.
        _ => {
            let replayed = first.replay(simulation.as_ref(), false);
            notes(&replayed.explanation(first));
            return Ok(by_hash(&a, &replayed.report, names));
        }
    };
    let (sink, found) = Comparing::new(Rc::clone(&recorded), args.context);
    let replayed = first.replay_streamed(simulation.as_ref(), Box::new(sink));
    notes(&replayed.explanation(first));
    let found = found.borrow();
    let parting = Parting {
        recorded: &recorded,
        parted: found.parted(recorded.len()),
        b_next: &found.next,
        b_entries: found.entries,
    };
    Ok(show(
        &parting,
        (&a, &replayed.report),
        &protocols,
        names,
        args.context,
    ))
}

fn notes(lines: &[String]) {
    for line in lines {
        out(&wrapped("note: ", line));
    }
}

/// Where two traced runs part: the first run's trace, the entry where they part (none: the
/// same), the second run's entries from there on, and how many it has in all.
struct Parting<'a> {
    recorded: &'a [TraceEvent],
    parted: Option<usize>,
    b_next: &'a [TraceEvent],
    b_entries: usize,
}

/// Prints where the runs part (or that they are the same) and how each ended; the status.
fn show(
    parting: &Parting<'_>,
    (a, b): (&RunReport, &RunReport),
    protocols: &(String, String),
    names: (&str, &str),
    context: usize,
) -> Status {
    let Some(at) = parting.parted else {
        if let Some(why) = unlike_with_the_same_trace(a, b, protocols) {
            out(&wrapped("", &format!("the traces are the same, but {why}")));
            return Status::NotMet;
        }
        outln(&format!(
            "the runs are the same: {} trace entries, trace hash {:016x}",
            parting.b_entries, a.trace_hash
        ));
        return Status::Met;
    };
    let text = reports::diff::render(parting.recorded, parting.b_next, at, names, context);
    out(&text);
    for (name, report) in [(names.0, a), (names.1, b)] {
        out(&wrapped(&format!("{name}: "), &ending(report)));
    }
    Status::NotMet
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
