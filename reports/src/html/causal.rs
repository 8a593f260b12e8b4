//! The causal past of a violation, by the vector clocks of the trace, with the faults that
//! shaped it. The diagram highlights what could have influenced the events a violation names
//! and dims the rest, so a reader sees why the property broke rather than everything else that
//! happened.
//!
//! The anchors are the trace entries of the events the violation names: the violating event
//! itself (for a safety violation; a liveness violation is judged at the end of the run, which
//! explains nothing) and its related events. At each such event the anchor is its observations,
//! or, where it observed nothing (a state check, a process's last step), its last entry at a
//! node.
//!
//! A fault is not a message, so vector clocks alone leave it out: a message dropped because
//! its sender crashed, or a suspicion of a crashed node, is in the past of the violation but
//! the crash is not. So the past is closed over the faults: where it holds a drop caused by a
//! crash, a receiver down, a partition or an omission, or a suspicion of a node, the fault
//! entry that caused it (the crash of that node, the partition's start, the omission's start)
//! joins the past, with its own causal past, until nothing more joins.

use std::collections::{BTreeMap, BTreeSet};

use sim_core::{DropReason, NodeId, PropertyKind, RunReport, TraceEvent, TraceKind};

/// Which trace entries the diagram draws at full strength, and which ones it rings.
pub(super) struct Highlight {
    /// Per trace entry, whether it lies in the causal past; `None` when there is nothing to
    /// explain, and then nothing is dimmed.
    in_past: Option<Vec<bool>>,
    /// The indices of the anchor entries (the rings on the diagram).
    pub(super) anchors: Vec<usize>,
}

impl Highlight {
    /// The causal past of the run's first violation, if it has one to explain.
    pub(super) fn of_first_violation(report: &RunReport, trace: &[TraceEvent]) -> Self {
        let anchors = anchors(report, trace);
        let in_past = (!anchors.is_empty()).then(|| causal_past(trace, &anchors));
        Highlight { in_past, anchors }
    }

    /// Whether there is a causal past to highlight (the page offers the switch only then).
    pub(super) fn is_active(&self) -> bool {
        self.in_past.is_some()
    }

    /// Whether trace entry `i` is drawn at full strength.
    pub(super) fn lit(&self, i: usize) -> bool {
        self.in_past.as_ref().is_none_or(|c| c[i])
    }
}

/// The past of a set of entries: per node, the highest clock component of that node any of
/// them has seen (an entry at node `a` precedes one of them if its own component is at most
/// this), and the entries without a node (a partition) that joined it.
struct Past {
    frontier: Vec<u64>,
    global: BTreeSet<usize>,
}

impl Past {
    /// Adds entry `i` and its causal past; whether that added anything.
    fn join(&mut self, trace: &[TraceEvent], i: usize) -> bool {
        if trace[i].node.is_none() {
            return self.global.insert(i);
        }
        let vc = &trace[i].vc;
        if self.frontier.len() < vc.len() {
            self.frontier.resize(vc.len(), 0);
        }
        let mut grew = false;
        for (f, &c) in self.frontier.iter_mut().zip(vc) {
            if c > *f {
                *f = c;
                grew = true;
            }
        }
        grew
    }

    /// Whether entry `i` is in it.
    fn holds(&self, trace: &[TraceEvent], i: usize) -> bool {
        match trace[i].node {
            None => self.global.contains(&i),
            Some(a) => trace[i]
                .vc
                .get(a)
                .zip(self.frontier.get(a))
                .is_some_and(|(mine, seen)| mine <= seen),
        }
    }
}

/// Which trace entries lie in the causal past of the anchors, closed over the faults that
/// caused what is in it (see the module documentation).
fn causal_past(trace: &[TraceEvent], anchors: &[usize]) -> Vec<bool> {
    let causes = fault_causes(trace);
    let mut past = Past {
        frontier: Vec::new(),
        global: BTreeSet::new(),
    };
    for &a in anchors {
        past.join(trace, a);
    }
    loop {
        let joining: BTreeSet<usize> = (0..trace.len())
            .filter(|&i| past.holds(trace, i))
            .filter_map(|i| causes[i])
            .collect();
        let mut grew = false;
        for c in joining {
            grew |= past.join(trace, c);
        }
        if !grew {
            break;
        }
    }
    (0..trace.len()).map(|i| past.holds(trace, i)).collect()
}

/// Per trace entry, the fault entry that caused it, if it is a drop by a crash, a receiver
/// down, a partition or an omission, or a suspicion: the latest such fault before it. One
/// pass, remembering each node's last crash and omission and the network's last split.
fn fault_causes(trace: &[TraceEvent]) -> Vec<Option<usize>> {
    let mut crash: BTreeMap<NodeId, usize> = BTreeMap::new();
    let mut omission: BTreeMap<NodeId, usize> = BTreeMap::new();
    // The last partition or one-way cut, and whether it is still in force.
    let mut split: Option<(usize, bool)> = None;
    let mut causes = Vec::with_capacity(trace.len());
    for (i, e) in trace.iter().enumerate() {
        let cause = match &e.kind {
            TraceKind::Drop {
                from, to, reason, ..
            } => match reason {
                DropReason::SenderCrashed => crash.get(from).copied(),
                DropReason::ReceiverDown => crash.get(to).copied(),
                DropReason::Partition => split.map(|(s, _)| s),
                DropReason::SendOmission => omission.get(from).copied(),
                DropReason::ReceiveOmission => omission.get(to).copied(),
                DropReason::Loss | DropReason::Adversary => None,
            },
            // Suspected after a crash: that crash; otherwise (a false suspicion), the split
            // that cut it off, if one is in force.
            TraceKind::Suspect { about } => crash
                .get(about)
                .copied()
                .or(split.and_then(|(s, open)| open.then_some(s))),
            _ => None,
        };
        causes.push(cause);
        match (&e.kind, e.node) {
            (TraceKind::Crash, Some(n)) => {
                crash.insert(n, i);
            }
            (TraceKind::OmissionStart { .. }, Some(n)) => {
                omission.insert(n, i);
            }
            (TraceKind::Partition { .. } | TraceKind::OneWay { .. }, _) => split = Some((i, true)),
            (TraceKind::Heal | TraceKind::FaultsEnd, _) => {
                split = split.map(|(s, _)| (s, false));
            }
            _ => {}
        }
    }
    causes
}

/// The anchor entries of the first violation (see the module documentation), in trace order.
fn anchors(report: &RunReport, trace: &[TraceEvent]) -> Vec<usize> {
    let Some(v) = report.violations.first() else {
        return Vec::new();
    };
    let mut events: BTreeSet<u64> = v.related.iter().copied().collect();
    if v.kind == PropertyKind::Always || events.is_empty() {
        events.insert(v.event);
    }
    let mut anchors = Vec::new();
    for &event in &events {
        let at_nodes: Vec<usize> = (0..trace.len())
            .filter(|&i| trace[i].event == event && trace[i].node.is_some())
            .collect();
        let observed: Vec<usize> = at_nodes
            .iter()
            .copied()
            .filter(|&i| matches!(trace[i].kind, TraceKind::Observe { .. }))
            .collect();
        if observed.is_empty() {
            anchors.extend(at_nodes.last());
        } else {
            anchors.extend(observed);
        }
    }
    anchors.sort_unstable();
    anchors
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::html::tests::hostile_report;

    #[test]
    fn the_causal_past_reaches_back_through_the_delivered_message() {
        let report = hostile_report();
        let trace = report.trace.as_deref().unwrap();
        let h = Highlight::of_first_violation(&report, trace);
        // The send, its delivery and the violating observation; not node 0's later one.
        assert_eq!(h.anchors, [2]);
        assert_eq!(
            (0..4).map(|i| h.lit(i)).collect::<Vec<_>>(),
            [true, true, true, false]
        );
    }

    fn entry(event: u64, node: usize, vc: [u64; 3], kind: TraceKind) -> TraceEvent {
        TraceEvent {
            event,
            time: sim_core::Time(event * 1000),
            node: Some(node),
            lamport: 0,
            vc: vc.to_vec(),
            kind,
        }
    }

    fn send(to: usize, msg_id: u64) -> TraceKind {
        TraceKind::Send {
            to,
            msg_id,
            msg: "Round".into(),
            depart: sim_core::Time(0),
        }
    }

    fn dropped(from: usize, to: usize, msg_id: u64, reason: DropReason) -> TraceKind {
        TraceKind::Drop {
            from,
            to,
            msg_id,
            reason,
        }
    }

    /// Flooding seed 32 in small: n2 sends its round, crashes; its message to n1 is dropped
    /// (sender crashed), n1 suspects n2 and decides without n2's value: the violation. n0's
    /// message to n2 arrives after the crash (receiver down), which explains nothing.
    fn crash_shaped_report() -> RunReport {
        let trace = vec![
            entry(1, 0, [1, 0, 0], TraceKind::Start),
            entry(1, 0, [2, 0, 0], send(1, 0)),
            entry(1, 0, [3, 0, 0], send(2, 1)),
            entry(2, 2, [0, 0, 1], TraceKind::Start),
            entry(2, 2, [0, 0, 2], send(1, 2)),
            entry(3, 2, [0, 0, 3], TraceKind::Crash),
            entry(
                4,
                1,
                [2, 1, 0],
                TraceKind::Deliver {
                    from: 0,
                    msg_id: 0,
                    msg: "Round".into(),
                },
            ),
            entry(5, 1, [2, 2, 0], dropped(2, 1, 2, DropReason::SenderCrashed)),
            entry(6, 2, [0, 0, 4], dropped(0, 2, 1, DropReason::ReceiverDown)),
            entry(7, 1, [2, 3, 0], TraceKind::Suspect { about: 2 }),
            entry(
                7,
                1,
                [2, 4, 0],
                TraceKind::Observe {
                    obs: "Decide(43)".into(),
                },
            ),
        ];
        let mut report = hostile_report();
        report.trace = Some(trace);
        report.violations[0].event = 7;
        report.violations[0].related = vec![7];
        report
    }

    #[test]
    fn the_crash_behind_a_drop_and_a_suspicion_is_in_the_past() {
        let report = crash_shaped_report();
        let trace = report.trace.as_deref().unwrap();
        let h = Highlight::of_first_violation(&report, trace);
        assert_eq!(h.anchors, [10]);
        let lit: Vec<bool> = (0..trace.len()).map(|i| h.lit(i)).collect();
        // n2's start, send and crash join through the drop and the suspicion; its later drop
        // of n0's message (receiver down) does not, nor n0's send of it (after what n1 saw).
        assert_eq!(
            lit,
            [true, true, false, true, true, true, true, true, false, true, true]
        );
        // Without the drop the suspicion alone still brings in the crash.
        let mut report = crash_shaped_report();
        report.trace.as_mut().unwrap()[7].kind = TraceKind::Observe { obs: "x".into() };
        let trace = report.trace.as_deref().unwrap();
        let h = Highlight::of_first_violation(&report, trace);
        assert!(h.lit(5) && h.lit(4) && !h.lit(8));
    }

    #[test]
    fn a_drop_by_partition_brings_in_the_partition() {
        let mut report = crash_shaped_report();
        let trace = report.trace.as_mut().unwrap();
        trace[5] = TraceEvent {
            node: None,
            vc: Vec::new(),
            ..entry(
                3,
                0,
                [0, 0, 0],
                TraceKind::Partition {
                    groups: vec![vec![2]],
                },
            )
        };
        trace[7].kind = dropped(2, 1, 2, DropReason::Partition);
        trace[9].kind = TraceKind::Observe { obs: "y".into() };
        let trace = report.trace.as_deref().unwrap();
        let h = Highlight::of_first_violation(&report, trace);
        assert!(h.lit(5), "the partition");
        assert!(!h.lit(3) && !h.lit(4), "n2's entries are not in the past");
    }

    #[test]
    fn a_liveness_violation_is_anchored_on_its_related_events_only() {
        let mut report = hostile_report();
        report.violations[0].kind = PropertyKind::Eventually;
        report.violations[0].event = 3;
        report.violations[0].related = vec![1];
        let trace = report.trace.clone().unwrap();
        let h = Highlight::of_first_violation(&report, &trace);
        // Event 1 observed nothing: its last entry (the send) is the anchor.
        assert_eq!(h.anchors, [0]);
        assert_eq!(
            (0..4).map(|i| h.lit(i)).collect::<Vec<_>>(),
            [true, false, false, false]
        );
    }
}
