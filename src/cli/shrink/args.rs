//! `ftsim shrink`'s command line: its flags with their help, and the shrink budget they set
//! (`run --shrink` sets its own with the same check).

use std::path::PathBuf;

use ftsim_runner::shrink::ShrinkBudget;

use crate::cli::error::CliError;

/// Shrink a failing seed to a smallest run failing alike, as a repro
#[derive(clap::Args)]
#[command(long_about = LONG_ABOUT)]
pub struct ShrinkArgs {
    /// The scenario file
    #[arg(required_unless_present = "repro")]
    pub file: Option<PathBuf>,
    /// The failing seed
    #[arg(long, required_unless_present = "repro")]
    pub seed: Option<u64>,
    /// Shrink the run of a repro file instead
    ///
    /// Shrink the run of a repro file instead (one `explore` wrote is already a shortest
    /// path: said, not shrunk).
    #[arg(long, value_name = "REPRO.json", conflicts_with_all = ["file", "seed", "point"])]
    pub repro: Option<PathBuf>,
    /// The repro file to write
    ///
    /// Where to write the repro file (default: NAME-seed-SEED.repro.json here).
    #[arg(long, short = 'o', value_name = "REPRO.json")]
    pub output: Option<PathBuf>,
    /// Candidate runs to try at most
    #[arg(long, default_value_t = ftsim_runner::shrink::DEFAULT_MAX_RUNS)]
    pub max_runs: u64,
    /// Events all runs may take
    ///
    /// The most events the candidate runs may take in all.
    #[arg(long, default_value_t = ftsim_runner::shrink::DEFAULT_MAX_EVENTS)]
    pub max_events: u64,
    /// Grid point K of the file's [sweep]
    ///
    /// The point of the file's [sweep] grid (1-based, as `run` prints it).
    #[arg(long, value_name = "K")]
    pub point: Option<usize>,
    /// A scenario `classify` derived from the file
    ///
    /// The scenario `classify` derived from the file (as `replay --variant`).
    #[arg(long, value_name = "NAME", conflicts_with_all = ["repro", "point"])]
    pub variant: Option<String>,
}

/// `ftsim help shrink`.
const LONG_ABOUT: &str = "Shrink a failing seed of a scenario: replay it from its recorded \
    decisions instead of its seed, and edit them while the same property stays violated, \
    inside or outside the protocol's assumptions as before: remove nodes (where the \
    protocol and the scenario's node ids allow), remove faults of every kind (triggered \
    crashes, crash chains and their links, storage faults among them), shorten crash, \
    partition, omission and slow windows and triggered crashes' time down, move faults \
    and triggers earlier, turn drops and duplications back into deliveries, shorten \
    delays, simplify other draws. Prints the sizes before and after (nodes, faults, \
    messages, events, virtual time) and writes a self-contained repro file: the resolved \
    scenario, the fault plan, the recorded decisions, the failure and the trace hash. The \
    search is deterministic: the same input gives the same repro. Exits 2 if the seed \
    passes.";

/// The budget of `--{flags}max-runs` and `--{flags}max-events` (`shrink`'s, or `run`'s with
/// `flags` "shrink-"), each at least 1.
pub fn budget(flags: &str, max_runs: u64, max_events: u64) -> Result<ShrinkBudget, CliError> {
    for (name, value) in [("max-runs", max_runs), ("max-events", max_events)] {
        if value == 0 {
            let flag = format!("--{flags}{name}");
            return Err(CliError::Usage(format!("{flag} must be at least 1")));
        }
    }
    Ok(ShrinkBudget {
        max_runs,
        max_events,
    })
}
