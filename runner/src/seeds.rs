//! A range of seeds: what a scenario file declares, a sweep runs and a shard splits.

use serde::{Deserialize, Serialize};

/// A range of seeds: `count` seeds from `start`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Seeds {
    /// The first seed.
    pub start: u64,
    /// How many seeds.
    pub count: u64,
}

impl Seeds {
    /// The seeds as a range (a range that would pass 2^64 ends there).
    pub fn range(self) -> std::ops::Range<u64> {
        self.start..self.start.saturating_add(self.count)
    }
}
