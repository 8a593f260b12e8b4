//! The seeds a command runs of a scenario: its own, or those `--seed` and `--seeds` ask for,
//! checked to hold at least one seed and to stay below the last one.

use ftsim_runner::sweep::Seeds;
use ftsim_runner::Scenario;

use crate::cli::error::CliError;

/// The seeds to run: `--seed` alone, `--seeds` from the scenario's start, or the scenario's;
/// a range that would pass the last 64-bit seed, or hold no seed, is an error (never a run of
/// 0 seeds that meets every expectation). `classify` takes its `--seeds` here too.
pub fn seeds_of(s: &Scenario, seed: Option<u64>, count: Option<u64>) -> Result<Seeds, CliError> {
    let seeds = match (seed, count) {
        (Some(one), _) => Seeds {
            start: one,
            count: 1,
        },
        (None, Some(count)) => Seeds {
            start: s.seeds.start,
            count,
        },
        (None, None) => s.seeds,
    };
    let last = u64::MAX - 1;
    if seeds.count == 0 {
        return Err(CliError::Usage(match count {
            Some(_) => "--seeds 0: expected at least 1 seed".to_string(),
            None => format!("{}: no seed to run", s.file.display()),
        }));
    }
    if let (Some(count), None) = (count, seed) {
        if count > ftsim_runner::scenario::MAX_SEEDS {
            return Err(CliError::Usage(format!(
                "--seeds {count}: expected at most {} seeds (for more, scenario files with \
                 other `seeds.start` values)",
                ftsim_runner::scenario::MAX_SEEDS
            )));
        }
    }
    if seeds.start.checked_add(seeds.count).is_none() {
        return Err(CliError::Usage(match (seed, count) {
            (Some(one), _) => format!("--seed {one}: expected a seed from 0 to {last}"),
            (None, Some(count)) => format!(
                "--seeds {count}: {} starts at seed {}, so at most {} seeds fit below the \
                 last seed ({last})",
                s.file.display(),
                seeds.start,
                u64::MAX - seeds.start
            ),
            (None, None) => format!(
                "{}: its seeds pass the last seed ({last})",
                s.file.display()
            ),
        }));
    }
    Ok(seeds)
}
