//! The SVG of the space-time diagram, drawn back to front: partitions as shaded spans, the
//! time axis, one line per process (solid while up, dashed while down), then the messages
//! (see `messages`), the marks on the process lines (see `marks`) and last the violation in
//! red, so nothing hides it.

use std::fmt::Write;

use sim_core::{TraceEvent, TraceKind, Violation};

use super::causal::Highlight;
use super::escape::esc;
use super::layout::{Layout, TOP};
use super::{marks, messages};

/// A traced run being drawn: what every part of the drawing needs.
pub(super) struct Diagram<'a> {
    pub(super) trace: &'a [TraceEvent],
    pub(super) layout: Layout,
    pub(super) highlight: &'a Highlight,
    pub(super) clock: crate::timeline::Clock,
}

/// The arrowhead at the end of every message line.
const ARROW_MARKER: &str = r##"<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#3465a4"/></marker></defs>"##;

/// A partition, drawn from the event that made it to the one that ended it.
struct PartitionSpan {
    start: u64,
    stop: u64,
    groups: String,
}

impl<'a> Diagram<'a> {
    pub(super) fn new(
        trace: &'a [TraceEvent],
        group_size: usize,
        highlight: &'a Highlight,
        clock: crate::timeline::Clock,
    ) -> Self {
        Diagram {
            trace,
            layout: Layout::new(trace, group_size),
            highlight,
            clock,
        }
    }

    /// The whole `<svg>` element; `violation` is the one to draw in red.
    pub(super) fn svg(&self, violation: Option<&Violation>) -> String {
        let mut svg = String::new();
        self.open(&mut svg);
        self.partitions(&mut svg);
        self.time_axis(&mut svg);
        for node in 0..self.layout.nodes {
            self.process_line(&mut svg, node);
        }
        messages::draw(self, &mut svg);
        marks::draw(self, &mut svg);
        if let Some(v) = violation {
            self.violation(&mut svg, v);
        }
        svg.push_str("</svg>");
        svg
    }

    fn open(&self, svg: &mut String) {
        let (width, height) = (self.layout.width(), self.layout.height());
        let _ = write!(
            svg,
            r#"<svg id="diagram" xmlns="http://www.w3.org/2000/svg" width="{width:.0}" height="{height:.0}" viewBox="0 0 {width:.0} {height:.0}">"#
        );
        svg.push_str(ARROW_MARKER);
    }

    /// Partitions: shaded spans from a partition to the next heal (or the end of faults).
    fn partitions(&self, svg: &mut String) {
        let height = self.layout.height();
        for span in partition_spans(self.trace) {
            let (x0, x1) = (self.layout.x(span.start), self.layout.x(span.stop));
            let _ = write!(
                svg,
                r#"<rect class="partition" x="{x0:.1}" y="{:.1}" width="{:.1}" height="{:.1}"><title>partition {}</title></rect>"#,
                TOP,
                (x1 - x0).max(2.0),
                height - TOP,
                esc(&span.groups)
            );
        }
    }

    /// Time axis: a tick every 10 columns with the virtual time there.
    fn time_axis(&self, svg: &mut String) {
        let height = self.layout.height();
        let mut last_tick: Option<usize> = None;
        for e in self.trace {
            let col = self.layout.column(e.event);
            if last_tick.is_none_or(|t| col >= t + 10) {
                last_tick = Some(col);
                let x = self.layout.x(e.event);
                let _ = write!(
                    svg,
                    r#"<line class="tick" x1="{x:.1}" y1="{:.1}" x2="{x:.1}" y2="{height:.1}"/><text class="time" x="{x:.1}" y="{:.1}">{}</text>"#,
                    TOP - 4.0,
                    TOP - 8.0,
                    esc(&e.time.to_string())
                );
            }
        }
    }

    /// A process's name and its line: solid while up, dashed while down.
    fn process_line(&self, svg: &mut String, node: usize) {
        let y = self.layout.y(node);
        let _ = write!(
            svg,
            r#"<text class="node" x="8" y="{:.1}">n{node}</text>"#,
            y + 4.0
        );
        let mut x = self.layout.lane_start();
        let mut up = true;
        for e in self.trace.iter().filter(|e| e.node == Some(node)) {
            let (goes_down, comes_up) = (
                matches!(e.kind, TraceKind::Crash),
                matches!(e.kind, TraceKind::Recover),
            );
            if (up && goes_down) || (!up && comes_up) {
                let x1 = self.layout.x(e.event);
                line_segment(svg, up, x, x1, y);
                x = x1;
                up = !up;
            }
        }
        line_segment(svg, up, x, self.layout.lane_end(), y);
    }

    /// The violation: a red rule at the violating event, with the property named, and its
    /// culprits.
    fn violation(&self, svg: &mut String, v: &Violation) {
        // The violating event may have left no entry: rule at the last one before it (and draw
        // nothing when there is none).
        let Some(col_event) = self
            .trace
            .iter()
            .rev()
            .find(|e| e.event <= v.event)
            .map(|e| e.event)
        else {
            return;
        };
        let x = self.layout.x(col_event);
        let _ = write!(
            svg,
            r#"<g class="violation"><title>{}</title><line x1="{x:.1}" y1="{:.1}" x2="{x:.1}" y2="{:.1}"/><text x="{:.1}" y="{:.1}">{} violated</text></g>"#,
            esc(&format!("{}: {}", v.property, v.message)),
            TOP,
            self.layout.height(),
            x + 4.0,
            TOP + 10.0,
            esc(&v.property)
        );
        self.culprits(svg, v);
    }

    /// A red ring around each observation the violation conflicts with.
    fn culprits(&self, svg: &mut String, v: &Violation) {
        for &ev in std::iter::once(&v.event).chain(&v.related) {
            for e in self
                .trace
                .iter()
                .filter(|e| e.event == ev && matches!(e.kind, TraceKind::Observe { .. }))
            {
                if let Some(node) = e.node {
                    let _ = write!(
                        svg,
                        r#"<circle class="culprit" cx="{:.1}" cy="{:.1}" r="10"/>"#,
                        self.layout.x(e.event),
                        self.layout.y(node)
                    );
                }
            }
        }
    }
}

/// One stretch of a process line from `x0` to `x1`, solid if the process is up.
fn line_segment(svg: &mut String, up: bool, x0: f64, x1: f64, y: f64) {
    let class = if up { "life" } else { "life down" };
    let _ = write!(
        svg,
        r#"<line class="{class}" x1="{x0:.1}" y1="{y:.1}" x2="{x1:.1}" y2="{y:.1}"/>"#
    );
}

/// Each partition from its event to the next partition, heal or end of faults; one still in
/// force when the trace ends lasts to the last event.
fn partition_spans(trace: &[TraceEvent]) -> Vec<PartitionSpan> {
    let mut open: Option<(u64, String)> = None;
    let mut spans = Vec::new();
    let mut close = |open: &mut Option<(u64, String)>, stop: u64| {
        if let Some((start, groups)) = open.take() {
            spans.push(PartitionSpan {
                start,
                stop,
                groups,
            });
        }
    };
    for e in trace {
        match &e.kind {
            TraceKind::Partition { groups } => {
                close(&mut open, e.event);
                open = Some((e.event, crate::timeline::groups_text(groups)));
            }
            TraceKind::Heal | TraceKind::FaultsEnd => close(&mut open, e.event),
            _ => {}
        }
    }
    close(&mut open, trace.last().map_or(0, |e| e.event));
    spans
}

/// The path of a cross centred on (x, y), `half` from the centre to each side.
pub(super) fn cross_path(x: f64, y: f64, half: f64) -> String {
    format!(
        "M {:.1} {:.1} L {:.1} {:.1} M {:.1} {:.1} L {:.1} {:.1}",
        x - half,
        y - half,
        x + half,
        y + half,
        x - half,
        y + half,
        x + half,
        y - half
    )
}
