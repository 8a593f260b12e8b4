//! The fold of a sweep: per-seed results combined in any order into a [`Tally`], so the
//! summary is the same for any number of threads or shards, and its memory does not grow with
//! the number of seeds.

use std::collections::BTreeMap;

use serde::Serialize;
use sim_core::entropy::DetHasher;
use sim_core::{Outcome, RunReport};

/// Aggregates of a sweep.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    /// Runs folded in.
    pub runs: u64,
    /// Runs that violated a property, panicked or exceeded a budget.
    pub failed_runs: u64,
    /// Invariant name → number of runs that violated it.
    pub violations: BTreeMap<String, u64>,
    /// Invariant name → the smallest seed that violated it.
    pub first_seed_by_invariant: BTreeMap<String, u64>,
    /// The lowest failing seed.
    pub first_failing_seed: Option<u64>,
    /// Runs that panicked.
    pub panics: u64,
    /// The lowest seed that panicked, with the panic's message.
    pub first_panic: Option<(u64, String)>,
    /// Runs cut short by a budget.
    pub budget_exceeded: u64,
    /// The lowest seed cut short by a budget.
    pub first_budget_seed: Option<u64>,
    /// Sometimes-property name → number of runs that reached it.
    pub reached: BTreeMap<String, u64>,
    /// Events processed by all runs together.
    pub events: u64,
    /// Messages sent by all runs together.
    pub messages: u64,
    /// Order-independent combination of every (seed, trace hash): equal for equal sweeps.
    pub sweep_hash: u64,
}

fn min_opt(a: Option<u64>, b: Option<u64>) -> Option<u64> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, None) => x,
        (None, y) => y,
    }
}

impl Tally {
    /// Adds one seed's result.
    pub fn add(&mut self, seed: u64, r: &RunReport) {
        self.runs += 1;
        self.events += r.stats.events;
        self.messages += r.stats.messages_sent;
        let mut h = DetHasher::default();
        h.mix(seed);
        h.mix(r.trace_hash);
        self.sweep_hash = self.sweep_hash.wrapping_add(std::hash::Hasher::finish(&h));
        for name in &r.reached {
            *self.reached.entry(name.clone()).or_insert(0) += 1;
        }
        if r.outcome.is_ok() {
            return;
        }
        self.failed_runs += 1;
        self.first_failing_seed = min_opt(self.first_failing_seed, Some(seed));
        for v in &r.violations {
            *self.violations.entry(v.property.clone()).or_insert(0) += 1;
            let first = self
                .first_seed_by_invariant
                .entry(v.property.clone())
                .or_insert(seed);
            *first = (*first).min(seed);
        }
        match &r.outcome {
            Outcome::Panicked { message, .. } => {
                self.panics += 1;
                if self.first_panic.as_ref().is_none_or(|(s, _)| seed < *s) {
                    self.first_panic = Some((seed, message.clone()));
                }
            }
            Outcome::BudgetExceeded { .. } => {
                self.budget_exceeded += 1;
                self.first_budget_seed = min_opt(self.first_budget_seed, Some(seed));
            }
            _ => {}
        }
    }

    /// Combines two partial tallies (commutative and associative).
    pub fn merge(mut self, other: Tally) -> Tally {
        self.runs += other.runs;
        self.failed_runs += other.failed_runs;
        self.events += other.events;
        self.messages += other.messages;
        self.sweep_hash = self.sweep_hash.wrapping_add(other.sweep_hash);
        for (k, v) in other.violations {
            *self.violations.entry(k).or_insert(0) += v;
        }
        for (k, s) in other.first_seed_by_invariant {
            let e = self.first_seed_by_invariant.entry(k).or_insert(s);
            *e = (*e).min(s);
        }
        for (k, v) in other.reached {
            *self.reached.entry(k).or_insert(0) += v;
        }
        self.first_failing_seed = min_opt(self.first_failing_seed, other.first_failing_seed);
        self.panics += other.panics;
        self.first_panic = match (self.first_panic, other.first_panic) {
            (Some(a), Some(b)) => Some(if a.0 <= b.0 { a } else { b }),
            (a, b) => a.or(b),
        };
        self.budget_exceeded += other.budget_exceeded;
        self.first_budget_seed = min_opt(self.first_budget_seed, other.first_budget_seed);
        self
    }
}
