//! Whether a sweep met its scenario's expectation, and why not, in words.

use crate::scenario::Expect;

use super::Tally;

/// Whether the tally meets `expect` (`sometimes`: the tracked `sometimes` properties, each of
/// which a passing sweep must reach), and the verdict in words: if not, why (every problem,
/// joined); if so, what was found ("met: ...").
pub fn judge(expect: &Expect, sometimes: &[String], t: &Tally) -> (bool, String) {
    let mut problems = Vec::new();
    match expect {
        Expect::Pass => pass_problems(sometimes, t, &mut problems),
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
    // Said for every expectation: a pass's "n of m failed" does not say why.
    if t.budget_exceeded > 0 {
        let (seed, what) = t.first_budget.clone().unwrap_or_default();
        problems.push(format!(
            "{} run(s) exceeded a budget (first: seed {seed}: {what})",
            t.budget_exceeded,
        ));
    }
    if let Some(seed) = t.first_nondeterministic_seed {
        problems.push(format!(
            "{} seed(s) ran differently the second time (first: seed {seed}): something \
             outside the seed reaches the run (a HashMap's order, the clock, shared state)",
            t.nondeterministic
        ));
    }
    if problems.is_empty() {
        (true, met(expect, sometimes, t))
    } else {
        (false, problems.join("; "))
    }
}

/// Why a sweep expected to pass did not: failed runs, `sometimes` properties never reached,
/// planned faults that never fired (the last two: a vacuous sweep).
fn pass_problems(sometimes: &[String], t: &Tally, problems: &mut Vec<String>) {
    if t.failed_runs > 0 {
        problems.push(format!(
            "expected every run to pass, but {} of {} failed",
            t.failed_runs, t.runs
        ));
    }
    for name in sometimes {
        if t.reached.get(name).copied().unwrap_or(0) == 0 {
            problems.push(format!(
                "`sometimes` property \"{name}\" was never reached: the sweep may be vacuous"
            ));
        }
    }
    for never in t.faults.never_fired() {
        problems.push(format!(
            "not one of the {} {} planned fired in {} runs ({}): the sweep may be vacuous",
            never.planned, never.what, t.runs, never.why
        ));
    }
}

/// What a met expectation found, in words: a pass says what passed and which `sometimes`
/// properties were reached; an expected violation says how often it was found and where.
fn met(expect: &Expect, sometimes: &[String], t: &Tally) -> String {
    match expect {
        Expect::Pass => {
            let mut text = format!(
                "met: every run inside the protocol's model passed ({} of {} run(s) \
                 inside it)",
                t.runs - t.outside_runs,
                t.runs
            );
            let reached: Vec<String> = sometimes
                .iter()
                .map(|name| format!("\"{name}\" in {}", t.reached.get(name).unwrap_or(&0)))
                .collect();
            if !reached.is_empty() {
                text.push_str(&format!("; reached {}", reached.join(", ")));
            }
            text
        }
        Expect::Violation(name) => format!(
            "met: \"{name}\" violated inside the protocol's model in {} of {} run(s) (seed {})",
            t.violations.get(name).unwrap_or(&0),
            t.runs,
            t.shortest_by_invariant.get(name).map_or(0, |r| r.1)
        ),
        Expect::Outside(name) => format!(
            "met: \"{name}\" violated outside the protocol's model in {} of {} run(s) (seed {})",
            t.outside_violations.get(name).unwrap_or(&0),
            t.runs,
            t.shortest_outside_by_invariant.get(name).map_or(0, |r| r.1)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pass_that_fails_on_a_budget_says_which_budget() {
        let tally = Tally {
            runs: 3,
            failed_runs: 1,
            budget_exceeded: 1,
            first_budget: Some((7, "messages in flight".into())),
            ..Tally::default()
        };
        let (met, why) = judge(&Expect::Pass, &[], &tally);
        assert!(!met);
        assert_eq!(
            why,
            "expected every run to pass, but 1 of 3 failed; 1 run(s) exceeded a budget \
             (first: seed 7: messages in flight)"
        );
    }
}
