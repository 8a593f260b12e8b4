//! A sink that wants the states of a run's end only (`StatesWanted::from_event`) is spared the
//! states before it, yet knows every node's state from there on: the one it gets as it stood
//! just before that event, then each change, the same as a collected run's.

mod common;

use std::cell::RefCell;
use std::rc::Rc;

use common::*;
use sim_core::*;

/// Keeps the states of the events from `from` on, each text `bytes_max` long at most.
struct Tail {
    from: u64,
    bytes_max: usize,
    states: Vec<ProcessState>,
}

impl TraceSink for Tail {
    fn begin(&mut self, _seed: u64, _plan: &FaultPlan, _config: &RunConfig) {}
    fn entry(&mut self, _entry: TraceEvent) {}
    fn state(&mut self, state: ProcessState) {
        self.states.push(state);
    }
    fn states_wanted(&self) -> Option<StatesWanted> {
        Some(StatesWanted {
            from_event: self.from,
            text_bytes_max: self.bytes_max,
        })
    }
}

/// `node`'s state after event `event`: the latest recorded at or before it.
fn state_at(states: &[ProcessState], node: NodeId, event: u64) -> Option<&str> {
    let mut at_or_before = states.iter().filter(|s| s.node == node && s.event <= event);
    at_or_before.next_back().map(|s| s.state.as_str())
}

#[test]
fn a_sink_wanting_the_end_gets_each_state_from_there_as_a_collected_run_has_it() {
    for seed in 0..6 {
        let collected = Engine::new(chaotic_setup(seed, true), seed).run();
        let events = collected.stats.events;
        let from = events / 2;
        let (report, got) = streamed(seed, from, usize::MAX);
        assert_eq!(report.trace_hash, collected.trace_hash, "seed {seed}");
        assert!(
            got.iter().all(|s| s.event + 1 >= from),
            "seed {seed}: a state from before event {from}"
        );
        let snapshot = got.iter().filter(|s| s.event + 1 == from).count();
        assert_eq!(
            snapshot, 5,
            "seed {seed}: every node's state just before {from}"
        );
        assert!(
            got.len() < collected.states.len(),
            "seed {seed}: nothing spared"
        );
        for event in from..=events {
            for node in 0..5 {
                let want = state_at(&collected.states, node, event);
                if want.is_some() {
                    assert_eq!(
                        state_at(&got, node, event),
                        want,
                        "seed {seed}: node {node} after event {event}"
                    );
                }
            }
        }
    }
}

#[test]
fn a_sink_wanting_short_texts_gets_each_state_cut_at_its_bound() {
    let bytes_max = 40;
    let collected = Engine::new(chaotic_setup(1, true), 1).run();
    let (_, got) = streamed(1, 0, bytes_max);
    let mut cut = 0;
    for state in &got {
        assert!(state.state.len() <= bytes_max, "{state:?}");
        let whole = collected
            .states
            .iter()
            .find(|s| s.event == state.event && s.node == state.node);
        let Some(whole) = whole else {
            // A change past the bound only: the same clipped text as before, not handed over.
            continue;
        };
        match state.state.strip_suffix(CLIPPED) {
            Some(start) => {
                cut += 1;
                assert!(whole.state.starts_with(start), "{state:?} from {whole:?}");
                assert!(whole.state.len() > bytes_max);
            }
            None => assert_eq!(state.state, whole.state),
        }
    }
    assert!(cut > 10, "only {cut} states were long enough to cut");
}

/// Seed `seed`'s chaotic run with its states streamed to a [`Tail`].
fn streamed(seed: u64, from: u64, bytes_max: usize) -> (RunReport, Vec<ProcessState>) {
    let tail = Rc::new(RefCell::new(Tail {
        from,
        bytes_max,
        states: Vec::new(),
    }));
    let mut engine = Engine::new(chaotic_setup(seed, false), seed);
    engine.stream_trace(Box::new(tail.clone()));
    let report = engine.run();
    let states = std::mem::take(&mut tail.borrow_mut().states);
    (report, states)
}
