//! A process's random draws as branches of a search. A handler run that draws (a client
//! shuffling its lock order, a server voting no with some chance) may go several ways; a
//! search takes each: the run is repeated once per combination of its draws' outcomes, each a
//! successor of its own (successors that end up equal are one state, by fingerprint, so a
//! draw matters only through what it changes).
//!
//! A combination is a *plan*: the outcome of each branching draw of the run, in the order
//! drawn, four bits each. The first run of a transition answers every draw with its first
//! outcome and notes how many each draw has; the next plan is the previous one counted up
//! like an odometer from its last draw (later draws may differ, or not happen, once an
//! earlier one changes, so they are learnt again on every run). A path keeps each step's plan
//! ([`Taken`]), so a counterexample replays exactly, and its repro feeds the engine the same
//! outcomes (recorded as [`Choice`]s, see `timed`).
//!
//! Bounded, and said so in the report: a draw of more than [`MAX_OUTCOMES`] outcomes (a random
//! delay in nanoseconds, which a search without time cannot tell apart anyway), the draws
//! after a run's [`MAX_BRANCHING_DRAWS`]th, and the draws of the nodes' start (the initial
//! state is one state) are answered with their first outcome; a transition's branches beyond
//! [`MAX_BRANCHES`] are not taken. A chance (`random_chance_ppm`) has two outcomes: it happens
//! or not.

use sim_core::entropy::{Choices, Draw, Stream};
use sim_core::Choice;

use super::rng::WalkRng;
use super::transition::Transition;

/// The most outcomes of a draw a search branches on (a plan keeps four bits per draw).
pub const MAX_OUTCOMES: u64 = 16;
/// The most draws of one handler run a search branches on (a plan has 32 bits).
pub const MAX_BRANCHING_DRAWS: usize = 8;
/// The most branches of one transition a search takes.
pub const MAX_BRANCHES: u32 = 4096;

/// A transition as taken on a path: which one, and the outcomes of its handler's draws.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Taken {
    pub t: Transition,
    /// The outcome of the run's `i`th branching draw in bits `4i..4i + 4`.
    pub plan: u32,
}

/// What the draws of a search did, for its report.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DrawFigures {
    /// Draws the search branched on (each outcome a successor).
    pub branched: u64,
    /// Draws answered with their first outcome only: at a node's start, of more than
    /// [`MAX_OUTCOMES`] outcomes, or after a run's first [`MAX_BRANCHING_DRAWS`] branching ones.
    pub unbranched: u64,
    /// Transitions with more than [`MAX_BRANCHES`] branches, the rest not taken.
    pub cut: u64,
}

impl DrawFigures {
    /// Adds `other`'s counts.
    pub(crate) fn add(&mut self, other: DrawFigures) {
        self.branched += other.branched;
        self.unbranched += other.unbranched;
        self.cut += other.cut;
    }

    /// The counts since `before`.
    pub(crate) fn since(self, before: DrawFigures) -> DrawFigures {
        DrawFigures {
            branched: self.branched - before.branched,
            unbranched: self.unbranched - before.unbranched,
            cut: self.cut - before.cut,
        }
    }
}

/// Answers a process's draws from a plan, learning how many outcomes each has.
#[derive(Default)]
pub(crate) struct Branching {
    plan: u32,
    /// Per branching draw of the current run, its number of outcomes.
    counts: Vec<u8>,
    /// Whether draws branch (not at the nodes' start).
    pub branching: bool,
    /// Sampling: each branching draw answered at random, the plan built as it goes.
    pub random: Option<WalkRng>,
    pub figures: DrawFigures,
    /// Every draw answered, when a path is being timed for a run (`timed`).
    pub record: Option<Vec<Choice>>,
}

impl Branching {
    /// A source that branches (as after the nodes' start).
    pub(crate) fn after_start() -> Self {
        Branching {
            branching: true,
            ..Branching::default()
        }
    }

    /// Answers the next handler run's draws by `plan` (random mode: builds it from 0).
    pub(crate) fn begin(&mut self, plan: u32) {
        self.plan = if self.random.is_some() { 0 } else { plan };
        self.counts.clear();
    }

    /// The plan the last run followed.
    pub(crate) fn plan(&self) -> u32 {
        self.plan
    }

    /// Whether the last run's plan names an outcome of each of its branching draws and
    /// nothing beyond them: the one way to write that branch (a plan asked for by hand may
    /// name an outcome a draw does not have).
    pub(crate) fn plan_fits(&self) -> bool {
        let digits = 4 * self.counts.len() as u32;
        let beyond = self.plan.checked_shr(digits).unwrap_or(0);
        beyond == 0
            && (self.counts.iter().enumerate())
                .all(|(j, &k)| (self.plan >> (4 * j as u32)) & 15 < u32::from(k))
    }
}

/// How many outcomes of a draw of `bound` a search tells apart: a chance happens or not.
fn outcomes(draw: Draw, bound: u64) -> u64 {
    match draw.chance_ppm() {
        Some(_) => 2,
        None => bound,
    }
}

/// The value answering outcome `a` of a draw (a chance: 0 happens, `ppm` does not).
fn value(draw: Draw, a: u64) -> u64 {
    match draw.chance_ppm() {
        Some(ppm) if a > 0 => u64::from(ppm),
        _ => a,
    }
}

impl Choices for Branching {
    fn choose(&mut self, stream: Stream, draw: Draw, bound: u64) -> u64 {
        let k = outcomes(draw, bound);
        let slot = self.counts.len();
        let a = if k <= 1 {
            0
        } else if !self.branching || k > MAX_OUTCOMES || slot >= MAX_BRANCHING_DRAWS {
            self.figures.unbranched += 1;
            0
        } else {
            self.figures.branched += 1;
            self.counts.push(k as u8);
            let shift = 4 * slot as u32;
            match &mut self.random {
                Some(rng) => {
                    let a = rng.below(k);
                    self.plan |= (a as u32) << shift;
                    a
                }
                None => u64::from((self.plan >> shift) & 15).min(k - 1),
            }
        };
        let value = value(draw, a);
        if let Some(record) = &mut self.record {
            record.push(Choice {
                stream,
                draw,
                bound,
                value,
            });
        }
        value
    }
}

/// The plan after `plan` for a run whose branching draws had `counts` outcomes (an
/// odometer, the last draw turning fastest); `None` after the last.
fn next_plan(plan: u32, counts: &[u8]) -> Option<u32> {
    (0..counts.len()).rev().find_map(|j| {
        let shift = 4 * j as u32;
        let a = (plan >> shift) & 15;
        (a + 1 < u32::from(counts[j])).then(|| {
            let kept = plan & ((1u32 << shift) - 1);
            kept | (a + 1) << shift
        })
    })
}

/// The branches of one transition, taken one after another: [`Branches::next`] gives the plan
/// to run, [`Branches::taken`] learns from the run what the next one is.
#[derive(Debug)]
pub(crate) struct Branches {
    next: Option<u32>,
    taken: u32,
}

impl Default for Branches {
    fn default() -> Self {
        Branches {
            next: Some(0),
            taken: 0,
        }
    }
}

impl Branches {
    /// The plan of the next branch, `None` once every one was taken.
    pub(crate) fn next(&mut self) -> Option<u32> {
        let plan = self.next.take()?;
        self.taken += 1;
        Some(plan)
    }

    /// After a run of the plan `next` gave, through `choices`.
    pub(crate) fn taken(&mut self, choices: &mut Branching) {
        let following = next_plan(choices.plan, &choices.counts);
        if following.is_some() && self.taken >= MAX_BRANCHES {
            choices.figures.cut += 1;
            return;
        }
        self.next = following;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every plan of a run drawing `0..3` and then, if it drew 2, a chance.
    #[test]
    fn every_combination_once_later_draws_learnt_again() {
        let mut choices = Branching {
            branching: true,
            ..Branching::default()
        };
        let mut branches = Branches::default();
        let mut seen = Vec::new();
        while let Some(plan) = branches.next() {
            choices.begin(plan);
            let first = choices.choose(Stream::Process(0), Draw::Pick, 3);
            let second = (first == 2)
                .then(|| choices.choose(Stream::Process(0), Draw::Chance { ppm: 7 }, 0));
            seen.push((first, second));
            branches.taken(&mut choices);
        }
        assert_eq!(
            seen,
            [(0, None), (1, None), (2, Some(0)), (2, Some(7))],
            "a chance's outcomes: it happens (0), it does not (ppm)"
        );
        assert_eq!(choices.figures.branched, 6, "one pick per run, two chances");
    }

    #[test]
    fn a_plan_fits_only_the_outcomes_its_draws_have() {
        let mut choices = Branching::after_start();
        let mut fits = |plan: u32| {
            choices.begin(plan);
            choices.choose(Stream::Process(0), Draw::Pick, 3);
            choices.choose(Stream::Process(0), Draw::Chance { ppm: 5 }, 0);
            choices.plan_fits()
        };
        assert!(fits(0) && fits(0x12) && fits(0x02));
        assert!(!fits(0x03), "the pick has outcomes 0..3");
        assert!(!fits(0x20), "the chance has two");
        assert!(!fits(0x100), "there is no third draw");
    }

    #[test]
    fn large_draws_and_the_start_are_not_branched() {
        let mut choices = Branching::default();
        choices.begin(0);
        assert_eq!(choices.choose(Stream::Process(1), Draw::Pick, 2), 0);
        choices.branching = true;
        assert_eq!(choices.choose(Stream::Process(1), Draw::Pick, 1_000), 0);
        assert_eq!(choices.figures.unbranched, 2);
        assert_eq!(next_plan(choices.plan(), &choices.counts), None);
    }
}
