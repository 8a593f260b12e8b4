//! Which faults a sweep exercised: per fault kind, how many times it happened over all runs.
//! A sweep that never crashed a node tested nothing about crashes, whatever it passed; the
//! summary says so next to the verdict.
//!
//! Timed plan entries count if the run reached their time (a run that ended earlier never saw
//! them); the network's own faults come from the run's counters (messages lost, duplicated,
//! reordered), storage faults from the crashes that lost writes, Byzantine nodes from the plan.

use std::collections::BTreeMap;

use sim_core::{FaultKind, RunReport};

/// The kind of a timed fault, as summaries name it.
fn kind_name(kind: &FaultKind) -> &'static str {
    match kind {
        FaultKind::Crash { .. } => "crash",
        FaultKind::Recover { .. } => "recover",
        FaultKind::Partition { .. } => "partition",
        FaultKind::Heal => "heal",
        FaultKind::OmissionStart { .. } => "omission",
        FaultKind::OmissionEnd { .. } => "omission end",
        FaultKind::OneWay { .. } => "one-way partition",
        FaultKind::ClockSkew { .. } => "clock skew",
        FaultKind::SlowStart { .. } => "slow node",
        FaultKind::SlowEnd { .. } => "slow end",
    }
}

/// Adds what happened in one run to `fired` (fault kind → occurrences). Ends of windows
/// (heal, omission end, slow end) are not faults and are not counted.
pub fn count_faults(report: &RunReport, fired: &mut BTreeMap<String, u64>) {
    // A kind seen before is counted without building its name again (once per run and kind).
    let mut add = |name: &str, n: u64| match fired.get_mut(name) {
        _ if n == 0 => {}
        Some(count) => *count += n,
        None => {
            fired.insert(name.to_string(), n);
        }
    };
    for event in &report.plan.events {
        if event.at > report.stats.end_time {
            continue;
        }
        match event.kind {
            FaultKind::Heal | FaultKind::OmissionEnd { .. } | FaultKind::SlowEnd { .. } => {}
            ref kind => add(kind_name(kind), 1),
        }
    }
    add("byzantine node", report.plan.byzantine.len() as u64);
    add(
        "triggered crash (planned)",
        report.plan.triggered.len() as u64,
    );
    add("crash chain (planned)", report.plan.chains.len() as u64);
    add("message lost", report.stats.messages_lost);
    add("message duplicated", report.stats.messages_duplicated);
    add("message reordered", report.stats.messages_reordered);
    add("storage loss at a crash", report.stats.storage_losses);
}
