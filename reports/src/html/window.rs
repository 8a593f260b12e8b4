//! The diagram of a huge run: a window of its last events, kept as the run streams by (a
//! safety violation ends the run, so the window ends on it; otherwise on the end, where
//! liveness is judged), with a note of what was left out. A page is never larger than
//! [`MAX_PAGE_BYTES`]: the window holds at most [`WINDOW_ENTRIES`] entries and
//! [`WINDOW_BYTES`] of text, each text clipped to [`MAX_TEXT_BYTES`], and it is halved until
//! the page fits.

use std::collections::VecDeque;

use sim_core::{
    FaultPlan, ProcessState, RunConfig, RunReport, StatesWanted, TraceEvent, TraceKind, TraceSink,
};

use super::{render_noted, Meta};

/// The most trace entries a diagram shows.
pub const WINDOW_ENTRIES: usize = 20_000;
/// The most text (messages, states) the window keeps.
pub const WINDOW_BYTES: usize = 24 << 20;
/// The longest message or state text shown whole in a windowed diagram.
pub const MAX_TEXT_BYTES: usize = 64 << 10;
/// The largest page written.
pub const MAX_PAGE_BYTES: usize = 32 << 20;

/// A [`TraceSink`] keeping the last entries of a run and the process states they need.
#[derive(Default)]
pub struct Window {
    entries: VecDeque<(TraceEvent, usize)>,
    states: VecDeque<(ProcessState, usize)>,
    /// Per node, its last state before the window.
    before: Vec<Option<ProcessState>>,
    bytes: usize,
    left_out: u64,
    /// The first event number left out and the last one.
    left_out_events: Option<(u64, u64)>,
    /// Process states dropped to fit the page.
    states_left_out: bool,
    /// The first event after which states are asked for (see [`Window::for_run_of`]).
    states_from: u64,
}

impl Window {
    /// A window for a run known to have `events` events (from a run of it untraced): the
    /// states of events well before its entries are not asked for. Nearly every event has
    /// an entry, so the last [`WINDOW_ENTRIES`] entries come from about as many last events;
    /// states are asked for over twice as many, for the few events without one (a fault that
    /// changes nothing). Should the window still reach further back, its first entries are
    /// drawn without their nodes' states. Rendering every state of a long run in a large
    /// group took most of its time: see the notes in docs/replay.md.
    pub fn for_run_of(events: u64) -> Self {
        Window {
            states_from: events.saturating_sub(2 * WINDOW_ENTRIES as u64),
            ..Window::default()
        }
    }

    /// The page of the run whose report (without its trace) is `report`: the window's entries,
    /// with a note of what was left out; halved until the page fits [`MAX_PAGE_BYTES`].
    pub fn render(mut self, mut report: RunReport, meta: &Meta<'_>) -> String {
        loop {
            let (trace, states) = self.parts();
            report.trace = Some(trace);
            report.states = states;
            let page = render_noted(&report, meta, self.note().as_deref());
            if page.len() <= MAX_PAGE_BYTES || (self.states_left_out && self.entries.len() <= 1) {
                return page;
            }
            let before_bytes: usize = self.before.iter().flatten().map(|s| s.state.len()).sum();
            if before_bytes > MAX_PAGE_BYTES / 2 || self.entries.len() <= 1 {
                // The states of a big group before the window: more than the window itself.
                self.before.clear();
                self.states.clear();
                self.states_left_out = true;
                continue;
            }
            let half = self.entries.len() / 2;
            for _ in 0..half {
                self.evict();
            }
        }
    }

    /// What was left out, in a sentence; `None` if nothing was.
    fn note(&self) -> Option<String> {
        let (first, last) = self.left_out_events?;
        let states = if self.states_left_out {
            " The processes' states are left out too (they would not fit the page)."
        } else {
            ""
        };
        Some(format!(
            "This diagram shows the last {} trace entries of the run: the {} entries of \
             events #{first} to #{last} are left out (ftsim replay prints them all; --from \
             and --to select a window).{states}",
            self.entries.len(),
            self.left_out
        ))
    }

    fn parts(&self) -> (Vec<TraceEvent>, Vec<ProcessState>) {
        let trace = self.entries.iter().map(|(e, _)| e.clone()).collect();
        let states = self
            .before
            .iter()
            .flatten()
            .cloned()
            .chain(self.states.iter().map(|(s, _)| s.clone()))
            .collect();
        (trace, states)
    }

    /// Drops the oldest entry, and the states no entry in the window needs any more.
    fn evict(&mut self) {
        let Some((entry, size)) = self.entries.pop_front() else {
            return;
        };
        self.bytes -= size;
        self.left_out += 1;
        let first = self.left_out_events.map_or(entry.event, |(f, _)| f);
        self.left_out_events = Some((first, entry.event));
        let start = self.entries.front().map_or(u64::MAX, |(e, _)| e.event);
        while self.states.front().is_some_and(|(s, _)| s.event < start) {
            let Some((state, size)) = self.states.pop_front() else {
                break;
            };
            self.bytes -= size;
            let node = state.node;
            if self.before.len() <= node {
                self.before.resize(node + 1, None);
            }
            self.before[node] = Some(state);
        }
    }

    fn trim(&mut self) {
        while self.entries.len() > WINDOW_ENTRIES || self.bytes > WINDOW_BYTES {
            if self.entries.len() <= 1 {
                break;
            }
            self.evict();
        }
    }
}

impl TraceSink for Window {
    fn begin(&mut self, _seed: u64, _plan: &FaultPlan, _config: &RunConfig) {}

    fn entry(&mut self, mut entry: TraceEvent) {
        clip_entry(&mut entry.kind);
        let size = entry.approx_bytes();
        self.bytes += size;
        self.entries.push_back((entry, size));
        self.trim();
    }

    fn state(&mut self, mut state: ProcessState) {
        clip(&mut state.state);
        let size = state.approx_bytes();
        self.bytes += size;
        self.states.push_back((state, size));
        self.trim();
    }

    fn states_wanted(&self) -> Option<StatesWanted> {
        Some(StatesWanted {
            from_event: self.states_from,
            text_bytes_max: MAX_TEXT_BYTES,
        })
    }
}

fn clip_entry(kind: &mut TraceKind) {
    match kind {
        TraceKind::Send { msg, .. } | TraceKind::Deliver { msg, .. } => clip(msg),
        TraceKind::Tamper { original, .. } => clip(original),
        TraceKind::TimerSet { tag, .. } | TraceKind::TimerFire { tag, .. } => clip(tag),
        TraceKind::Persist { stable } | TraceKind::StorageLost { stable } => clip(stable),
        TraceKind::Observe { obs } => clip(obs),
        _ => {}
    }
}

/// `text` cut to [`MAX_TEXT_BYTES`] (at a character boundary), saying so.
fn clip(text: &mut String) {
    if text.len() <= MAX_TEXT_BYTES {
        return;
    }
    let mut cut = MAX_TEXT_BYTES;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    let total = text.len();
    text.truncate(cut);
    text.push_str(&format!("… ({total} bytes, clipped)"));
}
