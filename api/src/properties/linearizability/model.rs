//! The sequential specification a history is judged against: a deterministic state machine
//! whose operations each touch one key. Linearizability is compositional (a history is
//! linearizable exactly when its restriction to every object is), so the checker splits a
//! history by [`SequentialModel::key`] and judges each key on its own: a key-value map is
//! checked as one register per key.

use std::fmt::Debug;
use std::hash::Hash;

use super::file_form::FileForm;

/// A deterministic sequential object.
///
/// Keys are searched on several threads, so a model and its types are `Sync`.
/// `State` must be cheap to clone and compare: the search memoises (linearized set, state)
/// pairs. `Output` is compared with what the history recorded. Everything hashes, so that
/// `ftsim explore` can fingerprint what a [`Linearizability`](super::Linearizability)
/// monitor remembers.
pub trait SequentialModel: Sync {
    /// Which independent object an operation touches (`()` for a single object).
    type Key: Ord + Clone + Debug + Hash + Send + Sync;
    /// The state of one object.
    type State: Clone + Ord + Hash + Debug + Send + Sync;
    /// An operation as invoked.
    type Input: Clone + Debug + Hash + Send + Sync;
    /// What an operation returns.
    type Output: Clone + Ord + Debug + Hash + Send + Sync;

    /// The object `input` touches.
    fn key(&self, input: &Self::Input) -> Self::Key;

    /// Every object's state before any operation.
    fn init(&self) -> Self::State;

    /// Applies `input` to `state`: the next state and what the operation returns.
    fn step(&self, state: &Self::State, input: &Self::Input) -> (Self::State, Self::Output);

    /// An operation in words ("write(3)", "read → 3"); `output` is `None` for one that never
    /// returned.
    fn describe(&self, input: &Self::Input, output: Option<&Self::Output>) -> String {
        match output {
            Some(out) => format!("{input:?} → {out:?}"),
            None => format!("{input:?}"),
        }
    }

    /// A state in words.
    fn describe_state(&self, state: &Self::State) -> String {
        format!("{state:?}")
    }

    /// What one object is called in explanations ("register", "log").
    fn object_name(&self) -> &'static str {
        "object"
    }

    /// A key in words, or `None` when there is only one object (nothing worth saying).
    fn describe_key(&self, key: &Self::Key) -> Option<String> {
        Some(format!("{key:?}"))
    }

    /// How this model's histories are written as history files, which `ftsim history`
    /// checks (`ftsim replay --history` writes a run's); `None` (the default): they are not.
    fn file_form(&self) -> Option<FileForm<Self::Input, Self::Output>> {
        None
    }
}
