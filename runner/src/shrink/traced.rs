//! The shrunk run again, traced for its repro file, if its trace fits [`TRACE_BYTES_MAX`].
//!
//! What a trace weighs depends on more than its events: every message sent is an entry, each
//! entry of a group of up to 64 nodes holds a vector clock of one counter per node, and each
//! event that changes a process records its state. A short run of a large group can outweigh
//! a long run of a small one: 3,645 events of an eager broadcast over 300 nodes are a million
//! entries, which took 2.2 GB to hold and a 519 MB repro file. So the run is traced into a
//! sink that weighs what it keeps (`TraceEvent::approx_bytes`), and lets go of all of it once
//! the trace passes the bound; a run whose untraced counts already put it past the bound is
//! not traced at all. Either way the repro keeps the run's decisions and trace hash, which
//! replay it exactly.

use std::cell::RefCell;
use std::rc::Rc;

use sim_core::{Choice, ProcessState, RunReport, StatesWanted, TraceEvent, TraceSink};

use super::search::Case;
use crate::simulation::RunOptions;

/// The most a shrunk run's trace may weigh (see `TraceEvent::approx_bytes`) to be kept in its
/// repro file. Writing the repro takes a few times this: the entries, the repro's copy of them
/// and its JSON text.
pub const TRACE_BYTES_MAX: usize = 64 << 20;

/// About the least a trace of `report`'s run over `nodes` nodes weighs: an entry for each
/// event and each message sent, each its fixed part and, in a group small enough for vector
/// clocks, one counter per node (a few network-wide entries have none).
fn least_trace_bytes(report: &RunReport, nodes: usize) -> u64 {
    let entries = (report.stats.events).saturating_add(report.stats.messages_sent);
    let clock = if nodes <= sim_core::engine::MAX_CLOCK_NODES {
        nodes
    } else {
        0
    };
    entries.saturating_mul(TraceEvent::approx_bytes_without_text(clock) as u64)
}

/// A trace kept while it weighs at most [`TRACE_BYTES_MAX`]; past that, nothing.
#[derive(Default)]
struct Capped {
    entries: Vec<TraceEvent>,
    states: Vec<ProcessState>,
    bytes: usize,
    over: bool,
}

impl Capped {
    /// Counts `bytes` more; past the bound, lets go of everything kept. True while it keeps.
    fn weigh(&mut self, bytes: usize) -> bool {
        self.bytes = self.bytes.saturating_add(bytes);
        if self.bytes > TRACE_BYTES_MAX && !self.over {
            self.over = true;
            self.entries = Vec::new();
            self.states = Vec::new();
        }
        !self.over
    }
}

impl TraceSink for Capped {
    fn entry(&mut self, entry: TraceEvent) {
        if self.weigh(entry.approx_bytes()) {
            self.entries.push(entry);
        }
    }

    fn state(&mut self, state: ProcessState) {
        if self.weigh(state.approx_bytes()) {
            self.states.push(state);
        }
    }

    fn states_wanted(&self) -> Option<StatesWanted> {
        Some(StatesWanted::ALL)
    }
}

/// The case with its full trace if the trace weighs at most [`TRACE_BYTES_MAX`]; else as it
/// is, without one (tracing changes nothing but what is recorded).
pub(super) fn traced(case: Case, seed: u64) -> Case {
    let nodes = case.simulation.spec().nodes;
    if least_trace_bytes(&case.report, nodes) > TRACE_BYTES_MAX as u64 {
        return case;
    }
    let choices: &[Choice] = &case.choices;
    let options = RunOptions {
        // The sink below is what traces the run; this collects nothing more.
        trace: false,
        plan: Some(&case.plan),
        choices: Some(choices),
        script: None,
    };
    let kept = Rc::new(RefCell::new(Capped::default()));
    let recorded = (case.simulation).run_recorded_streamed(seed, options, Box::new(kept.clone()));
    let Capped {
        entries,
        states,
        over,
        ..
    } = kept.take();
    if over {
        return case;
    }
    let mut report = recorded.report;
    report.trace = Some(entries);
    report.states = states;
    Case { report, ..case }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sent(msg_bytes: usize, vc: usize) -> TraceEvent {
        TraceEvent {
            event: 1,
            time: sim_core::Time::ZERO,
            node: Some(0),
            lamport: 1,
            vc: vec![0; vc],
            kind: sim_core::TraceKind::Send {
                to: 1,
                msg_id: 0,
                msg: "m".repeat(msg_bytes),
                depart: sim_core::Time::ZERO,
            },
        }
    }

    /// Entries are kept while they fit; the one that passes the bound lets go of everything,
    /// and nothing is kept after it.
    #[test]
    fn a_trace_past_the_bound_is_let_go_whole() {
        let mut capped = Capped::default();
        let entry = sent(1000, 64);
        let fit = TRACE_BYTES_MAX / entry.approx_bytes();
        for _ in 0..fit {
            capped.entry(entry.clone());
        }
        assert_eq!((capped.entries.len(), capped.over), (fit, false));
        capped.state(ProcessState {
            event: 1,
            node: 0,
            state: "s".repeat(entry.approx_bytes()),
        });
        assert!(capped.over && capped.entries.is_empty() && capped.states.is_empty());
        capped.entry(sent(0, 0));
        assert!(capped.entries.is_empty());
    }
}
