//! The fold of a sweep: per-seed results combined in any order into a [`Tally`], so the
//! summary is the same for any number of threads or shards, and its memory does not grow with
//! the number of seeds. Failures inside the protocol's model (bugs) and outside it (faults
//! beyond what it claims) are counted apart.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sim_core::entropy::DetHasher;
use sim_core::{Outcome, RunReport};

use super::coverage::FaultCounts;
use super::figures::MetricTally;
use super::Seeds;

/// Aggregates of a sweep.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
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
    /// What the protocol's metric measured (latency histogram, availability sums).
    pub metrics: MetricTally,
    /// How many times each fault kind happened, over all runs (see `coverage`).
    pub faults: FaultCounts,
    /// Property name → the shortest run that violated it inside the model, as (events, seed):
    /// the one a person wants to replay (ties: the lowest seed).
    pub shortest_by_invariant: BTreeMap<String, (u64, u64)>,
    /// Property name → the shortest run that violated it outside the model, likewise.
    pub shortest_outside_by_invariant: BTreeMap<String, (u64, u64)>,
    /// The shortest run that failed inside the model, as (events, seed).
    pub shortest_failing: Option<(u64, u64)>,
    /// Seeds that ran differently the second time (`--check-determinism`).
    pub nondeterministic: u64,
    /// The lowest such seed.
    pub first_nondeterministic_seed: Option<u64>,
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
        let runs = into.0.entry(k).or_insert(0);
        *runs = runs.saturating_add(v);
    }
    for (k, s) in from.1 {
        let e = into.1.entry(k).or_insert(s);
        *e = (*e).min(s);
    }
}

/// Each property's count, said as runs `verb` it ("violating \"agreement\"").
fn named<'a>(
    counts: &'a BTreeMap<String, u64>,
    verb: &'static str,
) -> impl Iterator<Item = (String, u64)> + 'a {
    (counts.iter()).map(move |(name, &n)| (format!("{verb} \"{name}\""), n))
}

/// Keeps the smaller (events, seed) under `name`.
fn keep_shortest(into: &mut BTreeMap<String, (u64, u64)>, name: &str, run: (u64, u64)) {
    let kept = into.entry(name.to_string()).or_insert(run);
    *kept = (*kept).min(run);
}

/// The smaller (events, seed) of two.
fn shortest(a: Option<(u64, u64)>, b: Option<(u64, u64)>) -> Option<(u64, u64)> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
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
        self.metrics.add(&r.measured);
        self.faults.add_run(r);
        if r.outcome.is_ok() {
            return;
        }
        let mut inside = false;
        for v in &r.violations {
            let run = (r.stats.events, seed);
            match v.outside_assumptions {
                None => {
                    inside = true;
                    count(
                        &mut self.violations,
                        &mut self.first_seed_by_invariant,
                        &v.property,
                        seed,
                    );
                    keep_shortest(&mut self.shortest_by_invariant, &v.property, run);
                }
                Some(_) => {
                    count(
                        &mut self.outside_violations,
                        &mut self.first_outside_seed_by_invariant,
                        &v.property,
                        seed,
                    );
                    keep_shortest(&mut self.shortest_outside_by_invariant, &v.property, run);
                }
            }
        }
        inside |= self.add_outcome(seed, r);
        if inside {
            self.failed_runs += 1;
            self.first_failing_seed = min_opt(self.first_failing_seed, Some(seed));
            self.shortest_failing = shortest(self.shortest_failing, Some((r.stats.events, seed)));
        } else {
            self.outside_runs += 1;
            let why = r.outside_assumptions.join("; ");
            self.first_outside = min_pair(self.first_outside.take(), Some((seed, why)));
        }
    }

    /// Counts a seed whose second run had another trace hash than its first.
    pub fn add_nondeterministic(&mut self, seed: u64) {
        self.nondeterministic += 1;
        self.first_nondeterministic_seed = min_opt(self.first_nondeterministic_seed, Some(seed));
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
                let what = r.outcome.budget_text().unwrap_or_default();
                self.first_budget = min_pair(self.first_budget.take(), Some((seed, what)));
                r.outside_assumptions.is_empty()
            }
            _ => false,
        }
    }

    /// What in this tally no sweep of `seeds` can count (a part of a sweep edited or
    /// corrupted): more runs than seeds, a seed not among them, more runs of one kind
    /// (failed, panicked, violating or reaching a property) than runs in all, more runs
    /// violating one property inside the model than failed inside it, or a metric no run
    /// measures. `None` if a sweep could have counted it.
    pub fn contradiction(&self, seeds: Seeds) -> Option<String> {
        let runs = self.runs;
        if runs > seeds.count {
            return Some(format!("{runs} runs of {} seeds", seeds.count));
        }
        let swept = seeds.range();
        if let Some(seed) = self.seeds_named().find(|seed| !swept.contains(seed)) {
            return Some(format!(
                "seed {seed}, not one of its seeds ({} to {})",
                swept.start,
                swept.end.saturating_sub(1)
            ));
        }
        let kinds = [
            ("failed", self.failed_runs.saturating_add(self.outside_runs)),
            ("panicked", self.panics),
            ("over a budget", self.budget_exceeded),
            ("nondeterministic", self.nondeterministic),
        ];
        let of_all = (kinds.into_iter().map(|(what, n)| (what.to_string(), n)))
            .chain(named(&self.outside_violations, "violating"))
            .chain(named(&self.reached, "reaching"))
            .map(|(what, n)| (what, n, runs, "runs"));
        let of_failed = named(&self.violations, "violating")
            .map(|(what, n)| (what, n, self.failed_runs, "failed runs"));
        let too_many = of_all.chain(of_failed).find(|&(_, n, most, _)| n > most);
        match too_many {
            Some((what, n, most, of)) => Some(format!("{n} runs {what}, of {most} {of}")),
            None => (self.metrics.contradiction()).or_else(|| self.faults.contradiction()),
        }
    }

    /// Every seed the tally names: the lowest and the shortest of each kind of failure.
    fn seeds_named(&self) -> impl Iterator<Item = u64> + '_ {
        let lowest = [
            self.first_failing_seed,
            self.first_outside.as_ref().map(|(seed, _)| *seed),
            self.first_panic.as_ref().map(|(seed, _)| *seed),
            self.first_budget.as_ref().map(|(seed, _)| *seed),
            self.first_nondeterministic_seed,
            self.shortest_failing.map(|(_, seed)| seed),
        ];
        let by_property = (self.first_seed_by_invariant.values())
            .chain(self.first_outside_seed_by_invariant.values())
            .copied();
        let shortest = (self.shortest_by_invariant.values())
            .chain(self.shortest_outside_by_invariant.values())
            .map(|&(_, seed)| seed);
        (lowest.into_iter().flatten())
            .chain(by_property)
            .chain(shortest)
    }

    /// Combines two partial tallies (commutative and associative). Counts saturate: a part
    /// read from a file may claim any number.
    pub fn merge(mut self, other: Tally) -> Tally {
        self.runs = self.runs.saturating_add(other.runs);
        self.failed_runs = self.failed_runs.saturating_add(other.failed_runs);
        self.outside_runs = self.outside_runs.saturating_add(other.outside_runs);
        self.events = self.events.saturating_add(other.events);
        self.messages = self.messages.saturating_add(other.messages);
        self.sweep_hash = self.sweep_hash.wrapping_add(other.sweep_hash);
        self.metrics.merge(other.metrics);
        self.faults.merge(&other.faults);
        self.nondeterministic = self.nondeterministic.saturating_add(other.nondeterministic);
        self.first_nondeterministic_seed = min_opt(
            self.first_nondeterministic_seed,
            other.first_nondeterministic_seed,
        );
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
            let reached = self.reached.entry(k).or_insert(0);
            *reached = reached.saturating_add(v);
        }
        self.first_failing_seed = min_opt(self.first_failing_seed, other.first_failing_seed);
        self.shortest_failing = shortest(self.shortest_failing, other.shortest_failing);
        for (name, run) in other.shortest_by_invariant {
            keep_shortest(&mut self.shortest_by_invariant, &name, run);
        }
        for (name, run) in other.shortest_outside_by_invariant {
            keep_shortest(&mut self.shortest_outside_by_invariant, &name, run);
        }
        self.first_outside = min_pair(self.first_outside, other.first_outside);
        self.panics = self.panics.saturating_add(other.panics);
        self.first_panic = min_pair(self.first_panic, other.first_panic);
        self.budget_exceeded = self.budget_exceeded.saturating_add(other.budget_exceeded);
        self.first_budget = min_pair(self.first_budget, other.first_budget);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sim_core::{PropertyKind, Time, Violation};

    /// A run of `seed` that violated agreement after `events` events.
    fn violated(seed: u64, events: u64) -> RunReport {
        let mut r = RunReport {
            seed,
            outcome: Outcome::Violated,
            ..RunReport::default()
        };
        r.stats.events = events;
        r.violations.push(Violation {
            property: "agreement".into(),
            kind: PropertyKind::Always,
            time: Time::ZERO,
            event: events,
            during: String::new(),
            message: String::new(),
            related: Vec::new(),
            outside_assumptions: None,
            waiting_since: None,
        });
        r
    }

    #[test]
    fn the_replay_seed_is_the_shortest_run_in_any_fold_order() {
        let runs = [(1, 140), (5, 13), (9, 13), (12, 400)];
        let fold = |order: &[usize]| {
            order.iter().fold(Tally::default(), |t, &i| {
                let (seed, events) = runs[i];
                let mut one = Tally::default();
                one.add(seed, &violated(seed, events));
                t.merge(one)
            })
        };
        let forward = fold(&[0, 1, 2, 3]);
        assert_eq!(forward, fold(&[3, 2, 1, 0]));
        assert_eq!(forward, fold(&[2, 0, 3, 1]));
        assert_eq!(
            forward.shortest_by_invariant["agreement"],
            (13, 5),
            "fewest events, then lowest seed"
        );
        assert_eq!(forward.first_seed_by_invariant["agreement"], 1);
        assert_eq!(forward.shortest_failing, Some((13, 5)));
    }
}
