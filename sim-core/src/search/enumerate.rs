//! A run's decisions enumerated instead of drawn: [`Enumerator`] is the [`Choices`] source of a
//! search over every run of the engine (`ftsim explore --strategy decisions`). Each decision
//! takes a few outcomes ([`outcomes`]): a chance event happens or not, a decision of at most
//! [`SMALL_DECISION`] outcomes takes each, a ranged one (a delay, a clock offset, a time in a
//! window) takes `values` of them, spread evenly from its simplest outcome to its other end.
//!
//! Runs are enumerated by re-execution, without storing any state: a run follows a prefix of
//! outcomes (each decision's outcome index and count, [`Step`]) and takes the simplest outcome
//! past it. A run's *deviations* are its decisions not at their simplest outcome. A run's
//! children ([`children`]) each move one decision after its last deviation to another
//! outcome, so every run with `b + 1` deviations is the child of exactly one run with `b`: a
//! search that takes the one run with none, then the children of each run it took, level by
//! level, takes every run once, fewest deviations first.
//!
//! Architecture invariant: a run is a pure function of its answers, so a run that follows a path
//! asks, up to the path's end, the decisions with the outcome counts the path recorded; where it
//! does not, the protocol or the engine is not deterministic and [`Enumerator::mismatch`] says
//! where.

use std::hash::{Hash, Hasher};

use crate::entropy::{Choices, DetHasher, Draw, Stream};
use crate::tape::Choice;

/// Decisions with at most this many outcomes take each of them (a node, a count, a tear).
pub const SMALL_DECISION: u64 = 16;

/// How many of a decision's `bound` outcomes an enumeration takes, with `values` outcomes for
/// a ranged decision (at least 1).
pub fn outcomes(draw: Draw, bound: u64, values: u64) -> u64 {
    if bound <= 1 {
        1
    } else if draw.chance_ppm().is_some() {
        2
    } else if bound <= SMALL_DECISION {
        bound
    } else {
        values.clamp(1, bound)
    }
}

/// The outcome taken as the `index`-th of `count` ([`outcomes`]): index 0 is the simplest
/// ([`Draw::simplest`]); a chance event's second outcome makes it happen; a ranged decision's
/// outcomes are spread evenly to its other end, which the last index takes.
pub fn outcome(draw: Draw, bound: u64, index: u64, count: u64) -> u64 {
    let last = bound.saturating_sub(1);
    let simplest = draw.simplest(bound);
    if draw.chance_ppm().is_some() {
        return if index == 0 { simplest } else { 0 };
    }
    let offset = if count >= bound {
        index
    } else if count <= 1 {
        0
    } else {
        (index as u128 * last as u128 / (count - 1) as u128) as u64
    };
    if simplest == 0 {
        offset
    } else {
        last - offset
    }
}

/// One decision of a run: the outcome index taken, how many the decision has, and what it
/// decides (a hash of its stream, draw and bound: a run that follows a prefix must ask the
/// same decisions).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Step {
    /// The outcome taken, 0 for the simplest ([`outcome`]).
    pub index: u32,
    /// How many outcomes the decision has ([`outcomes`]).
    pub count: u32,
    /// What it decides, hashed.
    pub what: u32,
}

/// What a decision decides, as a [`Step`] keeps it.
fn what(stream: Stream, draw: Draw, bound: u64) -> u32 {
    let mut h = DetHasher::default();
    (stream, draw, bound).hash(&mut h);
    h.finish() as u32
}

/// A run's children, as where each departs from it: for each of its decisions at `from` or
/// later (`from`: just past its last deviation), each outcome but the simplest. The child
/// follows `steps` up to that decision, takes that outcome there, the simplest after.
pub fn children(steps: &[Step], from: usize) -> impl Iterator<Item = (usize, Step)> + '_ {
    (steps.iter().enumerate().skip(from))
        .flat_map(|(at, step)| (1..step.count).map(move |index| (at, Step { index, ..*step })))
}

/// The [`Choices`] source that enumerates runs (see the module's doc).
#[derive(Clone, Debug)]
pub struct Enumerator {
    values: u64,
    path: Vec<Step>,
    asked: usize,
    made: Vec<Choice>,
    mismatch: Option<usize>,
}

impl Enumerator {
    /// An enumeration whose ranged decisions take `values` outcomes each (at least 1).
    pub fn new(values: u64) -> Self {
        Enumerator {
            values: values.clamp(1, u64::from(u32::MAX)),
            path: Vec::new(),
            asked: 0,
            made: Vec::new(),
            mismatch: None,
        }
    }

    /// Starts a run that takes the outcomes `prefix` gives to its first decisions and the
    /// simplest to every later one (call before its first decision).
    pub fn follow(&mut self, prefix: &[Step]) {
        self.path.clear();
        self.path.extend_from_slice(prefix);
        self.asked = 0;
        self.made.clear();
        self.mismatch = None;
    }

    /// The run's decisions so far, each with its outcome index and count.
    pub fn steps(&self) -> &[Step] {
        &self.path[..self.asked.min(self.path.len())]
    }

    /// The decisions of the run so far, as answered (a recorded tape of them replays it).
    pub fn made(&self) -> &[Choice] {
        &self.made
    }

    /// The decisions of the run so far not at their simplest outcome.
    pub fn deviations(&self) -> u32 {
        self.steps().iter().filter(|s| s.index > 0).count() as u32
    }

    /// After the run: the first decision (its index in the run) of the prefix it followed
    /// that it asked with another number of outcomes than the run the prefix came from, or
    /// did not ask at all: the run is not a function of its answers.
    pub fn mismatch(&mut self) -> Option<usize> {
        if self.asked < self.path.len() {
            self.mismatch.get_or_insert(self.asked);
        }
        self.mismatch
    }
}

impl Choices for Enumerator {
    fn choose(&mut self, stream: Stream, draw: Draw, bound: u64) -> u64 {
        // At most `values` (a u32) or SMALL_DECISION outcomes.
        let count = outcomes(draw, bound, self.values) as u32;
        let what = what(stream, draw, bound);
        let index = match self.path.get(self.asked) {
            Some(step) if step.count == count && step.what == what => step.index,
            other => {
                if other.is_some() {
                    self.mismatch.get_or_insert(self.asked);
                    self.path.truncate(self.asked);
                }
                self.path.push(Step {
                    index: 0,
                    count,
                    what,
                });
                0
            }
        };
        self.asked += 1;
        let value = outcome(draw, bound, u64::from(index), u64::from(count));
        self.made.push(Choice {
            stream,
            draw,
            bound,
            value,
        });
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::MsgKey;
    use std::collections::BTreeSet;

    const DELAY: Draw = Draw::Delay {
        msg: MsgKey {
            from: 0,
            to: 1,
            seq: 0,
        },
        copy: false,
    };
    const LOSS: Draw = Draw::Loss {
        msg: MsgKey {
            from: 0,
            to: 1,
            seq: 0,
        },
        ppm: 100_000,
    };

    #[test]
    fn a_ranged_decision_takes_its_ends_and_evenly_between() {
        assert_eq!(outcomes(DELAY, 3_000_001, 2), 2);
        let taken: Vec<u64> = (0..3).map(|i| outcome(DELAY, 3_000_001, i, 3)).collect();
        assert_eq!(taken, [0, 1_500_000, 3_000_000]);
        let tail = Draw::DelayTail {
            msg: MsgKey {
                from: 0,
                to: 1,
                seq: 0,
            },
            copy: false,
        };
        // The largest outcome of a tail is its shortest delay: taken first.
        assert_eq!(outcome(tail, 101, 0, 2), 100);
        assert_eq!(outcome(tail, 101, 1, 2), 0);
    }

    #[test]
    fn a_chance_happens_or_not_and_a_small_decision_takes_each_outcome() {
        assert_eq!(outcomes(LOSS, 1_000_000, 5), 2);
        assert!(!LOSS.happens(outcome(LOSS, 1_000_000, 0, 2)));
        assert!(LOSS.happens(outcome(LOSS, 1_000_000, 1, 2)));
        assert_eq!(outcomes(Draw::Pick, 5, 2), 5);
        let picks: Vec<u64> = (0..5).map(|i| outcome(Draw::Pick, 5, i, 5)).collect();
        assert_eq!(picks, [0, 1, 2, 3, 4]);
        assert_eq!(outcomes(Draw::Pick, 1, 2), 1);
    }

    /// A toy run whose decisions depend on earlier answers: a pick of 3, then that many
    /// ranged decisions (2 values each), then a chance only if the first ranged one was long.
    fn toy_run(e: &mut Enumerator, prefix: &[Step]) -> Vec<u64> {
        e.follow(prefix);
        let mut answers = vec![e.choose(Stream::Network, Draw::Pick, 3)];
        for _ in 0..answers[0] {
            answers.push(e.choose(Stream::Network, DELAY, 100));
        }
        if answers.get(1) == Some(&99) {
            answers.push(e.choose(Stream::Network, LOSS, 1_000_000));
        }
        answers
    }

    /// Every run of the toy, level by level, with its deviations.
    fn all_runs() -> Vec<(u32, Vec<u64>)> {
        let mut e = Enumerator::new(2);
        let mut runs = vec![(0, toy_run(&mut e, &[]))];
        let mut level = vec![(e.steps().to_vec(), 0)];
        while !level.is_empty() {
            let mut next = Vec::new();
            for (steps, from) in &level {
                for (at, step) in children(steps, *from) {
                    let mut prefix = steps[..at].to_vec();
                    prefix.push(step);
                    let answers = toy_run(&mut e, &prefix);
                    assert_eq!(e.mismatch(), None);
                    runs.push((e.deviations(), answers));
                    next.push((e.steps().to_vec(), at + 1));
                }
            }
            level = next;
        }
        runs
    }

    #[test]
    fn every_run_is_taken_once_fewest_deviations_first() {
        let runs = all_runs();
        // Pick 0: 1 run; pick 1: short, or long and lost or not (3); pick 2: 2 × 3 (6).
        assert_eq!(runs.len(), 10);
        let distinct: BTreeSet<_> = runs.iter().map(|(_, r)| r).collect();
        assert_eq!(distinct.len(), runs.len());
        assert!(runs.windows(2).all(|w| w[0].0 <= w[1].0));
        assert_eq!(runs[0], (0, vec![0]));
        let one: Vec<_> = runs
            .iter()
            .filter(|(d, _)| *d == 1)
            .map(|(_, r)| r)
            .collect();
        assert_eq!(one, [&vec![1, 0], &vec![2, 0, 0]]);
    }

    #[test]
    fn a_run_that_asks_other_decisions_on_the_same_path_is_a_mismatch() {
        let mut e = Enumerator::new(2);
        e.follow(&[]);
        e.choose(Stream::Network, Draw::Pick, 3);
        e.choose(Stream::Network, DELAY, 100);
        let prefix = e.steps().to_vec();
        e.follow(&prefix);
        e.choose(Stream::Network, Draw::Pick, 4);
        assert_eq!(e.mismatch(), Some(0), "another number of outcomes");
        e.follow(&prefix);
        e.choose(Stream::Process(0), Draw::Pick, 3);
        assert_eq!(e.mismatch(), Some(0), "another stream's decision");
        e.follow(&prefix);
        e.choose(Stream::Network, Draw::Pick, 3);
        assert_eq!(
            e.mismatch(),
            Some(1),
            "a run that stops short of its prefix"
        );
        e.follow(&prefix);
        e.choose(Stream::Network, Draw::Pick, 3);
        e.choose(Stream::Network, DELAY, 100);
        assert_eq!(e.mismatch(), None, "the same run again");
    }
}
