//! A radix heap (a monotone priority queue) of queue keys: the large-queue half of the event
//! queue (see `queue`). A discrete-event run never schedules into its past, so a key goes
//! into the bucket of the highest bit in which it differs from the last key popped, and a
//! pop only scans and splits the lowest non-empty bucket. Each key moves down a few buckets
//! in its life, by linear scans of small arrays, so the cost of an event does not grow with
//! the number of events pending (a binary heap's does, by its depth and its cache misses,
//! once the heap outgrows the caches). Keys are unique (the sequence is), so the pop order is
//! exactly the (time, sequence) order of a binary heap.
//!
//! The items are held inline (the queue keeps whole events here, not slots of a slab): every
//! access is then a scan or an append of a bucket, which the processor streams, where a slab
//! of a million events would cost a cache miss per event.

/// What the radix heap orders: an item with a unique (time, sequence) key.
pub(super) trait Keyed {
    /// The item's (time, sequence).
    fn key(&self) -> (u64, u64);
}

/// One bucket for keys equal to the last popped, 64 for a difference in the sequence only,
/// 64 for a difference in time.
const BUCKETS: usize = 129;

pub(super) struct Radix<T> {
    buckets: Vec<Vec<T>>,
    /// Bit `i` set when bucket `i` holds keys.
    occupied: u128,
    /// The last key popped (or peeked): every key held is at or after it.
    last: (u64, u64),
}

impl<T: Keyed> Radix<T> {
    pub(super) fn new() -> Self {
        Radix {
            buckets: (0..BUCKETS).map(|_| Vec::new()).collect(),
            occupied: 0,
            last: (0, 0),
        }
    }

    /// Empties it, keeping its memory; every key pushed from now on is at or after `floor`.
    pub(super) fn clear(&mut self, floor: (u64, u64)) {
        for bucket in &mut self.buckets {
            bucket.clear();
        }
        self.occupied = 0;
        self.last = floor;
    }

    /// The bucket of a key that is at or after `last`.
    fn bucket_of(last: (u64, u64), (time, seq): (u64, u64)) -> usize {
        if time != last.0 {
            64 + (64 - (time ^ last.0).leading_zeros() as usize)
        } else {
            64 - (seq ^ last.1).leading_zeros() as usize
        }
    }

    /// Adds an item at or after the last one popped.
    pub(super) fn push(&mut self, item: T) {
        let b = Self::bucket_of(self.last, item.key());
        self.buckets[b].push(item);
        self.occupied |= 1 << b;
    }

    /// The earliest item, brought into bucket 0 (the last key is then its key).
    pub(super) fn peek(&mut self) -> Option<&T> {
        if self.occupied & 1 == 0 {
            if self.occupied == 0 {
                return None;
            }
            let b = self.occupied.trailing_zeros() as usize;
            let mut items = std::mem::take(&mut self.buckets[b]);
            self.occupied &= !(1 << b);
            self.last = items.iter().map(T::key).min()?;
            for item in items.drain(..) {
                self.push(item);
            }
            self.buckets[b] = items;
        }
        self.buckets[0].last()
    }

    /// Removes the earliest item; call right after [`Radix::peek`] found it.
    pub(super) fn pop_peeked(&mut self) -> Option<T> {
        let item = self.buckets[0].pop();
        if self.buckets[0].is_empty() {
            self.occupied &= !1;
        }
        item
    }

    /// Every item, in no particular order, leaving it empty (its memory kept).
    pub(super) fn drain(&mut self) -> impl Iterator<Item = T> + '_ {
        self.occupied = 0;
        self.buckets.iter_mut().flat_map(|bucket| bucket.drain(..))
    }
}
