//! The causal past of a violation, by the vector clocks of the trace. The diagram highlights
//! what could have influenced the events a violation names and dims the rest, so a reader sees
//! why the property broke rather than everything else that happened.
//!
//! The anchors are the trace entries of the events the violation names: the violating event
//! itself (for a safety violation; a liveness violation is judged at the end of the run, which
//! explains nothing) and its related events. At each such event the anchor is its observations,
//! or, where it observed nothing (a state check, a process's last step), its last entry at a
//! node.

use std::collections::BTreeSet;

use sim_core::{PropertyKind, RunReport, TraceEvent, TraceKind};

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

/// Which trace entries lie in the causal past of the anchors: an entry at node `a` precedes
/// an anchor if its own clock component is at most the anchor's view of `a`.
fn causal_past(trace: &[TraceEvent], anchors: &[usize]) -> Vec<bool> {
    trace
        .iter()
        .map(|e| match e.node {
            None => false,
            Some(a) => anchors.iter().any(|&t| {
                e.vc.get(a)
                    .zip(trace[t].vc.get(a))
                    .is_some_and(|(mine, theirs)| mine <= theirs)
            }),
        })
        .collect()
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
