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

mod bfs;
mod bounded;
mod config;
mod describe;
mod dfs;
mod draws;
mod lasso;
mod model;
mod pct;
mod rng;
mod seen;
mod sleep;
mod state;
mod stepper;
mod strategy;
mod symmetry;
mod timed;
mod transition;
mod walk;
mod zone;
mod zone_graph;

use std::hash::Hash;
use std::sync::atomic::{AtomicBool, Ordering};

use sim_core::Process;

pub use bounded::Timing;
pub use config::{Config, LinkRule, MAX_PLACEMENTS};
pub use draws::{
    DrawFigures, MAX_BRANCHES, MAX_BRANCHING_DRAWS, MAX_OUTCOMES as MAX_DRAW_OUTCOMES,
};
pub use lasso::Figures as LivenessFigures;
pub use model::{
    Adversary, AdversaryMaker, DelayBound, Factory, Model, MonitorDef, MonitorMaker, Symmetry,
};
pub use strategy::{Order, Strategy, MAX_BUG_DEPTH};
pub use timed::Timed;
pub use walk::DEFAULT_RUN_STEPS;

/// How far a search may go; `None`: no bound.
#[derive(Clone, Copy, Debug, Default)]
pub struct Limits {
    /// Do not expand states this many steps from the initial one.
    pub max_depth: Option<u32>,
    /// Stop once this many unique states were found.
    pub max_states: Option<u64>,
    /// Deduplicate states up to renamings of the protocol's interchangeable nodes.
    pub symmetry: bool,
    /// Threads that expand states in a breadth-first exhaustive search (0 or 1: the calling
    /// thread only). Every count gives the same report; other strategies use one thread.
    pub threads: usize,
    /// Partial-order reduction (sleep sets) in the exhaustive safety search: the same states,
    /// depth and verdict, fewer transitions taken. Not with symmetry; liveness unreduced.
    pub por: bool,
    /// Raised by the caller (from another thread: a watch of time or memory) to stop the
    /// search at once: the breadth-first search reads it between successors, then asks its
    /// `stop` which limit it was.
    pub stop_now: Option<&'static AtomicBool>,
}

impl Limits {
    /// Whether the caller raised [`Limits::stop_now`].
    pub(crate) fn stopping(&self) -> bool {
        self.stop_now
            .is_some_and(|flag| flag.load(Ordering::Relaxed))
    }

    /// The limit that ends a search once it found `unique` distinct states, in the words of
    /// its option (`--max-states M`, M as given: the figures say how many were found).
    pub(crate) fn states_reached(&self, unique: u64) -> Option<String> {
        let max = self.max_states.filter(|&max| unique >= max)?;
        Some(format!("--max-states {max}"))
    }
}

/// Where a search is, for a progress line and a time limit.
#[derive(Clone, Copy, Debug, Default)]
pub struct Progress {
    /// Transitions taken (states generated, counting revisits).
    pub states: u64,
    /// Distinct states found.
    pub unique: u64,
    /// The deepest level reached.
    pub depth: u32,
}

/// How a search ended.
#[derive(Clone, Debug)]
pub enum End {
    /// Every reachable state was visited and no checked property failed.
    Complete,
    /// A property failed; the counterexample is a shortest path to it.
    Violation(Counterexample),
    /// A limit stopped the search before every state was visited (which limit).
    Limit(String),
    /// Code the search calls between steps panicked (why): a process's or a message's
    /// `Clone` or `Hash`, or an adversary's or a property's snapshot or fingerprint. The
    /// search cannot go on, and no run shows it (the engine never copies or hashes a state),
    /// so there is no counterexample; nothing was judged.
    Panicked(String),
}

/// A path to a state where a property fails.
#[derive(Clone, Debug)]
pub struct Counterexample {
    /// The property's table name.
    pub property: String,
    /// Its verdict at the last step.
    pub message: String,
    /// Each step in words, from the initial state (every node started).
    pub steps: Vec<String>,
    /// The path as an ordinary run: step `k` at `k × step_ns`, or at a schedule within the
    /// model's bound on delays (see [`Timed::within_bound`]).
    pub run: Box<Timed>,
    /// For an `eventually` property: the step where the loop starts, which the run repeats
    /// forever under the scenario's fairness; `None` for a path ending where the property
    /// fails (a safety violation, or a liveness one where nothing more must happen).
    pub loop_start: Option<usize>,
    /// Whether the property is an `eventually` one (judged over the whole run).
    pub liveness: bool,
    /// Whether the protocol's code panicked at the last step (a handler, an adversary or a
    /// property's judgement) rather than a property failing; `property` is then [`PANIC`].
    pub panicked: bool,
}

/// What a counterexample's `property` says when the protocol's code panicked.
pub const PANIC: &str = "panic";

/// What a search did and found.
#[derive(Clone, Debug)]
pub struct Report {
    /// Transitions taken (states generated, counting revisits), as TLC's "states generated".
    pub states: u64,
    /// Distinct states, the initial one included (TLC's "distinct states").
    pub unique: u64,
    /// The largest number of steps from the initial state to a state visited (TLC's "depth"
    /// counts states, so it is this plus one).
    pub depth: u32,
    /// How it ended.
    pub end: End,
    /// The most states waiting in the frontier at once.
    pub peak_frontier: u64,
    /// Bytes of the visited-fingerprint table.
    pub seen_bytes: u64,
    /// Checked properties the search cannot follow (declared for runs only): not checked.
    pub unchecked: Vec<&'static str>,
    /// The processes' random draws: branched on, or answered with their first outcome only
    /// (see [`DrawFigures`]).
    pub draws: DrawFigures,
    /// The liveness search's figures, when it ran (`eventually` properties a search can
    /// follow, and the safety search complete).
    pub liveness: Option<LivenessFigures>,
    /// Runs done by a sampling strategy (PCT, random), the one that found a violation
    /// included; 0 for an exhaustive search.
    pub runs: u64,
    /// With partial-order reduction: transitions not taken because they were asleep (an
    /// equivalent order was taken elsewhere).
    pub slept: u64,
    /// For a protocol whose model bounds message delays: the violations checked against the
    /// bound (see `bounded`); `None` for an asynchronous model.
    pub timing: Option<Timing>,
}

impl Report {
    fn new<P: Process>(model: &Model<P>) -> Self {
        Report {
            states: 1,
            unique: 1,
            depth: 0,
            end: End::Complete,
            peak_frontier: 1,
            seen_bytes: 0,
            unchecked: model.unchecked.clone(),
            draws: DrawFigures::default(),
            liveness: None,
            runs: 0,
            slept: 0,
            timing: model.bound.clone().map(Timing::new),
        }
    }

    fn progress(&self) -> Progress {
        Progress {
            states: self.states,
            unique: self.unique,
            depth: self.depth,
        }
    }
}

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
}

impl<P> Explorer for Model<P>
where
    P: Process + Clone + Hash + Send,
    P::Stable: Hash + Send,
    P::Msg: Send,
    P::Timer: Send,
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
    P: Process + Clone + Hash + Send,
    P::Stable: Hash + Send,
    P::Msg: Send,
    P::Timer: Send,
{
    /// [`Explorer::search`] once its options are checked: the strategy, then the liveness
    /// search after a complete exhaustive one.
    fn run_strategy(
        &self,
        strategy: &Strategy,
        limits: &Limits,
        stop: &mut dyn FnMut(&Progress) -> Option<String>,
    ) -> Result<Report, String> {
        // A sample follows the `eventually` properties too, where it can (see `walk`).
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
                lasso::Verdict::Violated(lasso) => {
                    End::Violation(bfs::lasso_counterexample(live, lasso))
                }
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
