//! The fold of a sweep: per-seed results combined in any order into a [`Tally`], so the
//! summary is the same for any number of threads or shards, and its memory does not grow with
//! the number of seeds. Failures inside the protocol's model (bugs) and outside it (faults
//! beyond what it claims) are counted apart.

use std::collections::BTreeMap;

use serde::Serialize;
use sim_core::entropy::DetHasher;
use sim_core::{Outcome, RunReport};

/// Aggregates of a sweep.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    /// Runs folded in.
    pub runs: u64,
    /// Runs that failed inside the protocol's model: a violation inside it, a panic, or a
    /// budget overrun in a run that stayed inside it.
    pub failed_runs: u64,
    /// Property name → runs that violated it inside the model.
    pub violations: BTreeMap<String, u64>,
    /// Property name → the smallest seed that violated it inside the model.
    pub first_seed_by_invariant: BTreeMap<String, u64>,
    /// The lowest seed that failed inside the model.
    pub first_failing_seed: Option<u64>,
    /// Runs whose every failure is outside the model.
    pub outside_runs: u64,
    /// Property name → runs that violated it outside the model.
    pub outside_violations: BTreeMap<String, u64>,
    /// Property name → the smallest seed that violated it outside the model.
    pub first_outside_seed_by_invariant: BTreeMap<String, u64>,
    /// The lowest seed that failed only outside the model, with why it was outside.
    pub first_outside: Option<(u64, String)>,
    /// Runs that panicked.
    pub panics: u64,
    /// The lowest seed that panicked, with the panic's message.
    pub first_panic: Option<(u64, String)>,
    /// Runs cut short by a budget.
    pub budget_exceeded: u64,
    /// The lowest seed cut short by a budget.
    pub first_budget_seed: Option<u64>,
    /// That seed, with the budget it exceeded ("budget exceeded: 1,000,000 events").
    pub first_budget: Option<(u64, String)>,
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

/// The pair with the lower seed.
fn min_pair(a: Option<(u64, String)>, b: Option<(u64, String)>) -> Option<(u64, String)> {
    match (a, b) {
        (Some(a), Some(b)) => Some(if a.0 <= b.0 { a } else { b }),
        (a, b) => a.or(b),
    }
}

/// Counts one run for `name` and keeps the lowest seed.
fn count(
    runs: &mut BTreeMap<String, u64>,
    first: &mut BTreeMap<String, u64>,
    name: &str,
    seed: u64,
) {
    *runs.entry(name.to_string()).or_insert(0) += 1;
    let lowest = first.entry(name.to_string()).or_insert(seed);
    *lowest = (*lowest).min(seed);
}

/// Adds `from` into `into`, keeping the lowest seeds.
fn merge_counts(
    into: (&mut BTreeMap<String, u64>, &mut BTreeMap<String, u64>),
    from: (BTreeMap<String, u64>, BTreeMap<String, u64>),
) {
    for (k, v) in from.0 {
        *into.0.entry(k).or_insert(0) += v;
    }
    for (k, s) in from.1 {
        let e = into.1.entry(k).or_insert(s);
        *e = (*e).min(s);
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
        let mut inside = false;
        for v in &r.violations {
            match v.outside_assumptions {
                None => {
                    inside = true;
                    count(
                        &mut self.violations,
                        &mut self.first_seed_by_invariant,
                        &v.property,
                        seed,
                    );
                }
                Some(_) => count(
                    &mut self.outside_violations,
                    &mut self.first_outside_seed_by_invariant,
                    &v.property,
                    seed,
                ),
            }
        }
        inside |= self.add_outcome(seed, r);
        if inside {
            self.failed_runs += 1;
            self.first_failing_seed = min_opt(self.first_failing_seed, Some(seed));
        } else {
            self.outside_runs += 1;
            let why = r.outside_assumptions.join("; ");
            self.first_outside = min_pair(self.first_outside.take(), Some((seed, why)));
        }
    }

    /// Counts a panic or a budget overrun; true if it is a failure inside the model (a panic
    /// always is; an overrun is unless the run stepped outside the model).
    fn add_outcome(&mut self, seed: u64, r: &RunReport) -> bool {
        match &r.outcome {
            Outcome::Panicked { message, .. } => {
                self.panics += 1;
                self.first_panic = min_pair(self.first_panic.take(), Some((seed, message.clone())));
                true
            }
            Outcome::BudgetExceeded { .. } => {
                self.budget_exceeded += 1;
                self.first_budget_seed = min_opt(self.first_budget_seed, Some(seed));
                let what = r.outcome.budget_text().unwrap_or_default();
                self.first_budget = min_pair(self.first_budget.take(), Some((seed, what)));
                r.outside_assumptions.is_empty()
            }
            _ => false,
        }
    }

    /// Combines two partial tallies (commutative and associative).
    pub fn merge(mut self, other: Tally) -> Tally {
        self.runs += other.runs;
        self.failed_runs += other.failed_runs;
        self.outside_runs += other.outside_runs;
        self.events += other.events;
        self.messages += other.messages;
        self.sweep_hash = self.sweep_hash.wrapping_add(other.sweep_hash);
        merge_counts(
            (&mut self.violations, &mut self.first_seed_by_invariant),
            (other.violations, other.first_seed_by_invariant),
        );
        merge_counts(
            (
                &mut self.outside_violations,
                &mut self.first_outside_seed_by_invariant,
            ),
            (
                other.outside_violations,
                other.first_outside_seed_by_invariant,
            ),
        );
        for (k, v) in other.reached {
            *self.reached.entry(k).or_insert(0) += v;
        }
        self.first_failing_seed = min_opt(self.first_failing_seed, other.first_failing_seed);
        self.first_outside = min_pair(self.first_outside, other.first_outside);
        self.panics += other.panics;
        self.first_panic = min_pair(self.first_panic, other.first_panic);
        self.budget_exceeded += other.budget_exceeded;
        self.first_budget_seed = min_opt(self.first_budget_seed, other.first_budget_seed);
        self.first_budget = min_pair(self.first_budget, other.first_budget);
        self
    }
}
