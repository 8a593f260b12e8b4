//! The HTML page around the diagram: a header with what the run was (scenario, verdict with
//! links to the events it names, protocol, how to replay it, statistics, fault plan), the
//! controls (zoom, x axis, layers, causal highlight, stepping) and a complete legend, then the
//! process names, the diagram and a details pane. The diagram itself is drawn by the inline
//! script from the embedded model. Style, script and data are inline: the page is one
//! self-contained file and fetches nothing.

use std::fmt::Write;

use sim_core::{FaultPlan, RunReport};

use super::escape::esc;
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

/// The page of a run around the diagram's model (`model_json`, already safe for a script
/// element); `explain` offers (and switches on) the highlight of the violation's causal past.
pub(super) fn page(
    report: &RunReport,
    meta: &Meta<'_>,
    model_json: &str,
    explain: bool,
    entries: usize,
    note: Option<&str>,
) -> String {
    let mut h = String::new();
    head(&mut h, report, meta, explain);
    if let Some(note) = note {
        let _ = writeln!(h, r#"<p class="note">{}</p>"#, esc(note));
    }
    facts(&mut h, report, meta);
    fault_plan(&mut h, &report.plan);
    controls(&mut h, explain, entries > TIMERS_SHOWN_UP_TO, entries);
    h.push_str(LEGEND);
    let _ = write!(
        h,
        r#"</header>
<main><div id="view"><svg id="names" xmlns="http://www.w3.org/2000/svg" width="76"></svg><div id="scroll"><svg id="diagram" xmlns="http://www.w3.org/2000/svg"></svg></div></div>
<aside id="details"><p class="hint">Click an event (a dot on a process line, a mark) for what happened and the process's state after it; click a message for its content.</p></aside></main>
<script type="application/json" id="model">{model_json}</script>
<script>{JS}</script>
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
<p class="desc">{}</p>
<p class="verdict {}">{}</p>
"#,
        esc(meta.scenario),
        report.seed,
        if explain { "causal" } else { "" },
        esc(meta.scenario),
        report.seed,
        esc(meta.description),
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
<span class="group">x axis <label><input type="radio" name="xmode" value="order" checked> event order</label><label><input type="radio" name="xmode" value="time"> virtual time (to scale)</label></span>
<label {}><input type="checkbox" id="explain" {}> highlight the causal past of the violation</label>
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

/// Every mark the diagram draws, with the same shapes and colours.
const LEGEND: &str = r##"<div class="legend">
<span><svg width="22" height="10"><line x1="1" y1="5" x2="19" y2="5" class="msg"/><path d="M15 2L20 5L15 8z" fill="#3465a4"/></svg>message (label: its kind)</span>
<span><svg width="22" height="10"><line x1="1" y1="5" x2="20" y2="5" class="msg dup"/></svg>duplicate delivery</span>
<span><svg width="22" height="10"><line x1="1" y1="5" x2="20" y2="5" class="msg tampered"/></svg>tampered message</span>
<span><svg width="22" height="10"><line x1="1" y1="5" x2="14" y2="5" class="msg lost"/><path d="M13 1L21 9M13 9L21 1" class="cross"/></svg>dropped</span>
<span><svg width="14" height="14"><path d="M2 2L12 12M2 12L12 2" class="crash"/></svg>crash</span>
<span><svg width="22" height="10"><line x1="1" y1="5" x2="21" y2="5" class="life down"/></svg>down</span>
<span><svg width="14" height="14"><circle cx="7" cy="7" r="5" class="recover"/></svg>recovery</span>
<span><svg width="10" height="10"><circle cx="5" cy="5" r="4" fill="#204a87"/></svg>observation</span>
<span><svg width="12" height="10"><circle cx="6" cy="5" r="3" class="step"/></svg>event (click: state)</span>
<span><svg width="12" height="10"><path d="M6 1l5 8l-10 0z" class="suspect"/></svg>suspicion</span>
<span><svg width="12" height="10"><path d="M6 1l5 8l-10 0z" class="trust"/></svg>trusted again</span>
<span><svg width="6" height="12"><line x1="3" y1="0" x2="3" y2="12" class="timer"/></svg>timer fired</span>
<span><svg width="8" height="8"><rect x="1" y="1" width="6" height="6" class="persist"/></svg>stable storage written</span>
<span><svg width="12" height="12"><path d="M6 0l6 6l-6 6l-6-6z" class="tamper"/></svg>tampering</span>
<span><svg width="14" height="10"><text x="0" y="9" class="dupmark">×2</text></svg>network duplicates</span>
<span><svg width="6" height="12"><rect x="1" y="0" width="3" height="12" class="omission"/></svg>omission starts / ends</span>
<span><svg width="14" height="14"><path d="M2 7a5 5 0 1 0 10 0a5 5 0 1 0 -10 0M7 4v3h2" class="clock"/></svg>clock set off / drifting</span>
<span><svg width="16" height="6"><rect x="1" y="1" width="14" height="4" class="slowmark"/></svg>runs slow / normal again</span>
<span><svg width="10" height="10"><path d="M1 1L9 9M1 9L9 1" class="lostmark"/></svg>unsynced writes lost</span>
<span><svg width="22" height="12"><rect x="0" y="0" width="10" height="12" class="side0"/><rect x="11" y="0" width="10" height="12" class="side1"/></svg>partition sides</span>
<span><svg width="22" height="12"><rect x="0" y="0" width="22" height="12" class="traitor-band"/><line x1="0" y1="6" x2="22" y2="6" class="life traitor"/></svg>traitor (Byzantine)</span>
<span><svg width="8" height="14"><line x1="4" y1="0" x2="4" y2="14" stroke="#cc0000" stroke-width="2"/></svg>violation</span>
<span><svg width="16" height="16"><circle cx="8" cy="8" r="6" class="culprit"/></svg>an event the violation names</span>
<span><svg width="10" height="10"><circle cx="5" cy="5" r="4" fill="#204a87" opacity=".13"/></svg>outside the causal past</span>
</div>
"##;

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
