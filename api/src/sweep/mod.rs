//! Sweeps: a simulation run over a range of seeds in parallel, folded into a [`Tally`], judged
//! against the scenario's [`Expect`](crate::Expect) and summarised. The CLI and the test
//! harness both sweep through here.

mod judge;
mod summary;
mod tally;

use rayon::prelude::*;
use serde::Serialize;

use crate::simulation::Simulation;

pub use judge::judge;
pub use summary::{replay_command, summarize, ScenarioSummary};
pub use tally::Tally;

/// A range of seeds: `count` seeds from `start`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
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

/// Runs every seed on the current rayon pool and folds the results; `on_seed` is called after
/// each (for progress bars). The result is the same for any number of threads. Each fold
/// split of the range holds a [`Worker`](crate::Worker), so an engine is reused across the seeds it runs.
pub fn tally(sim: &dyn Simulation, seeds: Seeds, on_seed: &(dyn Fn() + Sync)) -> Tally {
    seeds
        .range()
        .into_par_iter()
        .map_init(
            || sim.worker(),
            |worker, seed| {
                let report = worker.run(seed);
                on_seed();
                (seed, report)
            },
        )
        .fold(Tally::default, |mut t, (seed, report)| {
            t.add(seed, &report);
            t
        })
        .reduce(Tally::default, Tally::merge)
}
