//! Version stamps, so that copying a state into a scratch state copies only what differs.
//!
//! A search builds each successor by copying its parent into a scratch state and taking a
//! step there; the step changes one node and perhaps the network, so the next successor of
//! the same parent differs from the scratch in those parts only. A part that carries a
//! [`Version`] gets a new one, unique in the whole process, each time it is changed, and a
//! copy keeps the version of what it copied: two parts with the same version are copies of the
//! same value, unchanged since. The copy then skips them (`State::clone_from`).
//!
//! Architecture Invariant: a versioned part changes only through a method that stamps it
//! (`State::node_mut` for a node, `Network`'s methods for the messages), so no code can change
//! one and keep an old version.

use std::sync::atomic::{AtomicU64, Ordering};

/// A version stamp: equal stamps mean equal values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Version(u64);

impl Version {
    /// A stamp no other value has had in this process (states move between threads, so the
    /// count is shared by all of them).
    pub(crate) fn fresh() -> Self {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        Version(NEXT.fetch_add(1, Ordering::Relaxed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_stamp_is_new_on_every_thread() {
        let stamps: Vec<Vec<Version>> = std::thread::scope(|s| {
            let threads: Vec<_> = (0..2)
                .map(|_| s.spawn(|| (0..1000).map(|_| Version::fresh()).collect::<Vec<_>>()))
                .collect();
            threads.into_iter().map(|t| t.join().unwrap()).collect()
        });
        let mut all: Vec<u64> = stamps.iter().flatten().map(|v| v.0).collect();
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), 2000);
    }
}
