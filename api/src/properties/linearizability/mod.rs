//! Linearizability: is there a single order of the clients' operations, consistent with real
//! time (an operation that returned before another began comes first), in which each returns
//! what a sequential object would? Operations that never returned may take effect or not.
//!
//! - [`History`]: the operations of a run, each with its client, input, output and the events
//!   of its invocation and response;
//! - [`SequentialModel`]: the object they are judged against, deterministic and split by key
//!   (linearizability is compositional, so each key is checked on its own); [`Register`],
//!   [`KeyValue`] (a register per key) and [`AppendLog`] are provided;
//! - [`check`]: the Wing & Gong search with the memo of (linearized set, state) pairs that
//!   Knossos and Porcupine use, per key; when a history is not linearizable, an
//!   [`Explanation`] names the non-linearizable part (see below);
//! - [`Linearizability`]: the property, fed by a protocol's observations. It judges each
//!   response as it comes (the incremental check of `frontier.rs`, sound because
//!   linearizability is prefix-closed), so a violation is reported at the event that makes
//!   the history non-linearizable; or, built with [`Linearizability::at_end`], it runs
//!   [`check`] once at the end of the run.
//!
//! The non-linearizable part is found exactly: the culprit is the operation whose response
//! ends the smallest prefix of the history that cannot be linearized. The explanation gives
//! the states its object could be in when the culprit was invoked (with the operations that
//! set them) and the operations open during its interval, with their event numbers.
//!
//! ```
//! use ftsim_api::properties::linearizability::{
//!     check, History, Moment, Register, RegisterOp, RegisterOutput, Verdict,
//! };
//! use ftsim_api::Time;
//!
//! let at = |e| Moment::new(e, Time::from_millis(e));
//! let mut h = History::new();
//! let w = h.call(1, RegisterOp::Write(1), at(1));
//! h.ret(w, RegisterOutput::Written, at(2));
//! let r = h.call(2, RegisterOp::Read, at(3));
//! h.ret(r, RegisterOutput::Value(0), at(4)); // stale: the write had finished
//! let Verdict::NotLinearizable(why) = check(&Register { initial: 0 }, &h) else {
//!     panic!("a stale read is not linearizable")
//! };
//! assert_eq!(why.culprit, r);
//! assert_eq!(why.events, [1, 2, 3, 4]);
//! ```

mod bitset;
mod explain;
mod frontier;
pub mod generate;
mod history;
mod model;
mod models;
mod property;
mod wgl;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

pub use explain::Explanation;
pub use history::{History, HistoryError, Moment, Operation};
pub use model::SequentialModel;
pub use models::{AppendLog, KeyValue, KvOp, KvOutput, Register, RegisterOp, RegisterOutput};
pub use property::{Linearizability, OpEvent};

use frontier::{Frontier, Stop};
use wgl::Search;

/// How much work a check may do before it gives up (the answer is then
/// [`Verdict::Undecided`], never a guess). Counted in steps, not time, so that a verdict is
/// the same on every machine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Steps of the Wing & Gong search, per key.
    pub max_steps: u64,
    /// Configurations the incremental check follows at one response.
    pub max_configs: usize,
    /// Configurations the incremental check follows in a whole run, all responses together;
    /// past either bound, a run's history is judged at its end by the search.
    pub max_configs_per_run: u64,
    /// Steps of the search at the end of a run whose incremental check gave up, per key
    /// (many operations at once: a run's judge must not cost more than the run).
    pub max_steps_deferred: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_steps: 100_000_000,
            max_configs: 10_000,
            max_configs_per_run: 200_000,
            max_steps_deferred: 1_000_000,
        }
    }
}

/// A history's verdict.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Some order of the operations is consistent with real time and the model.
    Linearizable,
    /// None is; the explanation names the non-linearizable part.
    NotLinearizable(Explanation),
    /// The search ran out of its budget first (why, in words).
    Undecided(String),
}

/// Checks `history` against `model` with the default [`Limits`].
pub fn check<M: SequentialModel>(model: &M, history: &History<M::Input, M::Output>) -> Verdict {
    check_with(model, history, Limits::default())
}

/// Checks `history` against `model`, key by key, with the Wing & Gong search. The first key
/// (in key order) that is not linearizable is explained.
pub fn check_with<M: SequentialModel>(
    model: &M,
    history: &History<M::Input, M::Output>,
    limits: Limits,
) -> Verdict {
    let ops = history.ops();
    for (key, key_ops) in by_key(model, ops) {
        let refs: Vec<&Operation<M::Input, M::Output>> = key_ops.iter().map(|&i| &ops[i]).collect();
        match wgl::search(model, &refs, limits.max_steps) {
            Search::Linearizable => {}
            Search::NotLinearizable => {
                let culprit = match culprit(model, ops, &key_ops, limits) {
                    Ok(c) => c,
                    Err(why) => return Verdict::Undecided(why),
                };
                let why = explain::explain(model, ops, &key, &key_ops, culprit, limits.max_configs);
                return Verdict::NotLinearizable(why);
            }
            Search::GaveUp { steps } => {
                return Verdict::Undecided(format!(
                    "the search gave up after {steps} steps on {} operations",
                    key_ops.len()
                ))
            }
        }
    }
    Verdict::Linearizable
}

/// The operations of each key, in invocation order.
fn by_key<M: SequentialModel>(
    model: &M,
    ops: &[Operation<M::Input, M::Output>],
) -> BTreeMap<M::Key, Vec<usize>> {
    let mut keys: BTreeMap<M::Key, Vec<usize>> = BTreeMap::new();
    for (i, op) in ops.iter().enumerate() {
        keys.entry(model.key(&op.input)).or_default().push(i);
    }
    keys
}

/// The operation whose response ends the smallest non-linearizable prefix of `key_ops`, a
/// history the search found not linearizable. The frontier with hindsight (every output
/// known) dies at a response no later than that one; if the search finds the prefix through
/// it not linearizable, that is the one, otherwise it lies beyond and is found by bisection
/// (linearizability is prefix-closed, so the prefixes' verdicts are monotone).
fn culprit<M: SequentialModel>(
    model: &M,
    ops: &[Operation<M::Input, M::Output>],
    key_ops: &[usize],
    limits: Limits,
) -> Result<usize, String> {
    let mut returns: Vec<usize> = key_ops
        .iter()
        .copied()
        .filter(|&o| ops[o].is_complete())
        .collect();
    returns.sort_unstable_by_key(|&o| ops[o].return_pos);
    let mut frontier = Frontier::with_hindsight(model, u64::MAX);
    let mut earliest = 0;
    for (_, is_return, op) in frontier::entries(ops, key_ops, u64::MAX) {
        let step = if is_return {
            frontier
                .respond(model, ops, op, limits.max_configs)
                .map(drop)
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
    bisect(model, ops, key_ops, &returns[earliest..], limits)
}

/// The first of `returns` (responses in history order, the last of which ends a
/// non-linearizable prefix) whose prefix the search finds not linearizable.
fn bisect<M: SequentialModel>(
    model: &M,
    ops: &[Operation<M::Input, M::Output>],
    key_ops: &[usize],
    returns: &[usize],
    limits: Limits,
) -> Result<usize, String> {
    // The prefix through returns[hi] is not linearizable; through returns[lo - 1] it is.
    let (mut lo, mut hi) = (0, returns.len() - 1);
    while lo < hi {
        // Try the first candidate first: usually it is the one.
        let mid = if lo == 0 { 0 } else { (lo + hi) / 2 };
        let end = ops[returns[mid]].return_pos;
        let prefix: Vec<Operation<M::Input, M::Output>> = key_ops
            .iter()
            .map(|&o| &ops[o])
            .filter(|o| o.call_pos <= end)
            .map(|o| history::cut_at(o, end))
            .collect();
        let refs: Vec<&Operation<M::Input, M::Output>> = prefix.iter().collect();
        match wgl::search(model, &refs, limits.max_steps) {
            Search::Linearizable => lo = mid + 1,
            Search::NotLinearizable => hi = mid,
            Search::GaveUp { steps } => {
                return Err(format!(
                    "not linearizable, but finding the smallest non-linearizable prefix gave up \
                     after {steps} steps"
                ))
            }
        }
    }
    Ok(returns[hi])
}
