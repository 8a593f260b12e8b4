//! Incremental checking of one object's history, one invocation or response at a time (Lowe's
//! "just-in-time" linearization, Knossos's `linear` checker). The frontier holds every
//! configuration the history so far allows: a state of the object, the open operations
//! already linearized, and the output each of those must return. An invocation only opens a
//! slot. A response of `x` keeps the configurations in which `x` already took effect with that
//! output, and extends the others by linearizing open operations until `x` takes effect with
//! it. When no configuration survives, the history up to this response is not linearizable,
//! while it was up to the previous event: this response ends the smallest non-linearizable
//! prefix. Linearizability is prefix-closed, so judging it this way, event by event, is sound.
//!
//! Following open reads that took effect early, each with the value it must return, is what
//! makes the frontier grow with concurrency. Offline, the outputs of operations that return
//! later are known: with *hindsight* up to a position, an operation that returns before it is
//! linearized early only with the output it will return, and carries no expectation. That
//! gives the same frontier at that position, and much smaller ones on the way.

use std::collections::{BTreeMap, BTreeSet};

use super::history::Operation;
use super::model::SequentialModel;

/// At most this many operations open at once on one object (a slot is a bit of a `u64`).
pub(crate) const MAX_OPEN: usize = 64;

/// One configuration: the state, which open slots already took effect, and what each of
/// them must return.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Config<S, O> {
    state: S,
    mask: u64,
    expected: Vec<(u8, O)>,
}

impl<S: Clone, O: Clone> Config<S, O> {
    fn expected_of(&self, slot: u8) -> Option<&O> {
        self.expected
            .iter()
            .find(|(s, _)| *s == slot)
            .map(|(_, o)| o)
    }

    /// The same configuration once `slot`'s operation returned: it is no longer open.
    fn closing(&self, slot: u8) -> Self {
        Config {
            state: self.state.clone(),
            mask: self.mask & !(1 << slot),
            expected: self
                .expected
                .iter()
                .filter(|(s, _)| *s != slot)
                .cloned()
                .collect(),
        }
    }
}

/// Why a response could not be judged, or was judged non-linearizable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Stop {
    /// No configuration explains this response.
    NotLinearizable,
    /// Too many configurations (or open operations) to follow.
    TooMany(String),
}

/// Every configuration one object's history so far allows, each with the operation that last
/// changed its state (`None`: the initial state), for explanations.
pub(crate) struct Frontier<M: SequentialModel> {
    /// Slot → the open operation in it (an index into the history).
    slots: Vec<Option<usize>>,
    configs: BTreeMap<Config<M::State, M::Output>, Option<usize>>,
    /// Operations that return before this history position are checked against their
    /// output as soon as they are linearized (0: none, as when judging a run as it goes).
    hindsight: u64,
}

impl<M: SequentialModel> Frontier<M> {
    /// The frontier of an empty history.
    pub(crate) fn new(model: &M) -> Self {
        let start = Config {
            state: model.init(),
            mask: 0,
            expected: Vec::new(),
        };
        Frontier {
            slots: Vec::new(),
            configs: BTreeMap::from([(start, None)]),
            hindsight: 0,
        }
    }

    /// The frontier of an empty history, with hindsight up to history position `until`.
    pub(crate) fn with_hindsight(model: &M, until: u64) -> Self {
        Frontier {
            hindsight: until,
            ..Frontier::new(model)
        }
    }

    /// Operation `op` was invoked.
    pub(crate) fn invoke(&mut self, op: usize) -> Result<(), Stop> {
        match self.slots.iter().position(Option::is_none) {
            Some(free) => self.slots[free] = Some(op),
            None if self.slots.len() < MAX_OPEN => self.slots.push(Some(op)),
            None => {
                return Err(Stop::TooMany(format!(
                    "more than {MAX_OPEN} operations open at once on one object"
                )))
            }
        }
        Ok(())
    }

    /// Operation `op` returned (its output is in `ops[op]`). On `Err`, the frontier is left
    /// as it was before the response.
    pub(crate) fn respond(
        &mut self,
        model: &M,
        ops: &[Operation<M::Input, M::Output>],
        op: usize,
        max_configs: usize,
    ) -> Result<(), Stop> {
        let slot = self.slots.iter().position(|s| *s == Some(op));
        let slot = slot.expect("a response to an open operation") as u8;
        let output = ops[op].output.as_ref().expect("a response has an output");
        let mut next = BTreeMap::new();
        let mut seen = BTreeSet::new();
        for (config, last) in &self.configs {
            if config.mask & (1 << slot) != 0 {
                // Without an expectation it was checked when it took effect (hindsight).
                if config.expected_of(slot).is_none_or(|o| o == output) {
                    next.entry(config.closing(slot)).or_insert(*last);
                }
                continue;
            }
            self.extend(
                model,
                ops,
                (config, *last),
                (slot, output),
                &mut seen,
                &mut next,
            );
            if seen.len() + next.len() > max_configs {
                return Err(Stop::TooMany(format!(
                    "more than {max_configs} configurations to follow"
                )));
            }
        }
        if next.is_empty() {
            return Err(Stop::NotLinearizable);
        }
        self.configs = next;
        self.slots[slot as usize] = None;
        Ok(())
    }

    /// Linearizes open operations from `start` until `target`'s operation takes effect with
    /// `output`; every configuration where it does goes into `next` (its slot closed).
    fn extend(
        &self,
        model: &M,
        ops: &[Operation<M::Input, M::Output>],
        start: (&Config<M::State, M::Output>, Option<usize>),
        (target, output): (u8, &M::Output),
        seen: &mut BTreeSet<Config<M::State, M::Output>>,
        next: &mut BTreeMap<Config<M::State, M::Output>, Option<usize>>,
    ) {
        let mut stack = vec![(start.0.clone(), start.1)];
        while let Some((config, last)) = stack.pop() {
            for (slot, op) in self.open() {
                if config.mask & (1 << slot) != 0 {
                    continue;
                }
                let (state, out) = model.step(&config.state, &ops[op].input);
                let last = if state != config.state {
                    Some(op)
                } else {
                    last
                };
                if slot == target {
                    if out == *output {
                        let mut done = config.clone();
                        done.state = state;
                        next.entry(done).or_insert(last);
                    }
                    continue;
                }
                let o = &ops[op];
                let known = o.output.as_ref().filter(|_| o.return_pos < self.hindsight);
                if known.is_some_and(|k| *k != out) {
                    continue;
                }
                let mut expected = config.expected.clone();
                if known.is_none() {
                    expected.push((slot, out));
                    expected.sort_unstable_by_key(|(s, _)| *s);
                }
                let further = Config {
                    state,
                    mask: config.mask | (1 << slot),
                    expected,
                };
                if seen.insert(further.clone()) {
                    stack.push((further, last));
                }
            }
        }
    }

    /// The open operations with their slots.
    fn open(&self) -> impl Iterator<Item = (u8, usize)> + '_ {
        self.slots
            .iter()
            .enumerate()
            .filter_map(|(slot, op)| op.map(|op| (slot as u8, op)))
    }

    /// The distinct states the frontier allows, each with the operation that last set it in
    /// the first configuration that has it (`None`: never changed).
    pub(crate) fn states(&self) -> Vec<(M::State, Option<usize>)> {
        let mut states: BTreeMap<&M::State, Option<usize>> = BTreeMap::new();
        for (config, last) in &self.configs {
            states.entry(&config.state).or_insert(*last);
        }
        states.into_iter().map(|(s, l)| (s.clone(), l)).collect()
    }

    /// The frontier of the operations `key_ops` (indices into `ops`, one object's) just
    /// before history position `until` (with hindsight up to there).
    pub(crate) fn replay(
        model: &M,
        ops: &[Operation<M::Input, M::Output>],
        key_ops: &[usize],
        until: u64,
        max_configs: usize,
    ) -> Result<Self, Stop> {
        let mut frontier = Frontier::with_hindsight(model, until);
        for (_, is_return, op) in entries(ops, key_ops, until) {
            if is_return {
                frontier.respond(model, ops, op, max_configs)?;
            } else {
                frontier.invoke(op)?;
            }
        }
        Ok(frontier)
    }
}

/// The invocations and responses of `key_ops` before position `until`, in history order:
/// (position, is a response, op).
pub(crate) fn entries<I, O>(
    ops: &[Operation<I, O>],
    key_ops: &[usize],
    until: u64,
) -> Vec<(u64, bool, usize)> {
    let mut entries: Vec<(u64, bool, usize)> = key_ops
        .iter()
        .flat_map(|&op| {
            let o = &ops[op];
            [(o.call_pos, false, op), (o.return_pos, true, op)]
        })
        .filter(|&(pos, _, _)| pos < until)
        .collect();
    entries.sort_unstable();
    entries
}
