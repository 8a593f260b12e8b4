//! A client history (`ftsim history FILE --html OUT`) as one self-contained HTML page, in the
//! diagrams' page shell: a header with the file, the verdict and its explanation, then the
//! history drawn by an inline script (`history.js`, styled by `diagram.css` and
//! `history.css`) from a JSON blob the page embeds; nothing is fetched.
//!
//! One row per client (its name on the left, several tracks where its operations overlap),
//! the history's order left to right; each operation a bar from its invocation to its
//! response, or to the right edge, hatched, when it never returned. The culprit (the operation
//! whose response cannot be linearized) is ringed in red, the operations that pin the state
//! the explanation reasons about in amber, those open during the culprit are tinted, and the
//! partial linearization is drawn as numbered badges joined by a line. A select shows one
//! object's operations (the x axis then keeps only their positions). The page opens zoomed
//! and scrolled so that the culprit is on the first screen. Histories of tens of thousands of
//! operations stay usable: the script makes bars only within a screen's width of the view,
//! again as it scrolls, so a page draws as fast as a short one.
//!
//! Everything the file or a protocol says reaches the page escaped: the header through
//! [`esc`], the operations as JSON data (through `script_json`, as the diagram's model) that
//! the script only ever sets as text.

use std::collections::BTreeSet;
use std::fmt::Write;

use serde::Serialize;

use super::escape::esc;
use super::model::script_json;

/// The page's style sheets (the diagrams' shell, then the history's own) and script.
const SHELL_CSS: &str = include_str!("diagram.css");
const CSS: &str = include_str!("history.css");
const JS: &str = include_str!("history.js");

/// What the history page shows.
pub struct HistoryView {
    /// What the history is, shown as the page's heading (the file name).
    pub title: String,
    /// The verdict in one line: "not linearizable: key 3", "linearizable", "undecided: …".
    /// Shown red when it starts with "not", green when it starts with "linearizable", amber
    /// otherwise.
    pub verdict: String,
    /// The explanation in words, under the verdict (may be long: it scrolls in its box).
    pub message: String,
    /// One lane per client or process, its name as shown ("process 3"), by
    /// [`OpBar::lane`]; a lane an operation names beyond these is shown as "lane N".
    pub lanes: Vec<String>,
    /// The operations, in any order.
    pub ops: Vec<OpBar>,
}

/// One operation of the history: a bar on its client's lane.
pub struct OpBar {
    /// Its client's lane, an index into [`HistoryView::lanes`].
    pub lane: usize,
    /// What it did and returned, as shown on its bar: "write 3", "read → 3", "cas 1→2".
    pub label: String,
    /// The object it acts on, for keyed histories: shown on its bar and in its tooltip, and
    /// offered by the page's key filter.
    pub key: Option<String>,
    /// The position of its invocation in the history's order.
    pub start: u64,
    /// The position of its response; `None` when it never returned (`:info`, a crash): the
    /// bar runs to the right edge, hatched.
    pub end: Option<u64>,
    /// What it is to the verdict's explanation.
    pub role: OpRole,
    /// Its place in the partial linearization shown (1, 2, 3…), drawn as a badge; `None`
    /// when it is not in it.
    pub order: Option<usize>,
    /// Its tooltip and details: times, lines of the file.
    pub detail: String,
}

/// What an operation is to the explanation of the verdict.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpRole {
    /// Nothing in particular.
    Plain,
    /// The operation whose response cannot be linearized: ringed in red.
    Culprit,
    /// A completed operation that pins the state the explanation reasons about: ringed in
    /// amber.
    Pinning,
    /// Open during the culprit: tinted.
    Concurrent,
}

impl OpRole {
    /// Its code in the page's data (an index into the script's `ROLES`).
    fn code(self) -> u8 {
        match self {
            OpRole::Plain => 0,
            OpRole::Culprit => 1,
            OpRole::Pinning => 2,
            OpRole::Concurrent => 3,
        }
    }
}

/// One operation in the page's data: lane, start, end, role, order, key (an index into
/// [`Data::keys`]), label, detail. An array rather than an object keeps a page of 10,000
/// operations small.
type OpRow<'a> = (
    usize,
    u64,
    Option<u64>,
    u8,
    Option<usize>,
    Option<usize>,
    &'a str,
    &'a str,
);

/// What the script draws.
#[derive(Serialize)]
struct Data<'a> {
    /// Every lane's name, including those only an operation names.
    lanes: Vec<String>,
    /// The objects, in their natural order (numbers by value).
    keys: Vec<&'a str>,
    ops: Vec<OpRow<'a>>,
    /// The culprit's index in `ops`.
    culprit: Option<usize>,
}

impl<'a> Data<'a> {
    fn new(view: &'a HistoryView) -> Self {
        let keys = key_order(view.ops.iter().filter_map(|o| o.key.as_deref()));
        let lane_count = view
            .ops
            .iter()
            .map(|o| o.lane + 1)
            .max()
            .unwrap_or(0)
            .max(view.lanes.len());
        let lanes = (0..lane_count)
            .map(|l| {
                view.lanes
                    .get(l)
                    .cloned()
                    .unwrap_or_else(|| format!("lane {l}"))
            })
            .collect();
        let ops = view
            .ops
            .iter()
            .map(|o| {
                let key = o
                    .key
                    .as_deref()
                    .and_then(|k| keys.iter().position(|&x| x == k));
                let (label, detail) = (o.label.as_str(), o.detail.as_str());
                (
                    o.lane,
                    o.start,
                    o.end,
                    o.role.code(),
                    o.order,
                    key,
                    label,
                    detail,
                )
            })
            .collect();
        let culprit = view.ops.iter().position(|o| o.role == OpRole::Culprit);
        Data {
            lanes,
            keys,
            ops,
            culprit,
        }
    }
}

/// The distinct keys, numbers first by value, then the others in text order.
fn key_order<'a>(keys: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let sorted: BTreeSet<(Option<i128>, &str)> =
        keys.map(|k| (k.trim().parse::<i128>().ok(), k)).collect();
    let (numbers, words): (Vec<_>, Vec<_>) = sorted.into_iter().partition(|(n, _)| n.is_some());
    numbers.into_iter().chain(words).map(|(_, k)| k).collect()
}

/// The page of a history.
pub fn render_history(view: &HistoryView) -> String {
    let data = Data::new(view);
    let mut h = String::new();
    head(&mut h, view);
    controls(&mut h, &data.keys);
    legend(&mut h);
    let _ = write!(
        h,
        r#"</header>
<main><div id="view"><div id="scroll"><svg id="names" xmlns="http://www.w3.org/2000/svg" width="90"></svg><svg id="diagram" xmlns="http://www.w3.org/2000/svg"></svg></div></div>
<aside id="details"><p class="hint">Click an operation for its details.</p></aside></main>
<script type="application/json" id="history">{}</script>
<script>{JS}</script>
</body></html>
"#,
        script_json(&data)
    );
    h
}

/// From the doctype to the explanation: the title, the verdict and the message.
fn head(h: &mut String, view: &HistoryView) {
    let returned = view.ops.iter().filter(|o| o.end.is_some()).count();
    let _ = write!(
        h,
        r#"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title} — history — ftsim</title>
<style>{SHELL_CSS}
{CSS}</style></head>
<body class="history">
<header>
<h1>{title} <span class="seed">{ops} operation{s} ({open} never returned) · {lanes} client{ls}</span></h1>
<p class="verdict {class}">{verdict}</p>
"#,
        title = esc(&view.title),
        ops = view.ops.len(),
        s = if view.ops.len() == 1 { "" } else { "s" },
        open = view.ops.len() - returned,
        lanes = view.lanes.len(),
        ls = if view.lanes.len() == 1 { "" } else { "s" },
        class = verdict_class(&view.verdict),
        verdict = esc(&view.verdict),
    );
    if !view.message.trim().is_empty() {
        let _ = writeln!(h, r#"<div class="message">{}</div>"#, esc(&view.message));
    }
}

/// The verdict's colour: red for "not …", green for "linearizable…", amber for the rest.
fn verdict_class(verdict: &str) -> &'static str {
    let v = verdict.trim_start().to_ascii_lowercase();
    if v.starts_with("not") {
        "bad"
    } else if v.starts_with("linearizable") {
        "good"
    } else {
        "undecided"
    }
}

/// Zoom, the key filter (when the history has keys) and the hints.
fn controls(h: &mut String, keys: &[&str]) {
    h.push_str(r#"<div class="controls">
<span class="group">zoom <button id="zoom-out" title="zoom out (-)">−</button><button id="zoom-in" title="zoom in (+)">+</button><button id="zoom-fit" title="the whole history (f)">fit</button><button id="to-culprit" title="back to the culprit (c)">culprit</button></span>
"#);
    if !keys.is_empty() {
        h.push_str(
            r#"<label class="group">key <select id="key"><option value="">all keys</option>"#,
        );
        for (i, k) in keys.iter().enumerate() {
            let _ = write!(h, r#"<option value="{i}">{}</option>"#, esc(k));
        }
        h.push_str("</select></label>\n");
    }
    h.push_str(
        r#"<span class="hint">ctrl+wheel: zoom · drag or shift+wheel: pan · click a bar: details</span>
</div>
"#,
    );
}

/// What the marks mean, and the hatching of the bars that never returned.
fn legend(h: &mut String) {
    h.push_str(
        r##"<svg class="defs" width="0" height="0" aria-hidden="true"><defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#eef2f7"/><line x1="0" y1="0" x2="0" y2="6" stroke="#8aa4c4" stroke-width="2"/></pattern></defs></svg>
<div class="legend">
<span><svg width="26" height="14"><rect class="bar culprit" x="3" y="3" width="20" height="8"/><rect class="ring culprit" x="1" y="1" width="24" height="12"/></svg>culprit (its response cannot be linearized)</span>
<span><svg width="26" height="14"><rect class="bar pinning" x="3" y="3" width="20" height="8"/><rect class="ring pinning" x="1" y="1" width="24" height="12"/></svg>pins the state</span>
<span><svg width="26" height="14"><rect class="bar concurrent" x="3" y="3" width="20" height="8"/></svg>open during the culprit</span>
<span><svg width="26" height="14"><rect class="bar plain open" x="3" y="3" width="20" height="8"/></svg>never returned</span>
<span><svg width="34" height="14"><line class="order-line" x1="7" y1="7" x2="27" y2="7"/><circle class="badge" cx="7" cy="7" r="6"/><text class="badge-text" x="7" y="10">1</text><circle class="badge" cx="27" cy="7" r="6"/><text class="badge-text" x="27" y="10">2</text></svg>linearization so far</span>
</div>
"##,
    );
}

#[cfg(test)]
#[path = "history_tests.rs"]
mod tests;
