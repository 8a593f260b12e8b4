//! How big a run is. [`Size`] is what a person compares before and after shrinking (nodes,
//! faults, messages, events, virtual time); [`Rank`] is the order the search descends, which
//! also counts what makes a run harder to read without making it bigger: harsher storage
//! faults, long fault windows, dropped and duplicated messages, late faults and triggers, long
//! delays, far-fetched picks.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use sim_core::faults::{StorageFaults, Trigger, WindowEnd};
use sim_core::{Choice, FaultPlan, RunReport, Stream, Time};

/// The size of one run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Size {
    /// The group size.
    pub nodes: usize,
    /// Entries of the fault plan: timed fault events (a crash and its recovery are two),
    /// Byzantine nodes, triggered crashes, the crashes of each crash chain (its start and each
    /// link), and storage faults (one, when they are on).
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
            faults: fault_count(plan),
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

/// The entries of a plan (see [`Size::faults`]).
pub(crate) fn fault_count(plan: &FaultPlan) -> usize {
    let chained: usize = plan.chains.iter().map(|c| 1 + c.links.len()).sum();
    plan.events.len()
        + plan.byzantine.len()
        + plan.triggered.len()
        + chained
        + usize::from(plan.storage != StorageFaults::None)
}

/// The order the search descends, most important first. A candidate is kept only if its rank
/// is strictly lower, so the search cannot cycle.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Rank {
    nodes: usize,
    faults: usize,
    /// How much storage faults lose: none, unsynced writes, torn writes.
    storage: u8,
    /// Total length of the fault windows (crash to recovery, partition to heal, omission,
    /// slowness; a triggered crash's time down).
    window_ns: u64,
    messages: u64,
    events: u64,
    /// The network's chance events that happened: losses, duplications, omissions (drops
    /// that follow from a crash or a partition are not noise: the faults account for them).
    noise: usize,
    /// The fault events' times, summed: a fault earlier in the run has less history before it.
    fault_time_ns: u128,
    /// The triggers' counts, summed: a crash in the first broadcast, or after fewer messages,
    /// has less history before it too.
    trigger_depth: u64,
    end_time: Time,
    /// How far the decisions are from their simplest outcomes, summed.
    distance: u128,
}

impl Rank {
    pub(crate) fn of(size: &Size, plan: &FaultPlan, choices: &[Choice]) -> Rank {
        Rank {
            nodes: size.nodes,
            faults: size.faults,
            storage: match plan.storage {
                StorageFaults::None => 0,
                StorageFaults::LoseUnsynced => 1,
                StorageFaults::Torn => 2,
            },
            window_ns: windows(plan).iter().map(|w| w.length_ns(plan)).sum::<u64>()
                + triggered_down_ns(plan),
            messages: size.messages,
            events: size.events,
            noise: choices
                .iter()
                .filter(|c| c.stream == Stream::Network && c.draw.happens(c.value))
                .count(),
            fault_time_ns: plan.events.iter().map(|e| e.at.0 as u128).sum(),
            trigger_depth: trigger_depth(plan),
            end_time: size.end_time,
            distance: choices
                .iter()
                .map(|c| c.value.abs_diff(c.draw.simplest(c.bound)) as u128)
                .sum(),
        }
    }
}

/// How long triggered crashes (chains' included) keep their nodes down, summed.
fn triggered_down_ns(plan: &FaultPlan) -> u64 {
    let triggered = plan
        .triggered
        .iter()
        .chain(plan.chains.iter().map(|c| &c.start));
    let links = plan.chains.iter().flat_map(|c| &c.links);
    triggered
        .filter_map(|t| t.recover_after)
        .chain(links.filter_map(|l| l.recover_after))
        .map(|d| d.0)
        .sum()
}

/// The counts of a trigger (see [`trigger_counts`]), summed over the plan's triggered crashes
/// and chains.
fn trigger_depth(plan: &FaultPlan) -> u64 {
    let triggers = plan
        .triggered
        .iter()
        .chain(plan.chains.iter().map(|c| &c.start));
    let counts: u64 = triggers
        .flat_map(|t| trigger_counts(&t.when))
        .map(|(value, _)| value)
        .sum();
    let links: u64 = plan
        .chains
        .iter()
        .flat_map(|c| &c.links)
        .map(|l| u64::from(l.sent))
        .sum();
    counts + links
}

/// The counts that say how far into a node's run a trigger fires, each with the least it can
/// be: which broadcast and how many of its messages leave, which delivery, which message or
/// observation of a kind, after how many sends.
pub(crate) fn trigger_counts(when: &Trigger) -> Vec<(u64, u64)> {
    match *when {
        Trigger::Sends { count } => vec![(count, 1)],
        Trigger::Broadcast { nth, sent } => vec![(nth.into(), 1), (sent.into(), 0)],
        Trigger::Delivery { nth } => vec![(nth, 1)],
        Trigger::Message { nth, .. } | Trigger::Observation { nth, .. } => vec![(nth.into(), 1)],
    }
}

/// The trigger with its `k`-th count (in [`trigger_counts`] order) set to `value`.
pub(crate) fn with_count(when: &Trigger, k: usize, value: u64) -> Trigger {
    let small = |v: u64| u32::try_from(v).unwrap_or(u32::MAX);
    match when.clone() {
        Trigger::Sends { .. } => Trigger::Sends { count: value },
        Trigger::Broadcast { nth, .. } if k == 1 => Trigger::Broadcast {
            nth,
            sent: small(value),
        },
        Trigger::Broadcast { sent, .. } => Trigger::Broadcast {
            nth: small(value),
            sent,
        },
        Trigger::Delivery { .. } => Trigger::Delivery { nth: value },
        Trigger::Message { kind, .. } => Trigger::Message {
            kind,
            nth: small(value),
        },
        Trigger::Observation { kind, .. } => Trigger::Observation {
            kind,
            nth: small(value),
        },
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
/// node (an intermittent node's cycles one by one), each partition (both ways or one way) with
/// the next heal, each omission or slow spell with the next end of its node. A clock skew
/// lasts the whole run: it is no window. Each start takes the first end of its kind after it
/// in the plan, not yet taken, and not before it in time: found in a set of the free ends of
/// that kind, so a plan of thousands of partitions pairs in O(n log n), not O(n²).
pub(crate) fn windows(plan: &FaultPlan) -> Vec<Window> {
    let mut free: BTreeMap<WindowEnd, BTreeSet<usize>> = BTreeMap::new();
    for (index, e) in plan.events.iter().enumerate() {
        if let Some(kind) = e.kind.ends() {
            free.entry(kind).or_default().insert(index);
        }
    }
    let mut out = Vec::new();
    for (start, e) in plan.events.iter().enumerate() {
        let Some(ends) = e.kind.window_end().and_then(|kind| free.get_mut(&kind)) else {
            continue;
        };
        let end = (ends.range(start + 1..).copied()).find(|&j| plan.events[j].at >= e.at);
        if let Some(end) = end {
            ends.remove(&end);
            out.push(Window { start, end });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use sim_core::{Choices, Draw, FaultEvent, FaultKind, NodeId, Seeded};

    /// The plainest pairing: each start, in plan order, takes the first end of its kind after
    /// it, not taken, and not before it in time (a scan of the rest of the plan).
    fn windows_by_scan(plan: &FaultPlan) -> Vec<Window> {
        let mut taken = vec![false; plan.events.len()];
        let mut out = Vec::new();
        for (start, e) in plan.events.iter().enumerate() {
            let Some(kind) = e.kind.window_end() else {
                continue;
            };
            let end = (start + 1..plan.events.len()).find(|&j| {
                let other = &plan.events[j];
                !taken[j] && other.at >= e.at && other.kind.ends() == Some(kind)
            });
            if let Some(end) = end {
                taken[end] = true;
                out.push(Window { start, end });
            }
        }
        out
    }

    fn event(at: u64, kind: FaultKind) -> FaultEvent {
        FaultEvent { at: Time(at), kind }
    }

    #[test]
    fn a_start_takes_the_first_free_end_of_its_kind_not_before_it_in_time() {
        let crash = |node| FaultKind::Crash { node };
        let recover = |node| FaultKind::Recover { node };
        let partition = FaultKind::Partition { groups: vec![] };
        let plan = FaultPlan {
            events: vec![
                event(5, partition),
                event(10, crash(1)),
                event(15, recover(2)), // before any crash of node 2: ends nothing
                event(20, crash(2)),
                event(30, FaultKind::Heal),
                event(40, recover(1)),
                event(50, recover(2)),
                event(60, FaultKind::Heal),
                event(100, crash(3)),
                event(90, recover(3)), // after it in the plan, but earlier in time
                event(110, recover(3)),
            ],
            ..FaultPlan::default()
        };
        let pairs: Vec<_> = windows(&plan).iter().map(|w| (w.start, w.end)).collect();
        assert_eq!(pairs, [(0, 4), (1, 5), (3, 6), (8, 10)]);
    }

    /// Random plans of every window kind, in and out of time order: the same pairs as the scan.
    #[test]
    fn pairs_as_the_scan_does_on_random_plans() {
        let mut draws = Seeded::new(16);
        let mut pick = |bound: u64| draws.choose(Stream::Network, Draw::Pick, bound);
        for _ in 0..300 {
            let events = (0..pick(60))
                .map(|_| {
                    let node = pick(3) as NodeId;
                    let kind = match pick(9) {
                        0 => FaultKind::Crash { node },
                        1 => FaultKind::Recover { node },
                        2 => FaultKind::Partition { groups: vec![] },
                        3 => FaultKind::Heal,
                        4 => FaultKind::SlowStart {
                            node,
                            factor_pct: 200,
                        },
                        5 => FaultKind::SlowEnd { node },
                        6 => FaultKind::OmissionStart {
                            node,
                            send_ppm: 1,
                            receive_ppm: 1,
                        },
                        7 => FaultKind::OmissionEnd { node },
                        _ => FaultKind::Heal,
                    };
                    event(pick(100), kind)
                })
                .collect();
            let plan = FaultPlan {
                events,
                ..FaultPlan::default()
            };
            assert_eq!(windows(&plan), windows_by_scan(&plan), "{plan:?}");
        }
    }
}
