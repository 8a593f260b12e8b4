//! The explorer against an independent, deliberately simple breadth-first search of the TLA+
//! TwoPhase spec, written straight from its actions over a packed state (no ftsim code): the
//! distinct-state counts and depths must be equal, and equal TLC's published counts.

use std::collections::BTreeSet;

use ftsim_api::RunSpec;
use ftsim_runner::explore::{End, Limits};
use ftsim_runner::simulation::prepare_typed;
use ftsim_runner::Simulation;

use super::{TwoPhaseTla, TwoPhaseTlaParams};

const WORKING: u64 = 0;
const PREPARED: u64 = 1;
const COMMITTED: u64 = 2;
const ABORTED: u64 = 3;
const INIT: u64 = 0;
const TM_COMMITTED: u64 = 1;
const TM_ABORTED: u64 = 2;

/// The spec's state, packed: `rmState` (2 bits per RM), `tmState`, `tmPrepared` (a bit per
/// RM), the `Prepared` messages (a bit per RM), and whether `Commit` / `Abort` were sent.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Spec {
    rm: [u64; 8],
    tm: u64,
    tm_prepared: u64,
    msg_prepared: u64,
    msg_commit: bool,
    msg_abort: bool,
}

impl Spec {
    /// The spec's `Init`: every RM working, the TM in `init`, no messages.
    const INITIAL: Spec = Spec {
        rm: [WORKING; 8],
        tm: INIT,
        tm_prepared: 0,
        msg_prepared: 0,
        msg_commit: false,
        msg_abort: false,
    };
}

/// Every successor of `s` under the spec's `Next`, for `rms` RMs.
fn next(s: Spec, rms: usize) -> Vec<Spec> {
    let mut out = Vec::new();
    let all = (1u64 << rms) - 1;
    for rm in 0..rms {
        let bit = 1 << rm;
        // TMRcvPrepared(rm)
        if s.tm == INIT && s.msg_prepared & bit != 0 {
            out.push(Spec {
                tm_prepared: s.tm_prepared | bit,
                ..s
            });
        }
        // RMPrepare(rm), RMChooseToAbort(rm)
        if s.rm[rm] == WORKING {
            let mut p = s;
            p.rm[rm] = PREPARED;
            p.msg_prepared |= bit;
            out.push(p);
            let mut a = s;
            a.rm[rm] = ABORTED;
            out.push(a);
        }
        // RMRcvCommitMsg(rm), RMRcvAbortMsg(rm)
        for (sent, to) in [(s.msg_commit, COMMITTED), (s.msg_abort, ABORTED)] {
            if sent {
                let mut r = s;
                r.rm[rm] = to;
                out.push(r);
            }
        }
    }
    // TMCommit, TMAbort
    if s.tm == INIT && s.tm_prepared == all {
        out.push(Spec {
            tm: TM_COMMITTED,
            msg_commit: true,
            ..s
        });
    }
    if s.tm == INIT {
        out.push(Spec {
            tm: TM_ABORTED,
            msg_abort: true,
            ..s
        });
    }
    out
}

/// `s` with RM `i` renamed `to[i]`.
fn renamed(s: Spec, to: &[usize]) -> Spec {
    let mut r = Spec {
        rm: [WORKING; 8],
        tm_prepared: 0,
        msg_prepared: 0,
        ..s
    };
    for (i, &j) in to.iter().enumerate() {
        r.rm[j] = s.rm[i];
        r.tm_prepared |= (s.tm_prepared >> i & 1) << j;
        r.msg_prepared |= (s.msg_prepared >> i & 1) << j;
    }
    r
}

/// Every permutation of `0..k`, by brute force.
fn all_permutations(k: usize) -> Vec<Vec<usize>> {
    if k == 0 {
        return vec![Vec::new()];
    }
    let mut out = Vec::new();
    for p in all_permutations(k - 1) {
        for at in 0..=p.len() {
            let mut q = p.clone();
            q.insert(at, k - 1);
            out.push(q);
        }
    }
    out
}

/// The number of states up to renaming the RMs: the least renaming of each reachable state.
fn brute_force_orbits(rms: usize) -> u64 {
    let perms = all_permutations(rms);
    let states = reachable(rms);
    let canonical: BTreeSet<Spec> = (states.iter())
        .map(|&s| perms.iter().map(|p| renamed(s, p)).min().unwrap())
        .collect();
    canonical.len() as u64
}

/// Every reachable state.
fn reachable(rms: usize) -> BTreeSet<Spec> {
    let init = Spec::INITIAL;
    let mut seen = BTreeSet::from([init]);
    let mut todo = vec![init];
    while let Some(s) = todo.pop() {
        for t in next(s, rms) {
            if seen.insert(t) {
                todo.push(t);
            }
        }
    }
    seen
}

/// Distinct states and depth (steps from the initial state to the farthest state).
fn brute_force(rms: usize) -> (u64, u32) {
    let init = Spec::INITIAL;
    let mut seen = BTreeSet::from([init]);
    let mut level = vec![init];
    let mut depth = 0;
    loop {
        let mut fresh = Vec::new();
        for s in level {
            for t in next(s, rms) {
                if seen.insert(t) {
                    fresh.push(t);
                }
            }
        }
        if fresh.is_empty() {
            return (seen.len() as u64, depth);
        }
        depth += 1;
        level = fresh;
    }
}

/// The shipped model's spec for `rms` RMs: the TM and the RMs on a duplicating network.
fn spec(rms: usize) -> RunSpec {
    let mut spec = RunSpec::new(rms + 1);
    spec.network.default.duplicate_ppm = 50_000;
    spec
}

fn explore(rms: usize, early_commit: bool) -> ftsim_runner::explore::Report {
    search(rms, early_commit, false)
}

fn search(rms: usize, early_commit: bool, symmetry: bool) -> ftsim_runner::explore::Report {
    let params = TwoPhaseTlaParams { early_commit };
    let sim = prepare_typed(&TwoPhaseTla, params, spec(rms)).expect("a valid spec");
    let explorer = sim.explorer().expect("two-phase-tla can be explored");
    let limits = Limits {
        symmetry,
        ..Limits::default()
    };
    (explorer.explore(&limits, &mut |_| None)).expect("the search runs")
}

#[test]
fn distinct_states_and_depth_equal_the_specs_for_3_to_6_rms() {
    // TLC's distinct-state counts for TwoPhase (stateright's 2pc example states 288 and 8,832).
    let tlc = [(3, 288), (4, 1_568), (5, 8_832), (6, 50_816)];
    for (rms, expected) in tlc {
        let (unique, depth) = brute_force(rms);
        assert_eq!(unique, expected, "brute force, {rms} RMs");
        let report = explore(rms, false);
        assert!(
            matches!(report.end, End::Complete),
            "{rms} RMs: {:?}",
            report.end
        );
        assert_eq!((report.unique, report.depth), (unique, depth), "{rms} RMs");
    }
}

#[test]
fn early_commit_is_caught_with_a_shortest_counterexample() {
    let report = explore(3, true);
    let End::Violation(cx) = report.end else {
        panic!("expected a violation, got {:?}", report.end);
    };
    assert_eq!(cx.property, "consistent");
    // One RM prepares, the TM receives it and commits, another RM chooses to abort, and an
    // RM receives the commit: five steps, and none shorter exists.
    assert_eq!(cx.steps.len(), 5, "{:#?}", cx.steps);
}

#[test]
fn symmetry_counts_each_renaming_of_the_rms_once() {
    for rms in 3..=5 {
        let orbits = brute_force_orbits(rms);
        let first = search(rms, false, true);
        assert!(
            matches!(first.end, End::Complete),
            "{rms} RMs: {:?}",
            first.end
        );
        assert_eq!(first.unique, orbits, "{rms} RMs");
        assert!(orbits < brute_force(rms).0);
        // The same count on every run: the canonical form depends on the state alone.
        assert_eq!(search(rms, false, true).unique, orbits, "{rms} RMs, again");
    }
}

#[test]
fn symmetry_keeps_the_verdict_and_the_shortest_counterexample() {
    let full = explore(4, true);
    let reduced = search(4, true, true);
    let (End::Violation(a), End::Violation(b)) = (&full.end, &reduced.end) else {
        panic!(
            "both must find the violation: {:?} / {:?}",
            full.end, reduced.end
        );
    };
    assert_eq!((&a.property, a.steps.len()), (&b.property, b.steps.len()));
    assert!(reduced.unique < full.unique);
}
