//! Exports a traced run as a ShiViz log: the parsing regular expression on the first line, an
//! empty multiple-executions delimiter on the second, then two lines per event: a description,
//! and the host with its vector clock as JSON. Each node's own clock entry starts at 1 and
//! grows by one per entry, as ShiViz requires (the engine ticks it once per trace entry).

use std::fmt::Write;

use sim_core::RunReport;

use crate::timeline::{describe_event, Clock};

fn json_str(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"?\"".to_string())
}

/// The ShiViz log of a traced run (network-wide entries such as partitions have no host and
/// are left out).
pub fn export(report: &RunReport) -> String {
    let mut out = String::from("(?<event>.*)\\n(?<host>\\S*) (?<clock>{.*})\n\n");
    let clock = Clock::of(report);
    for e in report.trace.as_deref().unwrap_or(&[]) {
        let Some(node) = e.node else { continue };
        let (tag, text) = describe_event(e, &clock);
        let line = format!("{} {} {}", e.time, tag, text).replace(['\n', '\r'], " ");
        let clock: Vec<String> =
            e.vc.iter()
                .enumerate()
                .filter(|(_, &c)| c > 0)
                .map(|(i, c)| format!("{}:{c}", json_str(&format!("n{i}"))))
                .collect();
        let _ = writeln!(out, "{}\nn{node} {{{}}}", line.trim_end(), clock.join(", "));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use sim_core::{Outcome, Time, TraceEvent, TraceKind};

    #[test]
    fn each_event_is_two_lines_with_a_growing_own_clock() {
        let e = |event, node, vc: Vec<u64>, kind| TraceEvent {
            event,
            time: Time(event),
            node,
            lamport: 0,
            vc,
            kind,
        };
        let report = RunReport {
            seed: 0,
            outcome: Outcome::Ok,
            trace: Some(vec![
                e(1, Some(0), vec![1, 0], TraceKind::Start),
                e(
                    1,
                    Some(0),
                    vec![2, 0],
                    TraceKind::Send {
                        to: 1,
                        msg_id: 0,
                        msg: "Ping\n(1)".into(),
                        depart: Time(1),
                    },
                ),
                e(2, None, vec![], TraceKind::Heal),
                e(
                    3,
                    Some(1),
                    vec![2, 1],
                    TraceKind::Deliver {
                        from: 0,
                        msg_id: 0,
                        msg: "Ping\n(1)".into(),
                    },
                ),
            ]),
            ..RunReport::default()
        };
        let log = export(&report);
        let lines: Vec<&str> = log.lines().collect();
        assert_eq!(lines[0], "(?<event>.*)\\n(?<host>\\S*) (?<clock>{.*})");
        assert_eq!(lines[1], "");
        assert_eq!(lines.len(), 2 + 3 * 2, "{log}");
        assert_eq!(lines[3], r#"n0 {"n0":1}"#);
        assert!(
            lines[4].contains("send Ping (1) to n1"),
            "newlines folded: {}",
            lines[4]
        );
        assert_eq!(lines[5], r#"n0 {"n0":2}"#);
        assert_eq!(lines[7], r#"n1 {"n0":2, "n1":1}"#);
    }
}
