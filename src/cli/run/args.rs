//! `ftsim run`'s command line: its flags with their help, and the sweep they ask for, with the
//! flags that take it checked and parsed (a bad `--shard` or shrink budget is refused before
//! any scenario file is read).

use std::path::PathBuf;

use ftsim_runner::shrink::ShrinkBudget;

use crate::cli::budget::BudgetFlags;
use crate::cli::error::CliError;
use crate::cli::output::{ColorChoice, FormatFlag};
use crate::cli::shrink;

use super::shard::Shard;

/// Run scenarios over their seeds and report which invariants broke
#[derive(clap::Args)]
#[command(long_about = LONG_ABOUT)]
pub struct RunArgs {
    /// Scenario files, or directories of *.toml files
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Seeds to run, from the scenario's first
    ///
    /// Run this many seeds instead of the scenario's count (from its start seed).
    #[arg(long, conflicts_with = "seed")]
    pub seeds: Option<u64>,
    /// Run only this seed
    #[arg(long)]
    pub seed: Option<u64>,
    /// Worker threads (default: all cores)
    #[arg(long, short = 'j')]
    pub jobs: Option<usize>,
    #[command(flatten)]
    pub output: FormatFlag,
    /// Write an HTML report with diagrams into DIR
    ///
    /// Also write DIR/index.html (every scenario at a glance), DIR/summary.json, and a
    /// space-time diagram of the first failing seed of each scenario.
    #[arg(long, value_name = "DIR")]
    pub report: Option<PathBuf>,
    /// Append each result to a JSON-lines file
    ///
    /// Append each scenario's result to this JSON-lines file as it finishes (kept if
    /// the sweep is interrupted or killed).
    #[arg(long, value_name = "FILE")]
    pub results: Option<PathBuf>,
    /// Run only what --results does not hold yet
    ///
    /// With --results: take the scenarios already in FILE from it (same file, text and
    /// seeds) and run only the others.
    #[arg(long, requires = "results")]
    pub resume: bool,
    /// Run only shard K of N (`ftsim merge` joins them)
    ///
    /// Run only shard K of N (1-based): a deterministic slice of every (scenario, seed);
    /// `auto` reads a Kubernetes Indexed Job, a Slurm array, GitLab `parallel` or
    /// Buildkite. Combine the shards' --format json with `ftsim merge`.
    #[arg(long, value_name = "K/N|auto")]
    pub shard: Option<String>,
    /// Write the sweep as JUnit XML to FILE
    ///
    /// Also write the sweep as JUnit XML to FILE (a testcase per scenario; a failure names
    /// the seed, the invariant and the replay command).
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Each seed draws its own fault mix
    ///
    /// Swarm testing: each seed first draws its own fault mix within the scenario's
    /// bounds (which fault kinds, crash and partition counts, shapes, omission rates);
    /// the mix is printed with the failing seed.
    #[arg(long)]
    pub swarm: bool,
    /// Print only the scenarios not met
    ///
    /// No progress bar, and only the scenarios that did not meet their expectation
    /// (then the last line).
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Colour: auto, always or never [default: auto]
    ///
    /// Colour the table: auto (on a terminal, unless NO_COLOR is set), always (even into
    /// a pipe), never.
    #[arg(
        long,
        value_enum,
        default_value = "auto",
        hide_default_value = true,
        hide_possible_values = true
    )]
    pub color: ColorChoice,
    /// Run each seed twice and compare the traces
    ///
    /// Run each seed twice; any difference in trace hash fails the scenario.
    #[arg(long)]
    pub check_determinism: bool,
    /// Seconds a seed may run (0: none)
    ///
    /// Give up on a seed after this many seconds of wall time (a handler that never
    /// returns): the seed fails with a report and the sweep goes on; 0: never.
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    pub seed_timeout: u64,
    /// Shrink each scenario's replay seed to a repro
    ///
    /// Also shrink the seed worth replaying of each scenario (a failing seed, or one that
    /// shows the expected violation) and write its repro file into the --report
    /// directory, or else into ./ftsim-repros.
    #[arg(long)]
    pub shrink: bool,
    /// Runs each shrink may try
    ///
    /// With --shrink: the most candidate runs each shrink tries.
    #[arg(long, value_name = "N", requires = "shrink",
          default_value_t = ftsim_runner::shrink::DEFAULT_MAX_RUNS)]
    pub shrink_max_runs: u64,
    /// Events its runs may take
    ///
    /// With --shrink: the most events each shrink's candidate runs may take in all.
    #[arg(long, value_name = "N", requires = "shrink",
          default_value_t = ftsim_runner::shrink::DEFAULT_MAX_EVENTS)]
    pub shrink_max_events: u64,
    #[command(flatten)]
    pub budget: BudgetFlags,
}

/// `ftsim help run`.
const LONG_ABOUT: &str = "Run each scenario over its seeds (in parallel; the results are \
    identical for any --jobs) and print, per scenario: runs, failing runs by invariant, the \
    first failing seed and the command that replays it, and whether the scenario's `expect` \
    was met. Exits 1 if any expectation is not met.";

/// A sweep as `run` was asked for it: its flags, and those that take it parsed.
pub struct Sweep<'a> {
    pub args: &'a RunArgs,
    /// Shrink each scenario's replay seed within this budget and write its repro.
    pub shrink: Option<ShrinkBudget>,
    /// Run only this shard's slice of the work.
    pub shard: Option<Shard>,
    /// Give up on a seed after this much wall time (a handler that never returns).
    pub seed_timeout: Option<std::time::Duration>,
}

impl RunArgs {
    /// The sweep asked for: the shrink budget checked, the shard read (`auto` from the
    /// environment), the seed timeout as a duration (none for 0).
    pub fn sweep(&self) -> Result<Sweep<'_>, CliError> {
        let shrink = (self.shrink)
            .then(|| shrink::budget("shrink-", self.shrink_max_runs, self.shrink_max_events))
            .transpose()?;
        let shard = (self.shard.as_deref())
            .map(|text| Shard::parse(text, &|name| std::env::var(name).ok()))
            .transpose()?;
        Ok(Sweep {
            args: self,
            shrink,
            shard,
            seed_timeout: (self.seed_timeout > 0)
                .then(|| std::time::Duration::from_secs(self.seed_timeout)),
        })
    }
}
