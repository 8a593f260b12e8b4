//! Shrinking: from a failing seed to the smallest run that still fails the same way.
//!
//! The seed's run is recorded: its fault plan and every decision it made
//! ([`Choice`](sim_core::Choice): each message's loss, delay and duplication, each process's and
//! adversary's draw). From then on the run is replayed from the recording, not the seed, and the
//! recording is edited: faults removed (triggered crashes, chains and their links, storage faults
//! turned off among them), fault windows and triggered crashes' times down shortened, faults moved
//! earlier (triggers too: an earlier broadcast, fewer messages out), nodes removed (where the
//! protocol and the scenario allow), dropped and duplicated messages turned back into single
//! deliveries, delays shortened, picks moved to their first outcome. A decision that an edited run
//! asks for and the recording lacks (the delay of a message that is no longer lost) gets its
//! simplest outcome. Each candidate is run; it is kept if it fails the same way ([`Failure`]: the
//! same property, inside or outside the protocol's model as before), is no larger in nodes, faults,
//! messages and events, and ranks strictly lower in the search's order.
//!
//! The search spends a budget of candidate runs and of the events they take in all
//! ([`ShrinkBudget`]), so that a run of millions of events is shrunk as far as a minute or so
//! of runs gets, not for hours; and the shrunk run is recorded with its full trace only if the
//! trace weighs at most [`TRACE_BYTES_MAX`] (`traced`: a repro file of a heavier one keeps its
//! decisions and hash, and says it left its trace out).
//!
//! The search is deterministic: passes run in a fixed order (nodes, faults, windows, fault
//! times, triggers, network chances, delays, picks), repeated until a round keeps nothing,
//! within a budget of runs and without a clock. The same simulation, seed and options give the
//! same shrunk run.

mod choices;
mod failure;
mod faults;
mod nodes;
mod search;
mod size;
mod traced;
mod triggers;

use std::sync::Arc;

use crate::simulation::{RunOptions, Simulation};

pub use failure::Failure;
pub use search::Case;
pub use size::Size;
pub use traced::TRACE_BYTES_MAX;

use choices::Class;
use search::Search;

/// The runs a shrink may spend when not told otherwise: enough for every bundled scenario to
/// reach its fixed point (`membership-local-views` needs the most, about 7,700: its four
/// crash and recovery windows move earlier a little each round, each blocking the others),
/// small enough to take about a second in a release build for runs of a few hundred events.
pub const DEFAULT_MAX_RUNS: u64 = 10_000;

/// The events the candidate runs of a shrink may take in all when not told otherwise: 14
/// times what any bundled scenario's shrink takes (at most 1.4 million, for
/// `transactions-early-release`); about 17 runs of a run stopped at a million messages in
/// flight, each a few seconds (replayed from a tape of millions of decisions).
pub const DEFAULT_MAX_EVENTS: u64 = 20_000_000;

/// What a shrink may spend: it stops when either is spent, wherever its search is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ShrinkBudget {
    /// The most candidate runs to try.
    pub max_runs: u64,
    /// The most events the candidate runs may take in all (the run that goes over it ends
    /// the search).
    pub max_events: u64,
}

impl Default for ShrinkBudget {
    fn default() -> Self {
        ShrinkBudget {
            max_runs: DEFAULT_MAX_RUNS,
            max_events: DEFAULT_MAX_EVENTS,
        }
    }
}

/// How to shrink.
#[derive(Clone, Debug, Default)]
pub struct ShrinkOptions {
    /// What the search may spend.
    pub budget: ShrinkBudget,
    /// The property to keep violated, if the run violates it (a scenario's expected
    /// violation); by default the run's first.
    pub property: Option<String>,
    /// Whether to prefer its violation outside the protocol's model (`Some(true)`, a scenario
    /// that expects `outside`) or inside it (`Some(false)`), if the run has such a violation.
    /// Either way the shrunk run stays on the side of the violation kept.
    pub outside: Option<bool>,
}

/// A shrunk failure: the run of the seed, the smallest run found, and what it cost.
#[derive(Clone)]
pub struct Shrunk {
    /// The seed shrunk.
    pub seed: u64,
    /// How both runs fail.
    pub failure: Failure,
    /// The seed's run, as drawn from the seed.
    pub original: Case,
    /// The smallest run found, with its full trace if it weighs at most [`TRACE_BYTES_MAX`]
    /// (else none).
    pub shrunk: Case,
    /// Candidate runs tried.
    pub runs: u64,
    /// The events they took in all.
    pub events: u64,
    /// Whether the budget ran out before the search reached its fixed point.
    pub exhausted: bool,
}

/// Why a seed cannot be shrunk.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShrinkError {
    /// The seed's run passes: there is no failure to keep.
    #[error("seed {seed} passes: there is no failure to shrink")]
    Passes {
        /// The seed.
        seed: u64,
    },
}

/// Shrinks the failure of `seed` in `simulation`.
pub fn shrink(
    simulation: &Arc<dyn Simulation>,
    seed: u64,
    options: &ShrinkOptions,
) -> Result<Shrunk, ShrinkError> {
    let original = record(simulation, seed);
    let failure = Failure::of(
        &original.report,
        options.property.as_deref(),
        options.outside,
    )
    .ok_or(ShrinkError::Passes { seed })?;
    Ok(shrink_case(original, failure, seed, options.budget))
}

/// Shrinks a recorded run that fails as `failure` says (a seed's, or a repro's), within
/// `budget`.
pub fn shrink_case(original: Case, failure: Failure, seed: u64, budget: ShrinkBudget) -> Shrunk {
    let mut search = Search::new(original.clone(), failure.clone(), seed, budget);
    loop {
        let before = search.best.rank();
        nodes::remove_nodes(&mut search);
        faults::remove_faults(&mut search);
        faults::shorten_windows(&mut search);
        triggers::shorten_recoveries(&mut search);
        faults::advance_faults(&mut search);
        triggers::advance_triggers(&mut search);
        choices::simplify(&mut search, Class::Network);
        choices::simplify(&mut search, Class::Delays);
        choices::halve_delays(&mut search);
        choices::simplify(&mut search, Class::Picks);
        if search.best.rank() == before || search.exhausted() {
            break;
        }
    }
    // Time order for people; a stable sort keeps simultaneous faults in the order they
    // happened, so the run is the same.
    search.best.plan.sort();
    let exhausted = search.exhausted();
    let shrunk = traced::traced(search.best, seed);
    Shrunk {
        seed,
        failure,
        original,
        shrunk,
        runs: search.runs,
        events: search.events,
        exhausted,
    }
}

/// The seed's own run, recorded.
fn record(simulation: &Arc<dyn Simulation>, seed: u64) -> Case {
    let recorded = simulation.run_recorded(seed, RunOptions::default());
    Case {
        simulation: Arc::clone(simulation),
        plan: recorded.report.plan.clone(),
        choices: recorded.choices,
        report: recorded.report,
    }
}
