//! The timeline of a run printed as the run goes, so that a replay's memory grows with what it
//! prints, not with the run. A short run (up to [`HEAD_ENTRIES`] trace entries) is held back
//! and printed whole at its end, exactly as [`render`] prints a collected trace. A longer one
//! is printed as it happens: its columns are fixed before its end is known (the time unit from
//! the run's deadline, the event column from its event budget), a line says so, and the
//! verdict and statistics come last as always. `--last N` keeps only N lines back.

use std::collections::VecDeque;
use std::fmt::Write;

use sim_core::{FaultPlan, RunConfig, RunReport, Time, TraceEvent, TraceSink};

use super::{ending, fault_plan, render, wrap, Clock, Columns, Options, Style};

/// Entries held back before a run counts as long and is printed as it goes.
pub const HEAD_ENTRIES: usize = 20_000;

/// Where the text goes, a piece at a time (each piece ends with a newline).
pub type Output = Box<dyn FnMut(&str)>;

/// A [`TraceSink`] that prints the timeline; [`finish`](Streamer::finish) prints the rest.
pub struct Streamer {
    options: Options,
    write: Output,
    /// The seed, plan and limits of the run, once it began.
    seed: u64,
    plan: FaultPlan,
    config: Option<RunConfig>,
    /// Entries held back while the run may still be short.
    head: Vec<TraceEvent>,
    /// Once long: its columns, and the lines `--last` keeps back.
    columns: Option<Columns>,
    last: VecDeque<String>,
    /// Entries of the run, and those of them the filter kept (`--last` aside).
    seen: u64,
    shown: u64,
}

impl Streamer {
    /// A printer of timelines rendered with `options`, writing through `write`.
    pub fn new(options: Options, write: Output) -> Self {
        Streamer {
            options,
            write,
            seed: 0,
            plan: FaultPlan::default(),
            config: None,
            head: Vec::new(),
            columns: None,
            last: VecDeque::new(),
            seen: 0,
            shown: 0,
        }
    }

    /// After the run: the held-back timeline whole, or the end of a streamed one.
    pub fn finish(&mut self, report: &RunReport) {
        let Some(columns) = self.columns.take() else {
            let mut short = report.clone();
            short.trace = Some(std::mem::take(&mut self.head));
            (self.write)(&render(&short, &self.options));
            return;
        };
        let st = self.style();
        let mut out = String::new();
        // `--last N` printed only the N lines it kept back of those the filter kept.
        let shown = match self.options.filter.last {
            Some(_) => self.last.len() as u64,
            None => self.shown,
        };
        for line in self.last.drain(..) {
            let _ = writeln!(out, "{line}");
        }
        if !self.options.filter.is_empty() {
            let text = format!(
                "showed {shown} of {} trace entries ({})",
                self.seen,
                self.options.filter.describe(&columns.clock)
            );
            let _ = writeln!(out, "{}", wrap("", &text, 2));
        }
        out.push_str(&ending(report, &columns.clock, &st));
        (self.write)(&out);
    }

    fn style(&self) -> Style {
        Style {
            color: self.options.color,
        }
    }

    /// The run is long: prints what comes before the entries, then the entries held back.
    fn go_long(&mut self) {
        let config = self.config.unwrap_or_default();
        let clock = Clock::up_to(latest_time(&self.plan, &config));
        let event = format!("#{}", config.max_events).len().max(2);
        let columns = Columns { event, clock };
        let st = self.style();
        let mut out = String::new();
        let _ = writeln!(out, "{}", st.paint("36", &format!("seed {}", self.seed)));
        fault_plan(&mut out, &self.plan, &clock);
        let note =
            format!("a long run: more than {HEAD_ENTRIES} trace entries, printed as they happen");
        let _ = writeln!(out, "{}", wrap("", &note, 2));
        let _ = writeln!(out, "{}", st.paint("2", &columns.header()));
        (self.write)(&out);
        self.columns = Some(columns);
        for entry in std::mem::take(&mut self.head) {
            self.print(&entry);
        }
    }

    fn print(&mut self, entry: &TraceEvent) {
        let Some(columns) = &self.columns else { return };
        if !self.options.filter.keeps(entry) {
            return;
        }
        self.shown += 1;
        let line = columns.line(entry, &self.style());
        match self.options.filter.last {
            Some(keep) => {
                if self.last.len() == keep {
                    self.last.pop_front();
                }
                if keep > 0 {
                    self.last.push_back(line);
                }
            }
            None => (self.write)(&format!("{line}\n")),
        }
    }
}

/// The latest time a run may print: its deadline, or its latest fault if later.
fn latest_time(plan: &FaultPlan, config: &RunConfig) -> Time {
    let end = config
        .budgets
        .max_time
        .unwrap_or(config.duration + config.settle)
        .min(config.duration + config.settle);
    let deadline = Time::ZERO + end;
    plan.events.iter().map(|f| f.at).fold(deadline, Time::max)
}

impl TraceSink for Streamer {
    fn begin(&mut self, seed: u64, plan: &FaultPlan, config: &RunConfig) {
        self.seed = seed;
        self.plan = plan.clone();
        self.config = Some(*config);
    }

    fn entry(&mut self, entry: TraceEvent) {
        self.seen += 1;
        if self.columns.is_some() {
            self.print(&entry);
            return;
        }
        self.head.push(entry);
        if self.head.len() > HEAD_ENTRIES {
            self.go_long();
        }
    }
}
