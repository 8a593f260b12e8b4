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

use std::collections::BTreeSet;
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

/// Searches for a linearization of `ops` (one object's operations) from `M::init`, within
/// `budget`.
pub(crate) fn search<M: SequentialModel>(
    model: &M,
    ops: &[&Operation<M::Input, M::Output>],
    budget: Budget<'_>,
) -> Search {
    let positions: Vec<(u64, u64)> = ops.iter().map(|o| (o.call_pos, o.return_pos)).collect();
    let mut list = Entries::new(&positions);
    let mut linearized = Linearized::new(ops.len());
    let mut memo: BTreeSet<(SetKey, M::State)> = BTreeSet::new();
    // The path: each linearized op with the state before it.
    let mut path: Vec<(usize, M::State)> = Vec::new();
    let mut state = model.init();
    let mut unmatched = ops.iter().filter(|o| o.is_complete()).count();
    let mut entry = list.first();
    let mut steps = 0u64;
    while unmatched > 0 {
        steps += 1;
        if let Some(spent) = budget.spent(steps) {
            return Search::GaveUp(spent);
        }
        let op = entry / 2;
        if entry.is_multiple_of(2) {
            let (after, out) = model.step(&state, &ops[op].input);
            if ops[op].output.as_ref().is_none_or(|o| *o == out) {
                linearized.insert(op);
                if memo.insert((key_with_state(&linearized, &after), after.clone())) {
                    path.push((op, std::mem::replace(&mut state, after)));
                    unmatched -= usize::from(ops[op].is_complete());
                    list.lift(op);
                    entry = list.first();
                    continue;
                }
                linearized.remove(op);
            }
            entry = list.next[entry];
        } else {
            // A return before its operation was linearized: undo the last choice.
            let Some((op, before)) = path.pop() else {
                return Search::NotLinearizable;
            };
            state = before;
            linearized.remove(op);
            unmatched += usize::from(ops[op].is_complete());
            list.unlift(op);
            entry = list.next[2 * op];
        }
    }
    Search::Linearizable(path.into_iter().map(|(op, _)| op).collect())
}

/// The memo key of `set` with `state`.
fn key_with_state<S: Hash>(set: &Linearized, state: &S) -> SetKey {
    let mut h = DetHasher::default();
    state.hash(&mut h);
    set.key(h.finish())
}
