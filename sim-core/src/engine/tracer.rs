//! The full trace of a run, when tracing is on: one [`TraceEvent`] per step, each stamped with
//! its node's Lamport clock and vector clock (vector clocks travel with messages here, so that
//! processes need not carry them and reports can show causal pasts), and each process's state
//! (`Debug`) after each of its events, so reports can show what a process knew at any point.
//! None of it is hashed: a traced run is the same run as an untraced one.

use crate::entropy::Choices;
use crate::process::Process;
use crate::trace::{ProcessState, TraceEvent, TraceKind};
use crate::NodeId;

use super::Engine;

pub(super) struct Tracer {
    pub(super) events: Vec<TraceEvent>,
    /// Each node's vector clock.
    vc: Vec<Vec<u64>>,
    /// The sender's vector clock as each message left, indexed by message id.
    msg_vc: Vec<Vec<u64>>,
    /// Each process's state (`Debug`) after its events, recorded only when it changed.
    pub(super) states: Vec<ProcessState>,
    /// Per node, the index in `states` of its latest record.
    latest_state: Vec<Option<usize>>,
}

impl Tracer {
    pub(super) fn new(n: usize) -> Self {
        Tracer {
            events: Vec::new(),
            vc: vec![vec![0; n]; n],
            msg_vc: Vec::new(),
            states: Vec::new(),
            latest_state: vec![None; n],
        }
    }

    /// Records `process`'s state after event `event` at `node`, unless it equals the state
    /// recorded last for that node (a reader looks up the latest record at or before an event).
    pub(super) fn record_state<P: Process>(&mut self, event: u64, node: NodeId, process: &P) {
        let state = format!("{process:?}");
        let unchanged = self.latest_state[node].is_some_and(|i| self.states[i].state == state);
        if !unchanged {
            self.latest_state[node] = Some(self.states.len());
            self.states.push(ProcessState { event, node, state });
        }
    }

    /// Remembers the sender's clock as a message leaves. Called once per send, so message
    /// ids index `msg_vc`.
    pub(super) fn sent(&mut self, from: NodeId) {
        self.msg_vc.push(self.vc[from].clone());
    }

    /// Merges the clock message `msg_id` left with into the receiver's.
    pub(super) fn received(&mut self, to: NodeId, msg_id: u64) {
        if let Some(sent) = self.msg_vc.get(msg_id as usize) {
            for (mine, theirs) in self.vc[to].iter_mut().zip(sent) {
                *mine = (*mine).max(*theirs);
            }
        }
    }
}

impl<P: Process, C: Choices> Engine<P, C> {
    /// Appends a trace entry when tracing is on; the entry is built only then.
    pub(super) fn trace(&mut self, node: Option<NodeId>, kind: impl FnOnce() -> TraceKind) {
        let Some(t) = &mut self.tracer else { return };
        let (lamport, vc) = match node {
            Some(n) => {
                t.vc[n][n] += 1;
                (self.nodes.lamport[n], t.vc[n].clone())
            }
            None => (0, Vec::new()),
        };
        t.events.push(TraceEvent {
            event: self.current.index,
            time: self.now,
            node,
            lamport,
            vc,
            kind: kind(),
        });
    }
}
