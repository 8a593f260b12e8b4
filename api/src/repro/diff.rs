//! Where two runs part. After a change to a protocol, its old repro replays differently; the
//! first trace entry that differs is where the change first mattered, and what precedes it is
//! what both runs share.

use sim_core::TraceEvent;

/// The index of the first entry at which two traces differ, or `None` if they are the same.
/// Entries are compared by event number, time, node and what happened (the logical clocks
/// follow from those); a trace that is a prefix of the other differs where it ends.
pub fn first_difference(a: &[TraceEvent], b: &[TraceEvent]) -> Option<usize> {
    let same = |x: &TraceEvent, y: &TraceEvent| {
        x.event == y.event && x.time == y.time && x.node == y.node && x.kind == y.kind
    };
    match a.iter().zip(b).position(|(x, y)| !same(x, y)) {
        Some(i) => Some(i),
        None if a.len() != b.len() => Some(a.len().min(b.len())),
        None => None,
    }
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
