//! The state-space explorer (`ftsim explore`): a search over the states of a protocol
//! under the asynchronous semantics, instead of runs timed by a seed. At each step any message
//! in flight may be delivered, any armed timer may fire, and, where the scenario allows,
//! a message may be lost or delivered again, a node may crash (within the scenario's crash
//! budget) or recover, and a failure-detector notice may arrive. States are told apart by a
//! fingerprint of every process, its stable storage and armed timers, the messages in flight,
//! the pending notices and the property monitors' memory. A handler's random draws are
//! branches too (see `draws`): one successor per combination of their outcomes, bounded.
//!
//! The explorer knows the engine (`sim-core`) and nothing of protocols, scenarios or the
//! command line: the runner describes what to search as a [`Model`] (the scenario's
//! [`Config`], a process factory, the monitors a search can follow, the adversary, the
//! symmetry and the bound on delays), and gets a [`Report`]. Handlers are the same code the
//! engine runs, through [`sim_core::step`]; a process must be `Clone + Hash` (derived) and
//! its types `Send` (a breadth-first search may expand states on several threads).
//!
//! Its modules, from the ground up, each importing only those before it: what a scenario
//! allows and a search is asked (`config`, `limits`, `strategy`); a state and what its
//! fingerprint needs (`zone`, `state`, `symmetry`); what a search is given (`model`); a step
//! (`transition`), its handlers' draws (`rng`, `draws`), its timing (`zone_graph`) and taking
//! it (`stepper`); what a path says: in words (`describe`), as a run (`timed`), under a bound
//! on delays (`bounded`); what a search reports (`report`); the searches (`search`); a search
//! driven by hand (`by_hand`, for `ftsim debug`); and here, the entry ([`Explorer`]).

mod bounded;
mod by_hand;
mod config;
mod describe;
mod draws;
mod huge_pages;
mod interned;
mod limits;
mod model;
mod network;
mod prefetch;
mod report;
mod rng;
mod search;
mod shared;
mod state;
mod stepper;
mod strategy;
mod symmetry;
mod timed;
mod timers;
mod transition;
mod version;
mod zone;
mod zone_graph;

use sim_core::Searchable;

use search::{bfs, dfs, lasso, pct, walk};

pub use by_hand::{
    FromRun, InFlight, Move, MoveKind, MoveShown, NodeShown, Onward, PathError, Position,
    PropertyShown, Status, StepShown, Until, Walked, MAX_PATH_STEPS, MAX_SHOWN_BRANCHES,
};
pub use config::{Config, LinkRule, MAX_PLACEMENTS};
pub use draws::{
    DrawFigures, MAX_BRANCHES, MAX_BRANCHING_DRAWS, MAX_OUTCOMES as MAX_DRAW_OUTCOMES,
};
pub use limits::{Limits, Progress};
pub use model::{
    Adversary, AdversaryMaker, DelayBound, Factory, Model, MonitorDef, MonitorMaker, Symmetry,
};
pub use report::{Counterexample, End, LivenessFigures, Report, Timing, PANIC};
pub use search::walk::DEFAULT_RUN_STEPS;
pub use strategy::{Order, Strategy, MAX_BUG_DEPTH};
pub use timed::Timed;

/// A prepared search of one scenario.
pub trait Explorer {
    /// Explores breadth-first within `limits`; `stop` is asked every so often (with the
    /// progress so far) whether to give up, as a time or memory limit does: `Some(option)`
    /// names the limit that ended it ("--time-limit 30s"), as the report will. An error says
    /// why the search cannot be done as asked (symmetry the protocol does not declare).
    fn explore(
        &self,
        limits: &Limits,
        stop: &mut dyn FnMut(&Progress) -> Option<String>,
    ) -> Result<Report, String>;

    /// Searches with `strategy` within `limits` (for a sampling strategy, `max_depth` caps
    /// each run); `stop` as for [`Explorer::explore`]. An error says why the search cannot be
    /// done as asked.
    fn search(
        &self,
        strategy: &Strategy,
        limits: &Limits,
        stop: &mut dyn FnMut(&Progress) -> Option<String>,
    ) -> Result<Report, String>;

    /// Why [`Explorer::search`] would refuse `strategy` with `limits`, if it would: asked
    /// before a search is announced, so a refused one prints nothing but its error.
    fn refusal(&self, strategy: &Strategy, limits: &Limits) -> Option<String>;

    /// Where `path` leads, for a search driven by hand (`ftsim debug`): replayed from the
    /// initial state by the search's own stepper, with every move enabled next.
    fn position(&self, path: &[Move]) -> Result<Position, PathError>;

    /// `path` extended by seeded random runs, as `onward` asks.
    fn onward(&self, path: &[Move], onward: &Onward) -> Result<Walked, PathError>;

    /// An engine run's trace as a path of moves, as far as a search can follow it.
    fn path_of_run(&self, trace: &[sim_core::TraceEvent]) -> FromRun;
}

impl<P> Explorer for Model<P>
where
    P: Searchable,
{
    fn explore(
        &self,
        limits: &Limits,
        stop: &mut dyn FnMut(&Progress) -> Option<String>,
    ) -> Result<Report, String> {
        self.search(
            &Strategy::Exhaustive {
                order: Order::Breadth,
            },
            limits,
            stop,
        )
    }

    fn refusal(&self, strategy: &Strategy, limits: &Limits) -> Option<String> {
        let refusal = if limits.symmetry && strategy.samples() {
            "symmetry reduction applies to an exhaustive search only"
        } else if limits.symmetry && self.symmetry.is_none() {
            "the protocol declares no interchangeable nodes (symmetry)"
        } else if limits.symmetry && self.config.crash_budget > 0 {
            "symmetry reduction does not support crashes yet"
        } else if limits.symmetry && !self.config.placements.is_empty() {
            "symmetry reduction does not support Byzantine nodes yet"
        } else if limits.por && strategy.samples() {
            "partial-order reduction applies to an exhaustive search only"
        } else if limits.por && limits.symmetry {
            SLEEP_WITH_SYMMETRY
        } else if limits.por && self.bound.is_some() {
            SLEEP_WITH_TIME
        } else {
            return None;
        };
        Some(refusal.into())
    }

    fn position(&self, path: &[Move]) -> Result<Position, PathError> {
        by_hand::position(self, path)
    }

    fn onward(&self, path: &[Move], onward: &Onward) -> Result<Walked, PathError> {
        by_hand::onward(self, path, onward)
    }

    fn path_of_run(&self, trace: &[sim_core::TraceEvent]) -> FromRun {
        by_hand::path_of_run(self, trace)
    }

    fn search(
        &self,
        strategy: &Strategy,
        limits: &Limits,
        stop: &mut dyn FnMut(&Progress) -> Option<String>,
    ) -> Result<Report, String> {
        if let Some(refusal) = self.refusal(strategy, limits) {
            return Err(refusal);
        }
        // Handlers' panics are findings inside each step; a panic between steps (copying or
        // hashing a state) ends the search here, with what panicked.
        let searched = sim_core::engine::guarded(|| self.run_strategy(strategy, limits, stop));
        searched.unwrap_or_else(|why| {
            Ok(Report {
                end: End::Panicked(why),
                ..Report::new(self)
            })
        })
    }
}

impl<P> Model<P>
where
    P: Searchable,
{
    /// [`Explorer::search`] once its options are checked: the strategy, then the liveness
    /// search after a complete exhaustive one.
    fn run_strategy(
        &self,
        strategy: &Strategy,
        limits: &Limits,
        stop: &mut dyn FnMut(&Progress) -> Option<String>,
    ) -> Result<Report, String> {
        // A sample follows the `eventually` properties too, where it can (see `search::walk`).
        let sampled = self.liveness.as_deref().unwrap_or(self);
        let mut report = match *strategy {
            Strategy::Exhaustive {
                order: Order::Breadth,
            } => bfs::search(self, limits, stop)?,
            Strategy::Exhaustive {
                order: Order::Depth,
            } => dfs::search(self, limits, stop),
            Strategy::Pct {
                runs,
                seed,
                bug_depth,
            } => walk::sample(
                sampled,
                limits,
                (runs, seed),
                &mut pct::Pct::new(bug_depth),
                stop,
            ),
            Strategy::Random { runs, seed } => {
                walk::sample(sampled, limits, (runs, seed), &mut walk::Uniform, stop)
            }
        };
        let exhaustive = matches!(strategy, Strategy::Exhaustive { .. });
        if let (true, End::Complete, Some(live)) = (exhaustive, &report.end, &self.liveness) {
            let mut figures = LivenessFigures::default();
            report.end = match lasso::check(live, limits, stop, &mut figures) {
                lasso::Verdict::Holds => End::Complete,
                lasso::Verdict::Limit(which) => End::Limit(which),
                lasso::Verdict::Violated(lasso) => End::Violation(lasso.counterexample(live)),
            };
            report.liveness = Some(figures);
        }
        Ok(report)
    }
}

/// Why `--por` and `--symmetry` are not combined.
pub const SLEEP_WITH_SYMMETRY: &str = "partial-order reduction cannot be combined with \
    symmetry reduction: sleep sets name transitions by node, and a canonical state forgets \
    which renaming reached it (use one or the other)";

/// Why `--por` is refused where the model bounds delays.
pub const SLEEP_WITH_TIME: &str = "partial-order reduction does not apply where the \
    protocol's model bounds message delays: the search keeps time there, and two steps at \
    different nodes taken in either order leave different constraints on the times ahead";
