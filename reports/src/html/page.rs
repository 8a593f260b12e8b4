//! The HTML page around the diagram: a header with what the run was (scenario, verdict,
//! protocol, how to replay it, statistics, fault plan), the controls (zoom, layers, the causal
//! highlight) with a legend, the diagram itself and a pane for a clicked message's content.
//! Style and script are inline: the page is one self-contained file and fetches nothing.

use std::fmt::Write;

use sim_core::{FaultPlan, RunReport};

use super::escape::esc;
use super::Meta;
use crate::timeline::{describe_fault, verdict};

/// Runs with more trace entries than this open with the timer marks hidden (the "timers"
/// layer switch shows them).
const TIMERS_SHOWN_UP_TO: usize = 2000;

/// The page of a run around its diagram `svg`; `explain` offers (and switches on) the
/// highlight of the violation's causal past.
pub(super) fn page(
    report: &RunReport,
    meta: &Meta<'_>,
    svg: &str,
    explain: bool,
    entries: usize,
) -> String {
    let hide_timers = entries > TIMERS_SHOWN_UP_TO;
    let mut h = String::new();
    head(&mut h, report, meta, explain, hide_timers);
    facts(&mut h, report, meta);
    fault_plan(&mut h, &report.plan);
    controls_and_diagram(&mut h, svg, explain, hide_timers, entries);
    h
}

/// From the doctype to the verdict: the title, the description and the verdict.
fn head(h: &mut String, report: &RunReport, meta: &Meta<'_>, explain: bool, hide_timers: bool) {
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
"#,
        esc(meta.scenario),
        report.seed,
        if explain { "causal" } else { "" },
        if hide_timers { " hide-timers" } else { "" },
        esc(meta.scenario),
        report.seed,
        esc(meta.description),
        if bad { "bad" } else { "good" },
        esc(&verdict(report)).replace('\n', "<br>"),
    );
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

/// The fault plan, open: the Byzantine nodes, then each planned fault with its time.
fn fault_plan(h: &mut String, plan: &FaultPlan) {
    h.push_str("<details open><summary>fault plan</summary><ul class=\"plan\">");
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
    if plan.events.is_empty() && plan.byzantine.is_empty() {
        h.push_str("<li>no faults</li>");
    }
    h.push_str("</ul></details>\n");
}

/// The controls and legend that end the header, then the diagram, the details pane and the
/// script. The causal highlight switch is hidden when there is nothing to explain.
fn controls_and_diagram(
    h: &mut String,
    svg: &str,
    explain: bool,
    hide_timers: bool,
    entries: usize,
) {
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
        timers = if hide_timers { "" } else { "checked" },
    );
}

/// The page's style sheet, inline so the page fetches nothing.
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

/// Zoom, layer switches, the causal highlight switch and the details pane of a clicked
/// message. It marks `<body data-render="ok">` when done and records any error in
/// `data-error`, which `.ci/check-html` reads.
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
