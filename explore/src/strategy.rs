//! How a search chooses the paths it follows: every reachable state (exhaustive, breadth- or
//! depth-first), or a sample of seeded runs, each one path from the initial state, scheduled
//! by PCT's priorities or uniformly at random.

/// The deepest bug PCT aims at: each run draws up to this many change points less one.
/// PCT's bound on finding a bug of depth `d` in a run of `k` steps falls as `k^(d-1)`, so
/// depths past a handful already promise nothing; this only keeps a run's set-up small.
pub const MAX_BUG_DEPTH: u32 = 1000;

/// A search strategy and its own settings (the limits common to all are [`Limits`](crate::Limits)).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Strategy {
    /// Every reachable state, each expanded once (by fingerprint): a complete verdict.
    Exhaustive {
        /// Which state is expanded next.
        order: Order,
    },
    /// Probabilistic Concurrency Testing (Burckhardt et al., ASPLOS 2010): seeded runs, each
    /// scheduling by random node priorities with `bug_depth - 1` priority change points.
    Pct {
        /// How many runs.
        runs: u64,
        /// The first run's seed; run `i` draws from `seed` and `i` alone.
        seed: u64,
        /// The bug depth `d` the runs aim at: from 1 to [`MAX_BUG_DEPTH`] (a larger one is
        /// taken as that).
        bug_depth: u32,
    },
    /// Seeded runs, each step a uniformly random choice among the enabled transitions.
    Random {
        /// How many runs.
        runs: u64,
        /// The first run's seed; run `i` draws from `seed` and `i` alone.
        seed: u64,
    },
}

/// The order of an exhaustive search.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Order {
    /// Level by level: the first violation found is at the smallest depth (a shortest
    /// counterexample), at the cost of holding a whole level of states.
    #[default]
    Breadth,
    /// Depth-first: holds only the current path (and the fingerprints seen), so it needs far
    /// less memory; a counterexample is a path, not necessarily a shortest one.
    Depth,
}

impl Strategy {
    /// Whether a violation this strategy finds comes with a shortest path.
    pub fn finds_shortest(&self) -> bool {
        matches!(
            self,
            Strategy::Exhaustive {
                order: Order::Breadth
            }
        )
    }

    /// Whether this strategy samples runs rather than visiting every state.
    pub fn samples(&self) -> bool {
        matches!(self, Strategy::Pct { .. } | Strategy::Random { .. })
    }
}
