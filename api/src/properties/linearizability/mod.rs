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
//!   Knossos and Porcupine use, per key (on several threads with [`Limits::threads`], the
//!   first key refuted stopping the others); when a history is not linearizable, an
//!   [`Explanation`] names the non-linearizable part (see below); when a limit stops it
//!   first, [`Undecided`] says which;
//! - [`Linearizability`]: the property, fed by a protocol's observations. It judges each
//!   response as it comes (the incremental check of `frontier.rs`, sound because
//!   linearizability is prefix-closed), so a violation is reported at the event that makes
//!   the history non-linearizable; or, built with [`Linearizability::at_end`], it runs
//!   [`check`] once at the end of the run.
//!
//! The non-linearizable part is found exactly, across keys: the culprit is the operation whose
//! response ends the smallest prefix of the history that cannot be linearized (or, when a
//! limit stopped that search, [`Explanation::smallest`] says it is not known to be). The explanation gives
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
mod budget;
mod explain;
mod file_form;
mod frontier;
pub mod generate;
mod history;
mod keys;
mod model;
mod models;
mod prefix;
mod property;
mod wgl;
mod written;

#[cfg(test)]
mod crash_tests;
#[cfg(test)]
mod keys_tests;
#[cfg(test)]
mod tests;

use std::fmt;
use std::time::Duration;

pub use explain::Explanation;
pub use file_form::{FileForm, FileOp, ToFileValue};
pub use history::{History, HistoryError, Moment, Operation};
pub use model::SequentialModel;
pub use models::{AppendLog, KeyValue, KvOp, KvOutput, Register, RegisterOp, RegisterOutput};
pub use property::{Linearizability, OpEvent};
pub use written::client_history;

/// How much work a check may do before it gives up (the answer is then
/// [`Verdict::Undecided`], never a guess). Counted in steps, so that a verdict is the same on
/// every machine; a wall-clock limit is there for checks a person runs on a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Steps of the Wing & Gong search, per key.
    pub max_steps: u64,
    /// Steps of the search, per other key, for a smaller non-linearizable prefix than the
    /// refuted key's (past them, the explanation says the prefix is not known to be the
    /// smallest), and for the linearization shown before the culprit.
    pub max_steps_other_keys: u64,
    /// Configurations the incremental check follows at one response.
    pub max_configs: usize,
    /// Configurations the incremental check follows in a whole run, all responses together;
    /// past either bound, a run's history is judged at its end by the search.
    pub max_configs_per_run: u64,
    /// Steps of the search at the end of a run whose incremental check gave up, per key
    /// (many operations at once: a run's judge must not cost more than the run).
    pub max_steps_deferred: u64,
    /// Wall-clock time for the whole check (`None`: none). Never set inside a run: a verdict
    /// that depends on the machine's speed would not replay.
    pub time: Option<Duration>,
    /// Threads to search keys on (1: one key after the other, in key order).
    pub threads: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_steps: 100_000_000,
            max_steps_other_keys: 1_000_000,
            max_configs: 10_000,
            max_configs_per_run: 200_000,
            max_steps_deferred: 1_000_000,
            time: None,
            threads: 1,
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
    /// A limit stopped the search before it decided.
    Undecided(Undecided),
}

/// A history's verdict without its explanation ([`decide_with`]): what a check that only
/// needs the answer asks, at the cost of the search alone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Some order of the operations is consistent with real time and the model.
    Linearizable,
    /// None is: this key (in words; `None` for a model of one object) has no linearization.
    NotLinearizable {
        /// The key refuted first.
        key: Option<String>,
    },
    /// A limit stopped the search before it decided.
    Undecided(Undecided),
}

/// The limit a check ran into.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Limit {
    /// [`Limits::max_steps`] (or the deferred budget of a run), this many steps.
    Steps(u64),
    /// [`Limits::time`].
    Time(Duration),
}

/// Why a check could not decide.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Undecided {
    /// The limit it ran into.
    pub limit: Limit,
    /// The key whose search stopped, in words (`None`: the model's only object).
    pub key: Option<String>,
    /// How many operations that key has.
    pub operations: usize,
    /// All of it in words.
    pub message: String,
}

impl fmt::Display for Undecided {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// Checks `history` against `model` with the default [`Limits`].
pub fn check<M>(model: &M, history: &History<M::Input, M::Output>) -> Verdict
where
    M: SequentialModel,
{
    check_with(model, history, Limits::default())
}

/// Checks `history` against `model`, key by key, with the Wing & Gong search within
/// `limits`. A non-linearizable history is explained at the smallest prefix that is not
/// linearizable, whichever key it ends on.
pub fn check_with<M>(model: &M, history: &History<M::Input, M::Output>, limits: Limits) -> Verdict
where
    M: SequentialModel,
{
    keys::Keys::new(model, history.ops(), limits).verdict()
}

/// Decides whether `history` is linearizable, as [`check_with`] does, but stops at the first
/// key refuted and names it, without looking for the culprit, the smallest failing prefix or
/// an explanation.
pub fn decide_with<M>(model: &M, history: &History<M::Input, M::Output>, limits: Limits) -> Decision
where
    M: SequentialModel,
{
    keys::Keys::new(model, history.ops(), limits).decision()
}
