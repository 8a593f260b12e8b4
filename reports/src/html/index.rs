//! `index.html` of a `--report` directory. It opens on a summary: per protocol, how many
//! scenarios met their expectation, met it outside the protocol's model, or did not meet it.
//! Then the scenarios, grouped by protocol in folds (open where one did not meet its
//! expectation), one row each with what the terminal says of it: its runs, failures and runs
//! that failed only outside the model, violations inside and outside with the seed of each,
//! its figures (latency, messages per run) and coverage (`sometimes` properties reached,
//! faults that happened), expectation and result, and a link to the diagram of its replay
//! seed (the shortest failing run, or outside run) with the command that replays it. Buttons
//! (a small inline script, `index.js`) show only the scenarios of one status. The page fits a
//! narrow window: long names and commands wrap inside their cells (`index.css`).

use std::collections::BTreeMap;
use std::fmt::Write;

use super::escape::{esc, file_stem};
use crate::table::{count_text, faults_text, figures_text, reached_text};
use ftsim_runner::sweep::ScenarioSummary;
use ftsim_runner::Expect;

/// One scenario's row in the sweep index, with the diagram written for it (if any).
pub struct IndexRow<'a> {
    pub summary: &'a ScenarioSummary,
    pub diagram: Option<String>,
}

const CSS: &str = include_str!("index.css");
const JS: &str = include_str!("index.js");

/// How a scenario did, for the summary and the filter.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Status {
    /// Its expectation was met inside the protocol's model.
    Met,
    /// Its expectation was met, and its failures were outside the protocol's model (it
    /// expected a violation outside it, or it passed with failing runs outside it).
    Outside,
    /// Its expectation was not met.
    NotMet,
}

impl Status {
    const ALL: [Status; 3] = [Status::Met, Status::Outside, Status::NotMet];

    fn of(s: &ScenarioSummary) -> Self {
        match &s.expect {
            _ if !s.ok => Status::NotMet,
            Expect::Outside(_) => Status::Outside,
            Expect::Pass if s.outside_runs > 0 => Status::Outside,
            _ => Status::Met,
        }
    }

    /// Its key in `data-status` and the filter.
    fn key(self) -> &'static str {
        match self {
            Status::Met => "met",
            Status::Outside => "outside",
            Status::NotMet => "not-met",
        }
    }

    fn words(self) -> &'static str {
        match self {
            Status::Met => "met",
            Status::Outside => "met, outside the model",
            Status::NotMet => "not met",
        }
    }

    /// The class its words are shown in.
    fn class(self) -> &'static str {
        match self {
            Status::Met => "ok",
            Status::Outside => "out",
            Status::NotMet => "bad",
        }
    }
}

/// How many scenarios have each status, in [`Status::ALL`]'s order.
type Counts = [usize; 3];

fn count<'a>(rows: impl Iterator<Item = &'a IndexRow<'a>>) -> Counts {
    let mut c = [0; 3];
    for r in rows {
        c[Status::ALL
            .iter()
            .position(|&s| s == Status::of(r.summary))
            .unwrap_or(0)] += 1;
    }
    c
}

/// `index.html` of a `--report` directory: every scenario at a glance.
pub fn render_index(rows: &[IndexRow<'_>]) -> String {
    let mut by_protocol: BTreeMap<&str, Vec<&IndexRow<'_>>> = BTreeMap::new();
    for r in rows {
        by_protocol.entry(&r.summary.protocol).or_default().push(r);
    }
    let mut h = String::new();
    head(&mut h, rows);
    summary(&mut h, rows, &by_protocol);
    filter(&mut h, rows);
    for (protocol, group) in &by_protocol {
        group_of(&mut h, protocol, group);
    }
    let _ = write!(
        h,
        "<p><a href=\"summary.json\">summary.json</a> (every figure of the sweep)</p>\n<script>{JS}</script>\n</body></html>\n"
    );
    h
}

/// From the doctype to the sweep's overall result.
fn head(h: &mut String, rows: &[IndexRow<'_>]) {
    let unmet = rows.iter().filter(|r| !r.summary.ok).count();
    let _ = write!(
        h,
        r#"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>ftsim sweep report</title>
<style>{CSS}</style></head><body>
<h1>ftsim sweep report</h1>
<p class="{}">{} scenario(s); {}</p>
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

/// The counts by protocol, each protocol linked to its group, and the totals.
fn summary(
    h: &mut String,
    rows: &[IndexRow<'_>],
    by_protocol: &BTreeMap<&str, Vec<&IndexRow<'_>>>,
) {
    h.push_str(
        "<table class=\"totals\"><tr><th>protocol</th><th class=\"num\">scenarios</th>\
         <th class=\"num ok\">met</th><th class=\"num out\">met, outside the model</th>\
         <th class=\"num bad\">not met</th></tr>\n",
    );
    let line = |h: &mut String, name: String, total: usize, c: Counts, class: &str| {
        let _ = writeln!(
            h,
            r#"<tr class="{class}"><td>{name}</td><td class="num">{total}</td>{}{}{}</tr>"#,
            number(c[0], ""),
            number(c[1], ""),
            number(c[2], " bad"),
        );
    };
    for (protocol, group) in by_protocol {
        let name = format!(
            r##"<a href="#group-{}">{}</a>"##,
            file_stem(protocol),
            esc(protocol)
        );
        line(h, name, group.len(), count(group.iter().copied()), "");
    }
    line(h, "all".into(), rows.len(), count(rows.iter()), "all");
    h.push_str("</table>\n");
}

/// A count's cell: in `class` when not zero, faint when zero.
fn number(n: usize, class: &str) -> String {
    let class = if n == 0 { " zero" } else { class };
    format!(r#"<td class="num{class}">{n}</td>"#)
}

/// The status buttons, with how many scenarios each shows, and opening or closing every group.
fn filter(h: &mut String, rows: &[IndexRow<'_>]) {
    let c = count(rows.iter());
    let diagrams = rows.iter().filter(|r| r.diagram.is_some()).count();
    let _ = write!(
        h,
        r#"<h2>Scenarios by protocol</h2>
<div class="filter">show <button data-show="all" aria-pressed="true">all ({})</button>"#,
        rows.len()
    );
    for (status, n) in Status::ALL.iter().zip(c) {
        let _ = write!(
            h,
            r#"<button data-show="{}" aria-pressed="false">{} ({n})</button>"#,
            status.key(),
            status.words()
        );
    }
    let _ = writeln!(
        h,
        r#"<button data-show="diagram" aria-pressed="false">with a diagram ({diagrams})</button> · <button id="open-all">open all</button><button id="close-all">close all</button></div>"#
    );
}

/// One protocol's fold: its counts, then a row per scenario; open if one did not meet its
/// expectation.
fn group_of(h: &mut String, protocol: &str, group: &[&IndexRow<'_>]) {
    let c = count(group.iter().copied());
    let counts: Vec<String> = Status::ALL
        .iter()
        .zip(c)
        .filter(|&(_, n)| n > 0)
        .map(|(s, n)| format!(r#"<span class="{}">{n} {}</span>"#, s.class(), s.words()))
        .collect();
    let _ = write!(
        h,
        r#"<details class="group" id="group-{}"{}><summary><b>{}</b> {} scenario{}: {}</summary>
<table class="rows"><colgroup><col class="name"><col class="runs"><col class="viol"><col class="figures"><col class="expect"><col class="result"><col class="replay"></colgroup>
<tr><th>scenario</th><th class="num">failed / runs</th><th>violations</th><th>figures and coverage</th><th>expect</th><th>result</th><th>replay seed</th></tr>
"#,
        file_stem(protocol),
        if c[2] > 0 { " open" } else { "" },
        esc(protocol),
        group.len(),
        if group.len() == 1 { "" } else { "s" },
        counts.join(", "),
    );
    for r in group {
        row(h, r);
    }
    h.push_str("</table></details>\n");
}

/// One scenario's row.
fn row(h: &mut String, r: &IndexRow<'_>) {
    let s = r.summary;
    let status = Status::of(s);
    let _ = writeln!(
        h,
        r#"<tr data-status="{}"{}><td>{}<br><small>{}</small></td><td class="num">{}</td><td>{}</td><td>{}</td><td>{}</td><td class="{}">{}{}</td><td>{}</td></tr>"#,
        status.key(),
        if r.diagram.is_some() {
            " data-diagram"
        } else {
            ""
        },
        esc(&s.name),
        esc(&s.file),
        runs_cell(s),
        violations_cell(s),
        figures_cell(s),
        expect_cell(s),
        status.class(),
        if s.ok { "ok" } else { "NOT MET" },
        if s.ok {
            String::new()
        } else {
            format!(r#"<div class="why">{}</div>"#, esc(&s.verdict))
        },
        seed_cell(r),
    );
}

/// "failed / runs", and beneath it the runs that failed only outside the model.
fn runs_cell(s: &ScenarioSummary) -> String {
    let mut cell = format!("{} / {}", s.failed_runs, s.runs);
    if s.outside_runs > 0 {
        let _ = write!(
            cell,
            r#"<br><small class="out">{} outside</small>"#,
            s.outside_runs
        );
    }
    cell
}

/// Each violated property with its runs, their share and the seed to replay, one per line;
/// then those violated outside the model, marked so.
fn violations_cell(s: &ScenarioSummary) -> String {
    let inside = (s.violations.iter()).map(|(k, &n)| esc(&count_text(k, n, s)));
    let outside = (s.outside_violations.iter()).map(|(k, &n)| {
        format!(
            r#"<span class="out">outside: {}</span>"#,
            esc(&count_text(k, n, s))
        )
    });
    let lines: Vec<String> = inside.chain(outside).collect();
    match lines.is_empty() {
        true => "-".to_string(),
        false => lines.join("<br>"),
    }
}

/// What the terminal says of the runs: the protocol's figures, the `sometimes` properties
/// reached and the faults that happened, one per line.
fn figures_cell(s: &ScenarioSummary) -> String {
    let lines: Vec<String> = (figures_text(s).into_iter())
        .chain(reached_text(s))
        .chain([faults_text(s)])
        .map(|line| format!("<small>{}</small>", esc(&line)))
        .collect();
    lines.join("<br>")
}

/// The scenario's expectation: a word, or the violation it expects.
fn expect_cell(s: &ScenarioSummary) -> String {
    esc(&s.expect.to_string())
}

/// The seed worth replaying, linked to its diagram, with the replay command: one string, which
/// wraps inside its cell and is selected whole by a click.
fn seed_cell(r: &IndexRow<'_>) -> String {
    let s = r.summary;
    let command = s
        .replay
        .as_deref()
        .map(|c| format!(r#"<code class="cmd">{}</code>"#, esc(c)))
        .unwrap_or_default();
    match (s.replay_seed, &r.diagram) {
        (Some(seed), Some(link)) => format!(
            r#"<a href="{}">seed {seed} diagram</a>{command}"#,
            esc(link)
        ),
        (Some(seed), None) => format!("seed {seed}{command}"),
        (None, _) => "-".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary_of(name: &str, protocol: &str, expect: Expect, ok: bool) -> ScenarioSummary {
        ScenarioSummary {
            name: name.into(),
            file: "f.toml".into(),
            protocol: protocol.into(),
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
            expect,
            ok,
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
        }
    }

    #[test]
    fn the_index_escapes_and_links() {
        let summary = summary_of(
            "<script>x</script>",
            "p",
            Expect::Violation("agreement".into()),
            true,
        );
        let page = render_index(&[IndexRow {
            summary: &summary,
            diagram: Some("script-seed-2.html".into()),
        }]);
        assert!(!page.contains("<script>x") && page.contains("&lt;script&gt;x"));
        assert_eq!(page.matches("<script").count(), 1, "ours only");
        assert!(page.contains(r#"<a href="script-seed-2.html">seed 2 diagram</a>"#));
        assert!(page.contains("violation agreement"));
        assert!(page.contains(r#"<code class="cmd">ftsim replay f.toml --seed 2</code>"#));
    }

    /// A scenario whose failures were all outside the model: the row says how many, by
    /// property with the seed, and the figures and coverage the terminal prints.
    #[test]
    fn the_index_shows_outside_runs_figures_and_coverage() {
        let mut s = summary_of(
            "one-round",
            "flooding",
            Expect::Outside("agreement".into()),
            true,
        );
        s.runs = 2000;
        s.failed_runs = 0;
        s.violations = Default::default();
        s.outside_runs = 88;
        s.outside_violations = [("agreement".to_string(), 88)].into();
        s.replay_seed_by_invariant = [("agreement".to_string(), 32)].into();
        s.replay_events_by_invariant = [("agreement".to_string(), 23)].into();
        s.replay_seed = Some(32);
        s.messages = 40_000;
        s.sometimes_reached = [("crash-before-decision".to_string(), 537)].into();
        s.faults_fired = [("crash".to_string(), 2000)].into();
        let page = render_index(&[IndexRow {
            summary: &s,
            diagram: Some("one-round-seed-32.html".into()),
        }]);
        assert!(
            page.contains(r#"0 / 2000<br><small class="out">88 outside</small>"#),
            "{page}"
        );
        assert!(page.contains(
            r#"<span class="out">outside: agreement 88 (4.4%; seed 32: 23 events)</span>"#
        ));
        assert!(page.contains("<small>20.0 messages/run</small>"), "{page}");
        assert!(page.contains("<small>sometimes reached: crash-before-decision 537</small>"));
        assert!(page.contains("<small>faults: crash 2000</small>"));
        assert!(page.contains(r#"<a href="one-round-seed-32.html">seed 32 diagram</a>"#));
    }

    #[test]
    fn the_index_sums_up_by_protocol_and_groups_by_status() {
        let met = summary_of("a", "zeta", Expect::Pass, true);
        let outside = summary_of("b", "alpha", Expect::Outside("agreement".into()), true);
        let unmet = summary_of("c", "zeta", Expect::Violation("agreement".into()), false);
        let rows: Vec<IndexRow<'_>> = [&met, &outside, &unmet]
            .into_iter()
            .map(|summary| IndexRow {
                summary,
                diagram: None,
            })
            .collect();
        let page = render_index(&rows);
        // The summary: alpha (1 outside), zeta (1 met, 1 not met), then the totals.
        let alpha = page.find(r##"<a href="#group-alpha">alpha</a>"##).unwrap();
        let zeta = page.find(r##"<a href="#group-zeta">zeta</a>"##).unwrap();
        assert!(alpha < zeta);
        assert!(page.contains(r#"<td class="num">2</td><td class="num">1</td><td class="num zero">0</td><td class="num bad">1</td>"#), "{page}");
        // The groups, zeta's open (a scenario did not meet its expectation), alpha's closed.
        assert!(page.contains(r#"<details class="group" id="group-zeta" open>"#));
        assert!(page.contains(r#"<details class="group" id="group-alpha">"#));
        assert_eq!(page.matches(r#"<tr data-status="not-met">"#).count(), 1);
        assert_eq!(page.matches(r#"<tr data-status="outside">"#).count(), 1);
        assert!(page
            .contains(r#"<button data-show="not-met" aria-pressed="false">not met (1)</button>"#));
        // Self-contained: one inline script, nothing fetched.
        assert_eq!(page.matches("<script").count(), 1);
        assert!(!page.contains("src=") && !page.contains("http"));
    }
}
