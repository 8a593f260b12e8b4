//! `ftsim explore`'s options: the flags, which strategy each applies to, and the search they
//! ask for (`ExploreArgs` for a state search; the decision search reads them itself).

use std::path::PathBuf;

use ftsim_runner::explore::{Limits, MAX_BUG_DEPTH};

use super::error::CliError;
use super::explore::ExploreArgs;

/// How `explore` searches.
#[derive(Clone, Copy, clap::ValueEnum, PartialEq, Eq, Debug)]
pub enum Strategy {
    /// Every reachable state, deduplicated by fingerprint: a complete verdict (breadth-first:
    /// and the shortest counterexample)
    Exhaustive,
    /// Probabilistic Concurrency Testing: seeded runs under random node priorities with
    /// `--depth` - 1 priority change points
    Pct,
    /// Seeded runs, each step uniformly random among the enabled transitions
    Random,
    /// The engine's own runs (concrete time, every clock), each decision taking each of a
    /// few outcomes (`--values` of a ranged one), fewest decisions away from their simplest
    /// outcome first; any protocol
    Decisions,
}

/// The order of an exhaustive search.
#[derive(Clone, Copy, clap::ValueEnum, PartialEq, Eq, Debug)]
pub enum Order {
    /// Breadth-first: a shortest counterexample; holds a whole level of states
    Bfs,
    /// Depth-first: holds only the current path and the fingerprints seen; a counterexample
    /// is not necessarily a shortest one
    Dfs,
}

/// `ftsim explore`'s flags (the command's help is in `mod.rs`).
#[derive(clap::Args, Debug)]
pub struct ExploreFlags {
    /// The scenario file
    pub file: PathBuf,
    /// How to search
    #[arg(long, value_enum, default_value = "exhaustive")]
    pub strategy: Strategy,
    /// Exhaustive search: breadth-first (shortest counterexample) or depth-first (less
    /// memory) [default: bfs]
    #[arg(long, value_enum)]
    pub order: Option<Order>,
    /// Exhaustive: do not expand states this many steps from the initial state; pct,
    /// random: the most steps of a run (default 1000), and pct's k
    #[arg(long, value_name = "D")]
    pub max_depth: Option<u32>,
    /// Stop after this many unique states
    #[arg(long, value_name = "N")]
    pub max_states: Option<u64>,
    /// Stop after this much wall-clock time (e.g. 30s, 5m); the verdict is then partial
    #[arg(long, value_name = "T")]
    pub time_limit: Option<ftsim_api::Duration>,
    /// Stop once the search holds this many MiB of memory (resident; Linux); the
    /// verdict is then partial
    #[arg(long, value_name = "MIB", default_value_t = 4096, value_parser = parse_mib)]
    pub max_memory: u64,
    /// Count states once per renaming of the protocol's interchangeable nodes (exact
    /// canonical form; e.g. TwoPhase's RMs): same verdicts, fewer states
    #[arg(long)]
    pub symmetry: bool,
    /// Where to write a counterexample as a repro file, for `replay` (default:
    /// NAME-explore.repro.json here)
    #[arg(long, value_name = "REPRO.json")]
    pub repro: Option<PathBuf>,
    /// Exhaustive breadth-first: threads that expand states; every count gives the same
    /// states, depth and verdict
    #[arg(long, value_name = "N", default_value_t = 1,
          value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub threads: u16,
    /// Exhaustive: partial-order reduction by sleep sets: the same unique states, depth
    /// and verdict, fewer transitions taken (not with --symmetry; liveness unreduced)
    #[arg(long)]
    pub por: bool,
    /// pct, random: how many runs [default: the scenario's seed count]
    #[arg(long, value_name = "N")]
    pub runs: Option<u64>,
    /// pct, random: the seed of the runs [default: the scenario's first seed]
    #[arg(long, value_name = "S")]
    pub seed: Option<u64>,
    /// pct: the bug depth d it aims at (each run: d - 1 priority change points)
    /// [default: 3]
    #[arg(long, value_name = "d",
          value_parser = clap::value_parser!(u32).range(1..=i64::from(MAX_BUG_DEPTH)))]
    pub depth: Option<u32>,
    /// decisions: how many outcomes a ranged decision (a delay, a clock offset or drift, a
    /// time in a window, a draw of more than 16 outcomes) takes: its simplest, its other end,
    /// and evenly between [default: 2]
    #[arg(long, value_name = "K", value_parser = clap::value_parser!(u64).range(1..=1000))]
    pub values: Option<u64>,
    /// decisions: the most decisions away from their simplest outcome in a run [default:
    /// no bound]
    #[arg(long, value_name = "B")]
    pub max_deviations: Option<u32>,
}

impl ExploreFlags {
    /// What a state search was asked for.
    pub fn args(&self) -> ExploreArgs<'_> {
        ExploreArgs {
            file: &self.file,
            strategy: self.strategy,
            order: self.order,
            limits: Limits {
                max_depth: self.max_depth,
                max_states: self.max_states,
                symmetry: self.symmetry,
                threads: usize::from(self.threads),
                por: self.por,
                stop_now: None, // the watch of the limits below, when the search starts
            },
            time_limit: self.time_limit,
            max_memory_mib: self.max_memory,
            repro: self.repro.as_deref(),
            runs: self.runs,
            seed: self.seed,
            bug_depth: self.depth,
        }
    }

    /// The decision search's own flags given to another strategy: bad usage.
    pub fn refuse_decision_flags(&self) -> Result<(), CliError> {
        if self.values.is_some() || self.max_deviations.is_some() {
            return Err(CliError::Usage(
                "--values and --max-deviations apply to --strategy decisions only".into(),
            ));
        }
        Ok(())
    }

    /// The state search's flags given to the decision search: bad usage.
    pub fn refuse_state_flags(&self) -> Result<(), CliError> {
        let given = [
            ("--order", self.order.is_some()),
            ("--max-depth", self.max_depth.is_some()),
            ("--max-states", self.max_states.is_some()),
            ("--symmetry", self.symmetry),
            ("--threads", self.threads > 1),
            ("--por", self.por),
            ("--seed", self.seed.is_some()),
            ("--depth", self.depth.is_some()),
        ];
        match given.iter().find(|(_, given)| *given) {
            Some((flag, _)) => Err(CliError::Usage(format!(
                "{flag} does not apply to --strategy decisions (it takes --values, \
                 --max-deviations, --runs, --time-limit, --max-memory and --repro)"
            ))),
            None => Ok(()),
        }
    }
}

/// `--max-memory`: a whole number of MiB, at least one (clap's own range check would print
/// the type's upper bound, 18446744073709551615).
fn parse_mib(text: &str) -> Result<u64, String> {
    match text.parse::<u64>() {
        Ok(mib) if mib > 0 => Ok(mib),
        _ => Err("expected a whole number of MiB, 1 or more (e.g. 4096)".into()),
    }
}
