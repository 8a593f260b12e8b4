//! `ftsim explore`'s command line: its flags with their help, and which strategy each applies
//! to (a flag given to another strategy is bad usage). A state search reads them as a
//! `states::StateSearch`; the decision search reads them itself.

use std::path::PathBuf;

use ftsim_runner::explore::MAX_BUG_DEPTH;

use crate::cli::error::CliError;

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

/// Search a scenario's states: every interleaving, loss and crash
#[derive(clap::Args, Debug)]
#[command(long_about = LONG_ABOUT)]
pub struct ExploreArgs {
    /// The scenario file
    pub file: PathBuf,
    /// exhaustive (the default), pct, random, decisions
    ///
    /// How to search: exhaustive (every reachable state, deduplicated by fingerprint: a
    /// complete verdict; breadth-first, with the shortest counterexample), pct
    /// (Probabilistic Concurrency Testing: seeded runs under random node priorities with
    /// `--depth` - 1 priority change points), random (seeded runs, each step uniformly
    /// random among the enabled transitions), or decisions (the engine's own runs, each
    /// decision taking each of a few outcomes; any protocol). [default: exhaustive]
    #[arg(
        long,
        value_enum,
        default_value = "exhaustive",
        hide_default_value = true,
        hide_possible_values = true
    )]
    pub strategy: Strategy,
    /// Exhaustive: bfs or dfs [default: bfs]
    ///
    /// Exhaustive search: breadth-first (bfs: a shortest counterexample; holds a whole level
    /// of states) or depth-first (dfs: holds only the current path and the fingerprints
    /// seen; a counterexample is not necessarily a shortest one). [default: bfs]
    #[arg(long, value_enum, hide_possible_values = true)]
    pub order: Option<Order>,
    /// Steps from the start a search may go
    ///
    /// Exhaustive: do not expand states this many steps from the initial state; pct,
    /// random: the most steps of a run (default 1000), and pct's k.
    #[arg(long, value_name = "D")]
    pub max_depth: Option<u32>,
    /// Stop after this many unique states
    #[arg(long, value_name = "N")]
    pub max_states: Option<u64>,
    /// Wall time to stop after (30s, 5m)
    ///
    /// Stop after this much wall-clock time (e.g. 30s, 5m); the verdict is then partial.
    #[arg(long, value_name = "T")]
    pub time_limit: Option<ftsim_api::Duration>,
    /// Memory to stop at, in MiB
    ///
    /// Stop once the search holds this many MiB of memory (resident; Linux); the
    /// verdict is then partial.
    #[arg(long, value_name = "MIB", default_value_t = 4096, value_parser = parse_mib)]
    pub max_memory: u64,
    /// One state per renaming of alike nodes
    ///
    /// Count states once per renaming of the protocol's interchangeable nodes (exact
    /// canonical form; e.g. TwoPhase's RMs): same verdicts, fewer states.
    #[arg(long)]
    pub symmetry: bool,
    /// The repro file of a counterexample
    ///
    /// Where to write a counterexample as a repro file, for `replay` (default:
    /// NAME-explore.repro.json here).
    #[arg(long, value_name = "REPRO.json")]
    pub repro: Option<PathBuf>,
    /// Threads of a breadth-first search
    ///
    /// Exhaustive breadth-first: threads that expand states; every count gives the same
    /// states, depth and verdict.
    #[arg(long, value_name = "N", default_value_t = 1,
          value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub threads: u16,
    /// Exhaustive: partial-order reduction
    ///
    /// Exhaustive: partial-order reduction (Godefroid's sleep sets) in the safety search:
    /// a transition is not taken where an order of independent steps (handlers at
    /// different nodes that emit no observation; a loss and a step at neither end of its
    /// link) already covers it. The same unique states, depth and verdict, fewer
    /// transitions taken; crashes and recoveries are dependent on everything. Not with
    /// --symmetry; the liveness (lasso) search stays unreduced, since sleep sets do not
    /// keep cycles.
    #[arg(long)]
    pub por: bool,
    /// Sampling: how many runs
    ///
    /// pct, random, decisions: how many runs [default: the scenario's seed count; for
    /// decisions, no bound].
    #[arg(long, value_name = "N")]
    pub runs: Option<u64>,
    /// Sampling: the seed of the runs
    ///
    /// pct, random: the seed of the runs [default: the scenario's first seed].
    #[arg(long, value_name = "S")]
    pub seed: Option<u64>,
    /// pct: the bug depth it aims at [default: 3]
    ///
    /// pct: the bug depth d it aims at (each run: d - 1 priority change points).
    /// [default: 3]
    #[arg(long, value_name = "d",
          value_parser = clap::value_parser!(u32).range(1..=i64::from(MAX_BUG_DEPTH)))]
    pub depth: Option<u32>,
    /// decisions: outcomes of a ranged one [default: 2]
    ///
    /// decisions: how many outcomes a ranged decision (a delay, a clock offset or drift, a
    /// time in a window, a draw of more than 16 outcomes) takes: its simplest, its other end,
    /// and evenly between. [default: 2]
    #[arg(long, value_name = "K", value_parser = clap::value_parser!(u64).range(1..=1000))]
    pub values: Option<u64>,
    /// decisions: most moved from their simplest
    ///
    /// decisions: the most decisions away from their simplest outcome in a run [default:
    /// no bound].
    #[arg(long, value_name = "B")]
    pub max_deviations: Option<u32>,
}

/// `ftsim help explore`: what a search is, paragraph by paragraph (the guide's reference
/// shows them as such).
const LONG_ABOUT: &str = "Search the states of one scenario under the asynchronous semantics \
    instead of running its seeds.\n\n\
    At each step any message in flight may be delivered and any armed timer may fire; where \
    the scenario allows it, a message may be lost (lossy links; a crashed sender's \
    messages) or delivered again (duplicating links keep a set), a node may crash (up to \
    the scenario's crash budget) or recover, and a failure-detector notice may arrive. A \
    handler's random draws are branches too (each outcome, a chance happening or not; a \
    draw of more than 16 outcomes and the nodes' start answered with the first, counted in \
    the report). States are deduplicated by a fingerprint of every process, the messages in \
    flight, timers (by canonical names: a timer re-armed forever makes no new states) and \
    property monitors. Safety properties are checked at every state.\n\n\
    A search has no clock: where the protocol's model bounds message delays (every message \
    delivered within a bound), each violation found is checked for step times within that \
    bound (every timer at its delay, simultaneous steps in the engine's order); one without \
    them is set aside (counted), the search goes on, and a search that set any aside is not \
    a pass. A violation reported prints its step times and its run is at them; eventually \
    properties are not checked under such a bound.\n\n\
    --strategy exhaustive visits every reachable state: breadth-first (--order bfs, the \
    default) the first violation found comes with a shortest path; depth-first (--order \
    dfs) holds only the current path and the fingerprints seen. Breadth-first, --threads N \
    expands states on N threads and merges them in queue order: the same states, depth and \
    counterexample for every N.\n\n\
    --strategy pct and random sample seeded runs instead (same command, same runs; the \
    seeds default to the scenario's): random takes a uniformly random enabled transition at \
    each step, and an eventually property is judged wherever a run may stop (nothing left \
    that must happen; a sample finds no cycles); pct (Probabilistic Concurrency Testing, \
    Burckhardt et al. 2010) gives each node (the node whose handler a step runs) a random \
    distinct priority, always runs the highest-priority node that has an event, and lowers \
    the running node at d - 1 change points drawn among the first k steps (k: --max-depth, \
    else the longest run so far). For a program with n threads and k steps, each run finds \
    a given bug of depth d with probability at least 1/(n*k^(d-1)). Faults (a loss, a crash \
    within the budget, a duplicate delivery) are the environment's: pct takes one instead \
    of the scheduled step with probability 1/k (about one per run), so a bug that needs a \
    fault is found less often than the bound. A sample proves nothing: a `pass` scenario is \
    met only by an exhaustive search that completes.\n\n\
    --strategy decisions searches the engine's own runs instead (concrete time, every \
    clock; any protocol): every decision of a run, from its fault plan to each delay, loss \
    and process draw, takes each of a few outcomes (a chance: happens or not; at most 16 \
    outcomes: each; a ranged one: --values K of them, its two ends by default), runs with \
    the fewest decisions moved from their simplest outcome first, each once, so the first \
    failing run moves the fewest; --max-deviations B and --runs N bound it (a bound is no \
    pass).\n\n\
    Prints states generated, unique states, depth and unique states per second (sampling: \
    runs, steps, distinct states and runs per second) and peak memory. The protocol must \
    declare `exploration` (its process Clone + Hash, its types Send). Exits 0 if the \
    scenario's `expect` is met (a violation of the expected property found; for `pass`, \
    every state visited and none failing), 1 if not, 2 on bad input.";

impl ExploreArgs {
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
