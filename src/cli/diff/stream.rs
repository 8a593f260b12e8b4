//! `diff` of a repro against this build, streamed: the new run's trace entries are compared
//! with the recorded ones as the run makes them, and only what the report shows is kept (the
//! first `context` entries from where the runs part). So `diff` holds the recorded trace
//! (bounded when the repro was written) and a few entries of the new run, however large the
//! new run grows.

use std::cell::RefCell;
use std::rc::Rc;

use ftsim_api::sim_core::{TraceEvent, TraceSink};
use ftsim_runner::repro::diff::{parted_by_length, same_step};

/// What the comparison found.
#[derive(Default)]
pub struct Compared {
    /// The new run's entries, counted.
    pub entries: usize,
    /// The first entry where the runs part, if they do.
    pub parted_at: Option<usize>,
    /// The new run's entries from there on, at most `context` of them.
    pub next: Vec<TraceEvent>,
}

/// A sink comparing each entry of a run with a recorded trace.
pub struct Comparing {
    recorded: Rc<Vec<TraceEvent>>,
    context: usize,
    found: Rc<RefCell<Compared>>,
}

impl Comparing {
    /// Compares against `recorded`, keeping `context` entries past the first difference; the
    /// handle reads what was found once the run is over.
    pub fn new(recorded: Rc<Vec<TraceEvent>>, context: usize) -> (Self, Rc<RefCell<Compared>>) {
        let found = Rc::new(RefCell::new(Compared::default()));
        let sink = Comparing {
            recorded,
            context,
            found: Rc::clone(&found),
        };
        (sink, found)
    }
}

impl TraceSink for Comparing {
    fn entry(&mut self, entry: TraceEvent) {
        let mut found = self.found.borrow_mut();
        let index = found.entries;
        found.entries += 1;
        match found.parted_at {
            None => {
                if !self
                    .recorded
                    .get(index)
                    .is_some_and(|r| same_step(r, &entry))
                {
                    found.parted_at = Some(index);
                    found.next.push(entry);
                }
            }
            Some(_) if found.next.len() < self.context => found.next.push(entry),
            Some(_) => {}
        }
    }
}

impl Compared {
    /// Where the runs part, the new run having ended: where an entry differs, or where the
    /// shorter run ends (as `first_difference` says it).
    pub fn parted(&self, recorded_entries: usize) -> Option<usize> {
        (self.parted_at).or_else(|| parted_by_length(recorded_entries, self.entries))
    }
}

#[cfg(test)]
mod tests {
    use ftsim_api::sim_core::{Time, TraceKind};

    use super::*;

    fn entry(event: u64) -> TraceEvent {
        TraceEvent {
            event,
            time: Time(event),
            node: Some(0),
            lamport: event,
            vc: Vec::new(),
            kind: TraceKind::Recover,
        }
    }

    fn compare(recorded: &[u64], run: &[u64]) -> Compared {
        let trace: Vec<TraceEvent> = recorded.iter().map(|&e| entry(e)).collect();
        let (mut sink, found) = Comparing::new(Rc::new(trace), 2);
        for &e in run {
            sink.entry(entry(e));
        }
        drop(sink);
        Rc::try_unwrap(found).ok().unwrap().into_inner()
    }

    #[test]
    fn keeps_only_the_entries_past_the_first_difference() {
        let c = compare(&[0, 1, 2, 3], &[0, 1, 7, 8, 9, 10]);
        assert_eq!(c.parted(4), Some(2));
        assert_eq!(c.entries, 6);
        let kept: Vec<u64> = c.next.iter().map(|e| e.event).collect();
        assert_eq!(kept, [7, 8]);
        let same = compare(&[0, 1, 2], &[0, 1, 2]);
        assert_eq!(same.parted(3), None);
        let shorter = compare(&[0, 1, 2], &[0, 1]);
        assert_eq!(shorter.parted(3), Some(2));
        assert!(shorter.next.is_empty());
        let longer = compare(&[0, 1], &[0, 1, 2]);
        assert_eq!(longer.parted(2), Some(2));
        assert_eq!(longer.next.len(), 1);
    }
}
