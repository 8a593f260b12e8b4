//! Two traces side by side where they part: the entries both runs share just before the first
//! difference, then the next entries of each run, so a person sees what the change did first.
//! Entries read as in the timeline ([`describe_event`]), every time in one unit for both runs.

use std::fmt::Write;

use sim_core::{Time, TraceEvent};

use crate::columns::{truncate, COLUMNS};
use crate::timeline::{describe_event, Clock};

/// The two traces around entry `at`, their first difference, with `context` entries on each
/// side; `names` label the two runs. `a` is the first run's trace (whole, or at least up to
/// `at + context`); `b_next` the second run's entries from `at` on (the ones before are
/// `a`'s), so a run compared as it streams need not be held.
pub fn render(
    a: &[TraceEvent],
    b_next: &[TraceEvent],
    at: usize,
    names: (&str, &str),
    context: usize,
) -> String {
    let mut out = String::new();
    let shared = &a[at.saturating_sub(context).min(a.len())..at.min(a.len())];
    let a_next = a.get(at..).unwrap_or(&[]);
    let a_next = &a_next[..a_next.len().min(context)];
    let b_next = &b_next[..b_next.len().min(context)];
    let latest = shared
        .iter()
        .chain(a_next)
        .chain(b_next)
        .map(|e| e.time)
        .max();
    let clock = Clock::up_to(latest.unwrap_or(Time::ZERO));
    let place = a_next
        .first()
        .or(b_next.first())
        .map_or_else(String::new, |e| {
            format!(" (event #{} at {})", e.event, clock.at(e.time))
        });
    let _ = writeln!(out, "the runs part at trace entry {at}{place}");
    if !shared.is_empty() {
        let _ = writeln!(out, "both runs:");
        for e in shared {
            let _ = writeln!(out, "{}", line("  ", e, &clock));
        }
    }
    for (name, next) in [names.0, names.1].into_iter().zip([a_next, b_next]) {
        let _ = writeln!(out, "{name}:");
        if next.is_empty() {
            let _ = writeln!(out, "  (the run ends here)");
        }
        for (i, e) in next.iter().enumerate() {
            let mark = if i == 0 { "> " } else { "  " };
            let _ = writeln!(out, "{}", line(mark, e, &clock));
        }
    }
    out
}

/// One entry on one line: mark, event number, time, node, what happened.
fn line(mark: &str, e: &TraceEvent, clock: &Clock) -> String {
    let (tag, text) = describe_event(e, clock);
    let node = e.node.map_or(" * ".to_string(), |n| format!("n{n:<2}"));
    let full = format!(
        "{mark}#{:<5}{:>12}  {node} {tag:<9} {}",
        e.event,
        clock.at(e.time),
        text.replace('\n', " ")
    );
    truncate(full.trim_end(), COLUMNS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::columns::width;
    use sim_core::{Time, TraceKind};

    fn entry(event: u64, kind: TraceKind) -> TraceEvent {
        TraceEvent {
            event,
            time: Time(event * 1_000_000),
            node: Some(1),
            lamport: 0,
            vc: Vec::new(),
            kind,
        }
    }

    #[test]
    fn shows_shared_entries_then_each_side() {
        let a = vec![entry(1, TraceKind::Start), entry(2, TraceKind::Crash)];
        let b = [entry(1, TraceKind::Start), entry(2, TraceKind::Recover)];
        let text = render(&a, &b[1..], 1, ("old", "new"), 3);
        assert!(text.starts_with("the runs part at trace entry 1 (event #2 at 2.000ms)"));
        let old = text.find("old:").unwrap();
        let new = text.find("new:").unwrap();
        assert!(text[old..new].contains("> #2") && text[old..new].contains("CRASH"));
        assert!(text[new..].contains("RECOVER"));
        assert!(text.lines().all(|l| width(l) <= COLUMNS));
    }
}
