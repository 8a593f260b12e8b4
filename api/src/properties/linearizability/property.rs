//! Linearizability as a property of runs: a protocol's observations say when a client invokes
//! an operation and when it gets the response; the property keeps the history and judges it.

use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use sim_core::entropy::DetHasher;

use sim_core::{ClientHistory, Explorable, Falsified, NodeId, Process, Property, World};

use super::budget::Budget;
use super::explain::explain;
use super::frontier::{Frontier, Stop};
use super::history::{History, Moment};
use super::model::SequentialModel;
use super::written::client_history;
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

/// Shared, so that a search's copy of the monitor reads observations the same way.
type Extract<P, M> = Arc<
    dyn Fn(
            &<P as Process>::Obs,
        )
            -> Option<OpEvent<<M as SequentialModel>::Input, <M as SequentialModel>::Output>>
        + Send
        + Sync,
>;

/// The clients' operations are linearizable with respect to a [`SequentialModel`].
///
/// Built with [`Linearizability::new`] it judges every response as it comes, so a violation happens
/// at the response that makes the history non-linearizable (list it as `always`); built with
/// [`Linearizability::at_end`] it searches the whole history when the run ends (list it as
/// `eventually`). When judging as it goes would mean following more than [`Limits::max_configs`]
/// orders of open operations at one response, or more than [`Limits::max_configs_per_run`] in the
/// whole run (many clients writing at once), the incremental check hands the history to the search
/// at the end (at most [`Limits::max_steps_deferred`] steps): a violation then fails the run at its
/// end, naming the culprit's events, and says why it came late. (A search with `ftsim explore`
/// judges safety only as it goes: such a history is not judged there.) Operations of Byzantine
/// nodes are ignored; operations that never returned (a crashed client) may have taken effect or
/// not. A violation names the culprit, the states its object could be in and the operations open
/// meanwhile, with their events.
pub struct Linearizability<P: Process, M: SequentialModel> {
    model: M,
    extract: Extract<P, M>,
    history: History<M::Input, M::Output>,
    /// One frontier per key when judging incrementally; `None` when judging at the end.
    frontiers: Option<BTreeMap<M::Key, Frontier<M>>>,
    /// Why an incremental check gave up and left the history to the search at the end.
    deferred: Option<String>,
    /// Configurations the incremental check followed so far, all responses together (not
    /// fingerprinted: it only decides when to give up).
    followed: u64,
    limits: Limits,
}

impl<P: Process, M: SequentialModel> Linearizability<P, M> {
    /// Judged at every response, from `extract` (an observation's invocation or response, if
    /// it is one).
    pub fn new(
        model: M,
        extract: impl Fn(&P::Obs) -> Option<OpEvent<M::Input, M::Output>> + Send + Sync + 'static,
    ) -> Self {
        Linearizability {
            model,
            extract: Arc::new(extract),
            history: History::new(),
            frontiers: Some(BTreeMap::new()),
            deferred: None,
            followed: 0,
            limits: Limits::default(),
        }
    }

    /// Judged once, at the end of the run, by the Wing & Gong search.
    pub fn at_end(
        model: M,
        extract: impl Fn(&P::Obs) -> Option<OpEvent<M::Input, M::Output>> + Send + Sync + 'static,
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
    ) -> Result<(), Falsified> {
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
        if returned && frontier.is_abandoned(index) {
            // Its client came back and answered: what was forgotten of it is needed again.
            self.frontiers = None;
            self.deferred = Some(format!(
                "at event #{}, an operation of node {node} returned after the node had crashed",
                at.event
            ));
            return Ok(());
        }
        let judged = if returned {
            let followed = frontier.respond(&self.model, ops, index, self.limits.max_configs);
            let limit = self.limits.max_configs_per_run;
            followed.and_then(|n| count_followed(&mut self.followed, n, limit))
        } else {
            frontier.invoke(&self.model, ops, index)
        };
        match judged {
            Ok(()) => Ok(()),
            Err(Stop::NotLinearizable) => {
                let key_ops: Vec<usize> = (0..ops.len())
                    .filter(|&i| self.model.key(&ops[i].input) == key)
                    .collect();
                let budget = Budget::steps(self.limits.max_steps_other_keys);
                let why = explain(
                    &self.model,
                    ops,
                    (&key, &key_ops),
                    index,
                    (budget, self.limits.max_configs),
                );
                Err(Falsified::new(why.message).citing(why.events))
            }
            Err(Stop::TooMany(why)) => {
                // The orders of many open operations: the search at the end, where every
                // output is known, judges the whole history instead (a safety property's
                // `finish` can still fail the run).
                self.frontiers = None;
                self.deferred = Some(format!("at event #{}, {why}", at.event));
                Ok(())
            }
        }
    }
}

impl<P: Process, M: SequentialModel> Linearizability<P, M> {
    /// Tells each object's frontier that the open operations of clients that are `down`
    /// will never return (a node that recovers starts afresh; should one of them answer
    /// all the same, the history is judged at the end of the run instead).
    fn abandon_crashed(&mut self, down: impl Fn(NodeId) -> bool) {
        let Some(frontiers) = &mut self.frontiers else {
            return;
        };
        let ops = self.history.ops();
        for (_, index) in self.history.open_ops() {
            if down(ops[index].client) {
                if let Some(f) = frontiers.get_mut(&self.model.key(&ops[index].input)) {
                    f.abandon(index);
                }
            }
        }
    }
}

/// Adds a response's configurations to the run's `followed`; more than `limit` in all is
/// [`Stop::TooMany`].
fn count_followed(followed: &mut u64, configs: usize, limit: u64) -> Result<(), Stop> {
    *followed = followed.saturating_add(configs as u64);
    if *followed > limit {
        return Err(Stop::TooMany(format!(
            "more than {limit} configurations followed in the run"
        )));
    }
    Ok(())
}

// By hand: deriving would ask `P: Clone`, and the extractor is shared.
impl<P: Process, M: SequentialModel + Clone> Clone for Linearizability<P, M> {
    fn clone(&self) -> Self {
        Linearizability {
            model: self.model.clone(),
            extract: Arc::clone(&self.extract),
            history: self.history.clone(),
            frontiers: self.frontiers.clone(),
            deferred: self.deferred.clone(),
            followed: self.followed,
            limits: self.limits,
        }
    }
}

impl<P: Process, M: SequentialModel> Linearizability<P, M> {
    /// Hashes what decides later verdicts. Judged at every response, that is each object's
    /// frontier and which operation is open in which of its slots (the client, its tag and
    /// the input); judged at the end, the whole history: each operation's client, input and
    /// output, and the real-time order of invocations and responses. Never event numbers or
    /// times, which only word a verdict.
    fn hash_memory(&self, hasher: &mut DetHasher) {
        let ops = self.history.ops();
        let Some(frontiers) = &self.frontiers else {
            hasher.write_usize(ops.len());
            for op in ops {
                hasher.write_usize(op.client);
                op.input.hash(hasher);
                op.output.hash(hasher);
                hasher.write_u64(op.call_pos);
                hasher.write_u64(op.return_pos);
            }
            return;
        };
        let tags: BTreeMap<usize, u64> = (self.history.open_ops())
            .map(|((_, tag), index)| (index, tag))
            .collect();
        let name = |index: usize, h: &mut DetHasher| {
            h.write_usize(ops[index].client);
            h.write_u64(tags.get(&index).copied().unwrap_or(u64::MAX));
            ops[index].input.hash(h);
        };
        hasher.write_usize(frontiers.len());
        for (key, frontier) in frontiers {
            key.hash(hasher);
            frontier.fingerprint(hasher, name);
        }
    }
}

impl<P, M> Property<P> for Linearizability<P, M>
where
    P: Process + 'static,
    M: SequentialModel + Clone + Send + Sync + 'static,
    M::Key: Send + Sync,
    M::State: Send + Sync,
    M::Input: Send + Sync,
    M::Output: Send + Sync,
{
    fn observe(&mut self, w: &World<'_, P>, node: NodeId, obs: &P::Obs) -> Result<(), Falsified> {
        self.abandon_crashed(|client| !w.is_up(client));
        if w.is_byzantine(node) {
            return Ok(());
        }
        match (self.extract)(obs) {
            Some(event) => self.record(node, event, Moment::new(w.event(), w.now)),
            None => Ok(()),
        }
    }

    fn finish(&mut self, _: &World<'_, P>) -> Result<(), Falsified> {
        if self.frontiers.is_some() {
            // Judged at every response already; open operations may or may not take effect.
            return Ok(());
        }
        let mut limits = Limits {
            time: None,
            threads: 1,
            ..self.limits
        };
        if self.deferred.is_some() {
            limits.max_steps = limits.max_steps.min(limits.max_steps_deferred);
        }
        let verdict = check_with(&self.model, &self.history, limits);
        let deferred = match &self.deferred {
            Some(why) => format!(" (judged at the end of the run: {why})"),
            None => String::new(),
        };
        match verdict {
            Verdict::Linearizable => Ok(()),
            Verdict::NotLinearizable(why) => {
                Err(Falsified::new(format!("{}{deferred}", why.message)).citing(why.events))
            }
            Verdict::Undecided(why) => Err(Falsified::new(format!(
                "could not judge linearizability: {why}{deferred}"
            ))),
        }
    }

    fn client_history(&self) -> Option<ClientHistory> {
        client_history(&self.model, &self.history)
    }
}

impl<P, M> Explorable<P> for Linearizability<P, M>
where
    P: Process + 'static,
    M: SequentialModel + Clone + Send + Sync + 'static,
    M::Key: Send + Sync,
    M::State: Send + Sync,
    M::Input: Send + Sync,
    M::Output: Send + Sync,
{
    fn fingerprint(&self, hasher: &mut DetHasher) {
        self.hash_memory(hasher);
    }
}
