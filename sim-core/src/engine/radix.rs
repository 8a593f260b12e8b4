//! A radix heap (a monotone priority queue) of queue keys: the large-queue half of the event
//! queue (see `queue`). A discrete-event run never schedules into its past, so a key goes
//! into a bucket by the highest 4-bit digit in which it differs from the last key popped (one
//! bucket per level and value of that digit), and a pop only scans and splits the lowest
//! non-empty bucket. Each key moves down a few levels in its life, by linear scans of small
//! arrays, so the cost of an event does not grow with the number of events pending (a binary
//! heap's does, by its depth and its cache misses, once the heap outgrows the caches). Keys
//! are unique (the sequence is), so the pop order is exactly the (time, sequence) order of a
//! binary heap.
//!
//! The items are held inline (the queue keeps whole events here, not slots of a slab): every
//! access is then a scan or an append of a bucket, which the processor streams, where a slab
//! of a million events would cost a cache miss per event (measured: keys into a slab ran 20%
//! slower at 200 nodes of eager broadcast, for 4% fewer instructions). Digits of 4 bits, not
//! single bits, move an item 5 times in its life there, not 15; digits of 6 bits moved it
//! less but ran slower again, their 64 buckets a level streaming to as many places at once.

/// What the radix heap orders: an item with a unique (time, sequence) key.
pub(super) trait Keyed {
    /// The item's (time, sequence).
    fn key(&self) -> (u64, u64);
}

/// The key bits one level of buckets tells apart: a key differing from the last popped in a
/// digit of this many bits goes into one of that digit's buckets, by the digit's value.
const DIGIT_BITS: u32 = 4;

/// Buckets per level: one per value of a digit.
const DIGITS: usize = 1 << DIGIT_BITS;

/// Levels of buckets for the digits of one 64-bit half of a key.
const HALF_LEVELS: usize = 64 / DIGIT_BITS as usize;

/// Levels of buckets: those of the sequence's digits (level 0 is its lowest), then those of
/// the time's.
const LEVELS: usize = 2 * HALF_LEVELS;

/// The pending items by their keys' digits: an item moves down a level each time its bucket
/// is split.
pub(super) struct Radix<T> {
    /// Bucket `level * DIGITS + digit`: the keys that agree with `last` above digit `level`
    /// and have `digit` there (greater than `last`'s).
    buckets: Vec<Vec<T>>,
    /// The item whose key is `last` (keys are unique: at most one), once peeked.
    front: Option<T>,
    /// Bit `level` set when some bucket of that level holds keys.
    levels: u32,
    /// Per level, bit `digit` set when that bucket holds keys.
    digits: [u16; LEVELS],
    /// The last key popped (or peeked): every key held is at or after it.
    last: (u64, u64),
}

impl<T: Keyed> Radix<T> {
    pub(super) fn new() -> Self {
        Radix {
            buckets: (0..LEVELS * DIGITS).map(|_| Vec::new()).collect(),
            front: None,
            levels: 0,
            digits: [0; LEVELS],
            last: (0, 0),
        }
    }

    /// Empties it, keeping its memory; every key pushed from now on is at or after `floor`.
    pub(super) fn clear(&mut self, floor: (u64, u64)) {
        for bucket in &mut self.buckets {
            bucket.clear();
        }
        self.front = None;
        self.levels = 0;
        self.digits = [0; LEVELS];
        self.last = floor;
    }

    /// The level and digit of a key after `last`: its highest digit that differs from
    /// `last`'s; `None` for `last` itself.
    #[inline]
    fn place(last: (u64, u64), (time, seq): (u64, u64)) -> Option<(usize, usize)> {
        let (value, base, diff) = if time != last.0 {
            (time, HALF_LEVELS, time ^ last.0)
        } else if seq != last.1 {
            (seq, 0, seq ^ last.1)
        } else {
            return None;
        };
        let level = (63 - diff.leading_zeros()) / DIGIT_BITS;
        let digit = (value >> (level * DIGIT_BITS)) as usize & (DIGITS - 1);
        Some((base + level as usize, digit))
    }

    /// Adds an item at or after the last one popped.
    #[inline]
    pub(super) fn push(&mut self, item: T) {
        match Self::place(self.last, item.key()) {
            Some((level, digit)) => {
                self.buckets[level * DIGITS + digit].push(item);
                self.levels |= 1 << level;
                self.digits[level] |= 1 << digit;
            }
            None => self.front = Some(item),
        }
    }

    /// The earliest item that is still `wanted`, brought to the front (the last key is then
    /// its key), and how many unwanted items it dropped on the way. Splits the lowest bucket:
    /// its keys all agree with its earliest above its level, so each goes into a lower level,
    /// unless it is no longer wanted (a cancelled timer leaves at its first split, not after
    /// moving down every level).
    pub(super) fn peek_wanted(
        &mut self,
        mut wanted: impl FnMut(&T) -> bool,
    ) -> (Option<&T>, usize) {
        let mut dropped = 0;
        if self.front.as_ref().is_some_and(|front| !wanted(front)) {
            self.front = None;
            dropped += 1;
        }
        while self.front.is_none() {
            if self.levels == 0 {
                return (None, dropped);
            }
            let level = self.levels.trailing_zeros() as usize;
            let digit = self.digits[level].trailing_zeros() as usize;
            self.digits[level] &= !(1 << digit);
            if self.digits[level] == 0 {
                self.levels &= !(1 << level);
            }
            let b = level * DIGITS + digit;
            let mut items = std::mem::take(&mut self.buckets[b]);
            // A bucket whose bit is set holds items; its earliest becomes the last key (the
            // others move below it, the earliest itself to the front).
            let Some(earliest) = items.iter().map(T::key).min() else {
                self.buckets[b] = items;
                continue;
            };
            self.last = earliest;
            for item in items.drain(..) {
                if wanted(&item) {
                    self.push(item);
                } else {
                    dropped += 1;
                }
            }
            self.buckets[b] = items;
        }
        (self.front.as_ref(), dropped)
    }

    /// Removes the earliest item; call right after [`Radix::peek_wanted`] found it.
    pub(super) fn pop_peeked(&mut self) -> Option<T> {
        self.front.take()
    }

    /// Every item, in no particular order, leaving it empty (its memory kept).
    pub(super) fn drain(&mut self) -> impl Iterator<Item = T> + '_ {
        self.levels = 0;
        self.digits = [0; LEVELS];
        let front = self.front.take();
        front
            .into_iter()
            .chain(self.buckets.iter_mut().flat_map(|bucket| bucket.drain(..)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    impl Keyed for (u64, u64) {
        fn key(&self) -> (u64, u64) {
            *self
        }
    }

    /// Random times over a wide range, many of them equal (so the sequence decides), pushed
    /// between pops: each pop is the least key pending.
    #[test]
    fn pops_the_least_key_pending() {
        let mut radix: Radix<(u64, u64)> = Radix::new();
        let mut reference = std::collections::BTreeSet::new();
        let (mut state, mut seq, mut now) = (7u64, 0u64, 0u64);
        for round in 0..20_000u64 {
            for _ in 0..(round % 4) {
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let ahead = (state >> 20) % (1 << (state % 40));
                seq += 1;
                radix.push((now + ahead, seq));
                reference.insert((now + ahead, seq));
            }
            if round % 2 == 0 {
                let expected = reference.pop_first();
                assert_eq!(radix.peek_wanted(|_| true).0.copied(), expected);
                assert_eq!(radix.pop_peeked(), expected);
                now = expected.map_or(now, |(time, _)| time);
            }
        }
        let rest: Vec<_> = std::iter::from_fn(|| {
            radix.peek_wanted(|_| true).0?;
            radix.pop_peeked()
        })
        .collect();
        assert_eq!(rest, reference.into_iter().collect::<Vec<_>>());
    }
}
