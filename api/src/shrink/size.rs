//! How big a run is. [`Size`] is what a person compares before and after shrinking (nodes,
//! faults, messages, events, virtual time); [`Rank`] is the order the search descends, which
//! also counts what makes a run harder to read without making it bigger: long fault windows,
//! dropped and duplicated messages, late faults, long delays, far-fetched picks.

use serde::{Deserialize, Serialize};
use sim_core::{Choice, FaultKind, FaultPlan, RunReport, Stream, Time};

/// The size of one run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Size {
    /// The group size.
    pub nodes: usize,
    /// Entries of the fault plan: timed fault events (a crash and its recovery are two) plus
    /// Byzantine nodes.
    pub faults: usize,
    /// Messages sent.
    pub messages: u64,
    /// Events processed.
    pub events: u64,
    /// The virtual time the run ended at (the violation, for a safety property).
    pub end_time: Time,
}

impl Size {
    /// The size of `report`, a run of `plan` in a group of `nodes`.
    pub fn of(nodes: usize, plan: &FaultPlan, report: &RunReport) -> Size {
        let stats = &report.stats;

        Size {
            nodes,
            faults: plan.events.len() + plan.byzantine.len(),
            messages: stats.messages_sent,
            events: stats.events,
            end_time: stats.end_time,
        }
    }

    /// Whether this run is no larger than `other` in nodes, faults, messages and events: a
    /// shrunk run never trades one of them for another.
    pub fn within(&self, other: &Size) -> bool {
        self.nodes <= other.nodes
            && self.faults <= other.faults
            && self.messages <= other.messages
            && self.events <= other.events
    }
}

/// The order the search descends, most important first. A candidate is kept only if its rank
/// is strictly lower, so the search cannot cycle.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Rank {
    nodes: usize,
    faults: usize,
    /// Total length of the fault windows (crash to recovery, partition to heal, omission).
    window_ns: u64,
    messages: u64,
    events: u64,
    /// The network's chance events that happened: losses, duplications, omissions (drops
    /// that follow from a crash or a partition are not noise: the faults account for them).
    noise: usize,
    /// The fault events' times, summed: a fault earlier in the run has less history before it.
    fault_time_ns: u128,
    end_time: Time,
    /// How far the decisions are from their simplest outcomes, summed.
    distance: u128,
}

impl Rank {
    pub(crate) fn of(size: &Size, plan: &FaultPlan, choices: &[Choice]) -> Rank {
        Rank {
            nodes: size.nodes,
            faults: size.faults,
            window_ns: windows(plan).iter().map(|w| w.length_ns(plan)).sum(),
            messages: size.messages,
            events: size.events,
            noise: choices
                .iter()
                .filter(|c| c.stream == Stream::Network && c.draw.happens(c.value))
                .count(),
            fault_time_ns: plan.events.iter().map(|e| e.at.0 as u128).sum(),
            end_time: size.end_time,
            distance: choices
                .iter()
                .map(|c| c.value.abs_diff(c.draw.simplest(c.bound)) as u128)
                .sum(),
        }
    }
}

/// A fault that lasts: the plan entries (by index) that start and end it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Window {
    pub(crate) start: usize,
    pub(crate) end: usize,
}

impl Window {
    fn length_ns(&self, plan: &FaultPlan) -> u64 {
        plan.events[self.end]
            .at
            .0
            .saturating_sub(plan.events[self.start].at.0)
    }
}

/// The windows of a plan, in the order they start: each crash with the next recovery of its
/// node, each partition with the next heal, each omission with the next end of its node.
pub(crate) fn windows(plan: &FaultPlan) -> Vec<Window> {
    let mut taken = vec![false; plan.events.len()];
    let mut out = Vec::new();
    for (start, e) in plan.events.iter().enumerate() {
        let ends = |kind: &FaultKind| match (&e.kind, kind) {
            (FaultKind::Crash { node }, FaultKind::Recover { node: n }) => node == n,
            (FaultKind::Partition { .. }, FaultKind::Heal) => true,
            (FaultKind::OmissionStart { node, .. }, FaultKind::OmissionEnd { node: n }) => {
                node == n
            }
            _ => false,
        };
        let end = (start + 1..plan.events.len())
            .find(|&j| !taken[j] && plan.events[j].at >= e.at && ends(&plan.events[j].kind));
        if let Some(end) = end {
            taken[end] = true;
            out.push(Window { start, end });
        }
    }
    out
}
