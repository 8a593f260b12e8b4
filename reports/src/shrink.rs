//! A shrunk failure for a terminal: the sizes before and after, as a small table (`ftsim
//! shrink`) or one line (`ftsim run --shrink`).

use std::fmt::Write;

use ftsim_runner::shrink::Size;

/// The sizes before and after, one row per measure.
pub fn table(before: &Size, after: &Size) -> String {
    let rows = rows(before, after);
    let mut out = format!("{:<14}{:>14}{:>14}\n", "", "before", "after");
    for (name, b, a) in rows {
        let _ = writeln!(out, "{name:<14}{b:>14}{a:>14}");
    }
    out
}

/// The sizes before and after on one line: "nodes 5->3, faults 1->1, …".
pub fn line(before: &Size, after: &Size) -> String {
    rows(before, after)
        .into_iter()
        .map(|(name, b, a)| format!("{} {b}->{a}", name.trim_start_matches("virtual ")))
        .collect::<Vec<_>>()
        .join(", ")
}

fn rows(b: &Size, a: &Size) -> [(&'static str, String, String); 5] {
    [
        ("nodes", b.nodes.to_string(), a.nodes.to_string()),
        ("faults", b.faults.to_string(), a.faults.to_string()),
        ("messages", b.messages.to_string(), a.messages.to_string()),
        ("events", b.events.to_string(), a.events.to_string()),
        (
            "virtual time",
            b.end_time.to_string(),
            a.end_time.to_string(),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use sim_core::Time;

    fn size(nodes: usize, messages: u64) -> Size {
        Size {
            nodes,
            faults: 1,
            messages,
            events: 2 * messages,
            end_time: Time::from_millis(messages),
        }
    }

    #[test]
    fn before_and_after_side_by_side() {
        let t = table(&size(5, 20), &size(3, 6));
        assert!(
            t.contains("nodes                      5             3"),
            "{t}"
        );
        assert!(
            t.contains("virtual time            20ms           6ms"),
            "{t}"
        );
        assert_eq!(
            line(&size(5, 20), &size(3, 6)),
            "nodes 5->3, faults 1->1, messages 20->6, events 40->12, time 20ms->6ms"
        );
    }
}
