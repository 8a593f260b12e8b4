//! The space-time diagram of a traced run, as one self-contained HTML page (inline SVG, CSS and
//! a little JavaScript; nothing is fetched). One horizontal line per process; time runs left
//! to right, one column per engine event, so bursts of simultaneous events stay readable;
//! arrows for messages, crosses for drops, marks for crashes, recoveries, suspicions, timers and
//! observations; partitions as shaded spans. A violation is drawn in red, and the causal past
//! (by the vector clocks of the trace) of the observations it conflicts with is highlighted
//! while everything else is dimmed. Everything that comes from a protocol is escaped.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

use sim_core::{DropReason, RunReport, TraceEvent, TraceKind};

use crate::timeline::{describe_event, describe_fault, verdict};

/// What the page says about where the run comes from.
pub struct Meta<'a> {
    pub scenario: &'a str,
    pub description: &'a str,
    pub file: &'a str,
    pub protocol: &'a str,
    pub nodes: usize,
    pub replay: &'a str,
}

/// Escapes text for HTML element content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A file name made only of `[A-Za-z0-9._-]` from any text (a scenario name).
pub fn file_stem(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        let c = if c.is_ascii_alphanumeric() || c == '_' {
            c
        } else {
            '-'
        };
        if !(c == '-' && out.ends_with('-')) {
            out.push(c);
        }
    }
    out.truncate(80);
    let trimmed = out.trim_matches('-');
    if trimmed.is_empty() {
        "scenario".to_string()
    } else {
        trimmed.to_string()
    }
}

const LEFT: f64 = 56.0;
const TOP: f64 = 40.0;
const ROW: f64 = 64.0;
/// Column width bounds: short runs spread out to a readable width, long ones stay compact
/// (and scroll, and zoom).
const COL_MIN: f64 = 14.0;
const COL_MAX: f64 = 48.0;
const TARGET_WIDTH: f64 = 860.0;
/// Room after the last column for the labels of the last events.
const RIGHT: f64 = 160.0;

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max - 1).collect();
        t.push('…');
        t
    }
}

/// Geometry: one column per engine event that appears in the trace.
struct Layout {
    column: BTreeMap<u64, usize>,
    columns: usize,
    col: f64,
}

impl Layout {
    fn new(trace: &[TraceEvent]) -> Self {
        let events: BTreeSet<u64> = trace.iter().map(|e| e.event).collect();
        let column: BTreeMap<u64, usize> = events
            .into_iter()
            .enumerate()
            .map(|(i, e)| (e, i))
            .collect();
        let columns = column.len().max(1);
        let col = (TARGET_WIDTH / columns as f64).clamp(COL_MIN, COL_MAX);
        Layout {
            column,
            columns,
            col,
        }
    }
    fn x(&self, event: u64) -> f64 {
        LEFT + 20.0 + self.column.get(&event).copied().unwrap_or(0) as f64 * self.col
    }
    fn y(node: usize) -> f64 {
        TOP + 30.0 + node as f64 * ROW
    }
    fn width(&self) -> f64 {
        LEFT + 20.0 + self.columns as f64 * self.col + RIGHT
    }
}

/// Which trace entries lie in the causal past of the violation's conflicting observations.
/// `None` when there is nothing to explain (no violation, or one judged at the end of the run
/// with no observation to anchor it).
fn causal_past(report: &RunReport, trace: &[TraceEvent]) -> Option<Vec<bool>> {
    let v = report.violations.first()?;
    let mut anchors: Vec<&TraceEvent> = Vec::new();
    let events: BTreeSet<u64> = std::iter::once(v.event)
        .chain(v.related.iter().copied())
        .collect();
    for e in trace {
        if e.node.is_some() && events.contains(&e.event) {
            let wanted = matches!(e.kind, TraceKind::Observe { .. });
            if wanted {
                anchors.push(e);
            }
        }
    }
    if anchors.is_empty() {
        // No observation at the violating event (a state check): anchor on its last entry.
        anchors.extend(
            trace
                .iter()
                .rev()
                .find(|e| e.node.is_some() && e.event == v.event),
        );
    }
    if anchors.is_empty() {
        return None;
    }
    Some(
        trace
            .iter()
            .map(|e| match e.node {
                None => false,
                Some(a) => anchors.iter().any(|t| {
                    e.vc.get(a)
                        .zip(t.vc.get(a))
                        .is_some_and(|(mine, theirs)| mine <= theirs)
                }),
            })
            .collect(),
    )
}

struct Msg<'a> {
    from: usize,
    to: usize,
    send: Option<(usize, &'a TraceEvent)>,
    delivers: Vec<(usize, &'a TraceEvent)>,
    drop: Option<(usize, &'a TraceEvent, DropReason)>,
    text: &'a str,
}

/// Renders the page.
pub fn render(report: &RunReport, meta: &Meta<'_>) -> String {
    let trace: &[TraceEvent] = report.trace.as_deref().unwrap_or(&[]);
    let layout = Layout::new(trace);
    let causal = causal_past(report, trace);
    let in_past = |i: usize| causal.as_ref().is_none_or(|c| c[i]);
    let n = meta.nodes.max(
        trace
            .iter()
            .filter_map(|e| e.node)
            .max()
            .map_or(0, |m| m + 1),
    );
    let height = TOP + 30.0 + n as f64 * ROW;
    let width = layout.width();

    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg id="diagram" xmlns="http://www.w3.org/2000/svg" width="{width:.0}" height="{height:.0}" viewBox="0 0 {width:.0} {height:.0}">"#
    );
    svg.push_str(r##"<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#3465a4"/></marker></defs>"##);

    // Partitions: shaded spans from a partition to the next heal (or the end of faults).
    let mut open: Option<(u64, String)> = None;
    let end_event = trace.last().map_or(0, |e| e.event);
    let mut spans = Vec::new();
    for e in trace {
        match &e.kind {
            TraceKind::Partition { groups } => {
                if let Some((start, label)) = open.take() {
                    spans.push((start, e.event, label));
                }
                open = Some((e.event, crate::timeline::groups_text(groups)));
            }
            TraceKind::Heal | TraceKind::FaultsEnd => {
                if let Some((start, label)) = open.take() {
                    spans.push((start, e.event, label));
                }
            }
            _ => {}
        }
    }
    if let Some((start, label)) = open {
        spans.push((start, end_event, label));
    }
    for (start, stop, label) in spans {
        let (x0, x1) = (layout.x(start), layout.x(stop));
        let _ = write!(
            svg,
            r#"<rect class="partition" x="{x0:.1}" y="{:.1}" width="{:.1}" height="{:.1}"><title>partition {}</title></rect>"#,
            TOP,
            (x1 - x0).max(2.0),
            height - TOP,
            esc(&label)
        );
    }

    // Time axis: a tick every 10 columns with the virtual time there.
    let mut last_tick: Option<usize> = None;
    for e in trace {
        let col = layout.column[&e.event];
        if last_tick.is_none_or(|t| col >= t + 10) {
            last_tick = Some(col);
            let x = layout.x(e.event);
            let _ = write!(
                svg,
                r#"<line class="tick" x1="{x:.1}" y1="{:.1}" x2="{x:.1}" y2="{height:.1}"/><text class="time" x="{x:.1}" y="{:.1}">{}</text>"#,
                TOP - 4.0,
                TOP - 8.0,
                esc(&e.time.to_string())
            );
        }
    }

    // Process lines: solid while up, dashed while down.
    let right = width - RIGHT + 40.0;
    for node in 0..n {
        let y = Layout::y(node);
        let _ = write!(
            svg,
            r#"<text class="node" x="8" y="{:.1}">n{node}</text>"#,
            y + 4.0
        );
        let mut x = LEFT;
        let mut up = true;
        for e in trace.iter().filter(|e| e.node == Some(node)) {
            let (goes_down, comes_up) = (
                matches!(e.kind, TraceKind::Crash),
                matches!(e.kind, TraceKind::Recover),
            );
            if (up && goes_down) || (!up && comes_up) {
                let x1 = layout.x(e.event);
                let class = if up { "life" } else { "life down" };
                let _ = write!(
                    svg,
                    r#"<line class="{class}" x1="{x:.1}" y1="{y:.1}" x2="{x1:.1}" y2="{y:.1}"/>"#
                );
                x = x1;
                up = !up;
            }
        }
        let class = if up { "life" } else { "life down" };
        let _ = write!(
            svg,
            r#"<line class="{class}" x1="{x:.1}" y1="{y:.1}" x2="{right:.1}" y2="{y:.1}"/>"#
        );
    }

    // Messages: sends, deliveries (the second one of a duplicate is dashed), drops.
    let mut msgs: BTreeMap<u64, Msg<'_>> = BTreeMap::new();
    for (i, e) in trace.iter().enumerate() {
        match &e.kind {
            TraceKind::Send {
                to, msg_id, msg, ..
            } => {
                msgs.insert(
                    *msg_id,
                    Msg {
                        from: e.node.unwrap_or(0),
                        to: *to,
                        send: Some((i, e)),
                        delivers: Vec::new(),
                        drop: None,
                        text: msg,
                    },
                );
            }
            TraceKind::Deliver { msg_id, .. } => {
                if let Some(m) = msgs.get_mut(msg_id) {
                    m.delivers.push((i, e));
                }
            }
            TraceKind::Drop { msg_id, reason, .. } => {
                if let Some(m) = msgs.get_mut(msg_id) {
                    m.drop = Some((i, e, *reason));
                }
            }
            _ => {}
        }
    }
    for (id, m) in &msgs {
        let Some((si, send)) = m.send else { continue };
        let (x0, y0) = (layout.x(send.event), Layout::y(m.from));
        let y_to = Layout::y(m.to);
        let title = format!("#{id} n{}→n{}: {}", m.from, m.to, m.text);
        for (k, (di, d)) in m.delivers.iter().enumerate() {
            let dim = if in_past(*di) && in_past(si) {
                ""
            } else {
                " acausal"
            };
            let dup = if k > 0 { " dup" } else { "" };
            let _ = write!(
                svg,
                r#"<line class="msg{dup}{dim}" data-id="{id}" data-text="{}" x1="{x0:.1}" y1="{y0:.1}" x2="{:.1}" y2="{y_to:.1}" marker-end="url(#arrow)"><title>{}</title></line>"#,
                esc(&title),
                layout.x(d.event),
                esc(&if k > 0 {
                    format!("{title} (duplicate)")
                } else {
                    title.clone()
                })
            );
        }
        if let Some((di, d, reason)) = m.drop {
            let dim = if in_past(di) || in_past(si) {
                ""
            } else {
                " acausal"
            };
            // A drop at the receiver ends at its line; a drop at the sender part of the way.
            let at_receiver = d.node == Some(m.to) && m.to != m.from;
            let (x1, y1) = if at_receiver {
                (layout.x(d.event), y_to)
            } else {
                (x0 + 3.0 * layout.col, y0 + (y_to - y0) * 0.35)
            };
            let label = format!("{title} — dropped: {}", reason.as_str());
            let _ = write!(
                svg,
                r#"<g class="dropped{dim}" data-id="{id}" data-text="{}"><title>{}</title><line class="msg lost" x1="{x0:.1}" y1="{y0:.1}" x2="{x1:.1}" y2="{y1:.1}"/><path class="cross" d="M {:.1} {:.1} L {:.1} {:.1} M {:.1} {:.1} L {:.1} {:.1}"/></g>"#,
                esc(&label),
                esc(&label),
                x1 - 5.0,
                y1 - 5.0,
                x1 + 5.0,
                y1 + 5.0,
                x1 - 5.0,
                y1 + 5.0,
                x1 + 5.0,
                y1 - 5.0
            );
        }
    }

    // Marks on the process lines.
    let mut label_row: BTreeMap<usize, (f64, usize)> = BTreeMap::new();
    for (i, e) in trace.iter().enumerate() {
        let Some(node) = e.node else { continue };
        let (x, y) = (layout.x(e.event), Layout::y(node));
        let dim = if in_past(i) { "" } else { " acausal" };
        let (tag, text) = describe_event(e);
        let title = esc(&format!(
            "{} n{node}: {} {text}",
            e.time,
            tag.to_lowercase()
        ));
        match &e.kind {
            TraceKind::Crash => {
                let _ = write!(
                    svg,
                    r#"<g class="crash"><title>{title}</title><path d="M {:.1} {:.1} L {:.1} {:.1} M {:.1} {:.1} L {:.1} {:.1}"/></g>"#,
                    x - 8.0,
                    y - 8.0,
                    x + 8.0,
                    y + 8.0,
                    x - 8.0,
                    y + 8.0,
                    x + 8.0,
                    y - 8.0
                );
            }
            TraceKind::Recover => {
                let _ = write!(
                    svg,
                    r#"<circle class="recover" cx="{x:.1}" cy="{y:.1}" r="7"><title>{title}</title></circle>"#
                );
            }
            TraceKind::Observe { obs } => {
                // Stagger labels that would overlap the previous one on the same line.
                let (last_x, level) = label_row.get(&node).copied().unwrap_or((f64::MIN, 0));
                let level = if x - last_x < 90.0 {
                    (level + 1) % 3
                } else {
                    0
                };
                label_row.insert(node, (x, level));
                let ly = y - 10.0 - level as f64 * 11.0;
                let _ = write!(
                    svg,
                    r#"<g class="obs{dim}"><title>{title}</title><circle cx="{x:.1}" cy="{y:.1}" r="4"/><text x="{:.1}" y="{ly:.1}">{}</text></g>"#,
                    x + 3.0,
                    esc(&truncate(obs, 28))
                );
            }
            TraceKind::Suspect { .. } | TraceKind::Restore { .. } => {
                let class = if matches!(e.kind, TraceKind::Suspect { .. }) {
                    "suspect"
                } else {
                    "trust"
                };
                let _ = write!(
                    svg,
                    r#"<path class="{class}{dim}" d="M {x:.1} {:.1} l 5 8 l -10 0 z"><title>{title}</title></path>"#,
                    y + 4.0
                );
            }
            TraceKind::TimerFire { .. } => {
                let _ = write!(
                    svg,
                    r#"<line class="timer{dim}" x1="{x:.1}" y1="{:.1}" x2="{x:.1}" y2="{:.1}"><title>{title}</title></line>"#,
                    y - 5.0,
                    y + 5.0
                );
            }
            TraceKind::Tamper { .. } => {
                let _ = write!(
                    svg,
                    r#"<path class="tamper{dim}" d="M {x:.1} {:.1} l 6 6 l -6 6 l -6 -6 z"><title>{title}</title></path>"#,
                    y - 6.0
                );
            }
            TraceKind::Persist { .. } => {
                let _ = write!(
                    svg,
                    r#"<rect class="persist{dim}" x="{:.1}" y="{:.1}" width="5" height="5"><title>{title}</title></rect>"#,
                    x - 2.5,
                    y + 6.0
                );
            }
            _ => {}
        }
    }

    // The violation: a red rule at the violating event, with the property named.
    if let Some(v) = report.violations.first() {
        if let Some(col_event) = trace
            .iter()
            .rev()
            .find(|e| e.event <= v.event)
            .map(|e| e.event)
        {
            let x = layout.x(col_event);
            let _ = write!(
                svg,
                r#"<g class="violation"><title>{}</title><line x1="{x:.1}" y1="{:.1}" x2="{x:.1}" y2="{height:.1}"/><text x="{:.1}" y="{:.1}">{} violated</text></g>"#,
                esc(&format!("{}: {}", v.property, v.message)),
                TOP,
                x + 4.0,
                TOP + 10.0,
                esc(&v.property)
            );
            for &ev in std::iter::once(&v.event).chain(&v.related) {
                for e in trace
                    .iter()
                    .filter(|e| e.event == ev && matches!(e.kind, TraceKind::Observe { .. }))
                {
                    if let Some(node) = e.node {
                        let _ = write!(
                            svg,
                            r#"<circle class="culprit" cx="{:.1}" cy="{:.1}" r="10"/>"#,
                            layout.x(e.event),
                            Layout::y(node)
                        );
                    }
                }
            }
        }
    }
    svg.push_str("</svg>");

    page(report, meta, &svg, causal.is_some(), trace.len())
}

fn page(report: &RunReport, meta: &Meta<'_>, svg: &str, explain: bool, entries: usize) -> String {
    let mut h = String::new();
    let bad = !report.outcome.is_ok();
    let _ = write!(
        h,
        r#"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{} seed {} — ftsim</title>
<style>{CSS}</style></head>
<body class="{}{}">
<header>
<h1>{} <span class="seed">seed {}</span></h1>
<p class="desc">{}</p>
<p class="verdict {}">{}</p>
<table class="facts">
<tr><th>protocol</th><td>{}</td><th>scenario file</th><td><code>{}</code></td></tr>
<tr><th>replay</th><td colspan="3"><code>{}</code></td></tr>
<tr><th>stats</th><td colspan="3">{} events, {} messages sent, {} delivered, {} dropped, {} duplicated; ended at {}; trace hash <code>{:016x}</code></td></tr>
</table>
"#,
        esc(meta.scenario),
        report.seed,
        if explain { "causal" } else { "" },
        if entries > 2000 { " hide-timers" } else { "" },
        esc(meta.scenario),
        report.seed,
        esc(meta.description),
        if bad { "bad" } else { "good" },
        esc(&verdict(report)).replace('\n', "<br>"),
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
    h.push_str("<details open><summary>fault plan</summary><ul class=\"plan\">");
    if !report.plan.byzantine.is_empty() {
        let ids: Vec<String> = report
            .plan
            .byzantine
            .iter()
            .map(|b| format!("n{b}"))
            .collect();
        let _ = write!(h, "<li>byzantine: {}</li>", esc(&ids.join(", ")));
    }
    for e in &report.plan.events {
        let _ = write!(
            h,
            "<li><code>{}</code> {}</li>",
            esc(&e.at.to_string()),
            esc(&describe_fault(&e.kind))
        );
    }
    if report.plan.events.is_empty() && report.plan.byzantine.is_empty() {
        h.push_str("<li>no faults</li>");
    }
    h.push_str("</ul></details>\n");
    let _ = write!(
        h,
        r#"<div class="controls"><button id="zoom-out" title="zoom out">−</button><button id="zoom-in" title="zoom in">+</button><button id="zoom-fit">fit</button>
<label {}><input type="checkbox" id="explain" {}> highlight the causal past of the violation</label>
<span class="layers">show <label><input type="checkbox" data-layer="msgs" checked> messages</label> <label><input type="checkbox" data-layer="drops" checked> drops</label> <label><input type="checkbox" data-layer="labels" checked> labels</label> <label><input type="checkbox" data-layer="timers" {timers}> timers</label></span>
<span class="legend"><span class="k msg">→ message</span> <span class="k drop">✕ dropped</span> <span class="k crash">✕ crash</span> <span class="k recover">○ recovery</span> <span class="k obs">● observation</span> <span class="k suspect">▲ suspicion</span> <span class="k partition">▮ partition</span> · {entries} trace entries · hover for details, click a message for its content</span></div>
</header>
<main><div id="scroll">{svg}</div>
<aside id="details"><p class="hint">Click a message to see its content.</p></aside></main>
<script>{JS}</script>
</body></html>
"#,
        if explain { "" } else { "hidden" },
        if explain { "checked" } else { "" },
        timers = if entries > 2000 { "" } else { "checked" },
    );
    h
}

const CSS: &str = r#"
body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#222;background:#fff}
header{padding:12px 18px;border-bottom:1px solid #ddd}
h1{font-size:20px;margin:0 0 4px}.seed{color:#777;font-weight:normal}
.desc{margin:0 0 6px;color:#444;max-width:70em}
.verdict{font-weight:600;margin:4px 0 8px;padding:6px 10px;border-radius:4px;white-space:normal}
.verdict.bad{background:#fde8e8;color:#a40000}.verdict.good{background:#e6f4e6;color:#1f6f1f}
.facts th{text-align:left;color:#666;font-weight:normal;padding-right:8px}.facts td{padding-right:18px}
.plan{margin:4px 0;columns:3 20em}
.controls{margin-top:8px;display:flex;gap:8px;align-items:center;flex-wrap:wrap}
.controls button{min-width:2.2em}.legend{color:#555;font-size:12px}.k{margin-right:6px}
.k.msg{color:#3465a4}.k.drop,.k.crash{color:#cc0000}.k.recover{color:#4e9a06}.k.obs{color:#204a87}.k.suspect{color:#ce5c00}.k.partition{color:#c4a000}
main{display:flex;align-items:flex-start}
#scroll{overflow:auto;flex:1;max-height:calc(100vh - 230px);border-right:1px solid #ddd}
#details{width:300px;padding:10px;font-size:13px;word-break:break-word}.hint{color:#888}
svg text{font:11px system-ui,sans-serif}
.node{font-weight:700;font-size:13px}.time{fill:#888;font-size:10px}.tick{stroke:#eee}
.life{stroke:#555;stroke-width:2}.life.down{stroke:#bbb;stroke-dasharray:4 4}
.msg{stroke:#3465a4;stroke-width:1.2;cursor:pointer}.msg.dup{stroke-dasharray:5 3}
.msg.lost{stroke:#cc0000;stroke-dasharray:2 2}.cross{stroke:#cc0000;stroke-width:2;fill:none}
.msg.selected{stroke:#f57900;stroke-width:3}
.crash path{stroke:#cc0000;stroke-width:3}.recover{fill:#fff;stroke:#4e9a06;stroke-width:3}
.obs circle{fill:#204a87}.obs text{fill:#204a87}
.suspect{fill:#ce5c00}.trust{fill:#73d216}.timer{stroke:#999;stroke-width:1}
.tamper{fill:#75507b}.persist{fill:#8f5902}
.partition{fill:#fce94f;opacity:.35}
.violation line{stroke:#cc0000;stroke-width:2}.violation text{fill:#cc0000;font-weight:700;font-size:12px}
.culprit{fill:none;stroke:#cc0000;stroke-width:3}
body.causal .acausal{opacity:.13}
body.hide-msgs line.msg:not(.lost){display:none}body.hide-drops .dropped{display:none}
body.hide-labels .obs text{display:none}body.hide-timers .timer{display:none}
.layers{font-size:12px;color:#444}
"#;

const JS: &str = r#"
(function(){
  window.addEventListener('error', function(e){ document.body.setAttribute('data-error', String(e.message)); });
  var svg = document.getElementById('diagram');
  var w = +svg.getAttribute('width'), h = +svg.getAttribute('height'), zoom = 1;
  function apply(){ svg.setAttribute('width', Math.round(w*zoom)); svg.setAttribute('height', Math.round(h*zoom)); }
  document.getElementById('zoom-in').onclick = function(){ zoom = Math.min(zoom*1.25, 8); apply(); };
  document.getElementById('zoom-out').onclick = function(){ zoom = Math.max(zoom/1.25, 0.05); apply(); };
  document.getElementById('zoom-fit').onclick = function(){
    var box = document.getElementById('scroll').clientWidth - 4; zoom = Math.min(1, box / w); apply(); };
  var explain = document.getElementById('explain');
  if (explain) explain.onchange = function(){ document.body.classList.toggle('causal', explain.checked); };
  document.querySelectorAll('[data-layer]').forEach(function(box){
    box.onchange = function(){ document.body.classList.toggle('hide-' + box.getAttribute('data-layer'), !box.checked); };
  });
  var details = document.getElementById('details'), selected = null;
  svg.addEventListener('click', function(ev){
    var el = ev.target.closest('[data-id]');
    if (!el) return;
    if (selected) selected.classList.remove('selected');
    selected = el.tagName === 'line' ? el : el.querySelector('line');
    if (selected) selected.classList.add('selected');
    details.textContent = '';
    var head = document.createElement('h3'); head.textContent = 'message #' + el.getAttribute('data-id');
    var body = document.createElement('pre'); body.style.whiteSpace = 'pre-wrap'; body.textContent = el.getAttribute('data-text');
    details.appendChild(head); details.appendChild(body);
  });
  document.body.setAttribute('data-render-ms', Math.round(performance.now()));
  document.body.setAttribute('data-render', 'ok');
})();
"#;

/// One scenario's row in the sweep index, with the diagram written for it (if any).
pub struct IndexRow<'a> {
    pub summary: &'a crate::sweep::ScenarioSummary,
    pub diagram: Option<String>,
}

/// `index.html` of a `--report` directory: every scenario at a glance.
pub fn render_index(rows: &[IndexRow<'_>]) -> String {
    let mut h = String::new();
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
<table><tr><th>scenario</th><th>protocol</th><th class="num">runs</th><th class="num">failed</th><th>violations</th><th>expect</th><th>result</th><th>first failing seed</th></tr>
"#,
        if unmet == 0 { "ok" } else { "bad" },
        rows.len(),
        if unmet == 0 {
            "every expectation met".to_string()
        } else {
            format!("{unmet} did not meet their expectation")
        }
    );
    for r in rows {
        let s = r.summary;
        let violations = if s.violations.is_empty() {
            "-".to_string()
        } else {
            s.violations
                .iter()
                .map(|(k, v)| format!("{}: {v}", esc(k)))
                .collect::<Vec<_>>()
                .join("<br>")
        };
        let expect = match &s.expect {
            serde_json::Value::String(x) => esc(x),
            other => esc(&other
                .get("violation")
                .and_then(|v| v.as_str())
                .map(|v| format!("violation {v}"))
                .unwrap_or_default()),
        };
        let seed = match (s.first_failing_seed, &r.diagram) {
            (Some(seed), Some(link)) => format!(
                r#"<a href="{}">seed {seed} diagram</a><br><code>{}</code>"#,
                esc(link),
                esc(s.replay.as_deref().unwrap_or(""))
            ),
            (Some(seed), None) => format!("seed {seed}"),
            (None, _) => "-".to_string(),
        };
        let _ = writeln!(
            h,
            r#"<tr><td>{}<br><small>{}</small></td><td>{}</td><td class="num">{}</td><td class="num">{}</td><td>{violations}</td><td>{expect}</td><td class="{}">{}{}</td><td>{seed}</td></tr>"#,
            esc(&s.name),
            esc(&s.file),
            esc(&s.protocol),
            s.runs,
            s.failed_runs,
            if s.ok { "ok" } else { "bad" },
            if s.ok { "ok" } else { "NOT MET" },
            if s.ok {
                String::new()
            } else {
                format!(r#"<div class="why">{}</div>"#, esc(&s.verdict))
            },
        );
    }
    h.push_str("</table>\n<p><a href=\"summary.json\">summary.json</a></p>\n</body></html>\n");
    h
}

#[cfg(test)]
mod tests {
    use super::*;
    use sim_core::{FaultPlan, Outcome, PropertyKind, Stats, Time, Violation};

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
    fn hostile_report() -> RunReport {
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
                related: vec![],
            }],
            reached: vec![],
            stats: Stats::default(),
            trace_hash: 0,
            plan: FaultPlan::default(),
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
        }
    }

    fn meta<'a>(name: &'a str) -> Meta<'a> {
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

    #[test]
    fn the_causal_past_of_the_violation_is_highlighted_and_the_rest_dimmed() {
        let page = render(&hostile_report(), &meta("s"));
        assert!(page.contains(r#"<body class="causal">"#));
        // The message into the violating observation is causal; node 0's later observation is not.
        assert!(page.contains(r#"<line class="msg" data-id="0""#), "{page}");
        assert!(
            page.contains(r#"<g class="obs acausal"><title>3us n0: observe unrelated"#),
            "{page}"
        );
        assert!(page.contains(r#"class="culprit""#));
    }

    #[test]
    fn file_stems_are_safe() {
        assert_eq!(file_stem("../../etc/passwd"), "etc-passwd");
        assert_eq!(file_stem("<script>"), "script");
        assert_eq!(file_stem("a b/c"), "a-b-c");
        assert_eq!(
            file_stem("<script>alert(1)</script>"),
            "script-alert-1-script"
        );
        assert_eq!(file_stem("///"), "scenario");
        assert_eq!(file_stem("ok-name_1"), "ok-name_1");
    }

    #[test]
    fn the_index_escapes_and_links() {
        let summary = crate::sweep::ScenarioSummary {
            name: "<script>x</script>".into(),
            file: "f.toml".into(),
            protocol: "p".into(),
            seed_start: 0,
            seeds: 3,
            runs: 3,
            failed_runs: 1,
            violations: [("agreement".to_string(), 1)].into(),
            first_failing_seed: Some(2),
            first_failing_seed_by_invariant: [("agreement".to_string(), 2)].into(),
            panics: 0,
            budget_exceeded: 0,
            sometimes_reached: Default::default(),
            expect: serde_json::json!({"violation": "agreement"}),
            ok: true,
            verdict: String::new(),
            replay_seed: Some(2),
            replay: Some("ftsim replay f.toml --seed 2".into()),
            events: 10,
            sweep_hash: "0".into(),
            elapsed_ms: 1,
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
