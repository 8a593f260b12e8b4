//! The causal past of a violation, by the vector clocks of the trace. The diagram highlights
//! what could have influenced the observations a violation conflicts with and dims the rest,
//! so a reader sees why the property broke rather than everything else that happened.

use std::collections::BTreeSet;

use sim_core::{RunReport, TraceEvent, TraceKind};

/// The class that dims an element outside the causal past of the violation.
const ACAUSAL: &str = " acausal";

/// Which trace entries the diagram draws at full strength.
pub(super) struct Highlight {
    /// Per trace entry, whether it lies in the causal past; `None` when there is nothing to
    /// explain, and then nothing is dimmed.
    in_past: Option<Vec<bool>>,
}

impl Highlight {
    /// The causal past of the run's first violation, if it has one to explain.
    pub(super) fn of_first_violation(report: &RunReport, trace: &[TraceEvent]) -> Self {
        Highlight {
            in_past: causal_past(report, trace),
        }
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

/// The class suffix of an element: nothing when lit, `" acausal"` when dimmed.
pub(super) fn dim_class(lit: bool) -> &'static str {
    if lit {
        ""
    } else {
        ACAUSAL
    }
}

/// Which trace entries lie in the causal past of the violation's conflicting observations.
/// `None` when there is nothing to explain (no violation, or one judged at the end of the run
/// with no observation to anchor it).
fn causal_past(report: &RunReport, trace: &[TraceEvent]) -> Option<Vec<bool>> {
    let anchors = anchors(report, trace)?;
    Some(
        trace
            .iter()
            .map(|e| match e.node {
                None => false,
                Some(a) => anchors.iter().any(|t| {
                    e.vc.get(a)
                        .zip(t.vc.get(a))
                        .is_some_and(|(mine, theirs)| mine <= theirs)
                }),
            })
            .collect(),
    )
}

/// The entries whose causal past is the explanation: the observations at the violating event
/// and at the events it names as related, or else the last entry of the violating event.
fn anchors<'a>(report: &RunReport, trace: &'a [TraceEvent]) -> Option<Vec<&'a TraceEvent>> {
    let v = report.violations.first()?;
    let events: BTreeSet<u64> = std::iter::once(v.event)
        .chain(v.related.iter().copied())
        .collect();
    let mut anchors: Vec<&TraceEvent> = trace
        .iter()
        .filter(|e| {
            e.node.is_some()
                && events.contains(&e.event)
                && matches!(e.kind, TraceKind::Observe { .. })
        })
        .collect();
    if anchors.is_empty() {
        // No observation at the violating event (a state check): anchor on its last entry.
        anchors.extend(
            trace
                .iter()
                .rev()
                .find(|e| e.node.is_some() && e.event == v.event),
        );
    }
    if anchors.is_empty() {
        None
    } else {
        Some(anchors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::html::render;
    use crate::html::tests::{hostile_report, meta};

    #[test]
    fn the_causal_past_reaches_back_through_the_delivered_message() {
        let report = hostile_report();
        let trace = report.trace.as_deref().unwrap();
        // The send, its delivery and the violating observation; not node 0's later one.
        assert_eq!(
            causal_past(&report, trace),
            Some(vec![true, true, true, false])
        );
    }

    #[test]
    fn the_causal_past_of_the_violation_is_highlighted_and_the_rest_dimmed() {
        let page = render(&hostile_report(), &meta("s"));
        assert!(page.contains(r#"<body class="causal">"#));
        // The message into the violating observation is causal; node 0's later observation is not.
        assert!(page.contains(r#"<line class="msg" data-id="0""#), "{page}");
        assert!(
            page.contains(r#"<g class="obs acausal"><title>3us n0: observe unrelated"#),
            "{page}"
        );
        assert!(page.contains(r#"class="culprit""#));
    }
}
