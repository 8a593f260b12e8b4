//! The smallest non-linearizable prefix of one object's history: the operation whose response
//! ends it (the culprit), and a linearization of the history just before that response.

use super::budget::Budget;
use super::frontier::{self, Frontier, Stop};
use super::history::{self, Operation};
use super::model::SequentialModel;
use super::wgl::{self, Search};

/// The last position of a history: every response that came is at or before it.
pub(crate) const WHOLE: u64 = u64::MAX - 1;

/// A culprit, and whether its prefix is known to be the smallest that is not linearizable.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Culprit {
    /// The operation whose response ends a non-linearizable prefix.
    pub op: usize,
    /// Whether every shorter prefix was found linearizable (false: a budget ran out first).
    pub smallest: bool,
}

/// The operations of `key_ops` as they stood at history position `end`: later invocations
/// left out, later responses undone.
pub(crate) fn cut<I: Clone, O: Clone>(
    ops: &[Operation<I, O>],
    key_ops: &[usize],
    end: u64,
) -> Vec<Operation<I, O>> {
    key_ops
        .iter()
        .map(|&o| &ops[o])
        .filter(|o| o.call_pos <= end)
        .map(|o| history::cut_at(o, end))
        .collect()
}

/// Searches `key_ops` as they stood at position `end`.
pub(crate) fn search_through<M: SequentialModel>(
    model: &M,
    ops: &[Operation<M::Input, M::Output>],
    key_ops: &[usize],
    end: u64,
    budget: Budget<'_>,
) -> Search {
    let prefix = cut(ops, key_ops, end);
    let refs: Vec<&Operation<M::Input, M::Output>> = prefix.iter().collect();
    wgl::search(model, &refs, budget)
}

/// The operation whose response ends the smallest non-linearizable prefix of `key_ops`, a
/// history the search found not linearizable through position `end`. The frontier with
/// hindsight (every output known) dies at a response no later than that one; if the search
/// finds the prefix through it not linearizable, that is the one, otherwise it lies beyond
/// and is found by bisection (linearizability is prefix-closed, so the prefixes' verdicts are
/// monotone). When a budget runs out, the last response known to end a non-linearizable
/// prefix is given, as not known to be the smallest.
pub(crate) fn culprit<M: SequentialModel>(
    model: &M,
    ops: &[Operation<M::Input, M::Output>],
    key_ops: &[usize],
    end: u64,
    (budget, max_configs): (Budget<'_>, usize),
) -> Culprit {
    let mut returns: Vec<usize> = key_ops
        .iter()
        .copied()
        .filter(|&o| ops[o].is_complete() && ops[o].return_pos <= end)
        .collect();
    returns.sort_unstable_by_key(|&o| ops[o].return_pos);
    let mut frontier = Frontier::with_hindsight(model, end.saturating_add(1));
    let mut earliest = 0;
    for (_, is_return, op) in frontier::entries(ops, key_ops, end.saturating_add(1)) {
        let step = if is_return {
            frontier.respond(model, ops, op, max_configs).map(drop)
        } else {
            frontier.invoke(model, ops, op)
        };
        match step {
            Ok(()) => {}
            Err(Stop::NotLinearizable) => {
                earliest = returns.iter().position(|&r| r == op).unwrap_or(0);
                break;
            }
            Err(Stop::TooMany(_)) => break,
        }
    }
    bisect(model, ops, key_ops, &returns[earliest..], budget)
}

/// The first of `returns` (responses in history order, the last of which ends a
/// non-linearizable prefix) whose prefix the search finds not linearizable.
fn bisect<M: SequentialModel>(
    model: &M,
    ops: &[Operation<M::Input, M::Output>],
    key_ops: &[usize],
    returns: &[usize],
    budget: Budget<'_>,
) -> Culprit {
    // The prefix through returns[hi] is not linearizable; through returns[lo - 1] it is.
    let (mut lo, mut hi) = (0, returns.len() - 1);
    while lo < hi {
        // Try the first candidate first: usually it is the one.
        let mid = if lo == 0 { 0 } else { (lo + hi) / 2 };
        let end = ops[returns[mid]].return_pos;
        match search_through(model, ops, key_ops, end, budget) {
            Search::Linearizable(_) => lo = mid + 1,
            Search::NotLinearizable => hi = mid,
            Search::GaveUp(_) => {
                return Culprit {
                    op: returns[hi],
                    smallest: false,
                }
            }
        }
    }
    Culprit {
        op: returns[hi],
        smallest: true,
    }
}

/// A linearization of `key_ops` just before `culprit`'s response (operations in the order
/// they take effect), if the search finds one within `budget`.
pub(crate) fn order_before<M: SequentialModel>(
    model: &M,
    ops: &[Operation<M::Input, M::Output>],
    key_ops: &[usize],
    culprit: usize,
    budget: Budget<'_>,
) -> Vec<usize> {
    let end = ops[culprit].return_pos - 1;
    let in_prefix: Vec<usize> = key_ops
        .iter()
        .copied()
        .filter(|&o| ops[o].call_pos <= end)
        .collect();
    match search_through(model, ops, key_ops, end, budget) {
        Search::Linearizable(order) => order.into_iter().map(|i| in_prefix[i]).collect(),
        Search::NotLinearizable | Search::GaveUp(_) => Vec::new(),
    }
}
