//! Node timers interned while the breadth-first queue holds their states. A step changes one
//! node's timers at most, into a copy of the node's own (see `shared`); most nodes' timers
//! take a few values in the whole search (a TwoPhase RM's are both of its actions armed, or
//! none). So a state the queue holds as a parent keeps, for a node whose timers no other
//! state holds, the one copy the queue already holds of timers equal to them, and its own
//! copy goes to the spares: one copy a value, not one a held state.
//!
//! Timers equal to an interned copy are equal in every field, tags by their fingerprints (as
//! the set of seen states tells states apart). Interning changes no state: a state rebuilt
//! from its parent finds the same timers, and its copy on write still copies shared timers
//! before changing them.

#[allow(clippy::disallowed_types)] // see `ByHash`
use std::collections::HashMap;
use std::hash::BuildHasherDefault;
use std::sync::Arc;

use sim_core::entropy::DetHasher;
use smallvec::SmallVec;

use crate::timers::NodeTimers;

/// Interned copies by the fingerprint of their contents (rarely more than one a fingerprint).
#[allow(clippy::disallowed_types)] // its hasher is fixed, and it is iterated only to let go
type ByHash<T> = HashMap<u64, SmallVec<[Arc<NodeTimers<T>>; 1]>, BuildHasherDefault<DetHasher>>;

/// Interned timers, by the fingerprint of their contents.
pub(crate) struct InternedTimers<T> {
    by_hash: ByHash<T>,
    /// How many are interned.
    len: usize,
    /// At how many to let go of those no held state holds any more (see
    /// [`InternedTimers::prune`]): twice as many as were left at the last pruning, so that
    /// pruning costs a constant time an interned copy.
    prune_at: usize,
}

/// The fewest interned timers at which to prune.
const PRUNE_AT_LEAST: usize = 1024;

impl<T> InternedTimers<T> {
    pub(crate) fn new() -> Self {
        InternedTimers {
            by_hash: ByHash::default(),
            len: 0,
            prune_at: PRUNE_AT_LEAST,
        }
    }

    /// Replaces `timers` by the interned copy equal to them, if there is one, and returns
    /// them (no state holds them any more: a spare to copy into); otherwise interns them as
    /// they are. `timers` must be held by no other state: copies held elsewhere would not be
    /// let go.
    pub(crate) fn intern(&mut self, timers: &mut Arc<NodeTimers<T>>) -> Option<Arc<NodeTimers<T>>> {
        debug_assert_eq!(Arc::strong_count(timers), 1, "held by no other state");
        let same = self.by_hash.entry(timers.content_hash()).or_default();
        if let Some(copy) = same.iter().find(|copy| copy.same_as(timers)) {
            return Some(std::mem::replace(timers, Arc::clone(copy)));
        }
        same.push(Arc::clone(timers));
        self.len += 1;
        if self.len >= self.prune_at {
            self.prune();
        }
        None
    }

    /// Lets go of the interned timers no state holds any more. A count of one is the
    /// interner's own: no state can take a copy meanwhile (a state takes one only from a
    /// state that holds it, or here).
    fn prune(&mut self) {
        self.by_hash.retain(|_, same| {
            same.retain(|copy| Arc::strong_count(copy) > 1);
            !same.is_empty()
        });
        self.len = self.by_hash.values().map(|same| same.len()).sum();
        self.prune_at = (2 * self.len).max(PRUNE_AT_LEAST);
    }

    /// How many timers are interned.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.len
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::timers::tests::armed;

    #[test]
    fn equal_timers_share_one_copy_and_the_other_is_given_back() {
        let mut interned = InternedTimers::new();
        let mut first = Arc::new(armed(3));
        let mut second = Arc::new(armed(3));
        let own_second = Arc::as_ptr(&second);
        assert!(
            interned.intern(&mut first).is_none(),
            "a value's first copy is kept"
        );
        let given_back = interned
            .intern(&mut second)
            .expect("an equal value is shared");
        assert!(
            Arc::ptr_eq(&first, &second),
            "the second holder shares the first copy"
        );
        assert_eq!(Arc::as_ptr(&given_back), own_second);
        assert_eq!(
            Arc::strong_count(&given_back),
            1,
            "no state holds it: a spare"
        );
        assert_eq!(interned.len(), 1);
    }

    #[test]
    fn timers_that_differ_in_any_field_are_kept_apart() {
        let mut interned = InternedTimers::new();
        let three = armed(3);
        let mut fired = armed(3);
        fired.take(2);
        let mut cancelled = armed(3);
        cancelled.cancel(cancelled.armed()[2].id);
        // Equal armed timers, but one handle fired and the other was cancelled: the same
        // handles' bookkeeping, so these two are one value.
        let values = [armed(2), three, fired, cancelled];
        let mut held: Vec<_> = values.into_iter().map(Arc::new).collect();
        let shared: Vec<bool> = (held.iter_mut())
            .map(|t| interned.intern(t).is_some())
            .collect();
        assert_eq!(shared, [false, false, false, true]);
        assert_eq!(interned.len(), 3);
    }

    #[test]
    fn pruning_lets_go_of_the_copies_no_state_holds() {
        let mut interned = InternedTimers::new();
        let mut kept = Arc::new(armed(1));
        interned.intern(&mut kept);
        interned.intern(&mut Arc::new(armed(2)));
        interned.prune();
        assert_eq!(interned.len(), 1, "only the held copy stays");
        let mut again = Arc::new(armed(1));
        assert!(interned.intern(&mut again).is_some());
        assert!(Arc::ptr_eq(&kept, &again));
    }
}
