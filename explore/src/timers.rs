//! A node's timers in one state of a search: its handles' bookkeeping and its armed timers,
//! shared between a state and its successors until a step changes them (copy on write), and
//! their canonical names.
//!
//! A step changes one node's timers at most, so a successor shares every other node's with
//! its parent: copying a state copies a pointer a node, and a queued parent holds each node's
//! timers once for all its successors that did not touch them.

use std::hash::{Hash, Hasher};
use std::sync::Arc;

use sim_core::entropy::DetHasher;

use sim_core::step::{Timers, TimersOnWrite};
use sim_core::TimerId;
use smallvec::SmallVec;

use crate::network::Key;
use crate::shared::{self, Spare};

/// An armed timer.
#[derive(Clone, Debug)]
pub(crate) struct Armed<T> {
    pub id: TimerId,
    pub hash: u64,
    pub tag: T,
    /// How long after being set it fires under the engine (see `bounded`).
    pub delay_ns: u64,
    /// When it was set (a search that keeps time: see `zone_graph`).
    pub key: Key,
    /// Its canonical name: its rank among its node's armed timers by (tag's fingerprint,
    /// handle). Kept by [`NodeTimers`]'s methods as timers come and go, so a node's
    /// fingerprint reads the names instead of sorting its timers each time.
    rank: u32,
}

impl<T> Armed<T> {
    /// Timer `id` with tag `tag` (fingerprint `hash`), set at `key` to fire after `delay_ns`.
    pub(crate) fn new(id: TimerId, hash: u64, tag: T, delay_ns: u64, key: Key) -> Self {
        Armed {
            id,
            hash,
            tag,
            delay_ns,
            key,
            rank: 0,
        }
    }

    /// Its canonical name (see [`timer_names`]).
    pub(crate) fn rank(&self) -> u32 {
        self.rank
    }

    /// What tells it apart from another armed timer: every field, its tag by its
    /// fingerprint (as the set of seen states tells states apart).
    fn fields(&self) -> (TimerId, u64, u64, Key, u32) {
        (self.id, self.hash, self.delay_ns, self.key, self.rank)
    }
}

/// A node's timers: the handles' bookkeeping (which are live) and the armed timers, by
/// handle, each with its canonical name. The armed timers change only through the methods
/// below, which keep every name true (an Architecture Invariant).
#[derive(Debug)]
pub(crate) struct NodeTimers<T> {
    pub handles: Timers,
    armed: Vec<Armed<T>>,
}

impl<T> NodeTimers<T> {
    /// The armed timers, by handle.
    pub(crate) fn armed(&self) -> &[Armed<T>] {
        &self.armed
    }

    /// Arms `timer` (a handle not armed yet).
    pub(crate) fn arm(&mut self, timer: Armed<T>) {
        let at = self.armed.partition_point(|a| a.id < timer.id);
        self.armed.insert(at, timer);
        self.rename();
    }

    /// Takes armed timer `index` (it fires).
    pub(crate) fn take(&mut self, index: usize) -> Armed<T> {
        let timer = self.armed.remove(index);
        self.rename();
        timer
    }

    /// Disarms timer `id`, if it is armed.
    pub(crate) fn cancel(&mut self, id: TimerId) {
        self.armed.retain(|a| a.id != id);
        self.rename();
    }

    /// Disarms every timer and forgets every handle (a crash).
    pub(crate) fn clear(&mut self) {
        self.armed.clear();
        self.handles.clear();
    }

    /// A fingerprint of everything they hold: equal for timers that are
    /// [`NodeTimers::same_as`] each other (both read [`Armed::fields`]).
    pub(crate) fn content_hash(&self) -> u64 {
        let mut hasher = DetHasher::default();
        self.handles.hash(&mut hasher);
        for a in &self.armed {
            a.fields().hash(&mut hasher);
        }
        hasher.finish()
    }

    /// Whether `other` holds the same handles and the same armed timers, field by field.
    pub(crate) fn same_as(&self, other: &Self) -> bool {
        self.handles == other.handles
            && (self.armed.iter().map(Armed::fields)).eq(other.armed.iter().map(Armed::fields))
    }

    /// Gives each armed timer its canonical name: by counting for the few timers most nodes
    /// arm, by sorting for more.
    fn rename(&mut self) {
        if self.armed.len() <= 8 {
            for i in 0..self.armed.len() {
                self.armed[i].rank = timer_rank(&self.armed, i);
            }
            return;
        }
        let order = canonical_order(&self.armed);
        for (rank, &(_, id)) in order.iter().enumerate() {
            let at = self.armed.partition_point(|a| a.id < id);
            self.armed[at].rank = rank as u32;
        }
    }
}

impl<T> Default for NodeTimers<T> {
    fn default() -> Self {
        NodeTimers {
            handles: Timers::default(),
            armed: Vec::new(),
        }
    }
}

impl<T: Clone> Clone for NodeTimers<T> {
    fn clone(&self) -> Self {
        NodeTimers {
            handles: self.handles.clone(),
            armed: self.armed.clone(),
        }
    }

    /// Into the buffers `self` has (a spare's: see [`TimersMut::own`]).
    fn clone_from(&mut self, from: &Self) {
        self.handles.clone_from(&from.handles);
        self.armed.clone_from(&from.armed);
    }
}

/// A node's timers, shared with other states until [`TimersMut::own`] is called.
pub(crate) struct TimersMut<'a, T> {
    timers: &'a mut Arc<NodeTimers<T>>,
    spare: &'a mut Spare<NodeTimers<T>>,
}

impl<'a, T: Clone> TimersMut<'a, T> {
    /// Node timers `timers`, copied into `spare` (if there is one) when they are owned.
    pub(crate) fn new(
        timers: &'a mut Arc<NodeTimers<T>>,
        spare: &'a mut Spare<NodeTimers<T>>,
    ) -> Self {
        TimersMut { timers, spare }
    }

    /// The node's timers to change: a copy of its own if they were shared.
    pub(crate) fn own(self) -> &'a mut NodeTimers<T> {
        shared::own(self.timers, self.spare)
    }
}

/// A handler's timer handles: copied the first time it sets or cancels a timer.
impl<T: Clone> TimersOnWrite for TimersMut<'_, T> {
    fn timers(&mut self) -> &mut Timers {
        &mut shared::own(self.timers, self.spare).handles
    }
}

/// The canonical names of a node's armed timers: each live handle with its rank by (tag's
/// fingerprint, handle), as [`Armed::rank`] keeps it. Two states whose timers differ only in
/// their handles' slots and generations name them alike (see `sim_core::timer_names`).
/// Timers with equal tags at one node are ranked by handle: a protocol that arms the same tag
/// twice at once keeps such states apart, as without canonical names (never merging states
/// that differ). Read as they are handed to `hash_with_names`, not collected first.
pub(crate) fn timer_names<T>(armed: &[Armed<T>]) -> impl Iterator<Item = (TimerId, u32)> + '_ {
    armed.iter().map(|a| (a.id, a.rank))
}

/// A node's armed timers as (tag's fingerprint, handle), in their canonical order.
fn canonical_order<T>(armed: &[Armed<T>]) -> SmallVec<[(u64, TimerId); 8]> {
    let mut order: SmallVec<[(u64, TimerId); 8]> = armed.iter().map(|t| (t.hash, t.id)).collect();
    order.sort_unstable();
    order
}

/// The canonical name of armed timer `index` of a node (its rank, as in [`timer_names`]).
pub(crate) fn timer_rank<T>(armed: &[Armed<T>], index: usize) -> u32 {
    let key = (armed[index].hash, armed[index].id);
    armed.iter().filter(|t| (t.hash, t.id) < key).count() as u32
}

#[cfg(test)]
pub(crate) mod tests {
    use sim_core::step::{run_handler, Handler, NodeRef, Output, Outputs};
    use sim_core::Seeded;

    use super::*;

    /// Arms `count` timers set by one handler, whose tags' fingerprints run in another
    /// order than their handles, some equal.
    #[derive(Clone, Debug)]
    struct Arms(u32);

    impl sim_core::Process for Arms {
        type Msg = ();
        type Timer = u32;
        type Obs = ();
        type Stable = ();

        fn on_start(&mut self, ctx: &mut sim_core::Ctx<'_, Self>) {
            for i in 0..self.0 {
                ctx.set_timer(sim_core::Duration::from_millis(1), (i * 7) % 5);
            }
        }

        fn on_message(&mut self, _: &mut sim_core::Ctx<'_, Self>, _: sim_core::NodeId, _: ()) {}
    }

    /// A node's timers with `count` armed as [`Arms`] arms them.
    pub(crate) fn armed(count: u32) -> NodeTimers<u32> {
        let mut timers = NodeTimers::default();
        let mut out = Outputs::default();
        let node = NodeRef {
            id: 0,
            n: 1,
            timers: &mut timers.handles,
            stable: &mut (),
        };
        let start = Handler::Start;
        run_handler(&mut Arms(count), node, start, &mut Seeded::new(0), &mut out);
        for (i, effect) in out.drain().enumerate() {
            let Output::SetTimer { id, delay, tag } = effect else {
                panic!("only timers are set")
            };
            timers.arm(Armed::new(id, u64::from(tag), tag, delay.0, (0, i as u32)));
            names_hold(&timers);
        }
        timers
    }

    /// Every armed timer's kept name is its rank counted afresh.
    fn names_hold<T>(timers: &NodeTimers<T>) {
        for (i, t) in timers.armed().iter().enumerate() {
            assert_eq!(t.rank(), timer_rank(timers.armed(), i), "timer {i}");
        }
    }

    #[test]
    fn names_follow_arming_firing_and_cancelling_for_few_and_many_timers() {
        for count in [3u32, 12] {
            let mut timers = armed(count);
            let fired = timers.take(1);
            names_hold(&timers);
            timers.cancel(timers.armed()[0].id);
            timers.cancel(fired.id);
            names_hold(&timers);
            assert_eq!(timers.armed().len() as u32, count - 2);
            let mut names: Vec<u32> = timers.armed().iter().map(Armed::rank).collect();
            names.sort_unstable();
            assert_eq!(names, (0..count - 2).collect::<Vec<_>>(), "a permutation");
        }
    }
}
