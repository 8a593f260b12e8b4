//! What `explore` says about a protocol whose model bounds message delays (see
//! `ftsim_api::explore::Timing`): the bound, the violations set aside because no timing within
//! it allows them, and, for the violation reported, step times under which it happens.

use ftsim_api::explore::{End, Report, Timing};

use super::output::{out, wrapped};

/// The timing lines, after the statistics (nothing for an asynchronous model).
pub(super) fn print_timing(report: &Report) {
    let Some(timing) = &report.timing else {
        return;
    };
    out(&wrapped(
        "  ",
        &format!(
            "timing: the model delivers every message within {} ms ({}); a search has no \
             clock, so each violation it finds is checked for step times within that bound",
            ms(timing.bound.delay_max_ns),
            timing.bound.rule
        ),
    ));
    if timing.set_aside > 0 {
        let first = timing.first_set_aside.as_ref().map_or(String::new(), |cx| {
            format!(
                " (the first: {} after {} steps)",
                cx.property,
                cx.steps.len()
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
    if let (End::Violation(_), Some(times)) = (&report.end, &timing.schedule_ns) {
        let steps: Vec<String> = (times.iter().enumerate().skip(1))
            .map(|(k, &t)| format!("{k}@{}", ms(t)))
            .collect();
        out(&wrapped(
            "  ",
            &format!(
                "within the bound: the violation happens with its steps at (step@ms) {}",
                steps.join(" ")
            ),
        ));
    }
}

/// Whether a search that found no violation may be called a pass: not if it set violations
/// aside (a state first reached by a path no timing allows may have one that is allowed).
pub(super) fn conclusive(report: &Report) -> bool {
    report.timing.as_ref().is_none_or(|t| t.set_aside == 0)
}

/// The verdict of a complete search that set violations aside, in words.
pub(super) fn inconclusive_complete(timing: &Timing) -> String {
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
