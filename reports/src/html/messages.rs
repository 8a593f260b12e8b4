//! Messages on the diagram: each send paired with its deliveries and its drop by message id,
//! then drawn as an arrow per delivery (the second one of a duplicate dashed) and a red cross
//! where it was dropped. A message is clickable: it carries its content for the details pane.

use std::collections::BTreeMap;
use std::fmt::Write;

use sim_core::{DropReason, TraceEvent, TraceKind};

use super::causal::dim_class;
use super::escape::esc;
use super::svg::{cross_path, Diagram};

/// A trace entry with its index in the trace (the index the causal highlight is kept by).
type Entry<'a> = (usize, &'a TraceEvent);

/// One message's life in the trace.
struct Message<'a> {
    id: u64,
    from: usize,
    to: usize,
    send: Entry<'a>,
    delivers: Vec<Entry<'a>>,
    drop: Option<(usize, &'a TraceEvent, DropReason)>,
    text: &'a str,
}

impl Message<'_> {
    /// What hovering over the message shows, and the details pane.
    fn title(&self) -> String {
        format!("#{} n{}→n{}: {}", self.id, self.from, self.to, self.text)
    }
}

/// Draws every message that was sent in the trace, in message id order.
pub(super) fn draw(d: &Diagram<'_>, svg: &mut String) {
    for m in messages(d.trace).values() {
        let title = m.title();
        for (k, deliver) in m.delivers.iter().enumerate() {
            delivery(d, svg, m, &title, k, *deliver);
        }
        if let Some((di, drop, reason)) = m.drop {
            dropped(d, svg, m, &title, (di, drop), reason);
        }
    }
}

/// The messages of a trace by id, each with the entries of its send, deliveries and drop.
fn messages(trace: &[TraceEvent]) -> BTreeMap<u64, Message<'_>> {
    let mut msgs: BTreeMap<u64, Message<'_>> = BTreeMap::new();
    for (i, e) in trace.iter().enumerate() {
        match &e.kind {
            TraceKind::Send {
                to, msg_id, msg, ..
            } => {
                msgs.insert(
                    *msg_id,
                    Message {
                        id: *msg_id,
                        from: e.node.unwrap_or(0),
                        to: *to,
                        send: (i, e),
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
    msgs
}

/// The `k`th delivery of a message as an arrow from its send; a delivery is causal only if
/// both of its ends are.
fn delivery(
    d: &Diagram<'_>,
    svg: &mut String,
    m: &Message<'_>,
    title: &str,
    k: usize,
    (di, deliver): Entry<'_>,
) {
    let (id, (si, send)) = (m.id, m.send);
    let (x0, y0) = (d.layout.x(send.event), d.layout.y(m.from));
    let y_to = d.layout.y(m.to);
    let dim = dim_class(d.highlight.lit(di) && d.highlight.lit(si));
    let dup = if k > 0 { " dup" } else { "" };
    let hover = if k > 0 {
        format!("{title} (duplicate)")
    } else {
        title.to_string()
    };
    let _ = write!(
        svg,
        r#"<line class="msg{dup}{dim}" data-id="{id}" data-text="{}" x1="{x0:.1}" y1="{y0:.1}" x2="{:.1}" y2="{y_to:.1}" marker-end="url(#arrow)"><title>{}</title></line>"#,
        esc(title),
        d.layout.x(deliver.event),
        esc(&hover)
    );
}

/// A dropped message as a red dotted line ending in a cross: at the receiver's line if it
/// was dropped there, part of the way if at the sender. It is lit if either end is causal.
fn dropped(
    d: &Diagram<'_>,
    svg: &mut String,
    m: &Message<'_>,
    title: &str,
    (di, drop): Entry<'_>,
    reason: DropReason,
) {
    let (id, (si, send)) = (m.id, m.send);
    let (x0, y0) = (d.layout.x(send.event), d.layout.y(m.from));
    let y_to = d.layout.y(m.to);
    let dim = dim_class(d.highlight.lit(di) || d.highlight.lit(si));
    let at_receiver = drop.node == Some(m.to) && m.to != m.from;
    let (x1, y1) = if at_receiver {
        (d.layout.x(drop.event), y_to)
    } else {
        (x0 + 3.0 * d.layout.col, y0 + (y_to - y0) * 0.35)
    };
    let label = esc(&format!("{title} — dropped: {}", reason.as_str()));
    let _ = write!(
        svg,
        r#"<g class="dropped{dim}" data-id="{id}" data-text="{label}"><title>{label}</title><line class="msg lost" x1="{x0:.1}" y1="{y0:.1}" x2="{x1:.1}" y2="{y1:.1}"/><path class="cross" d="{}"/></g>"#,
        cross_path(x1, y1, 5.0)
    );
}
