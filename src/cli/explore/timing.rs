//! What `explore` says about a protocol whose model bounds message delays (see
//! `ftsim_runner::explore::Timing`): the bound, the violations set aside because no timing within
//! it allows them, and, for the violation reported, step times under which it happens.

use ftsim_runner::explore::{End, Report, Timed, Timing};

use crate::cli::output::{out, wrapped};

/// The timing lines, after the statistics (nothing for an asynchronous model).
pub fn print_timing(report: &Report) {
    let Some(timing) = &report.timing else {
        return;
    };
    out(&wrapped(
        "  ",
        &format!(
            "timing: the model delivers every message within {} ms ({}); the search keeps \
             time, taking only steps some timing within that bound allows (each violation \
             checked again for its step times)",
            ms(timing.bound.delay_max_ns),
            timing.bound.rule
        ),
    ));
    if timing.set_aside > 0 {
        let first = timing.first_set_aside.as_ref().map_or(String::new(), |cx| {
            format!(
                " (the first: {} after {} step{})",
                cx.property,
                cx.steps.len(),
                if cx.steps.len() == 1 { "" } else { "s" }
            )
        });
        out(&wrapped(
            "  ",
            &format!(
                "set aside: {} violation(s) that no timing within the bound allows, only \
                 asynchrony{first}",
                timing.set_aside
            ),
        ));
    }
    if let End::Violation(cx) = &report.end {
        print_schedule(&cx.run, timing);
    }
}

/// The step times under which the violation reported happens within the bound (its run's,
/// else those the check found, if the run could not use them).
fn print_schedule(run: &Timed, timing: &Timing) {
    let times = match (run.within_bound, &timing.schedule_ns) {
        (Some(true), _) => run.at_ns.clone(),
        (_, Some(times)) => times[1..].to_vec(),
        _ => return,
    };
    let steps: Vec<String> = (times.iter().enumerate())
        .map(|(k, &t)| format!("{}@{}", k + 1, ms(t)))
        .collect();
    out(&wrapped(
        "  ",
        &format!(
            "within the bound: the violation happens with its steps at (step@ms) {}",
            steps.join(" ")
        ),
    ));
}

/// Whether a search that found no violation may be called a pass: not if it set violations
/// aside (a state first reached by a path no timing allows may have one that is allowed).
pub fn conclusive(report: &Report) -> bool {
    report.timing.as_ref().is_none_or(|t| t.set_aside == 0)
}

/// " within the bound on delays" where violations were set aside, else nothing.
pub fn within_bound(report: &Report) -> &'static str {
    if conclusive(report) {
        ""
    } else {
        " within the bound on delays (the search set some aside, above)"
    }
}

/// The verdict of a complete search that set violations aside, in words.
pub fn inconclusive_complete(timing: &Timing) -> String {
    format!(
        "complete, but not a pass: every state visited; no violation within the bound \
         found, and {} only under asynchrony (not a verdict for the model)",
        timing.set_aside
    )
}

/// Nanoseconds in milliseconds, without trailing zeros.
fn ms(ns: u64) -> String {
    let text = format!("{:.6}", ns as f64 / 1e6);
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}
