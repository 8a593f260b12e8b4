//! The set of fingerprints a search has visited: open addressing over `u64`s, so a state
//! costs 8 bytes (at most 19 with the table grown when seven eighths full: linear probing,
//! whose runs of a fingerprint seen before stay in one or two cache lines of eight slots)
//! and a lookup one or two cache misses. Grown at three quarters, the table of TwoPhase
//! with 8 RMs had doubled to 32 MB near the search's peak, and the peak held both tables
//! (277 against 247 MiB; `Seen::contains` took 0.5% more instructions at seven eighths).
//! Fingerprints are 64 bits, as TLC's: two different states collide with probability about
//! `unique² / 2⁶⁵` (below one in a million up to six million states).

/// A set of 64-bit fingerprints.
#[derive(Debug)]
pub(crate) struct Seen {
    slots: Vec<u64>,
    len: usize,
}

impl Seen {
    pub(crate) fn new() -> Self {
        Seen {
            slots: vec![0; 1 << 12],
            len: 0,
        }
    }

    /// The number of fingerprints held.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Bytes held by the table.
    pub(crate) fn bytes(&self) -> usize {
        self.slots.len() * 8
    }

    /// Asks the processor to bring `fp`'s slot into its cache, for a [`Seen::contains`]
    /// soon after: a search that steps a state's successors first and looks them up after
    /// waits for one cache miss at a time no more (see `bfs::Expand::all`).
    pub(crate) fn prefetch(&self, fp: u64) {
        crate::prefetch::value(&self.slots[(fp.max(1) as usize) & (self.slots.len() - 1)]);
    }

    /// Whether `fp` is held (a read-only look-up, so several threads may ask at once).
    pub(crate) fn contains(&self, fp: u64) -> bool {
        let fp = fp.max(1);
        let mask = self.slots.len() - 1;
        let mut i = (fp as usize) & mask;
        loop {
            match self.slots[i] {
                0 => return false,
                x if x == fp => return true,
                _ => i = (i + 1) & mask,
            }
        }
    }

    /// Adds `fp`; true if it was new.
    pub(crate) fn insert(&mut self, fp: u64) -> bool {
        // 0 marks an empty slot; the one fingerprint that is 0 is stored as 1.
        let fp = fp.max(1);
        if (self.len + 1) * 8 > self.slots.len() * 7 {
            self.grow();
        }
        let mask = self.slots.len() - 1;
        let mut i = (fp as usize) & mask;
        loop {
            match self.slots[i] {
                0 => {
                    self.slots[i] = fp;
                    self.len += 1;
                    return true;
                }
                x if x == fp => return false,
                _ => i = (i + 1) & mask,
            }
        }
    }

    fn grow(&mut self) {
        let doubled = crate::huge_pages::zeroed(self.slots.len() * 2);
        let old = std::mem::replace(&mut self.slots, doubled);
        self.len = 0;
        for fp in old.into_iter().filter(|&x| x != 0) {
            self.insert(fp);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Seen;

    #[test]
    fn holds_each_fingerprint_once_across_growth() {
        let mut seen = Seen::new();
        for i in 1..=10_000u64 {
            assert!(seen.insert(i.wrapping_mul(0x9e37_79b9_7f4a_7c15)));
        }
        for i in 1..=10_000u64 {
            assert!(!seen.insert(i.wrapping_mul(0x9e37_79b9_7f4a_7c15)));
        }
        assert_eq!(seen.len(), 10_000);
        assert!(seen.contains(0x9e37_79b9_7f4a_7c15) && !seen.contains(7));
        assert!(seen.insert(0) && !seen.insert(1), "0 is stored as 1");
        assert!(seen.contains(0) && seen.contains(1));
    }
}
