//! What a shrink prints: what it spent, a fault plan a line per fault (`explore --strategy
//! decisions` prints its runs' plans so too), and that a repro left its trace out.

use ftsim_api::sim_core::{thousands, FaultPlan};
use ftsim_runner::repro::Repro;
use ftsim_runner::shrink::Shrunk;

use crate::cli::output::{out, outln, wrapped};

/// What a shrink spent: "12 runs of 3,456 events", and ", the whole budget" if it ran out.
pub fn spent(shrunk: &Shrunk) -> String {
    let budget = if shrunk.exhausted {
        ", the whole budget"
    } else {
        ""
    };
    format!(
        "{} runs of {} events{budget}",
        shrunk.runs,
        thousands(shrunk.events)
    )
}

/// Says that a repro leaves its run's trace out, if it does.
pub fn print_trace_left_out(repro: &Repro) {
    if repro.trace_left_out {
        let line = format!(
            "the trace is left out of the repro file: its {} events and {} messages would \
             take more than {} MiB; its decisions and trace hash replay the run exactly",
            thousands(repro.stats.events),
            thousands(repro.stats.messages_sent),
            ftsim_runner::shrink::TRACE_BYTES_MAX >> 20
        );
        out(&wrapped("note: ", &line));
    }
}

pub fn print_plan(shrunk: &Shrunk) {
    print_plan_of(&shrunk.shrunk.plan, "");
}

/// A run's fault plan, a line per fault, under `indent`.
pub fn print_plan_of(plan: &FaultPlan, indent: &str) {
    let untimed = reports::timeline::untimed_faults(plan);
    if plan.events.is_empty() && plan.byzantine.is_empty() && untimed.is_empty() {
        outln(&format!("{indent}fault plan: none"));
        return;
    }
    outln(&format!("{indent}fault plan:"));
    for node in &plan.byzantine {
        outln(&format!("{indent}  {:>12}  byzantine n{node}", "always"));
    }
    for e in &plan.events {
        let at = format!("{indent}  {:>12}  ", e.at.to_string());
        let fault = reports::timeline::describe_fault(&e.kind);
        outln(&reports::columns::wrap(
            &at,
            &fault,
            reports::columns::width(&at),
        ));
    }
    for line in untimed {
        outln(&reports::columns::wrap(&format!("{indent}  "), &line, 4));
    }
}
