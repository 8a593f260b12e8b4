//! The Wing & Gong search for a linearization of one object's history, with the memo that
//! Knossos and Porcupine add (Lowe's refinement): a path that reaches a (linearized set, state)
//! pair already explored cannot succeed where the first did not, so it is cut.
//!
//! The history is a list of call and return entries in real-time order. The search walks it
//! from the front: at a call it tries to linearize that operation now (the model's output must
//! match the recorded one) and, if the pair is new, lifts the call and its return out of the
//! list and starts again from the front; at a return whose operation is not linearized yet it
//! has gone too far, and backtracks to the last operation it linearized. An operation that
//! never returned gets its return entry at the very end, so it may take effect anywhere after
//! its invocation; once every completed operation is linearized, the rest need not be. The
//! path it ends with is a linearization: the operations in the order they take effect.

use std::collections::btree_map::Entry;
use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};

use sim_core::entropy::DetHasher;

use super::bitset::{Linearized, SetKey};
use super::budget::{Budget, Spent};
use super::history::Operation;
use super::model::SequentialModel;

/// The outcome of a search.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Search {
    /// This order of the operations (indices into the searched slice) is a linearization;
    /// operations that never returned and are not in it did not take effect.
    Linearizable(Vec<usize>),
    NotLinearizable,
    /// The budget ran out first.
    GaveUp(Spent),
}

const NIL: usize = usize::MAX;

/// The call/return entries of the history as a doubly linked list that the search lifts
/// operations out of and puts them back into. Entry `2 * op` is op's call, `2 * op + 1` its
/// return; `head` is a sentinel before the first entry.
struct Entries {
    next: Vec<usize>,
    prev: Vec<usize>,
    head: usize,
}

impl Entries {
    /// The list in real-time order (`positions[op]` = (call, return) positions).
    fn new(positions: &[(u64, u64)]) -> Self {
        let mut order: Vec<(u64, usize)> = positions
            .iter()
            .enumerate()
            .flat_map(|(op, &(call, ret))| [(call, 2 * op), (ret, 2 * op + 1)])
            .collect();
        order.sort_unstable();
        let head = 2 * positions.len();
        let mut next = vec![NIL; head + 1];
        let mut prev = vec![NIL; head + 1];
        let mut last = head;
        for &(_, entry) in &order {
            next[last] = entry;
            prev[entry] = last;
            last = entry;
        }
        Entries { next, prev, head }
    }

    fn first(&self) -> usize {
        self.next[self.head]
    }

    fn unlink(&mut self, e: usize) {
        let (p, n) = (self.prev[e], self.next[e]);
        self.next[p] = n;
        if n != NIL {
            self.prev[n] = p;
        }
    }

    fn relink(&mut self, e: usize) {
        let (p, n) = (self.prev[e], self.next[e]);
        self.next[p] = e;
        if n != NIL {
            self.prev[n] = e;
        }
    }

    /// Takes op's call and return out of the list.
    fn lift(&mut self, op: usize) {
        self.unlink(2 * op);
        self.unlink(2 * op + 1);
    }

    /// Puts them back (in the reverse order of [`Entries::lift`]).
    fn unlift(&mut self, op: usize) {
        self.relink(2 * op + 1);
        self.relink(2 * op);
    }
}

/// Each operation's slot in the set it joins when linearized: completed operations are
/// numbered among themselves (so the completed set stays "all below `low`" plus a few, however
/// many crashed ones lie between), operations that never returned likewise.
#[derive(Clone, Copy)]
enum Slot {
    Completed(usize),
    Crashed(usize),
}

/// The operations a path took that never returned, as a bitset over their slots.
#[derive(Clone)]
struct Crashed {
    words: Vec<u64>,
}

impl Crashed {
    fn toggle(&mut self, slot: usize) {
        self.words[slot / 64] ^= 1 << (slot % 64);
    }
}

/// What the memo keeps per (completed set, state): the crashed sets visited with them, each
/// `words` long, one after the other. A path whose crashed set contains one of them is cut:
/// the path that took fewer crashed operations could do all it can, and more.
struct Visited<S> {
    memo: BTreeMap<(SetKey, S), Vec<u64>>,
    words: usize,
}

impl<S: Ord> Visited<S> {
    /// Records the configuration; false when a visited one dominates it.
    fn visit(&mut self, key: (SetKey, S), crashed: &Crashed) -> bool {
        match self.memo.entry(key) {
            Entry::Vacant(v) => {
                v.insert(crashed.words.clone());
                true
            }
            Entry::Occupied(_) if self.words == 0 => false,
            Entry::Occupied(mut o) => {
                let subset =
                    |seen: &[u64]| seen.iter().zip(&crashed.words).all(|(a, b)| a & !b == 0);
                if o.get().chunks(self.words).any(subset) {
                    return false;
                }
                o.get_mut().extend_from_slice(&crashed.words);
                true
            }
        }
    }
}

/// Searches for a linearization of `ops` (one object's operations) from `M::init`, within
/// `budget`.
///
/// The memo is Lowe's, with one addition for operations that never returned: a configuration
/// is cut when one with the same completed operations linearized and the same state, but a
/// subset of its crashed operations, was visited. Such operations are optional and never hold
/// another back (their return is at the end), so whatever completes the larger configuration
/// completes the smaller one too: if the smaller one failed, so does the larger. Without it, a
/// history with many crashed writes is searched once per subset of them. At each point the
/// completed operations are tried before the crashed ones, so that paths with fewer crashed
/// operations tend to come first and cut those with more (3–4 times fewer steps on register
/// histories with 30 % crashed operations).
pub(crate) fn search<M: SequentialModel>(
    model: &M,
    ops: &[&Operation<M::Input, M::Output>],
    budget: Budget<'_>,
) -> Search {
    let positions: Vec<(u64, u64)> = ops.iter().map(|o| (o.call_pos, o.return_pos)).collect();
    let mut list = Entries::new(&positions);
    let (slots, completed_count, crashed_count) = slots(ops);
    let mut completed = Linearized::new(completed_count);
    let mut crashed = Crashed {
        words: vec![0; crashed_count.div_ceil(64)],
    };
    let mut visited = Visited {
        memo: BTreeMap::new(),
        words: crashed.words.len(),
    };
    // The path: each linearized op with the state before it.
    let mut path: Vec<(usize, M::State)> = Vec::new();
    let mut state = model.init();
    let mut unmatched = completed_count;
    let mut entry = list.first();
    let mut steps = 0u64;
    let toggle = |op: usize, completed: &mut Linearized, crashed: &mut Crashed, on: bool| match (
        slots[op], on,
    ) {
        (Slot::Completed(c), true) => completed.insert(c),
        (Slot::Completed(c), false) => completed.remove(c),
        (Slot::Crashed(x), _) => crashed.toggle(x),
    };
    // Completed operations are tried first at each point, crashed ones second.
    let mut crashed_pass = false;
    while unmatched > 0 {
        steps += 1;
        if let Some(spent) = budget.spent(steps) {
            return Search::GaveUp(spent);
        }
        let op = entry / 2;
        if entry.is_multiple_of(2) {
            if ops[op].is_complete() == crashed_pass {
                entry = list.next[entry];
                continue;
            }
            let (after, out) = model.step(&state, &ops[op].input);
            if ops[op].output.as_ref().is_none_or(|o| *o == out) {
                toggle(op, &mut completed, &mut crashed, true);
                let key = (key_with_state(&completed, &after), after.clone());
                if visited.visit(key, &crashed) {
                    path.push((op, std::mem::replace(&mut state, after)));
                    unmatched -= usize::from(ops[op].is_complete());
                    list.lift(op);
                    entry = list.first();
                    crashed_pass = false;
                    continue;
                }
                toggle(op, &mut completed, &mut crashed, false);
            }
            entry = list.next[entry];
        } else if !crashed_pass && crashed_count > 0 {
            crashed_pass = true;
            entry = list.first();
        } else {
            // A return before its operation was linearized: undo the last choice.
            let Some((op, before)) = path.pop() else {
                return Search::NotLinearizable;
            };
            state = before;
            toggle(op, &mut completed, &mut crashed, false);
            unmatched += usize::from(ops[op].is_complete());
            list.unlift(op);
            crashed_pass = !ops[op].is_complete();
            entry = list.next[2 * op];
        }
    }
    Search::Linearizable(path.into_iter().map(|(op, _)| op).collect())
}

/// Each operation's slot, and how many completed and crashed operations there are.
fn slots<I, O>(ops: &[&Operation<I, O>]) -> (Vec<Slot>, usize, usize) {
    let (mut completed, mut crashed) = (0, 0);
    let slots = ops
        .iter()
        .map(|o| {
            if o.is_complete() {
                completed += 1;
                Slot::Completed(completed - 1)
            } else {
                crashed += 1;
                Slot::Crashed(crashed - 1)
            }
        })
        .collect();
    (slots, completed, crashed)
}

/// The memo key of `set` with `state`.
fn key_with_state<S: Hash>(set: &Linearized, state: &S) -> SetKey {
    let mut h = DetHasher::default();
    state.hash(&mut h);
    set.key(h.finish())
}
