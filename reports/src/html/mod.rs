//! The space-time diagram of a traced run, as one self-contained HTML page (inline SVG drawn by
//! an inline script from an embedded model, inline CSS; nothing is fetched). One horizontal
//! line per process, whose name stays in view; time runs left to right, either one column per
//! engine event (bursts of simultaneous events stay readable) or to scale, at any zoom of the
//! time axis; arrows for messages labelled with their kind, crosses for drops, marks for
//! crashes, recoveries, suspicions, timers, stable storage, tampering and observations;
//! partitions shaded per side; traitors marked. The violation is drawn in red, the events it
//! names are ringed and the page opens on them, and the causal past (by the vector clocks of
//! the trace, with the crashes, partitions and omissions behind its drops and suspicions) of
//! those events is highlighted while everything else is dimmed. Clicking an
//! event shows the process's state after it; the page can step through the run event by event.
//!
//! Everything that comes from a protocol reaches the page escaped: the header through
//! [`esc`], the diagram as JSON data that the script only ever sets as text.
//!
//! Also the index page of a sweep's `--report` directory, and the page of a client history
//! (`ftsim history FILE --html OUT`). One concept per module: `escape` (untrusted text),
//! `causal` (the causal past, its anchors and the faults behind it), `model` (what the script
//! draws), `page` (the HTML around it, with `diagram.css`, `labels.js`, which places labels
//! without overlap, and `diagram.js`), `legend` (the kinds the run has), `index` (with
//! `index.css` and `index.js`) and `history` (in the diagram's shell, with `history.css` and
//! `history.js`).

mod causal;
mod escape;
mod history;
mod index;
mod legend;
mod model;
mod page;
mod window;

use sim_core::RunReport;

use model::{script_json, Model};

pub use escape::{esc, file_stem};
pub use history::{render_history, HistoryView, OpBar, OpRole};
pub use index::{render_index, IndexRow};
pub use window::{Window, MAX_PAGE_BYTES, MAX_TEXT_BYTES, WINDOW_BYTES, WINDOW_ENTRIES};

/// What the page says about where the run comes from.
pub struct Meta<'a> {
    pub scenario: &'a str,
    pub description: &'a str,
    pub file: &'a str,
    pub protocol: &'a str,
    pub nodes: usize,
    /// Each node's name in the protocol's text ("s0", "client 3"), by node id; drawn beside
    /// its id on its lane.
    pub labels: &'a [Option<String>],
    pub replay: &'a str,
}

/// Renders the page.
pub fn render(report: &RunReport, meta: &Meta<'_>) -> String {
    render_noted(report, meta, None)
}

/// Renders the page, with a note under the verdict (what a windowed diagram left out).
pub fn render_noted(report: &RunReport, meta: &Meta<'_>, note: Option<&str>) -> String {
    let model = Model::new(report, meta.nodes, meta.labels);
    let entries = report.trace.as_deref().map_or(0, <[_]>::len);
    let explain = model
        .violation
        .as_ref()
        .is_some_and(|v| !v.culprits.is_empty());
    let kinds = model.kinds();
    page::page(
        report,
        meta,
        &script_json(&model),
        &kinds,
        explain,
        entries,
        note,
    )
}

/// The diagram's model as pretty JSON, for golden files and tests.
pub fn model_json(report: &RunReport, nodes: usize) -> String {
    serde_json::to_string_pretty(&Model::new(report, nodes, &[])).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use sim_core::{Outcome, PropertyKind, Time, TraceEvent, TraceKind, Violation};

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
            labels: &[],
            replay: "ftsim replay 'x<y>.toml' --seed 1",
        }
    }

    #[test]
    fn everything_from_a_protocol_or_a_scenario_is_escaped() {
        let page = render(&hostile_report(), &meta("<script>alert(1)</script>"));
        // The only script elements are ours: the model and the script.
        assert_eq!(page.matches("<script").count(), 2, "{page}");
        assert_eq!(page.matches("</script").count(), 2, "{page}");
        assert!(!page.contains("<b>"));
        assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(page.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;"));
        assert!(page.contains("x&lt;y&gt;.toml"));
        // In the model, as JSON escapes that the script sets as text.
        assert!(page.contains(r#"\u003cscript\u003ealert('x')\u003c/script\u003e\u0026\""#));
    }

    #[test]
    fn the_model_rings_the_violation_and_dims_what_is_outside_its_past() {
        let report = hostile_report();
        let model: serde_json::Value = serde_json::from_str(&model_json(&report, 2)).unwrap();
        assert_eq!(model["violation"]["culprits"], serde_json::json!([[2, 1]]));
        let lit: Vec<bool> = model["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["lit"].as_bool().unwrap())
            .collect();
        assert_eq!(lit, [true, true, false]);
        assert_eq!(model["messages"][0]["kind"], "<script>alert");
    }
}
