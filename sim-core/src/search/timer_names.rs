//! Canonical timer names for a search's fingerprints (`ftsim explore`). A [`TimerId`] is a
//! slot and a generation: the generation counts how often the slot was reused, so a node whose
//! heartbeat re-arms forever gets a new handle every beat, and a fingerprint that hashed the
//! handle would tell apart states that differ only in how many beats came before. A search
//! instead hashes the handles a process holds under [`hash_with_names`]: a live timer by the
//! name the search gives it (its rank among its node's armed timers), any other handle (one
//! that fired or was cancelled: cancelling it does nothing) by one "stale" name. Outside that
//! scope a handle hashes as its slot and generation, as it always did.

use std::cell::RefCell;
use std::hash::{Hash, Hasher};

use crate::timer::TimerId;

/// The name every handle that is not live hashes as.
const STALE: u32 = u32::MAX;

/// The names in force on one thread: a buffer kept between uses, so naming costs no
/// allocation once it has grown.
struct Names {
    in_force: bool,
    names: Vec<(TimerId, u32)>,
}

thread_local! {
    /// The names in force on this thread (`in_force` false: none, hash handles as they are).
    static NAMES: RefCell<Names> = const {
        RefCell::new(Names {
            in_force: false,
            names: Vec::new(),
        })
    };
}

/// Runs `hash` with the live handles `names` (handle, canonical name) in force: every
/// [`TimerId`] hashed meanwhile on this thread writes its canonical name instead of its slot
/// and generation. Not reentrant (a nested call panics).
pub fn hash_with_names<R>(
    names: impl IntoIterator<Item = (TimerId, u32)>,
    hash: impl FnOnce() -> R,
) -> R {
    struct Reset;
    impl Drop for Reset {
        fn drop(&mut self) {
            NAMES.with(|n| n.borrow_mut().in_force = false);
        }
    }
    NAMES.with(|n| {
        let mut n = n.borrow_mut();
        assert!(!n.in_force, "timer names are already in force");
        n.in_force = true;
        n.names.clear();
        n.names.extend(names);
    });
    let _reset = Reset;
    hash()
}

/// A handle hashes by its canonical name while names are in force, else as its slot and
/// generation.
impl Hash for TimerId {
    fn hash<H: Hasher>(&self, h: &mut H) {
        write(*self, h);
    }
}

/// Writes `id` into `h`: its canonical name when names are in force, else slot and generation.
fn write(id: TimerId, h: &mut impl Hasher) {
    let named = NAMES.with(|n| {
        let n = n.borrow();
        n.in_force.then(|| {
            (n.names.iter())
                .find(|(live, _)| *live == id)
                .map_or(STALE, |&(_, name)| name)
        })
    });
    match named {
        Some(name) => h.write_u32(name),
        None => {
            h.write_u32(id.slot);
            h.write_u32(id.generation);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::hash::{Hash, Hasher};

    use super::hash_with_names;
    use crate::entropy::DetHasher;
    use crate::timer::TimerId;

    fn hash(id: TimerId) -> u64 {
        let mut h = DetHasher::default();
        id.hash(&mut h);
        h.finish()
    }

    #[test]
    fn live_handles_hash_by_name_and_stale_ones_alike() {
        let old = TimerId {
            slot: 0,
            generation: 7,
        };
        let new = TimerId {
            slot: 0,
            generation: 9,
        };
        assert_ne!(
            hash(old),
            hash(new),
            "outside a search: slot and generation"
        );
        let named = |id, live| hash_with_names([(live, 3)], || hash(id));
        assert_eq!(named(old, old), named(new, new), "both live, both named 3");
        let stale = TimerId {
            slot: 1,
            generation: 0,
        };
        assert_eq!(named(stale, old), named(old, new), "neither live");
        assert_ne!(named(old, old), named(stale, old));
    }
}
