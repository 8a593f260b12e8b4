//! The terminal timeline of a traced run: the fault plan first, then one line per trace entry
//! (event number, time, node, what happened) and the verdict last, so a failing seed reads top
//! to bottom without the code and the verdict's "event #23" can be found by eye. Every time is
//! in one unit per run, aligned ([`Clock`]); lines wrap at 80 columns under their text column.
//! A [`Filter`] keeps the entries about some nodes, in a time window, or only the last ones.
//! Colour only when asked (the CLI asks on a terminal without `NO_COLOR`).

mod clock;
mod describe;
mod stream;

use std::fmt::Write;

use sim_core::{FaultPlan, NodeId, Outcome, RunReport, Time, TraceEvent, TraceKind};

use crate::columns::wrap;

pub use clock::Clock;
pub use describe::{
    concerns, describe_chain, describe_event, describe_fault, describe_storage, describe_trigger,
    describe_triggered, groups_text, untimed_faults,
};
pub use stream::{Output, Streamer, HEAD_ENTRIES};

/// Which trace entries to show. The fault plan and the verdict are always shown.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filter {
    /// Only entries concerning these nodes (see [`concerns`]), and network-wide ones; all if
    /// empty.
    pub nodes: Vec<NodeId>,
    /// Only entries at or after this time.
    pub from: Option<Time>,
    /// Only entries at or before this time.
    pub to: Option<Time>,
    /// Only the last this many of the entries left.
    pub last: Option<usize>,
}

impl Filter {
    /// Whether the filter keeps every entry.
    pub fn is_empty(&self) -> bool {
        *self == Filter::default()
    }

    /// The entries it keeps, in order.
    pub fn apply<'a>(&self, trace: &'a [TraceEvent]) -> Vec<&'a TraceEvent> {
        let kept: Vec<&TraceEvent> = trace.iter().filter(|e| self.keeps(e)).collect();
        let skip = self.last.map_or(0, |last| kept.len().saturating_sub(last));
        kept[skip..].to_vec()
    }

    /// Whether an entry is about the nodes and in the time window asked for (`last` aside).
    pub fn keeps(&self, e: &TraceEvent) -> bool {
        (self.nodes.is_empty() || self.nodes.iter().any(|&n| concerns(e, n)))
            && self.from.is_none_or(|t| e.time >= t)
            && self.to.is_none_or(|t| e.time <= t)
    }

    /// The filter in words, as the command line spells it.
    fn describe(&self, clock: &Clock) -> String {
        let mut parts: Vec<String> = self.nodes.iter().map(|n| format!("--node {n}")).collect();
        parts.extend(self.from.map(|t| format!("--from {}", clock.at(t))));
        parts.extend(self.to.map(|t| format!("--to {}", clock.at(t))));
        parts.extend(self.last.map(|n| format!("--last {n}")));
        parts.join(" ")
    }
}

/// How to render a timeline.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// ANSI colours.
    pub color: bool,
    /// Which entries to show.
    pub filter: Filter,
}

struct Style {
    color: bool,
}

impl Style {
    fn paint(&self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
}

/// The colour of a tag.
fn tag_color(kind: &TraceKind) -> Option<&'static str> {
    match kind {
        TraceKind::Violation { .. }
        | TraceKind::Crash
        | TraceKind::Partition { .. }
        | TraceKind::Tamper { .. } => Some("1;31"),
        TraceKind::Drop { .. } => Some("33"),
        TraceKind::Recover | TraceKind::Heal | TraceKind::FaultsEnd => Some("32"),
        TraceKind::Observe { .. } => Some("36"),
        _ => None,
    }
}

/// The verdict of a run: one line, then each violation with where it happened and, indented,
/// its message (which names the events that make it false).
pub fn verdict(report: &RunReport) -> String {
    match &report.outcome {
        Outcome::Ok => "verdict: ok, every checked property held".to_string(),
        Outcome::Violated => {
            let mut s = String::from("verdict: VIOLATED");
            for v in &report.violations {
                let head = format!("{} ({}), {}", v.property, v.kind, v.during);
                let _ = write!(s, "\n{}", wrap("  ", &head, 4));
                let _ = write!(s, "\n{}", wrap("    ", &v.message, 4));
                if let Some(why) = &v.outside_assumptions {
                    let why = format!("outside the protocol's assumptions: {why}");
                    let _ = write!(s, "\n{}", wrap("    ", &why, 4));
                }
            }
            s
        }
        Outcome::BudgetExceeded { budget, limit } => wrap(
            "",
            &format!(
                "verdict: BUDGET EXCEEDED: {}, {} used up ({})",
                budget.name(),
                budget.describe(*limit),
                budget.likely_cause()
            ),
            2,
        ),
        Outcome::Panicked { message, during } => wrap(
            "",
            &format!("verdict: PROTOCOL PANIC during {during}: {message}"),
            2,
        ),
    }
}

/// The fault plan, its times in the run's unit; then what has no time (triggered crashes,
/// chains, storage faults).
fn fault_plan(out: &mut String, plan: &FaultPlan, clock: &Clock) {
    let untimed = untimed_faults(plan);
    if plan.events.is_empty() && plan.byzantine.is_empty() && untimed.is_empty() {
        let _ = writeln!(out, "fault plan: none");
        return;
    }
    let _ = writeln!(out, "fault plan (times in {}):", clock.unit);
    if !plan.byzantine.is_empty() {
        let ids: Vec<String> = plan.byzantine.iter().map(|n| format!("n{n}")).collect();
        let _ = writeln!(out, "  byzantine: {}", ids.join(", "));
    }
    for e in &plan.events {
        let _ = writeln!(out, "  {}  {}", clock.time(e.at), describe_fault(&e.kind));
    }
    for line in untimed {
        let _ = writeln!(out, "{}", wrap("  ", &line, 4));
    }
}

/// The columns of an entry line: event number, time, node, tag.
struct Columns {
    event: usize,
    clock: Clock,
}

impl Columns {
    fn of(trace: &[TraceEvent], clock: Clock) -> Self {
        let last = trace.last().map_or(0, |e| e.event);
        let event = format!("#{last}").len().max(2);
        Columns { event, clock }
    }

    /// The width of everything before the text.
    fn indent(&self) -> usize {
        self.event + 1 + self.clock.width().max(4) + 2 + 5 + 10
    }

    fn header(&self) -> String {
        format!(
            "{:>e$} {:>t$}  {:<5}{}",
            "#",
            self.clock.unit,
            "node",
            "event",
            e = self.event,
            t = self.clock.width().max(4)
        )
    }

    fn line(&self, e: &TraceEvent, st: &Style) -> String {
        let (tag, text) = describe_event(e, &self.clock);
        let node = e.node.map_or("*".to_string(), |n| format!("n{n}"));
        let tag_col = format!("{tag:<9}");
        let tag_col = match tag_color(&e.kind) {
            Some(code) => st.paint(code, &tag_col),
            None => tag_col,
        };
        let first = format!(
            "{:>ew$} {:>tw$}  {node:<5}{tag_col} ",
            format!("#{}", e.event),
            self.clock.time(e.time),
            ew = self.event,
            tw = self.clock.width().max(4)
        );
        let text = text.replace('\n', " ");
        wrap(&first, &text, self.indent()).trim_end().to_string()
    }
}

/// Renders the timeline of a traced run.
pub fn render(report: &RunReport, options: &Options) -> String {
    let st = Style {
        color: options.color,
    };
    let clock = Clock::of(report);
    let trace = report.trace.as_deref().unwrap_or(&[]);
    let mut out = String::new();
    let _ = writeln!(out, "{}", st.paint("36", &format!("seed {}", report.seed)));
    fault_plan(&mut out, &report.plan, &clock);
    let shown = options.filter.apply(trace);
    if !options.filter.is_empty() {
        let _ = writeln!(
            out,
            "{}",
            wrap(
                "",
                &format!(
                    "showing {} of {} trace entries ({})",
                    shown.len(),
                    trace.len(),
                    options.filter.describe(&clock)
                ),
                2
            )
        );
    }
    let columns = Columns::of(trace, clock);
    let _ = writeln!(out, "{}", st.paint("2", &columns.header()));
    for e in shown {
        let _ = writeln!(out, "{}", columns.line(e, &st));
    }
    out.push_str(&ending(report, &clock, &st));
    out
}

/// The verdict and the run's figures, the timeline's last lines.
fn ending(report: &RunReport, clock: &Clock, st: &Style) -> String {
    let mut out = String::new();
    let v = verdict(report);
    let _ = writeln!(
        out,
        "{}",
        st.paint(if report.outcome.is_ok() { "32" } else { "1;31" }, &v)
    );
    let s = &report.stats;
    let stats = format!(
        "{} events, {} messages sent, {} delivered, {} dropped, {} duplicated; ended at {}; \
         trace hash {:016x}",
        s.events,
        s.messages_sent,
        s.messages_delivered,
        s.messages_dropped,
        s.messages_duplicated,
        clock.at(s.end_time),
        report.trace_hash
    );
    let _ = writeln!(out, "{}", wrap("", &stats, 0));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::columns::{width, COLUMNS};

    #[test]
    fn long_text_wraps_under_its_column() {
        let text = "a ".repeat(60);
        let wrapped = wrap("12345", text.trim_end(), 5);
        assert!(wrapped.lines().all(|l| width(l) <= COLUMNS));
        assert!(wrapped.lines().skip(1).all(|l| l.starts_with("     a")));
    }
}
