//! Where two runs part. After a change to a protocol, its old repro replays differently; the
//! first trace entry that differs is where the change first mattered, and what precedes it is
//! what both runs share.

use sim_core::TraceEvent;

/// Whether two trace entries are the same step: the same event number, time, node and what
/// happened (the logical clocks follow from those).
pub fn same_step(x: &TraceEvent, y: &TraceEvent) -> bool {
    x.event == y.event && x.time == y.time && x.node == y.node && x.kind == y.kind
}

/// Where two traces of `a_len` and `b_len` entries part when every entry of the shorter is
/// the same step as the other's: where the shorter ends, or `None` if they are as long.
pub fn parted_by_length(a_len: usize, b_len: usize) -> Option<usize> {
    (a_len != b_len).then_some(a_len.min(b_len))
}

/// The index of the first entry at which two traces differ, or `None` if they are the same.
/// Entries are compared as [`same_step`]; a trace that is a prefix of the other differs where
/// it ends.
pub fn first_difference(a: &[TraceEvent], b: &[TraceEvent]) -> Option<usize> {
    (a.iter().zip(b).position(|(x, y)| !same_step(x, y)))
        .or_else(|| parted_by_length(a.len(), b.len()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use sim_core::{Time, TraceKind};

    fn entry(event: u64, kind: TraceKind) -> TraceEvent {
        TraceEvent {
            event,
            time: Time(event * 10),
            node: Some(0),
            lamport: event,
            vc: vec![event],
            kind,
        }
    }

    #[test]
    fn finds_the_first_difference_and_ignores_clocks() {
        let a = vec![entry(1, TraceKind::Start), entry(2, TraceKind::Crash)];
        let mut b = a.clone();
        assert_eq!(first_difference(&a, &b), None);
        b[1].vc = vec![9];
        assert_eq!(
            first_difference(&a, &b),
            None,
            "clocks follow from the rest"
        );
        b[1].kind = TraceKind::Recover;
        assert_eq!(first_difference(&a, &b), Some(1));
        assert_eq!(
            first_difference(&a, &a[..1]),
            Some(1),
            "a prefix ends early"
        );
    }
}
