//! Linearizability as a property of runs: a protocol's observations say when a client invokes
//! an operation and when it gets the response; the property keeps the history and judges it.

use std::collections::BTreeMap;

use sim_core::{NodeId, Process, Property, World};

use super::explain::explain;
use super::frontier::{Frontier, Stop};
use super::history::{History, Moment};
use super::model::SequentialModel;
use super::{check_with, Limits, Verdict};

/// A client operation's invocation or response, as an observation reports it. `op` is the
/// client's own tag for the operation (a sequence number); the invocation and the response
/// must be observed at the client's node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OpEvent<I, O> {
    /// The client invokes operation `op`.
    Invoke {
        /// The client's tag for it.
        op: u64,
        /// What it asks.
        input: I,
    },
    /// Operation `op` returns.
    Return {
        /// The client's tag for it.
        op: u64,
        /// What it got.
        output: O,
    },
}

type Extract<P, M> = Box<
    dyn Fn(
        &<P as Process>::Obs,
    ) -> Option<OpEvent<<M as SequentialModel>::Input, <M as SequentialModel>::Output>>,
>;

/// The clients' operations are linearizable with respect to a [`SequentialModel`].
///
/// Built with [`Linearizability::new`] it judges every response as it comes, so a violation
/// happens at the response that makes the history non-linearizable (list it as `always`);
/// built with [`Linearizability::at_end`] it searches the whole history when the run ends
/// (list it as `eventually`). Operations of Byzantine nodes are ignored; operations that never
/// returned (a crashed client) may have taken effect or not. A violation names the culprit,
/// the states its object could be in and the operations open meanwhile, with their events.
pub struct Linearizability<P: Process, M: SequentialModel> {
    model: M,
    extract: Extract<P, M>,
    history: History<M::Input, M::Output>,
    /// One frontier per key when judging incrementally; `None` when judging at the end.
    frontiers: Option<BTreeMap<M::Key, Frontier<M>>>,
    limits: Limits,
    evidence: Vec<u64>,
}

impl<P: Process, M: SequentialModel> Linearizability<P, M> {
    /// Judged at every response, from `extract` (an observation's invocation or response, if
    /// it is one).
    pub fn new(
        model: M,
        extract: impl Fn(&P::Obs) -> Option<OpEvent<M::Input, M::Output>> + 'static,
    ) -> Self {
        Linearizability {
            model,
            extract: Box::new(extract),
            history: History::new(),
            frontiers: Some(BTreeMap::new()),
            limits: Limits::default(),
            evidence: Vec::new(),
        }
    }

    /// Judged once, at the end of the run, by the Wing & Gong search.
    pub fn at_end(
        model: M,
        extract: impl Fn(&P::Obs) -> Option<OpEvent<M::Input, M::Output>> + 'static,
    ) -> Self {
        Linearizability {
            frontiers: None,
            ..Linearizability::new(model, extract)
        }
    }

    /// The same property with other limits.
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// The history so far.
    pub fn history(&self) -> &History<M::Input, M::Output> {
        &self.history
    }

    /// Records an event of `node`'s at `at` and, when judging incrementally, judges it.
    fn record(
        &mut self,
        node: NodeId,
        event: OpEvent<M::Input, M::Output>,
        at: Moment,
    ) -> Result<(), String> {
        let (index, returned) = match event {
            OpEvent::Invoke { op, input } => (self.history.invoke(node, op, input, at), false),
            OpEvent::Return { op, output } => (self.history.respond(node, op, output, at), true),
        };
        let index = index.map_err(|e| e.0)?;
        let Some(frontiers) = &mut self.frontiers else {
            return Ok(());
        };
        let ops = self.history.ops();
        let key = self.model.key(&ops[index].input);
        let frontier = frontiers
            .entry(key.clone())
            .or_insert_with(|| Frontier::new(&self.model));
        let judged = if returned {
            frontier.respond(&self.model, ops, index, self.limits.max_configs)
        } else {
            frontier.invoke(&self.model, ops, index)
        };
        match judged {
            Ok(()) => Ok(()),
            Err(Stop::NotLinearizable) => {
                let key_ops: Vec<usize> = (0..ops.len())
                    .filter(|&i| self.model.key(&ops[i].input) == key)
                    .collect();
                let why = explain(
                    &self.model,
                    ops,
                    &key,
                    &key_ops,
                    index,
                    self.limits.max_configs,
                );
                self.evidence = why.events;
                Err(why.message)
            }
            Err(Stop::TooMany(why)) => Err(format!(
                "could not judge linearizability at event #{}: {why}",
                at.event
            )),
        }
    }
}

impl<P: Process, M: SequentialModel> Property<P> for Linearizability<P, M> {
    fn observe(&mut self, w: &World<'_, P>, node: NodeId, obs: &P::Obs) -> Result<(), String> {
        if w.is_byzantine(node) {
            return Ok(());
        }
        match (self.extract)(obs) {
            Some(event) => self.record(node, event, Moment::new(w.event(), w.now)),
            None => Ok(()),
        }
    }

    fn finish(&mut self, _: &World<'_, P>) -> Result<(), String> {
        if self.frontiers.is_some() {
            // Judged at every response already; open operations may or may not take effect.
            return Ok(());
        }
        match check_with(&self.model, &self.history, self.limits) {
            Verdict::Linearizable => Ok(()),
            Verdict::NotLinearizable(why) => {
                self.evidence = why.events;
                Err(why.message)
            }
            Verdict::Undecided(why) => Err(format!("could not judge linearizability: {why}")),
        }
    }

    fn related_events(&self) -> Vec<u64> {
        self.evidence.clone()
    }
}
