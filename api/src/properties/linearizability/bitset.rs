//! The set of operations a search path has linearized, in the shape the memo needs: ops are
//! numbered in invocation order and a path linearizes them roughly in that order, so the set
//! is "every op below `low`" plus a few beyond it. The memo key keeps only that: `low` and the
//! words from `low`'s word up to the highest set bit, so a key costs a few words even in a
//! history of thousands of operations. A Zobrist hash (one fixed random word per op, XORed in
//! and out) gives the key's hash in constant time per step.

/// Operations linearized so far on the current search path.
#[derive(Clone, Debug)]
pub(crate) struct Linearized {
    words: Vec<u64>,
    /// Every op below `low` is in the set; `low` is not.
    low: usize,
    /// No op at or above `high` is in the set.
    high: usize,
    /// XOR of [`zobrist`] over the members.
    hash: u64,
}

/// The memo's view of a [`Linearized`] set: equal exactly when the sets are.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct SetKey {
    hash: u64,
    low: usize,
    tail: Vec<u64>,
}

impl Linearized {
    /// The empty set over `n` operations.
    pub(crate) fn new(n: usize) -> Self {
        Linearized {
            words: vec![0; n.div_ceil(64).max(1)],
            low: 0,
            high: 0,
            hash: 0,
        }
    }

    pub(crate) fn contains(&self, op: usize) -> bool {
        self.words[op / 64] & (1 << (op % 64)) != 0
    }

    pub(crate) fn insert(&mut self, op: usize) {
        self.words[op / 64] |= 1 << (op % 64);
        self.hash ^= zobrist(op);
        self.high = self.high.max(op + 1);
        while self.low < self.high && self.contains(self.low) {
            self.low += 1;
        }
    }

    pub(crate) fn remove(&mut self, op: usize) {
        self.words[op / 64] &= !(1 << (op % 64));
        self.hash ^= zobrist(op);
        self.low = self.low.min(op);
        while self.high > self.low && !self.contains(self.high - 1) {
            self.high -= 1;
        }
    }

    /// The memo key of the set as it is now, its hash mixed with `state_hash` (the hash of
    /// the state it goes with) so that most comparisons stop at the first word.
    pub(crate) fn key(&self, state_hash: u64) -> SetKey {
        let from = self.low / 64;
        let to = self.high.div_ceil(64).max(from);
        SetKey {
            hash: self.hash ^ state_hash.rotate_left(17),
            low: self.low,
            tail: self.words[from..to].to_vec(),
        }
    }
}

/// A fixed pseudo-random word per operation (splitmix64 of its number).
pub(crate) fn zobrist(op: usize) -> u64 {
    let mut z = (op as u64).wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_equal_exactly_when_sets_are() {
        let mut a = Linearized::new(200);
        let mut b = Linearized::new(200);
        for op in [0, 1, 2, 130] {
            a.insert(op);
        }
        for op in [130, 2, 0, 1] {
            b.insert(op);
        }
        assert_eq!(a.key(0), b.key(0));
        assert_eq!(a.key(0).low, 3);
        b.remove(1);
        assert_ne!(a.key(0), b.key(0));
        assert!(!b.contains(1) && b.contains(2));
        b.insert(1);
        b.remove(130);
        a.remove(130);
        assert_eq!(a.key(0), b.key(0));
        assert_eq!(a.key(0).tail.len(), 1, "{:?}", a.key(0));
        assert_eq!(a.key(0).hash, zobrist(0) ^ zobrist(1) ^ zobrist(2));
    }
}
