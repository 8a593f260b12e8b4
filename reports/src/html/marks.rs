//! Marks on the process lines, one per trace entry of a kind worth seeing: a cross for a
//! crash, a ring for a recovery, a labelled dot for an observation, a triangle for a
//! suspicion (orange) or its withdrawal (green), a tick for a timer that fired, a diamond
//! for a message a Byzantine adversary replaced and a square for a write to stable storage. Every mark says in its
//! tooltip what happened.

use std::collections::BTreeMap;
use std::fmt::Write;

use sim_core::{TraceEvent, TraceKind};

use super::causal::dim_class;
use super::escape::{esc, truncate};
use super::svg::{cross_path, Diagram};
use crate::timeline::describe_event;

/// Where a mark goes and what it says.
struct Spot {
    x: f64,
    y: f64,
    /// The class suffix that dims it outside the causal past.
    dim: &'static str,
    /// The escaped tooltip.
    title: String,
}

/// Observation labels close after one another on the same line are raised by one level (of
/// three) so they do not overlap.
#[derive(Default)]
struct LabelStagger {
    /// Per process, the x of its last label and that label's level.
    last: BTreeMap<usize, (f64, usize)>,
}

impl LabelStagger {
    /// The level of a label at `x` on `node`'s line.
    fn level(&mut self, node: usize, x: f64) -> usize {
        let (last_x, level) = self.last.get(&node).copied().unwrap_or((f64::MIN, 0));
        let level = if x - last_x < 90.0 {
            (level + 1) % 3
        } else {
            0
        };
        self.last.insert(node, (x, level));
        level
    }
}

/// Draws the marks of every trace entry that belongs to a process.
pub(super) fn draw(d: &Diagram<'_>, svg: &mut String) {
    let mut labels = LabelStagger::default();
    for (i, e) in d.trace.iter().enumerate() {
        let Some(node) = e.node else { continue };
        let spot = Spot {
            x: d.layout.x(e.event),
            y: d.layout.y(node),
            dim: dim_class(d.highlight.lit(i)),
            title: title(e, node, &d.clock),
        };
        match &e.kind {
            TraceKind::Crash => crash(svg, &spot),
            TraceKind::Recover => recovery(svg, &spot),
            TraceKind::Observe { obs } => {
                let level = labels.level(node, spot.x);
                observation(svg, &spot, obs, level);
            }
            TraceKind::Suspect { .. } => suspicion(svg, &spot, "suspect"),
            TraceKind::Restore { .. } => suspicion(svg, &spot, "trust"),
            TraceKind::TimerFire { .. } => timer(svg, &spot),
            TraceKind::Tamper { .. } => tamper(svg, &spot),
            TraceKind::Persist { .. } => persist(svg, &spot),
            _ => {}
        }
    }
}

/// The escaped tooltip of an entry: time, process and what happened.
fn title(e: &TraceEvent, node: usize, clock: &crate::timeline::Clock) -> String {
    let (tag, text) = describe_event(e, clock);
    esc(&format!(
        "{} n{node}: {} {text}",
        e.time,
        tag.to_lowercase()
    ))
}

/// A cross on the line. Crash and recovery marks are never dimmed (they carry no `dim`).
fn crash(svg: &mut String, s: &Spot) {
    let _ = write!(
        svg,
        r#"<g class="crash"><title>{}</title><path d="{}"/></g>"#,
        s.title,
        cross_path(s.x, s.y, 8.0)
    );
}

fn recovery(svg: &mut String, s: &Spot) {
    let Spot { x, y, title, .. } = s;
    let _ = write!(
        svg,
        r#"<circle class="recover" cx="{x:.1}" cy="{y:.1}" r="7"><title>{title}</title></circle>"#
    );
}

/// A dot with the observation as its label (shortened), raised by `level` to avoid the
/// previous label.
fn observation(svg: &mut String, s: &Spot, obs: &str, level: usize) {
    let Spot { x, y, dim, title } = s;
    let ly = y - 10.0 - level as f64 * 11.0;
    let _ = write!(
        svg,
        r#"<g class="obs{dim}"><title>{title}</title><circle cx="{x:.1}" cy="{y:.1}" r="4"/><text x="{:.1}" y="{ly:.1}">{}</text></g>"#,
        x + 3.0,
        esc(&truncate(obs, 28))
    );
}

/// A triangle below the line; `class` tells a suspicion from its withdrawal.
fn suspicion(svg: &mut String, s: &Spot, class: &str) {
    let Spot { x, y, dim, title } = s;
    let _ = write!(
        svg,
        r#"<path class="{class}{dim}" d="M {x:.1} {:.1} l 5 8 l -10 0 z"><title>{title}</title></path>"#,
        y + 4.0
    );
}

fn timer(svg: &mut String, s: &Spot) {
    let Spot { x, y, dim, title } = s;
    let _ = write!(
        svg,
        r#"<line class="timer{dim}" x1="{x:.1}" y1="{:.1}" x2="{x:.1}" y2="{:.1}"><title>{title}</title></line>"#,
        y - 5.0,
        y + 5.0
    );
}

fn tamper(svg: &mut String, s: &Spot) {
    let Spot { x, y, dim, title } = s;
    let _ = write!(
        svg,
        r#"<path class="tamper{dim}" d="M {x:.1} {:.1} l 6 6 l -6 6 l -6 -6 z"><title>{title}</title></path>"#,
        y - 6.0
    );
}

fn persist(svg: &mut String, s: &Spot) {
    let Spot { x, y, dim, title } = s;
    let _ = write!(
        svg,
        r#"<rect class="persist{dim}" x="{:.1}" y="{:.1}" width="5" height="5"><title>{title}</title></rect>"#,
        x - 2.5,
        y + 6.0
    );
}
