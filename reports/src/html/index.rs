//! `index.html` of a `--report` directory: one table row per scenario of the sweep, with its
//! runs, failures, violations, expectation and whether it was met, and a link to the diagram
//! of its replay seed with the command that replays it.

use std::fmt::Write;

use super::escape::esc;
use ftsim_api::sweep::ScenarioSummary;

/// One scenario's row in the sweep index, with the diagram written for it (if any).
pub struct IndexRow<'a> {
    pub summary: &'a ScenarioSummary,
    pub diagram: Option<String>,
}

/// The end of the page, with a link to the machine-readable summary.
const FOOT: &str = "</table>\n<p><a href=\"summary.json\">summary.json</a></p>\n</body></html>\n";

/// `index.html` of a `--report` directory: every scenario at a glance.
pub fn render_index(rows: &[IndexRow<'_>]) -> String {
    let mut h = String::new();
    head(&mut h, rows);
    for r in rows {
        row(&mut h, r);
    }
    h.push_str(FOOT);
    h
}

/// From the doctype to the table's header row, with the sweep's overall result.
fn head(h: &mut String, rows: &[IndexRow<'_>]) {
    let unmet = rows.iter().filter(|r| !r.summary.ok).count();
    let _ = write!(
        h,
        r#"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>ftsim sweep report</title>
<style>
body{{font:14px/1.4 system-ui,sans-serif;margin:18px;color:#222}}
table{{border-collapse:collapse}}th,td{{padding:4px 10px;border-bottom:1px solid #e4e4e4;text-align:left;vertical-align:top}}
th{{color:#555;font-weight:600}}.num{{text-align:right}}.ok{{color:#1f6f1f;font-weight:600}}.bad{{color:#a40000;font-weight:600}}
.why{{color:#a40000;font-size:12px}}code{{font-size:12px}}
</style></head><body>
<h1>ftsim sweep report</h1>
<p class="{}">{} scenario(s); {}</p>
<table><tr><th>scenario</th><th>protocol</th><th class="num">runs</th><th class="num">failed</th><th>violations</th><th>expect</th><th>result</th><th>replay seed</th></tr>
"#,
        if unmet == 0 { "ok" } else { "bad" },
        rows.len(),
        if unmet == 0 {
            "every expectation met".to_string()
        } else {
            format!("{unmet} did not meet their expectation")
        }
    );
}

/// One scenario's row.
fn row(h: &mut String, r: &IndexRow<'_>) {
    let s = r.summary;
    let _ = writeln!(
        h,
        r#"<tr><td>{}<br><small>{}</small></td><td>{}</td><td class="num">{}</td><td class="num">{}</td><td>{}</td><td>{}</td><td class="{}">{}{}</td><td>{}</td></tr>"#,
        esc(&s.name),
        esc(&s.file),
        esc(&s.protocol),
        s.runs,
        s.failed_runs,
        violations_cell(s),
        expect_cell(s),
        if s.ok { "ok" } else { "bad" },
        if s.ok { "ok" } else { "NOT MET" },
        if s.ok {
            String::new()
        } else {
            format!(r#"<div class="why">{}</div>"#, esc(&s.verdict))
        },
        seed_cell(r),
    );
}

/// Each violated property with the number of runs that violated it, one per line.
fn violations_cell(s: &ScenarioSummary) -> String {
    if s.violations.is_empty() {
        "-".to_string()
    } else {
        s.violations
            .iter()
            .map(|(k, v)| format!("{}: {v}", esc(k)))
            .collect::<Vec<_>>()
            .join("<br>")
    }
}

/// The scenario's expectation: a word, or the violation it expects.
fn expect_cell(s: &ScenarioSummary) -> String {
    esc(&s.expect.to_string())
}

/// The seed worth replaying, linked to its diagram (with the replay command) when one was
/// written.
fn seed_cell(r: &IndexRow<'_>) -> String {
    let s = r.summary;
    match (s.replay_seed, &r.diagram) {
        (Some(seed), Some(link)) => format!(
            r#"<a href="{}">seed {seed} diagram</a><br><code>{}</code>"#,
            esc(link),
            esc(s.replay.as_deref().unwrap_or(""))
        ),
        (Some(seed), None) => format!("seed {seed}"),
        (None, _) => "-".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_index_escapes_and_links() {
        let summary = ScenarioSummary {
            name: "<script>x</script>".into(),
            file: "f.toml".into(),
            protocol: "p".into(),
            point: None,
            seed_start: 0,
            seeds: 3,
            runs: 3,
            failed_runs: 1,
            violations: [("agreement".to_string(), 1)].into(),
            first_failing_seed: Some(2),
            first_failing_seed_by_invariant: [("agreement".to_string(), 2)].into(),
            outside_runs: 0,
            outside_violations: Default::default(),
            first_outside_seed_by_invariant: Default::default(),
            replay_seed_by_invariant: [("agreement".to_string(), 2)].into(),
            replay_events_by_invariant: [("agreement".to_string(), 20)].into(),
            first_outside_reason: None,
            may_step_outside: Vec::new(),
            panics: 0,
            budget_exceeded: 0,
            sometimes_reached: Default::default(),
            expect: ftsim_api::Expect::Violation("agreement".into()),
            ok: true,
            verdict: String::new(),
            replay_seed: Some(2),
            swarm: false,
            swarm_mix: None,
            replay: Some("ftsim replay f.toml --seed 2".into()),
            events: 10,
            messages: 10,
            faults_fired: Default::default(),
            nondeterministic_runs: 0,
            latency: None,
            availability: None,
            sweep_hash: "0".into(),
            elapsed_ms: 1,
            tally: Default::default(),
        };
        let page = render_index(&[IndexRow {
            summary: &summary,
            diagram: Some("script-seed-2.html".into()),
        }]);
        assert!(!page.contains("<script>"));
        assert!(page.contains(r#"<a href="script-seed-2.html">seed 2 diagram</a>"#));
        assert!(page.contains("violation agreement"));
    }
}
