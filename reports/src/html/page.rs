//! The HTML page around the diagram: a header with what the run was (scenario, verdict with
//! links to the events it names, then, folded, the description, protocol, how to replay it,
//! statistics and fault plan), the controls (zoom, x axis, layers, causal highlight, stepping)
//! and the legend of what the run has, then the process names, the diagram and a details pane.
//! The diagram itself is drawn by the inline script from the embedded model. Style, script and
//! data are inline: the page is one self-contained file and fetches nothing.

use std::collections::BTreeSet;
use std::fmt::Write;

use sim_core::{FaultPlan, RunReport};

use super::escape::esc;
use super::legend::legend;
use super::Meta;
use crate::timeline::{describe_fault, untimed_faults, verdict};

/// Runs with more trace entries than this open with the timer marks hidden (the "timers"
/// layer switch shows them).
const TIMERS_SHOWN_UP_TO: usize = 2000;

/// Fault plans with more entries than this start folded.
const PLAN_OPEN_UP_TO: usize = 6;

/// The page's style sheet and script, inline so the page fetches nothing.
const CSS: &str = include_str!("diagram.css");
const JS: &str = include_str!("diagram.js");
const LABELS_JS: &str = include_str!("labels.js");

/// The page of a run around the diagram's model (`model_json`, already safe for a script
/// element); `explain` offers (and switches on) the highlight of the violation's causal past.
pub(super) fn page(
    report: &RunReport,
    meta: &Meta<'_>,
    model_json: &str,
    kinds: &BTreeSet<&str>,
    explain: bool,
    entries: usize,
    note: Option<&str>,
) -> String {
    let mut h = String::new();
    head(&mut h, report, meta, explain);
    if let Some(note) = note {
        let _ = writeln!(h, r#"<p class="note">{}</p>"#, esc(note));
    }
    about(&mut h, report, meta);
    controls(&mut h, explain, entries > TIMERS_SHOWN_UP_TO, entries);
    h.push_str(&legend(kinds));
    let _ = write!(
        h,
        r#"</header>
<main><div id="view"><svg id="names" xmlns="http://www.w3.org/2000/svg" width="76"></svg><div id="scroll"><svg id="diagram" xmlns="http://www.w3.org/2000/svg"></svg></div></div>
<aside id="details"><p class="hint">Click an event (a dot on a process line, a mark) for what happened and the process's state after it; click a message for its content.</p></aside></main>
<script type="application/json" id="model">{model_json}</script>
<script>{LABELS_JS}
{JS}</script>
</body></html>
"#
    );
    h
}

/// From the doctype to the verdict: the title, the description and the verdict, whose event
/// numbers link to the events.
fn head(h: &mut String, report: &RunReport, meta: &Meta<'_>, explain: bool) {
    let bad = !report.outcome.is_ok();
    let _ = write!(
        h,
        r#"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{} seed {} — ftsim</title>
<style>{CSS}</style></head>
<body class="{}">
<header>
<h1>{} <span class="seed">seed {}</span></h1>
<p class="verdict {}">{}</p>
"#,
        esc(meta.scenario),
        report.seed,
        if explain { "causal" } else { "" },
        esc(meta.scenario),
        report.seed,
        if bad { "bad" } else { "good" },
        link_events(&esc(&verdict(report))).replace('\n', "<br>"),
    );
}

/// Escaped text with every event reference ("event #12", "events #3, #5 and #9") linked to
/// its event on the diagram.
pub(super) fn link_events(escaped: &str) -> String {
    let mut out = String::with_capacity(escaped.len());
    let mut rest = escaped;
    while let Some(at) = rest.find("event") {
        let (before, from) = rest.split_at(at);
        out.push_str(before);
        let word = if from.starts_with("events ") {
            "events "
        } else if from.starts_with("event ") {
            "event "
        } else {
            "event"
        };
        out.push_str(word);
        rest = &from[word.len()..];
        if word == "event" {
            continue;
        }
        // A list of references: #N, separated by ", " or " and ".
        loop {
            let digits = rest
                .strip_prefix('#')
                .map(|r| r.len() - r.trim_start_matches(|c: char| c.is_ascii_digit()).len())
                .unwrap_or(0);
            if digits == 0 {
                break;
            }
            let number = &rest[1..=digits];
            let _ = write!(out, r##"<a href="#" data-goto="{number}">#{number}</a>"##);
            rest = &rest[1 + digits..];
            let sep = [", ", " and "]
                .into_iter()
                .find(|s| rest.strip_prefix(s).is_some_and(|r| r.starts_with('#')));
            match sep {
                Some(s) => {
                    out.push_str(s);
                    rest = &rest[s.len()..];
                }
                None => break,
            }
        }
    }
    out.push_str(rest);
    out
}

/// What the run is, folded (the script closes it on a small window, so that the diagram is on
/// the first screen): the description, the facts and the fault plan.
fn about(h: &mut String, report: &RunReport, meta: &Meta<'_>) {
    let faults = report.plan.events.len() + untimed_faults(&report.plan).len();
    let _ = write!(
        h,
        r#"<details class="fold about" open><summary>{} · {} nodes · {} events · {} planned fault{} — description, replay command, stats, fault plan</summary>
<p class="desc">{}</p>
"#,
        esc(meta.protocol),
        meta.nodes,
        report.stats.events,
        faults,
        if faults == 1 { "" } else { "s" },
        esc(meta.description),
    );
    facts(h, report, meta);
    fault_plan(h, &report.plan);
    h.push_str("</details>\n");
}

/// The table of facts: protocol, scenario file, replay command and statistics.
fn facts(h: &mut String, report: &RunReport, meta: &Meta<'_>) {
    let _ = write!(
        h,
        r#"<table class="facts">
<tr><th>protocol</th><td>{}</td><th>scenario file</th><td><code>{}</code></td></tr>
<tr><th>replay</th><td colspan="3"><code>{}</code></td></tr>
<tr><th>stats</th><td colspan="3">{} events, {} messages sent, {} delivered, {} dropped, {} duplicated; ended at {}; trace hash <code>{:016x}</code></td></tr>
</table>
"#,
        esc(meta.protocol),
        esc(meta.file),
        esc(meta.replay),
        report.stats.events,
        report.stats.messages_sent,
        report.stats.messages_delivered,
        report.stats.messages_dropped,
        report.stats.messages_duplicated,
        esc(&report.stats.end_time.to_string()),
        report.trace_hash,
    );
}

/// The fault plan: the Byzantine nodes, then each planned fault with its time; folded when
/// long, so the diagram stays on the first screen.
fn fault_plan(h: &mut String, plan: &FaultPlan) {
    let untimed = untimed_faults(plan);
    let count = plan.events.len() + untimed.len();
    let open = if count <= PLAN_OPEN_UP_TO {
        " open"
    } else {
        ""
    };
    let _ = write!(
        h,
        "<details class=\"plan-box\"{open}><summary>fault plan ({count} faults)</summary><ul class=\"plan\">"
    );
    if !plan.byzantine.is_empty() {
        let ids: Vec<String> = plan.byzantine.iter().map(|b| format!("n{b}")).collect();
        let _ = write!(h, "<li>byzantine: {}</li>", esc(&ids.join(", ")));
    }
    for e in &plan.events {
        let _ = write!(
            h,
            "<li><code>{}</code> {}</li>",
            esc(&e.at.to_string()),
            esc(&describe_fault(&e.kind))
        );
    }
    for line in &untimed {
        let _ = write!(h, "<li>{}</li>", esc(line));
    }
    if count == 0 && plan.byzantine.is_empty() {
        h.push_str("<li>no faults</li>");
    }
    h.push_str("</ul></details>\n");
}

/// Zoom, the x axis, the causal highlight (hidden when there is nothing to explain), the
/// layers and stepping.
fn controls(h: &mut String, explain: bool, hide_timers: bool, entries: usize) {
    let _ = write!(
        h,
        r#"<div class="controls">
<span class="group">zoom <button id="zoom-out" title="zoom out (-)">−</button><button id="zoom-in" title="zoom in (+)">+</button><button id="zoom-fit" title="the whole run (f)">fit</button></span>
<span class="group">x axis <label><input type="radio" name="xmode" value="order" checked> event order</label><label><input type="radio" name="xmode" value="time"> virtual time<span class="wide"> (to scale)</span></label></span>
<label {}><input type="checkbox" id="explain" {}> highlight the causal past<span class="wide"> of the violation</span></label>
<span class="group">show <label><input type="checkbox" id="layer-msgs" checked> messages</label><label><input type="checkbox" id="layer-drops" checked> drops</label><label><input type="checkbox" id="layer-labels" checked> labels</label><label><input type="checkbox" id="layer-timers" {}> timers</label></span>
<span class="group">step <button id="step-prev" title="previous event (←)">◀</button><button id="step-next" title="next event (→)">▶</button><button id="step-off" title="show everything">all</button><span id="step-pos"></span></span>
<span class="hint">{entries} trace entries · wheel: zoom · drag or shift+wheel: pan</span>
</div>
"#,
        if explain { "" } else { "hidden" },
        if explain { "checked" } else { "" },
        if hide_timers { "" } else { "checked" },
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_references_become_links() {
        assert_eq!(
            link_events("node 1 decided at event #23 but events #3, #5 and #9; message #9, 0#0"),
            "node 1 decided at event <a href=\"#\" data-goto=\"23\">#23</a> but events \
             <a href=\"#\" data-goto=\"3\">#3</a>, <a href=\"#\" data-goto=\"5\">#5</a> and \
             <a href=\"#\" data-goto=\"9\">#9</a>; message #9, 0#0"
        );
        assert_eq!(link_events("eventually #4"), "eventually #4");
    }
}
