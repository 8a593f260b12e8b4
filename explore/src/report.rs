//! What a search reports: how far it went and how it ended ([`Report`], [`End`]), a
//! violation's path ([`Counterexample`]), and what the checks against a bound on delays
//! ([`Timing`]) and the liveness search ([`LivenessFigures`]) found.

use sim_core::Process;

use super::draws::DrawFigures;
use super::limits::Progress;
use super::model::{DelayBound, Model};
use super::timed::Timed;

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
    pub(crate) fn new<P: Process>(model: &Model<P>) -> Self {
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

    pub(crate) fn progress(&self) -> Progress {
        Progress {
            states: self.states,
            unique: self.unique,
            depth: self.depth,
        }
    }
}

/// What the checks against the bound found in one search.
#[derive(Clone, Debug)]
pub struct Timing {
    /// The declared bound.
    pub bound: DelayBound,
    /// Violations found under asynchrony that no timing within the bound allows.
    pub set_aside: u64,
    /// The first of them (with a breadth-first search, a shortest), as a counterexample.
    pub first_set_aside: Option<Counterexample>,
    /// For the violation reported, the time of each step (nanoseconds; index 0 is the start,
    /// at 0) under which it happens within the bound.
    pub schedule_ns: Option<Vec<u64>>,
}

impl Timing {
    pub(crate) fn new(bound: DelayBound) -> Self {
        Timing {
            bound,
            set_aside: 0,
            first_set_aside: None,
            schedule_ns: None,
        }
    }
}

/// What the liveness search did, for the report.
#[derive(Clone, Copy, Debug, Default)]
pub struct LivenessFigures {
    /// States in the graph.
    pub states: u64,
    /// Edges (transitions between them).
    pub edges: u64,
    /// Components with a cycle, among states where some `eventually` property does not hold.
    pub cycles: u64,
    /// Of those, the ones the scenario's fairness rules out.
    pub unfair: u64,
}
