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
//! slower at 200 nodes of eager broadcast, for 4% fewer instructions). Each bucket keeps the
//! capacity of its fullest moment (there, 20 MB of buckets for at most 7.6 MB of events
//! pending); buckets as lists of fixed chunks lent by one pool used only what was pending,
//! and ran no faster (chunks of 8, 32 or 128 events: 214 to 243 ns/event against 208 to 233,
//! 3 alternated runs). Digits of 4 bits, not single bits, move an item 5 times in its life
//! there, not 15; digits of 6 bits moved it less but ran slower again, their 64 buckets a
//! level streaming to as many places at once.
//!
//! A split reads its bucket once (each bucket's least key is kept as items come in) and
//! leaves the earliest item where it was pushed, as the front: the pop that follows reads it
//! from memory written long before, not from stores the split has just made. The lowest
//! bucket is not split once it holds at most [`RUN_MAX`] items: it is sorted, and its items
//! come out in order from its front (the *run*; a key pushed meanwhile that falls among them,
//! within a few microseconds, is inserted in order). Split level by level, each item of such a
//! bucket moved down two or three levels more, one split per pop: at 200 nodes of eager
//! broadcast, sorting them takes 6% fewer instructions per event (callgrind, warm runs:
//! 1,950 against 2,077). A bucket left empty is rewound, so that its next items are stored
//! from the start of its memory: a ring's items otherwise wander through the capacity of its
//! fullest moment, and a bucket of a few items kept touching all of it (5% fewer misses of a
//! 512 KB cache, cachegrind).

use std::collections::VecDeque;

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

/// The bucket that holds an item pushed with the last key itself (see `Radix::push`).
const FRONT: usize = 0;

/// The least key of an empty bucket: above every key.
const NONE: (u64, u64) = (u64::MAX, u64::MAX);

/// The most items a bucket may hold to be sorted into the run when it is the lowest, rather
/// than split into lower levels.
const RUN_MAX: usize = 64;

/// A bucket whose items come out in key order from its front. Its items agree with `last` in
/// every digit from `level` up, so a key pushed that differs from `last` only below `level`
/// falls among them and is inserted in order; every other key goes into a bucket of `level` or
/// above, after all of them. No bucket below `level` holds keys while there is a run.
#[derive(Clone, Copy, Debug)]
struct Run {
    bucket: usize,
    level: usize,
}

/// The pending items by their keys' digits: an item moves down a level each time its bucket
/// is split.
pub(super) struct Radix<T> {
    /// Bucket `level * DIGITS + digit`: the keys that agree with `last` above digit `level`
    /// and have `digit` there (greater than `last`'s).
    buckets: Vec<VecDeque<T>>,
    /// The run: a bucket taken out of the levels (its bit clear) whose items are in key order
    /// and come out from its front, and the level below which every key pushed meanwhile
    /// belongs to it (see `Run`).
    run: Option<Run>,
    /// Bit `level` set when some bucket of that level holds keys.
    levels: u32,
    /// Per level, bit `digit` set when that bucket holds keys.
    digits: [u16; LEVELS],
    /// Per bucket, the least key it holds (`NONE` while it holds none): kept as items come
    /// in, so a split knows its new last key without reading the bucket twice.
    least: Vec<(u64, u64)>,
    /// The last key popped (or peeked): every key held is at or after it.
    last: (u64, u64),
}

impl<T: Keyed> Radix<T> {
    pub(super) fn new() -> Self {
        Radix {
            buckets: (0..LEVELS * DIGITS).map(|_| VecDeque::new()).collect(),
            run: None,
            levels: 0,
            digits: [0; LEVELS],
            least: vec![NONE; LEVELS * DIGITS],
            last: (0, 0),
        }
    }

    /// Empties it, keeping its memory; every key pushed from now on is at or after `floor`.
    pub(super) fn clear(&mut self, floor: (u64, u64)) {
        for bucket in &mut self.buckets {
            bucket.clear();
        }
        self.run = None;
        self.levels = 0;
        self.digits = [0; LEVELS];
        self.least.fill(NONE);
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
        let key = item.key();
        let Some((level, digit)) = Self::place(self.last, key) else {
            // The last key itself (keys are unique: one item at most), when the queue moves
            // its events here after a peek: it is the run, alone, in the bucket no key is
            // placed in (level 0's digit 0: a key placed at a level has a greater digit there).
            debug_assert!(self.run.is_none() && self.buckets[FRONT].is_empty());
            self.buckets[FRONT].push_back(item);
            self.run = Some(Run {
                bucket: FRONT,
                level: 0,
            });
            return;
        };
        if let Some(run) = self.run.filter(|run| level < run.level) {
            Self::insert_in_order(&mut self.buckets[run.bucket], item);
            return;
        }
        let b = level * DIGITS + digit;
        self.least[b] = self.least[b].min(key);
        self.buckets[b].push_back(item);
        self.levels |= 1 << level;
        self.digits[level] |= 1 << digit;
    }

    /// Inserts an item into the run after the items with lesser keys (rare: a key within the
    /// run's few microseconds, pushed while it is popped).
    #[cold]
    fn insert_in_order(run: &mut VecDeque<T>, item: T) {
        let key = item.key();
        let at = run.partition_point(|other| other.key() < key);
        run.insert(at, item);
    }

    /// The earliest item that is still `wanted` (the last key is then its key), and how many
    /// unwanted items it dropped on the way (a cancelled timer leaves at its first split, not
    /// after moving down every level). The run's front, if the run holds one; else the lowest
    /// bucket becomes the run: sorted, if it holds few items; else split, its keys all agree
    /// with its earliest above its level, so each but the earliest goes into a lower level.
    pub(super) fn peek_wanted(
        &mut self,
        mut wanted: impl FnMut(&T) -> bool,
    ) -> (Option<&T>, usize) {
        let mut dropped = 0;
        loop {
            if let Some(run) = self.run {
                let items = &mut self.buckets[run.bucket];
                while items.front().is_some_and(|item| !wanted(item)) {
                    items.pop_front();
                    dropped += 1;
                }
                if let Some(front) = items.front() {
                    self.last = front.key();
                    return (self.buckets[run.bucket].front(), dropped);
                }
                // Empty: its next items are stored from the start of its memory again.
                items.clear();
                self.run = None;
            }
            if self.levels == 0 {
                return (None, dropped);
            }
            dropped += self.take_lowest_bucket(&mut wanted);
        }
    }

    /// Makes the lowest bucket the run, and says how many unwanted items it dropped: sorted,
    /// if it holds at most [`RUN_MAX`] items (at a few per level of a few microseconds, a
    /// split would move each down several levels more); else split, all but its earliest
    /// moved to lower levels, the earliest left where it was pushed, as a run of one: the
    /// others leave around it, from the back and then from the front. Moved, it was read back
    /// by the pop right after its store, stalling until the split's stores retired (eager
    /// broadcast at 200 nodes: 189.4 against 183.0 ns/event, 7 alternated pairs).
    fn take_lowest_bucket(&mut self, wanted: &mut impl FnMut(&T) -> bool) -> usize {
        let level = self.levels.trailing_zeros() as usize;
        let digit = self.digits[level].trailing_zeros() as usize;
        self.digits[level] &= !(1 << digit);
        if self.digits[level] == 0 {
            self.levels &= !(1 << level);
        }
        let b = level * DIGITS + digit;
        let mut items = std::mem::take(&mut self.buckets[b]);
        // A bucket whose bit is set holds items; its earliest becomes the last key.
        let earliest = std::mem::replace(&mut self.least[b], NONE);
        debug_assert!(items.iter().map(T::key).min() == Some(earliest));
        self.last = earliest;
        let mut dropped = 0;
        if items.len() <= RUN_MAX {
            let before = items.len();
            items.retain(|item| wanted(item));
            dropped = before - items.len();
            items.make_contiguous().sort_unstable_by_key(T::key);
            self.buckets[b] = items;
            self.run = Some(Run { bucket: b, level });
            return dropped;
        }
        while items.back().is_some_and(|item| item.key() != earliest) {
            if let Some(item) = items.pop_back() {
                dropped += self.move_down(item, wanted);
            }
        }
        while items.len() > 1 {
            if let Some(item) = items.pop_front() {
                dropped += self.move_down(item, wanted);
            }
        }
        self.buckets[b] = items;
        // Every other key now differs from the earliest below `level`, in a bucket of its own.
        self.run = Some(Run {
            bucket: b,
            level: 0,
        });
        dropped
    }

    /// Moves an item of a bucket being split to its lower level, or drops it (returning 1)
    /// when it is no longer wanted.
    #[inline]
    fn move_down(&mut self, item: T, wanted: &mut impl FnMut(&T) -> bool) -> usize {
        if wanted(&item) {
            self.push(item);
            0
        } else {
            1
        }
    }

    /// Removes the earliest item; call right after [`Radix::peek_wanted`] found it.
    pub(super) fn pop_peeked(&mut self) -> Option<T> {
        let run = self.run?;
        self.buckets[run.bucket].pop_front()
    }

    /// Every item, in no particular order, leaving it empty (its memory kept).
    pub(super) fn drain(&mut self) -> impl Iterator<Item = T> + '_ {
        self.levels = 0;
        self.digits = [0; LEVELS];
        self.least.fill(NONE);
        self.run = None;
        self.buckets.iter_mut().flat_map(|bucket| bucket.drain(..))
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

    /// Peeks, pushes and pops in random order, some items no longer wanted: a peeked item
    /// stays the front (in its bucket) while later keys are pushed, the unwanted never come
    /// out, and the rest come out in key order.
    #[test]
    fn a_peeked_front_stays_while_later_keys_are_pushed() {
        let wanted = |item: &(u64, u64)| !item.1.is_multiple_of(5);
        let mut radix: Radix<(u64, u64)> = Radix::new();
        let mut reference = std::collections::BTreeSet::new();
        let (mut state, mut seq, mut now, mut peeked) = (11u64, 0u64, 0u64, false);
        for _ in 0..50_000u64 {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            match state >> 62 {
                0 | 1 => {
                    let ahead = (state >> 20) % (1 << (state % 30));
                    seq += 1;
                    radix.push((now + ahead, seq));
                    if wanted(&(0, seq)) {
                        reference.insert((now + ahead, seq));
                    }
                }
                2 => {
                    let front = radix.peek_wanted(wanted).0.copied();
                    assert_eq!(front, reference.first().copied());
                    now = front.map_or(now, |(time, _)| time);
                    peeked = front.is_some();
                }
                _ if peeked => {
                    assert_eq!(radix.pop_peeked(), reference.pop_first());
                    peeked = false;
                }
                _ => {}
            }
        }
    }

    /// A lowest bucket of few items becomes the run, sorted; a key pushed among its items
    /// while it is popped is inserted in order, a later one goes into a bucket after it, and
    /// an unwanted item in it never comes out.
    #[test]
    fn a_key_pushed_among_the_runs_items_comes_out_in_order() {
        let mut radix: Radix<(u64, u64)> = Radix::new();
        // Times 100 to 111 agree with 0 above bits 4-7 and have digit 6 there: one bucket.
        for item in [(111, 1), (101, 2), (100, 3), (105, 4)] {
            radix.push(item);
        }
        let wanted = |item: &(u64, u64)| item.1 != 4;
        // The unwanted one leaves as the run is made.
        assert_eq!(radix.peek_wanted(wanted), (Some(&(100, 3)), 1));
        assert!(radix.run.is_some_and(|run| run.level == HALF_LEVELS + 1));
        assert_eq!(radix.pop_peeked(), Some((100, 3)));
        // Differs from 100 only in bits 0-3: among the run's items; 200 is after them.
        radix.push((200, 5));
        radix.push((102, 6));
        let mut popped = Vec::new();
        loop {
            let (front, _) = radix.peek_wanted(wanted);
            if front.is_none() {
                break;
            }
            popped.extend(radix.pop_peeked());
        }
        assert_eq!(popped, [(101, 2), (102, 6), (111, 1), (200, 5)]);
    }

    /// An item pushed with the last key itself (the queue moves its events in after a peek)
    /// is the front, ahead of every later key.
    #[test]
    fn an_item_with_the_last_key_is_the_front() {
        let mut radix: Radix<(u64, u64)> = Radix::new();
        // Sequence 16's lowest digit is 0, so 17 goes into level 0's bucket of digit 1.
        radix.clear((10, 16));
        for item in [(11, 0), (10, 17), (10, 16), (1 << 40, 1)] {
            radix.push(item);
        }
        let popped: Vec<_> = std::iter::from_fn(|| {
            radix.peek_wanted(|_| true).0?;
            radix.pop_peeked()
        })
        .collect();
        assert_eq!(popped, [(10, 16), (10, 17), (11, 0), (1 << 40, 1)]);
    }
}
