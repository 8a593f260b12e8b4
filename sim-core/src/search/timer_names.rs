//! Canonical timer names for a search's fingerprints (`ftsim explore`). A [`TimerId`] is a
//! slot and a generation: the generation counts how often the slot was reused, so a node whose
//! heartbeat re-arms forever gets a new handle every beat, and a fingerprint that hashed the
//! handle would tell apart states that differ only in how many beats came before. A search
//! instead hashes the handles a process holds under [`hash_with_names`] (or [`hash_named`],
//! which makes the names only for a process that holds a handle): a live timer by the name
//! the search gives it (its rank among its node's armed timers), any other handle (one that
//! fired or was cancelled: cancelling it does nothing) by one "stale" name. Outside that scope
//! a handle hashes as its slot and generation, as it always did.

use std::cell::{Cell, RefCell};
use std::hash::{Hash, Hasher};

use crate::timer::TimerId;

/// The name every handle that is not live hashes as.
const STALE: u32 = u32::MAX;

/// How this thread hashes a handle now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    /// As its slot and generation: no names in force.
    Plain,
    /// As `STALE`, noting that a handle was hashed ([`hash_named`]'s first try, whose hash
    /// is kept only if it hashed none): `hashed` says whether one was.
    Watching { hashed: bool },
    /// By the names in `NAMES`.
    Named,
}

thread_local! {
    /// How handles hash on this thread.
    static MODE: Cell<Mode> = const { Cell::new(Mode::Plain) };
    /// The names in force in `Mode::Named`: a buffer kept between uses, so naming costs no
    /// allocation once it has grown.
    static NAMES: RefCell<Vec<(TimerId, u32)>> = const { RefCell::new(Vec::new()) };
}

/// Puts `mode` in force until it is dropped (a panic while hashing included), then handles
/// hash plainly again. Not reentrant: entering while a mode other than `Plain` holds panics.
struct InForce;

impl InForce {
    fn enter(mode: Mode) -> Self {
        MODE.with(|m| {
            assert_eq!(m.get(), Mode::Plain, "timer names are already in force");
            m.set(mode);
        });
        InForce
    }
}

impl Drop for InForce {
    fn drop(&mut self) {
        MODE.with(|m| m.set(Mode::Plain));
    }
}

/// Makes `names` the names in force in `Mode::Named`.
fn set_names(names: impl IntoIterator<Item = (TimerId, u32)>) {
    NAMES.with(|n| {
        let mut n = n.borrow_mut();
        n.clear();
        n.extend(names);
    });
}

/// Runs `hash` with the live handles `names` (handle, canonical name) in force: every
/// [`TimerId`] hashed meanwhile on this thread writes its canonical name instead of its slot
/// and generation. Not reentrant (a nested call panics).
pub fn hash_with_names<R>(
    names: impl IntoIterator<Item = (TimerId, u32)>,
    hash: impl FnOnce() -> R,
) -> R {
    let _named = InForce::enter(Mode::Named);
    set_names(names);
    hash()
}

/// A fresh hasher that `hash` wrote into with the live handles `names()` in force, as
/// [`hash_with_names`] would give. The names are made only if `hash` hashes a handle: it
/// runs first with none in force, watching for one, and again into a fresh hasher with the
/// names only if it hashed one. Most processes hold no handle in most states, and putting
/// the names in force every time was about 56 instructions per node a search hashes. Not
/// reentrant (a nested call panics).
#[inline]
pub fn hash_named<H, N>(names: impl FnOnce() -> N, mut hash: impl FnMut(&mut H)) -> H
where
    H: Hasher + Default,
    N: IntoIterator<Item = (TimerId, u32)>,
{
    let watching = InForce::enter(Mode::Watching { hashed: false });
    let mut h = H::default();
    hash(&mut h);
    if MODE.with(Cell::get) == (Mode::Watching { hashed: false }) {
        return h;
    }
    drop(watching);
    hash_with_names(names(), || {
        let mut h = H::default();
        hash(&mut h);
        h
    })
}

/// A handle hashes by its canonical name while names are in force, else as its slot and
/// generation.
impl Hash for TimerId {
    fn hash<H: Hasher>(&self, h: &mut H) {
        write(*self, h);
    }
}

/// Writes `id` into `h`: its canonical name when names are in force, else slot and generation
/// (while watching, a stand-in, noting that a handle was hashed).
fn write(id: TimerId, h: &mut impl Hasher) {
    match MODE.with(Cell::get) {
        Mode::Plain => {
            h.write_u32(id.slot);
            h.write_u32(id.generation.get());
        }
        Mode::Watching { .. } => {
            MODE.with(|m| m.set(Mode::Watching { hashed: true }));
            h.write_u32(STALE);
        }
        Mode::Named => {
            let named = NAMES.with(|n| {
                (n.borrow().iter())
                    .find(|(live, _)| *live == id)
                    .map_or(STALE, |&(_, name)| name)
            });
            h.write_u32(named);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::hash::{Hash, Hasher};

    use super::{hash_named, hash_with_names};
    use crate::entropy::DetHasher;
    use crate::timer::TimerId;

    fn id(slot: u32, generation: u32) -> TimerId {
        let generation =
            std::num::NonZeroU32::new(generation).expect("a live handle's generation is not 0");
        TimerId { slot, generation }
    }

    fn hash(id: TimerId) -> u64 {
        let mut h = DetHasher::default();
        id.hash(&mut h);
        h.finish()
    }

    #[test]
    fn live_handles_hash_by_name_and_stale_ones_alike() {
        let old = id(0, 7);
        let new = id(0, 9);
        assert_ne!(
            hash(old),
            hash(new),
            "outside a search: slot and generation"
        );
        let named = |id, live| hash_with_names([(live, 3)], || hash(id));
        assert_eq!(named(old, old), named(new, new), "both live, both named 3");
        let stale = id(1, 1);
        assert_eq!(named(stale, old), named(old, new), "neither live");
        assert_ne!(named(old, old), named(stale, old));
    }

    /// A handle and whether it holds it, as a process might.
    #[derive(Hash)]
    struct Holder {
        timer: Option<TimerId>,
        count: u32,
    }

    #[test]
    fn named_hashes_are_those_of_the_names_in_force_made_only_when_a_handle_is_hashed() {
        let live = id(2, 5);
        let stale = id(3, 1);
        let names = [(live, 0)];
        for timer in [None, Some(live), Some(stale)] {
            let holder = Holder { timer, count: 7 };
            let mut asked = false;
            let named: DetHasher = hash_named(
                || {
                    asked = true;
                    names
                },
                |h: &mut DetHasher| holder.hash(h),
            );
            let mut expected = DetHasher::default();
            hash_with_names(names, || holder.hash(&mut expected));
            assert_eq!(named.finish(), expected.finish(), "{timer:?}");
            assert_eq!(
                asked,
                timer.is_some(),
                "names made only for a handle: {timer:?}"
            );
        }
        let two = |id| {
            let holder = Holder {
                timer: Some(id),
                count: 7,
            };
            hash_named(|| names, |h: &mut DetHasher| holder.hash(h)).finish()
        };
        assert_ne!(
            two(live),
            two(stale),
            "a live handle is told from a stale one"
        );
        let mut plain = DetHasher::default();
        plain.write_u32(live.slot);
        plain.write_u32(live.generation.get());
        assert_eq!(
            hash(live),
            plain.finish(),
            "after, a handle hashes plainly again"
        );
    }
}
