//! The full trace of a run, when tracing is on: one [`TraceEvent`] per step, each stamped with
//! its node's Lamport clock and vector clock, and each process's state (`Debug`) after each of
//! its events, so reports can show causal pasts and what a process knew at any point. The
//! clocks are kept here and carried from sender to receiver here, by message id: neither the
//! processes nor an untraced run's messages carry them (the queue moves every pending message
//! a few times; 8 bytes more each was a tenth more to move). None of it is hashed: a traced
//! run is the same run as an untraced one.
//!
//! Entries go to a [`TraceSink`]: by default they are collected into the run's report; a
//! replay of a huge run streams them instead (each entry is handed over and forgotten), so its
//! memory grows with what it prints, not with the run. The tracer keeps a Lamport clock per
//! node and an 8-byte stamp per message sent; vector clocks, one per node and one per message
//! still in flight, only in groups of at most [`MAX_CLOCK_NODES`]: above that, a vector clock
//! per entry and per message in flight would make a traced run n² in memory (a 1,024-node
//! broadcast: gigabytes), so entries carry an empty `vc` and readers fall back on Lamport
//! clocks.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fmt;
use std::rc::Rc;

use crate::entropy::Choices;
use crate::faults::FaultPlan;
use crate::process::Process;
use crate::trace::{ProcessState, TraceEvent, TraceKind};
use crate::NodeId;

use super::Engine;

/// Where a traced run's entries go, as they happen.
pub trait TraceSink {
    /// Before the first entry: the run's seed, fault plan and limits (a printer of a long run
    /// prints the plan first and fixes its columns from the limits).
    fn begin(&mut self, seed: u64, plan: &FaultPlan, config: &super::RunConfig) {
        let _ = (seed, plan, config);
    }
    /// One trace entry, in order.
    fn entry(&mut self, entry: TraceEvent);
    /// A process's state after one of its events, when it changed (only asked for when
    /// [`states_wanted`](TraceSink::states_wanted) says so).
    fn state(&mut self, state: ProcessState) {
        let _ = state;
    }
    /// Which process states to render for [`state`](TraceSink::state), if any: each costs a
    /// `Debug` of the process, in a large group most of a traced run's time.
    fn states_wanted(&self) -> Option<StatesWanted> {
        None
    }
}

/// The process states a [`TraceSink`] asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StatesWanted {
    /// The first event after which states are wanted (0: all): a sink that keeps the end of a
    /// run only spares the run rendering every state before it. Just before that event every
    /// node's state is handed over once, so the sink knows each state from there on.
    pub from_event: u64,
    /// The longest state text: a longer one is rendered only that far (its `Debug` is cut
    /// short, not rendered whole and then cut) and ends with [`CLIPPED`].
    pub text_bytes_max: usize,
}

impl StatesWanted {
    /// Every state, whole.
    pub const ALL: StatesWanted = StatesWanted {
        from_event: 0,
        text_bytes_max: usize::MAX,
    };
}

/// How a state text cut at [`StatesWanted::text_bytes_max`] (or a stable-storage text at
/// [`STABLE_TEXT_BYTES_MAX`]) ends.
pub const CLIPPED: &str = "… (clipped)";

/// The longest stable-storage text a trace entry holds (a write, or what a crash kept): one
/// that grows with the run (a log, a list of checkpoints) would otherwise make a trace, and a
/// replay's output, grow with its size times the writes. A longer one is rendered only this
/// far and ends with [`CLIPPED`].
pub const STABLE_TEXT_BYTES_MAX: usize = 4 << 10;

/// `stable`'s text for a trace entry, at most [`STABLE_TEXT_BYTES_MAX`] bytes.
pub(super) fn stable_text(stable: &dyn fmt::Debug) -> String {
    debug_text(stable, STABLE_TEXT_BYTES_MAX)
}

/// A sink its owner keeps a handle on, to take it back after the run.
impl<T: TraceSink + ?Sized> TraceSink for Rc<RefCell<T>> {
    fn begin(&mut self, seed: u64, plan: &FaultPlan, config: &super::RunConfig) {
        self.borrow_mut().begin(seed, plan, config);
    }
    fn entry(&mut self, entry: TraceEvent) {
        self.borrow_mut().entry(entry);
    }
    fn state(&mut self, state: ProcessState) {
        self.borrow_mut().state(state);
    }
    fn states_wanted(&self) -> Option<StatesWanted> {
        self.borrow().states_wanted()
    }
}

/// The default sink: everything, kept for the report.
#[derive(Default)]
pub(super) struct Collect {
    pub(super) events: Vec<TraceEvent>,
    pub(super) states: Vec<ProcessState>,
}

impl TraceSink for Collect {
    fn entry(&mut self, entry: TraceEvent) {
        self.events.push(entry);
    }
    fn state(&mut self, state: ProcessState) {
        self.states.push(state);
    }
    fn states_wanted(&self) -> Option<StatesWanted> {
        Some(StatesWanted::ALL)
    }
}

/// Where the entries go: collected for the report, or streamed.
pub(super) enum Sink {
    Collect(Collect),
    Stream(Box<dyn TraceSink>),
}

impl Sink {
    fn get(&mut self) -> &mut dyn TraceSink {
        match self {
            Sink::Collect(c) => c,
            Sink::Stream(s) => s.as_mut(),
        }
    }

    fn get_ref(&self) -> &dyn TraceSink {
        match self {
            Sink::Collect(c) => c,
            Sink::Stream(s) => s.as_ref(),
        }
    }
}

/// The largest group whose trace entries carry vector clocks.
pub const MAX_CLOCK_NODES: usize = 64;

pub(super) struct Tracer {
    pub(super) sink: Sink,
    /// The states the sink wants, if any.
    states_wanted: Option<StatesWanted>,
    /// Each node's Lamport clock.
    lamport: Vec<u64>,
    /// The sender's Lamport clock as each message of the run left, by message id (8 bytes a
    /// message sent: a replay holds them, a sweep does not trace).
    stamps: Vec<u64>,
    /// Each node's vector clock.
    vc: Vec<Vec<u64>>,
    /// The sender's vector clock as each message in flight left, and how many copies of it
    /// are still to arrive or be dropped (a duplicated message has two).
    msg_vc: BTreeMap<u64, (Vec<u64>, u32)>,
    /// Per node, its latest recorded state.
    latest_state: Vec<Option<String>>,
    /// Whether every node's state was recorded before [`StatesWanted::from_event`] yet.
    snapshot_taken: bool,
}

impl Tracer {
    pub(super) fn new(n: usize, sink: Sink) -> Self {
        let states_wanted = sink.get_ref().states_wanted();
        Tracer {
            sink,
            states_wanted,
            lamport: vec![0; n],
            stamps: Vec::new(),
            vc: if n <= MAX_CLOCK_NODES {
                vec![vec![0; n]; n]
            } else {
                Vec::new()
            },
            msg_vc: BTreeMap::new(),
            latest_state: vec![None; n],
            snapshot_taken: states_wanted.is_some_and(|w| w.from_event == 0),
        }
    }

    /// Before event `event` runs: once it is the first whose states are wanted, records every
    /// node's state as it stands (after the event before).
    pub(super) fn before_event<P: Process>(&mut self, event: u64, processes: &[P]) {
        let Some(wanted) = self.states_wanted else {
            return;
        };
        if self.snapshot_taken || event < wanted.from_event {
            return;
        }
        self.snapshot_taken = true;
        for (node, process) in processes.iter().enumerate() {
            self.record_state(event - 1, node, process);
        }
    }

    /// Records `process`'s state after event `event` at `node`, unless it equals the state
    /// recorded last for that node (a reader looks up the latest record at or before an event).
    pub(super) fn record_state<P: Process>(&mut self, event: u64, node: NodeId, process: &P) {
        let Some(wanted) = self.states_wanted else {
            return;
        };
        if !self.snapshot_taken {
            return;
        }
        let state = debug_text(process, wanted.text_bytes_max);
        if self.latest_state[node].as_ref() == Some(&state) {
            return;
        }
        self.latest_state[node] = Some(state.clone());
        self.sink.get().state(ProcessState { event, node, state });
    }

    /// A step of `node` that its Lamport clock counts (an event of it, or a send).
    pub(super) fn tick(&mut self, node: NodeId) {
        self.lamport[node] += 1;
    }

    /// Remembers the sender's clocks as message `msg_id` leaves (after its send's tick).
    pub(super) fn sent(&mut self, from: NodeId, msg_id: u64) {
        let at = msg_id as usize;
        if self.stamps.len() <= at {
            self.stamps.resize(at + 1, 0);
        }
        self.stamps[at] = self.lamport[from];
        if let Some(clock) = self.vc.get(from) {
            self.msg_vc.insert(msg_id, (clock.clone(), 1));
        }
    }

    /// The network will deliver message `msg_id` twice.
    pub(super) fn duplicated(&mut self, msg_id: u64) {
        if let Some((_, copies)) = self.msg_vc.get_mut(&msg_id) {
            *copies += 1;
        }
    }

    /// A copy of message `msg_id` is gone (dropped, or about to be delivered): forgets its
    /// clock with the last copy, and returns it.
    fn arrived(&mut self, msg_id: u64) -> Option<Vec<u64>> {
        let (_, copies) = self.msg_vc.get_mut(&msg_id)?;
        *copies -= 1;
        if *copies == 0 {
            self.msg_vc.remove(&msg_id).map(|(vc, _)| vc)
        } else {
            self.msg_vc.get(&msg_id).map(|(vc, _)| vc.clone())
        }
    }

    /// A copy of message `msg_id` was dropped.
    pub(super) fn dropped(&mut self, msg_id: u64) {
        self.arrived(msg_id);
    }

    /// Merges the clocks message `msg_id` left with into the receiver's, and counts the
    /// delivery as its step.
    pub(super) fn received(&mut self, to: NodeId, msg_id: u64) {
        let stamp = self.stamps.get(msg_id as usize).copied().unwrap_or(0);
        self.lamport[to] = self.lamport[to].max(stamp) + 1;
        if let Some(sent) = self.arrived(msg_id) {
            let Some(clock) = self.vc.get_mut(to) else {
                return;
            };
            for (mine, theirs) in clock.iter_mut().zip(&sent) {
                *mine = (*mine).max(*theirs);
            }
        }
    }
}

impl<P: Process, C: Choices> Engine<P, C> {
    /// Counts a step of `node` on its Lamport clock, when tracing is on (only traces show
    /// the clock, so an untraced run keeps none).
    pub(super) fn tick(&mut self, node: NodeId) {
        if let Some(t) = &mut self.tracer {
            t.tick(node);
        }
    }

    /// Appends a trace entry when tracing is on; the entry is built only then.
    pub(super) fn trace(&mut self, node: Option<NodeId>, kind: impl FnOnce() -> TraceKind) {
        let Some(t) = &mut self.tracer else { return };
        let (lamport, vc) = match node {
            Some(n) => match t.vc.get_mut(n) {
                Some(clock) => {
                    clock[n] += 1;
                    (t.lamport[n], clock.clone())
                }
                None => (t.lamport[n], Vec::new()),
            },
            None => (0, Vec::new()),
        };
        t.sink.get().entry(TraceEvent {
            event: self.current.index,
            time: self.now,
            node,
            lamport,
            vc,
            kind: kind(),
        });
    }
}

/// `value`'s `Debug` text, rendered no further than `bytes_max` bytes: a longer one is cut
/// short (at a character boundary) to end with [`CLIPPED`] within the bound.
fn debug_text(value: &dyn fmt::Debug, bytes_max: usize) -> String {
    let mut text = String::new();
    let mut out = Bounded {
        text: &mut text,
        room: bytes_max,
        cut: false,
    };
    // A `Debug` stops at the first error its writer returns: `Bounded` returns one when full.
    let _ = fmt::write(&mut out, format_args!("{value:?}"));
    if out.cut {
        let end = char_floor(&text, bytes_max.saturating_sub(CLIPPED.len()));
        text.truncate(end);
        text.push_str(CLIPPED);
    }
    text
}

/// The largest character boundary of `text` at or before byte `at` (`at` ≤ its length).
fn char_floor(text: &str, mut at: usize) -> usize {
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// A writer that takes `room` bytes at most, then fails.
struct Bounded<'a> {
    text: &'a mut String,
    room: usize,
    cut: bool,
}

impl fmt::Write for Bounded<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let left = self.room - self.text.len();
        if s.len() <= left {
            self.text.push_str(s);
            return Ok(());
        }
        self.text.push_str(&s[..char_floor(s, left)]);
        self.cut = true;
        Err(fmt::Error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_debug_text_past_its_bound_is_cut_at_a_character_boundary() {
        let value = vec!["é".repeat(100)];
        let whole = format!("{value:?}");
        assert_eq!(debug_text(&value, usize::MAX), whole);
        assert_eq!(debug_text(&value, whole.len()), whole);
        for bytes_max in [CLIPPED.len(), CLIPPED.len() + 1, 40, 41, whole.len() - 1] {
            let cut = debug_text(&value, bytes_max);
            assert!(cut.len() <= bytes_max, "{bytes_max}: {cut}");
            let start = cut.strip_suffix(CLIPPED).expect("ends saying it was cut");
            assert!(whole.starts_with(start), "{bytes_max}: {cut}");
            assert!(
                start.len() + 1 >= bytes_max - CLIPPED.len(),
                "{bytes_max}: {cut}"
            );
        }
    }
}
