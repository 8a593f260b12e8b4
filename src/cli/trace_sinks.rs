//! The sinks a run's trace is streamed into: the engine hands each trace entry to them as it
//! happens, and they print it (`replay`'s text and JSON) or keep a bounded window of it (the
//! HTML diagram of `replay --html` and `run --report`), so a replay's memory grows with what
//! it prints, not with the run.

use std::cell::RefCell;
use std::io::Write;
use std::rc::Rc;

use ftsim_api::sim_core::{FaultPlan, RunConfig, StatesWanted, TraceEvent, TraceSink};
use reports::html::Window;

/// Standard output in 64 KiB pieces: a million lines are not a million writes. Flushed when
/// dropped; errors (a closed pipe) end the output quietly, as `output::out` does.
#[derive(Default)]
pub struct Chunked {
    buf: String,
}

impl Chunked {
    pub fn push(&mut self, text: &str) {
        self.buf.push_str(text);
        if self.buf.len() >= 64 * 1024 {
            self.flush();
        }
    }

    pub fn flush(&mut self) {
        let mut stdout = std::io::stdout().lock();
        let _ = stdout.write_all(self.buf.as_bytes());
        let _ = stdout.flush();
        self.buf.clear();
    }
}

impl Drop for Chunked {
    fn drop(&mut self) {
        self.flush();
    }
}

/// The `events` array of `replay --format json`, printed entry by entry. The document's keys
/// are in alphabetical order and `events` comes first, so the entries can be printed before
/// the rest is known and the whole is byte for byte what printing it at once gives.
#[derive(Default)]
pub struct JsonEvents {
    out: Chunked,
    written: u64,
}

impl JsonEvents {
    /// Prints the rest of the document: `rest` is every field but `events`.
    pub fn finish(mut self, rest: &serde_json::Value) {
        let rest = serde_json::to_string_pretty(rest).unwrap_or_default();
        let fields = rest.strip_prefix("{\n").unwrap_or(&rest);
        if self.written == 0 {
            self.out.push("{\n  \"events\": [],\n");
        } else {
            self.out.push("\n  ],\n");
        }
        self.out.push(fields);
        self.out.push("\n");
    }
}

impl TraceSink for JsonEvents {
    fn entry(&mut self, entry: TraceEvent) {
        let text = serde_json::to_string_pretty(&entry).unwrap_or_default();
        self.out.push(if self.written == 0 {
            "{\n  \"events\": [\n"
        } else {
            ",\n"
        });
        for (i, line) in text.lines().enumerate() {
            if i > 0 {
                self.out.push("\n");
            }
            self.out.push("    ");
            self.out.push(line);
        }
        self.written += 1;
    }
}

/// Every entry kept (a ShiViz log needs the whole run).
#[derive(Default)]
pub struct Collected {
    pub events: Vec<TraceEvent>,
}

impl TraceSink for Collected {
    fn entry(&mut self, entry: TraceEvent) {
        self.events.push(entry);
    }
}

/// Several sinks fed the same run (a timeline and a diagram).
pub struct Tee(pub Vec<Box<dyn TraceSink>>);

impl TraceSink for Tee {
    fn begin(&mut self, seed: u64, plan: &FaultPlan, config: &RunConfig) {
        for sink in &mut self.0 {
            sink.begin(seed, plan, config);
        }
    }

    fn entry(&mut self, entry: TraceEvent) {
        if let Some((last, rest)) = self.0.split_last_mut() {
            for sink in rest {
                sink.entry(entry.clone());
            }
            last.entry(entry);
        }
    }

    fn state(&mut self, state: ftsim_api::sim_core::ProcessState) {
        for sink in &mut self.0 {
            if sink.states_wanted().is_some() {
                sink.state(state.clone());
            }
        }
    }

    /// The states any of the sinks wants: from the earliest event one wants, as long as the
    /// longest one wants.
    fn states_wanted(&self) -> Option<StatesWanted> {
        let wanted = self.0.iter().filter_map(|s| s.states_wanted());
        wanted.reduce(|a, b| StatesWanted {
            from_event: a.from_event.min(b.from_event),
            text_bytes_max: a.text_bytes_max.max(b.text_bytes_max),
        })
    }
}

/// A sink shared with its owner, who takes it back after the run.
pub fn shared<T: TraceSink + 'static>(sink: T) -> (Rc<RefCell<T>>, Box<dyn TraceSink>) {
    let rc = Rc::new(RefCell::new(sink));
    let boxed: Box<dyn TraceSink> = Box::new(Rc::clone(&rc));
    (rc, boxed)
}

/// The diagram window of a run of `events` events, shared (`replay --html`, `run --report`):
/// the run is made untraced first for its length, so that the window asks only for the
/// process states of its own last events ([`Window::for_run_of`]).
pub fn diagram_window(events: u64) -> (Rc<RefCell<Window>>, Box<dyn TraceSink>) {
    shared(Window::for_run_of(events))
}

/// The sink back from the engine (which has dropped its handle by now).
pub fn take_back<T>(rc: Rc<RefCell<T>>) -> Option<T> {
    Rc::try_unwrap(rc).ok().map(RefCell::into_inner)
}
