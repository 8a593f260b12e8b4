//! Partial-order reduction by sleep sets (Godefroid 1996), for `explore --por`. Two
//! transitions are independent in a state when taking them in either order reaches the same
//! state and neither disables the other; exploring both orders is then redundant. A sleep set
//! is the set of transitions a state need not take because a state explored earlier took them
//! in an order known to reach the same places: when a state takes `t`, its successor inherits
//! the sleeping transitions, and those the state took before `t`, that are independent of `t`.
//! Sleep sets alone skip transitions, never states: every reachable state is still visited
//! (breadth-first, at its own depth), so counts, depth and verdicts are those of the full
//! search; only the states generated fall.
//!
//! Independence is decided by the classes of [`independent`], never from what the handlers
//! happen to do, and is sound for the asynchronous semantics of `stepper`:
//!
//! - A *local step* (a delivery, a timer, a failure-detector notice) runs one handler at its
//!   node. The handler sees only that node's process, storage and timers and the message, timer
//!   or notice itself; it adds messages on its node's outgoing links, removes only its own
//!   message, timer or notice, and moves a sender's "has left the wire" mark up (a maximum).
//!   So two local steps at different nodes commute on the whole state and neither disables
//!   the other: a FIFO link's head is not changed by sends behind it, a duplicating link's set
//!   is the same whichever side adds an equal message first, and a notice about a crashed node
//!   waits only for that (crashed, so silent) node's messages to its receiver.
//! - The monitors are the exception a step's node cannot see: they judge every step. A local
//!   step whose handler emitted an observation is *visible* and dependent on every other
//!   transition (an `observe` sees the world at that step and observations in the order they
//!   come, as a linearizability or "first decision" monitor does). Invisible steps only have
//!   their states judged by `check_state`, which judges the states it is shown: whatever order
//!   two invisible steps take, both reach the same states, and a state the full search finds
//!   broken is reached, and judged, by the reduced search too.
//! - A loss removes one message and moves its sender's mark: it is independent of another loss
//!   of a different message, and of local steps at nodes other than its link's two ends (the
//!   sender might send an equal message on a duplicating link; the receiver might take the
//!   message, or wait for it to be gone before a notice).
//! - Crashes and recoveries change who is up, cut wires, clear timers and create notices:
//!   dependent on everything.
//!
//! With state caching a state may be reached again with a sleep set that is not a superset of
//! the one it was explored with. Breadth-first, only arrivals from the previous level matter
//! (they carry every shortest path): a state's sleep set is the intersection of those
//! arrivals' sets, complete before the level is expanded, so later arrivals are ignored.
//! Depth-first, a revisit takes the transitions in the stored set that the new one lacks, and
//! stores the intersection (Godefroid's rule for sleep sets with a state cache).

use std::collections::BTreeMap;

use sim_core::Process;

use crate::state::{hash_of, timer_rank, State};
use crate::transition::Transition;

/// What kind of transition a [`Sleeper`] names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    /// A delivery, a timer or a notice: one handler at `node`.
    Local,
    /// A loss of a message from `other` to `node`.
    Lose,
    /// A crash or a recovery.
    Fault,
}

/// A transition named across states (a [`Transition`] is an index into one state), with
/// whether its handler emitted an observation.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Sleeper {
    kind: Kind,
    /// The node whose handler runs (a loss: the receiver).
    node: u32,
    /// A delivery or loss: the sender; a notice: whom it is about.
    other: u32,
    /// What it handles: the message's fingerprint, the timer's canonical name and tag, the
    /// notice.
    what: u64,
    /// Its handler emitted an observation (known once taken; the same wherever it sleeps,
    /// since only independent steps, at other nodes, are taken while it sleeps).
    pub visible: bool,
}

impl Sleeper {
    fn identity(&self) -> (Kind, u32, u32, u64) {
        (self.kind, self.node, self.other, self.what)
    }

    /// Whether this names the same transition as `other`.
    pub(crate) fn same(&self, other: &Sleeper) -> bool {
        self.identity() == other.identity()
    }
}

/// A sleep set: sleeping transitions, sorted by identity, each once.
pub(crate) type Sleep = Vec<Sleeper>;

/// Transition `t` of `s` named across states (`visible` still to be learnt by taking it).
pub(crate) fn name<P: Process>(s: &State<P>, t: Transition) -> Sleeper {
    let (kind, node, other, what) = match t {
        Transition::Deliver(i) => {
            let e = &s.net[i as usize];
            (Kind::Local, e.to(), e.from(), e.hash())
        }
        Transition::Lose(i) => {
            let e = &s.net[i as usize];
            (Kind::Lose, e.to(), e.from(), e.hash())
        }
        Transition::Fire { node, index } => {
            let armed = s.armed(node as usize);
            let rank = timer_rank(armed, index as usize);
            let what = hash_of(&(rank, armed[index as usize].hash));
            (Kind::Local, node as usize, usize::MAX, what)
        }
        Transition::Notice(i) => {
            let n = s.notices()[i as usize];
            (Kind::Local, n.to, n.about, 1 + u64::from(n.restore))
        }
        Transition::Crash { node, keep } => (Kind::Fault, node as usize, 0, u64::from(keep)),
        Transition::Recover(node) => (Kind::Fault, node as usize, 1, 0),
        Transition::Start(placement) => (Kind::Fault, 0, 2, u64::from(placement)),
    };
    Sleeper {
        kind,
        node: node as u32,
        other: other as u32,
        what,
        visible: false,
    }
}

/// Whether `a` and `b` (different transitions enabled in one state) commute and neither
/// disables the other; see the module's notes for why each class is sound.
pub(crate) fn independent(a: &Sleeper, b: &Sleeper) -> bool {
    match (a.kind, b.kind) {
        (Kind::Fault, _) | (_, Kind::Fault) => false,
        (Kind::Lose, Kind::Lose) => !a.same(b),
        (Kind::Lose, Kind::Local) => b.node != a.node && b.node != a.other,
        (Kind::Local, Kind::Lose) => a.node != b.node && a.node != b.other,
        (Kind::Local, Kind::Local) => a.node != b.node && !a.visible && !b.visible,
    }
}

/// Whether `t` is in `sleep`.
pub(crate) fn asleep(sleep: &[Sleeper], t: &Sleeper) -> bool {
    sleep
        .binary_search_by(|x| x.identity().cmp(&t.identity()))
        .is_ok()
}

/// Adds `t` to `sleep` (kept sorted; once). Added again (another branch of its draws, see
/// `draws`), it is visible if any branch was.
pub(crate) fn add(sleep: &mut Sleep, t: Sleeper) {
    match sleep.binary_search_by(|x| x.identity().cmp(&t.identity())) {
        Ok(at) => sleep[at].visible |= t.visible,
        Err(at) => sleep.insert(at, t),
    }
}

/// The sleep set a successor reached by `taken` inherits from `sleep` (the state's sleep set
/// with the transitions it took before `taken`): those independent of `taken`.
pub(crate) fn inherit(sleep: &[Sleeper], taken: &Sleeper) -> Sleep {
    (sleep.iter())
        .filter(|x| independent(x, taken))
        .copied()
        .collect()
}

/// `into` ∩ `other`, in place.
pub(crate) fn intersect(into: &mut Sleep, other: &[Sleeper]) {
    into.retain(|x| asleep(other, x));
}

/// Breadth-first, the sleep sets of the states queued and not yet expanded (see the module's
/// notes): found by fingerprint when a state arrives again, taken by number when it is
/// expanded (the queue keeps neither a state's fingerprint nor its sleep set, so a search
/// without reduction pays nothing for them).
#[derive(Default)]
pub(crate) struct Pending {
    /// By fingerprint: the state's depth and sleep set so far.
    sleeps: BTreeMap<u64, (u32, Sleep)>,
    /// By unique-state number: its fingerprint.
    fingerprints: BTreeMap<u32, u64>,
}

impl Pending {
    /// State `id` (fingerprint `fp`) was queued at `depth` with `sleep`.
    pub(crate) fn queued(&mut self, id: u32, fp: u64, depth: u32, sleep: Sleep) {
        self.sleeps.insert(fp, (depth, sleep));
        self.fingerprints.insert(id, fp);
    }

    /// The state of fingerprint `fp` was reached again at `depth` with `sleep`: if it waits in
    /// the queue at that depth, it keeps only what both arrivals let sleep.
    pub(crate) fn again(&mut self, fp: u64, depth: u32, sleep: &[Sleeper]) {
        if let Some((level, kept)) = self.sleeps.get_mut(&fp) {
            if *level == depth {
                intersect(kept, sleep);
            }
        }
    }

    /// The sleep set of state `id`, taken to expand it (empty if it has none).
    pub(crate) fn take(&mut self, id: u32) -> Sleep {
        let fp = self.fingerprints.remove(&id);
        let sleep = fp.and_then(|fp| self.sleeps.remove(&fp));
        sleep.map(|(_, sleep)| sleep).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::{add, independent, intersect, Kind, Sleeper};

    fn step(kind: Kind, node: u32, other: u32, what: u64) -> Sleeper {
        Sleeper {
            kind,
            node,
            other,
            what,
            visible: false,
        }
    }

    #[test]
    fn local_steps_commute_only_at_different_nodes_and_unseen() {
        let a = step(Kind::Local, 0, 1, 7);
        let b = step(Kind::Local, 1, 0, 7);
        assert!(independent(&a, &b));
        assert!(!independent(&a, &step(Kind::Local, 0, 2, 9)), "same node");
        let seen = Sleeper { visible: true, ..b };
        assert!(!independent(&a, &seen), "an observation orders steps");
    }

    #[test]
    fn losses_depend_on_their_link_ends_and_faults_on_everything() {
        let lose = step(Kind::Lose, 2, 1, 5);
        assert!(!independent(&lose, &step(Kind::Local, 2, 0, 1)), "receiver");
        assert!(!independent(&lose, &step(Kind::Local, 1, 0, 1)), "sender");
        assert!(independent(&lose, &step(Kind::Local, 0, 1, 1)));
        assert!(independent(&lose, &step(Kind::Lose, 2, 1, 6)));
        assert!(!independent(&lose, &lose), "the same loss");
        let crash = step(Kind::Fault, 3, 0, 0);
        assert!(!independent(&crash, &step(Kind::Local, 0, 1, 1)));
        assert!(!independent(&crash, &lose));
    }

    #[test]
    fn sets_stay_sorted_and_intersect_by_identity() {
        let mut a = Vec::new();
        for s in [step(Kind::Local, 2, 0, 1), step(Kind::Local, 0, 0, 1)] {
            add(&mut a, s);
            add(&mut a, s);
        }
        assert_eq!(a.len(), 2);
        assert_eq!(a[0].node, 0);
        intersect(&mut a, &[step(Kind::Local, 2, 0, 1)]);
        assert_eq!(a.len(), 1);
        assert_eq!(a[0].node, 2);
    }
}
