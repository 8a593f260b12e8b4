//! Incremental checking of one object's history, one invocation or response at a time (Lowe's
//! "just-in-time" linearization, Knossos's `linear` checker). The frontier holds every
//! configuration the history so far allows. An invocation only opens a slot. A response of
//! `x` keeps the configurations in which `x` already took effect with that output, and
//! extends the others by linearizing open operations until `x` takes effect with it. When no
//! configuration survives, the history up to this response is not linearizable, while it was
//! up to the previous event: this response ends the smallest non-linearizable prefix.
//! Linearizability is prefix-closed, so judging it this way, event by event, is sound.
//!
//! A configuration is a state of the object, the open operations that took effect *changing*
//! it (each with the output it must return), and, for each other open operation, the outputs
//! it could have returned by taking effect without changing the state (a read) at a state
//! the configuration passed through since it was invoked. Reads are thus never placed one by
//! one: a read is judged by whether its output is among those, and only changes of state are
//! branched on. Placing each open read early, with the value it would then return, is what
//! makes a frontier grow exponentially with concurrency; the sets keep it to the orders of
//! the open writes. The sets are exact: reads do not change the state, so each open read may
//! take effect at any state its configuration's path went through, independently of the
//! others.
//!
//! Offline, the outputs of operations that return later are known: with *hindsight* up to a
//! position, an operation that returns before it takes effect only with the output it will
//! return, and carries no expectation. That gives the same frontier at that position, and
//! smaller ones on the way.

use std::collections::{BTreeMap, BTreeSet};
use std::hash::{Hash, Hasher};

use sim_core::entropy::DetHasher;

use super::history::Operation;
use super::model::SequentialModel;

/// At most this many operations open at once on one object (a slot is a bit of a `u64`).
pub(crate) const MAX_OPEN: usize = 64;

/// One configuration: the state, which open slots took effect changing it (and what each of
/// them must return), and what the others could return having taken effect without changing
/// it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
struct Config<S, O> {
    state: S,
    mask: u64,
    /// (slot, output) of the slots in `mask` without hindsight, sorted by slot.
    expected: Vec<(u8, O)>,
    /// (slot, output) pairs, sorted: slot, not in `mask`, could have returned output as a
    /// read at a state this configuration's path passed through since it was invoked.
    idle: Vec<(u8, O)>,
}

impl<S: Clone, O: Clone + Ord> Config<S, O> {
    fn expected_of(&self, slot: u8) -> Option<&O> {
        self.expected
            .iter()
            .find(|(s, _)| *s == slot)
            .map(|(_, o)| o)
    }

    fn could_read(&self, slot: u8, output: &O) -> bool {
        self.idle
            .binary_search_by(|(s, o)| (*s, o).cmp(&(slot, output)))
            .is_ok()
    }

    /// Records that `slot` could return `output` as a read here.
    fn add_idle(&mut self, slot: u8, output: O) {
        let at = self
            .idle
            .binary_search_by(|(s, o)| (*s, o).cmp(&(slot, &output)));
        if let Err(at) = at {
            self.idle.insert(at, (slot, output));
        }
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
            idle: self
                .idle
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

/// What the extensions of one response found so far: the configurations passed through and
/// those that explain the response, and how many of them together may be followed.
struct Found<'a, M: SequentialModel> {
    seen: &'a mut BTreeSet<Config<M::State, M::Output>>,
    next: &'a mut Configs<M>,
    max_configs: usize,
}

type Configs<M> =
    BTreeMap<Config<<M as SequentialModel>::State, <M as SequentialModel>::Output>, Option<usize>>;

/// Every configuration one object's history so far allows, each with the operation that last
/// changed its state (`None`: the initial state), for explanations.
#[derive(Clone)]
pub(crate) struct Frontier<M: SequentialModel> {
    /// Slot → the open operation in it (an index into the history).
    slots: Vec<Option<usize>>,
    configs: Configs<M>,
    /// Operations that return before this history position are checked against their
    /// output as soon as they take effect (0: none, as when judging a run as it goes).
    hindsight: u64,
    /// Slots whose operation will never return (its client crashed): it may take effect at
    /// any time or never, and no output is expected of it.
    abandoned: u64,
}

impl<M: SequentialModel> Frontier<M> {
    /// The frontier of an empty history.
    pub(crate) fn new(model: &M) -> Self {
        let start = Config {
            state: model.init(),
            mask: 0,
            expected: Vec::new(),
            idle: Vec::new(),
        };
        Frontier {
            slots: Vec::new(),
            configs: BTreeMap::from([(start, None)]),
            hindsight: 0,
            abandoned: 0,
        }
    }

    /// The frontier of an empty history, with hindsight up to history position `until`.
    pub(crate) fn with_hindsight(model: &M, until: u64) -> Self {
        Frontier {
            hindsight: until,
            ..Frontier::new(model)
        }
    }

    /// Operation `op` was invoked: it may take effect as a read at every configuration's
    /// state.
    pub(crate) fn invoke(
        &mut self,
        model: &M,
        ops: &[Operation<M::Input, M::Output>],
        op: usize,
    ) -> Result<(), Stop> {
        let slot = match self.slots.iter().position(Option::is_none) {
            Some(free) => free,
            None if self.slots.len() < MAX_OPEN => {
                self.slots.push(None);
                self.slots.len() - 1
            }
            None => {
                return Err(Stop::TooMany(format!(
                    "more than {MAX_OPEN} operations open at once on one object"
                )))
            }
        };
        self.slots[slot] = Some(op);
        let configs = std::mem::take(&mut self.configs);
        for (mut config, last) in configs {
            self.note_read(model, ops, &mut config, (slot as u8, op));
            self.configs.entry(config).or_insert(last);
        }
        Ok(())
    }

    /// Operation `op` returned (its output is in `ops[op]`); how many configurations it
    /// took to judge (passed through and kept). On `Err`, the frontier is left as it was
    /// before the response.
    pub(crate) fn respond(
        &mut self,
        model: &M,
        ops: &[Operation<M::Input, M::Output>],
        op: usize,
        max_configs: usize,
    ) -> Result<usize, Stop> {
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
            let mut found = Found {
                seen: &mut seen,
                next: &mut next,
                max_configs,
            };
            self.extend(model, ops, (config, *last), (slot, output), &mut found)?;
        }
        if next.is_empty() {
            return Err(Stop::NotLinearizable);
        }
        let followed = seen.len() + next.len();
        self.configs = without_abandoning(without_dominated(next), self.abandoned);
        self.slots[slot as usize] = None;
        Ok(followed)
    }

    /// Changes the state of `start` by open operations, one after the other, until `target`'s
    /// operation takes effect with `output`, as a read at a state passed through or changing
    /// the state; every configuration where it does goes into `next` (its slot closed).
    /// Changes after the target's are not made: the configuration without them allows them
    /// later (those operations are still open). Stops with [`Stop::TooMany`] as soon as more
    /// than `found.max_configs` configurations were seen or found: the orders of many open
    /// operations are a factorial, and following them all would exhaust memory first.
    fn extend(
        &self,
        model: &M,
        ops: &[Operation<M::Input, M::Output>],
        start: (&Config<M::State, M::Output>, Option<usize>),
        (target, output): (u8, &M::Output),
        found: &mut Found<'_, M>,
    ) -> Result<(), Stop> {
        let Found { seen, next, .. } = found;
        let mut least = Least::default();
        let mut stack = vec![(start.0.clone(), start.1)];
        while let Some((config, last)) = stack.pop() {
            if seen.len() + next.len() > found.max_configs {
                return Err(Stop::TooMany(format!(
                    "more than {} configurations to follow",
                    found.max_configs
                )));
            }
            if config.could_read(target, output) {
                next.entry(config.closing(target)).or_insert(last);
            }
            for (slot, op) in self.open() {
                if config.mask & (1 << slot) != 0 {
                    continue;
                }
                let (state, out) = model.step(&config.state, &ops[op].input);
                if state == config.state {
                    continue; // a read here: in `config.idle` already
                }
                if slot == target {
                    if out == *output {
                        let done = self.changed(model, ops, &config, state, (slot, None));
                        next.entry(done.closing(target)).or_insert(Some(op));
                    }
                    continue;
                }
                let known = self.known_output(ops, op);
                if known.is_some_and(|k| *k != out) {
                    continue;
                }
                let abandoned = self.abandoned & (1 << slot) != 0;
                let expected = (known.is_none() && !abandoned).then_some(out);
                let further = self.changed(model, ops, &config, state, (slot, expected));
                if least.is_new(&further, self.abandoned) && seen.insert(further.clone()) {
                    stack.push((further, Some(op)));
                }
            }
        }
        Ok(())
    }

    /// `config` moved to `state` by the open operation in `slot`, which must then return
    /// `expected` (`None`: checked already). The other open operations may now take effect
    /// as reads at `state` too.
    fn changed(
        &self,
        model: &M,
        ops: &[Operation<M::Input, M::Output>],
        config: &Config<M::State, M::Output>,
        state: M::State,
        (slot, expected): (u8, Option<M::Output>),
    ) -> Config<M::State, M::Output> {
        let mut further = Config {
            state,
            mask: config.mask | (1 << slot),
            expected: config.expected.clone(),
            idle: config.idle.clone(),
        };
        if let Some(out) = expected {
            let at = further.expected.partition_point(|(s, _)| *s < slot);
            further.expected.insert(at, (slot, out));
        }
        further.idle.retain(|(s, _)| *s != slot);
        for (open, op) in self.open() {
            self.note_read(model, ops, &mut further, (open, op));
        }
        further
    }

    /// If `op` (in `slot`, not in the mask) takes effect as a read at `config`'s state,
    /// records what it would return.
    fn note_read(
        &self,
        model: &M,
        ops: &[Operation<M::Input, M::Output>],
        config: &mut Config<M::State, M::Output>,
        (slot, op): (u8, usize),
    ) {
        if (config.mask | self.abandoned) & (1 << slot) != 0 {
            return;
        }
        let (state, out) = model.step(&config.state, &ops[op].input);
        let known = self.known_output(ops, op);
        if state == config.state && known.is_none_or(|k| *k == out) {
            config.add_idle(slot, out);
        }
    }

    /// `op`'s output, if hindsight reaches its response.
    fn known_output<'a>(
        &self,
        ops: &'a [Operation<M::Input, M::Output>],
        op: usize,
    ) -> Option<&'a M::Output> {
        let o = &ops[op];
        o.output.as_ref().filter(|_| o.return_pos < self.hindsight)
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

    /// For a search (`ftsim explore`): hashes what decides the verdicts of later responses:
    /// each slot's open operation, as `name` tells it apart (its client and tag, and its
    /// input), and every configuration. Which operation last set a state only words an
    /// explanation, so it is left out; so are history positions and event numbers.
    pub(crate) fn fingerprint(&self, hasher: &mut DetHasher, name: impl Fn(usize, &mut DetHasher)) {
        hasher.write_usize(self.slots.len());
        for slot in &self.slots {
            match slot {
                Some(op) => {
                    hasher.write_u8(1);
                    name(*op, hasher);
                }
                None => hasher.write_u8(0),
            }
        }
        hasher.write_usize(self.configs.len());
        for config in self.configs.keys() {
            config.hash(hasher);
        }
        hasher.write_u64(self.hindsight);
        hasher.write_u64(self.abandoned);
    }

    /// Operation `op`, open, will never return (its client crashed): it may take effect at
    /// any time or never. What it was expected to return is forgotten, and of configurations
    /// that differ only in which abandoned operations took effect, those that took effect
    /// fewer (as a set) are kept: they can do all the others can. Returns whether `op` was
    /// open here.
    pub(crate) fn abandon(&mut self, op: usize) -> bool {
        let Some(slot) = self.slots.iter().position(|s| *s == Some(op)) else {
            return false;
        };
        if self.abandoned & (1 << slot) == 0 {
            self.abandoned |= 1 << slot;
            let configs = std::mem::take(&mut self.configs);
            let mut forgotten = BTreeMap::new();
            for (mut config, last) in configs {
                config.expected.retain(|(s, _)| usize::from(*s) != slot);
                config.idle.retain(|(s, _)| usize::from(*s) != slot);
                forgotten.entry(config).or_insert(last);
            }
            self.configs = without_abandoning(forgotten, self.abandoned);
        }
        true
    }

    /// Whether `op` is open here and was abandoned.
    pub(crate) fn is_abandoned(&self, op: usize) -> bool {
        let slot = self.slots.iter().position(|s| *s == Some(op));
        slot.is_some_and(|slot| self.abandoned & (1 << slot) != 0)
    }

    /// The frontier of the operations `key_ops` (indices into `ops`, one object's) just
    /// before history position `until` (with hindsight up to there). An operation that never
    /// returns in `ops` is abandoned as soon as it is invoked: of the configurations that
    /// differ only in which of those took effect, the fewest are kept, so a history with many
    /// crashed writes is not followed once per subset of them.
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
                frontier.invoke(model, ops, op)?;
                if !ops[op].is_complete() {
                    frontier.abandon(op);
                }
            }
        }
        Ok(frontier)
    }
}

/// A configuration but for the reads it allows.
type Group<'a, S, O> = (&'a S, u64, &'a [(u8, O)]);

/// `configs` without those another one dominates: the same state and open operations that
/// took effect (with the same expectations), and a superset of the reads they allow. Whatever
/// the rest of the history, the dominated one explains it only if the other does.
fn without_dominated<S: Ord + Clone, O: Ord + Clone>(
    configs: BTreeMap<Config<S, O>, Option<usize>>,
) -> BTreeMap<Config<S, O>, Option<usize>> {
    let mut groups: BTreeMap<Group<'_, S, O>, Vec<&Config<S, O>>> = BTreeMap::new();
    for config in configs.keys() {
        let group = (&config.state, config.mask, config.expected.as_slice());
        groups.entry(group).or_default().push(config);
    }
    let mut dominated = BTreeSet::new();
    for mut group in groups.into_values() {
        if group.len() < 2 {
            continue;
        }
        group.sort_by_key(|c| std::cmp::Reverse(c.idle.len()));
        let mut kept: Vec<&Config<S, O>> = Vec::new();
        for config in group {
            if kept.iter().any(|k| is_subset(&config.idle, &k.idle)) {
                dominated.insert(config.clone());
            } else {
                kept.push(config);
            }
        }
    }
    let mut configs = configs;
    configs.retain(|c, _| !dominated.contains(c));
    configs
}

/// A configuration but for which abandoned operations took effect.
type Rest<S, O> = (S, u64, Vec<(u8, O)>, Vec<(u8, O)>);

/// The configuration `c` but for the abandoned slots, and which of them took effect.
fn split_abandoned<S: Clone, O: Clone>(c: &Config<S, O>, abandoned: u64) -> (Rest<S, O>, u64) {
    let rest = (
        c.state.clone(),
        c.mask & !abandoned,
        c.expected.clone(),
        c.idle.clone(),
    );
    (rest, c.mask & abandoned)
}

/// The sets of abandoned operations taken effect, per rest of a configuration, seen by one
/// extension: a configuration whose set includes one already seen adds nothing.
struct Least<S, O> {
    seen: BTreeMap<Rest<S, O>, Vec<u64>>,
}

impl<S, O> Default for Least<S, O> {
    fn default() -> Self {
        Least {
            seen: BTreeMap::new(),
        }
    }
}

impl<S: Ord + Clone, O: Ord + Clone> Least<S, O> {
    /// Whether `c` is not dominated by a configuration seen before (and records it).
    fn is_new(&mut self, c: &Config<S, O>, abandoned: u64) -> bool {
        if abandoned == 0 {
            return true;
        }
        let (rest, took) = split_abandoned(c, abandoned);
        let sets = self.seen.entry(rest).or_default();
        if sets.iter().any(|&s| is_submask(s, took)) {
            return false;
        }
        sets.push(took);
        true
    }
}

/// `configs` without those another dominates by abandoned operations: the same but for them,
/// and a superset of them taken effect (an abandoned operation need never take effect).
fn without_abandoning<S: Ord + Clone, O: Ord + Clone>(
    configs: BTreeMap<Config<S, O>, Option<usize>>,
    abandoned: u64,
) -> BTreeMap<Config<S, O>, Option<usize>> {
    if abandoned == 0 {
        return configs;
    }
    let mut least: BTreeMap<Rest<S, O>, Vec<u64>> = BTreeMap::new();
    for config in configs.keys() {
        let (rest, took) = split_abandoned(config, abandoned);
        least.entry(rest).or_default().push(took);
    }
    let mut configs = configs;
    configs.retain(|c, _| {
        let (rest, took) = split_abandoned(c, abandoned);
        let sets = &least[&rest];
        !sets.iter().any(|&s| s != took && is_submask(s, took))
    });
    configs
}

/// Whether the set of bits `small` is a subset of `big`'s.
fn is_submask(small: u64, big: u64) -> bool {
    small & !big == 0
}

/// Whether sorted `small` is a subset of sorted `big`.
fn is_subset<T: Ord>(small: &[T], big: &[T]) -> bool {
    let mut big = big.iter();
    small.iter().all(|x| big.any(|y| y == x))
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
