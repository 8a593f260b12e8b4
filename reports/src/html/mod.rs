//! The space-time diagram of a traced run, as one self-contained HTML page (inline SVG, CSS and
//! a little JavaScript; nothing is fetched). One horizontal line per process; time runs left
//! to right, one column per engine event, so bursts of simultaneous events stay readable;
//! arrows for messages, crosses for drops, marks for crashes, recoveries, suspicions, timers and
//! observations; partitions as shaded spans. A violation is drawn in red, and the causal past
//! (by the vector clocks of the trace) of the observations it conflicts with is highlighted
//! while everything else is dimmed. Everything that comes from a protocol is escaped.
//!
//! Also the index page of a sweep's `--report` directory. One concept per module: `escape`
//! (untrusted text), `layout` (columns and rows), `causal` (the causal past), `svg` (the
//! diagram's frame, process lines, partitions and violation), `messages` (arrows and drops),
//! `marks` (marks on the process lines), `page` (the HTML around the diagram) and `index`.

mod causal;
mod escape;
mod index;
mod layout;
mod marks;
mod messages;
mod page;
mod svg;

use sim_core::{RunReport, TraceEvent};

use causal::Highlight;
use svg::Diagram;

pub use escape::{esc, file_stem};
pub use index::{render_index, IndexRow};

/// What the page says about where the run comes from.
pub struct Meta<'a> {
    pub scenario: &'a str,
    pub description: &'a str,
    pub file: &'a str,
    pub protocol: &'a str,
    pub nodes: usize,
    pub replay: &'a str,
}

/// Renders the page.
pub fn render(report: &RunReport, meta: &Meta<'_>) -> String {
    let trace: &[TraceEvent] = report.trace.as_deref().unwrap_or(&[]);
    let highlight = Highlight::of_first_violation(report, trace);
    let svg = Diagram::new(trace, meta.nodes, &highlight).svg(report.violations.first());
    page::page(report, meta, &svg, highlight.is_active(), trace.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use sim_core::{Outcome, PropertyKind, Time, TraceKind, Violation};

    fn entry(event: u64, node: Option<usize>, vc: Vec<u64>, kind: TraceKind) -> TraceEvent {
        TraceEvent {
            event,
            time: Time(event * 1000),
            node,
            lamport: 0,
            vc,
            kind,
        }
    }

    /// Two nodes; node 0 sends a hostile-looking message that node 1 delivers and reports.
    pub(super) fn hostile_report() -> RunReport {
        let evil = "<script>alert('x')</script>&\"".to_string();
        RunReport {
            seed: 1,
            outcome: Outcome::Violated,
            violations: vec![Violation {
                property: "p<script>".into(),
                kind: PropertyKind::Always,
                time: Time(2000),
                event: 2,
                during: "<b>event</b>".into(),
                message: evil.clone(),
                ..Violation::default()
            }],
            trace: Some(vec![
                entry(
                    1,
                    Some(0),
                    vec![1, 0],
                    TraceKind::Send {
                        to: 1,
                        msg_id: 0,
                        msg: evil.clone(),
                        depart: Time(1000),
                    },
                ),
                entry(
                    2,
                    Some(1),
                    vec![1, 1],
                    TraceKind::Deliver {
                        from: 0,
                        msg_id: 0,
                        msg: evil.clone(),
                    },
                ),
                entry(
                    2,
                    Some(1),
                    vec![1, 2],
                    TraceKind::Observe { obs: evil.clone() },
                ),
                entry(
                    3,
                    Some(0),
                    vec![2, 0],
                    TraceKind::Observe {
                        obs: "unrelated".into(),
                    },
                ),
            ]),
            ..RunReport::default()
        }
    }

    pub(super) fn meta<'a>(name: &'a str) -> Meta<'a> {
        Meta {
            scenario: name,
            description: "<script>d</script>",
            file: "x<y>.toml",
            protocol: "p",
            nodes: 2,
            replay: "ftsim replay 'x<y>.toml' --seed 1",
        }
    }

    #[test]
    fn everything_from_a_protocol_or_a_scenario_is_escaped() {
        let page = render(&hostile_report(), &meta("<script>alert(1)</script>"));
        // The only script element is ours.
        assert_eq!(page.matches("<script>").count(), 1, "{page}");
        assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(page.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;"));
        assert!(!page.contains("<b>event</b>"));
        assert!(page.contains("x&lt;y&gt;.toml"));
    }
}
