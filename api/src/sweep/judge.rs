//! Whether a sweep met its scenario's expectation, and why not, in words.

use crate::scenario::Expect;
use crate::simulation::Simulation;

use super::Tally;

/// Whether the tally meets `expect`, and, if not, why (every problem, joined).
pub fn judge(expect: &Expect, sim: &dyn Simulation, t: &Tally) -> (bool, String) {
    let mut problems = Vec::new();
    match expect {
        Expect::Pass => {
            if t.failed_runs > 0 {
                problems.push(format!(
                    "expected every run to pass, but {} of {} failed",
                    t.failed_runs, t.runs
                ));
            }
            for name in sim.spec().sometimes.iter().flatten() {
                if t.reached.get(name).copied().unwrap_or(0) == 0 {
                    problems.push(format!(
                        "`sometimes` property \"{name}\" was never reached: the sweep may be vacuous"
                    ));
                }
            }
        }
        Expect::Violation(name) => {
            if !t.violations.contains_key(name) {
                let outside = t.outside_violations.get(name).copied().unwrap_or(0);
                problems.push(format!(
                    "expected some run inside the protocol's model to violate \"{name}\", but \
                     none of {} did{}",
                    t.runs,
                    if outside > 0 {
                        format!(" ({outside} did outside it)")
                    } else {
                        String::new()
                    }
                ));
            }
        }
        Expect::Outside(name) => {
            if !t.outside_violations.contains_key(name) {
                problems.push(format!(
                    "expected some run outside the protocol's model to violate \"{name}\", but \
                     none of {} did{}",
                    t.runs,
                    match t.violations.get(name) {
                        Some(n) => format!(" ({n} did inside it: a bug, not the model's edge)"),
                        None => String::new(),
                    }
                ));
            }
        }
    }
    if let Some((seed, message)) = &t.first_panic {
        problems.push(format!(
            "{} run(s) panicked (first: seed {seed}: {message})",
            t.panics
        ));
    }
    if t.budget_exceeded > 0 && *expect != Expect::Pass {
        let (seed, what) = t.first_budget.clone().unwrap_or_default();
        problems.push(format!(
            "{} run(s) exceeded a budget (first: seed {seed}: {what})",
            t.budget_exceeded,
        ));
    }
    (problems.is_empty(), problems.join("; "))
}
