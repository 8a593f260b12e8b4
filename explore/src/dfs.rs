//! Depth-first search: the same states as breadth-first (every reachable one, each expanded
//! once by fingerprint, safety checked on every transition), holding only the current path's
//! states and the fingerprints seen, where breadth-first holds a whole level. The first
//! violation found is on the current path, which is its counterexample: a path, not
//! necessarily a shortest one.
//!
//! With partial-order reduction (`Limits::por`) each frame carries a sleep set (see `sleep`),
//! and each state visited keeps the one it was explored with: a revisit with a set that is not
//! a superset takes the transitions the stored set has and the new one lacks, and stores the
//! intersection (Godefroid's sleep sets with a state cache), so every state is still visited.

use std::collections::BTreeMap;
use std::hash::Hash;

use sim_core::Process;

use super::counterexample::{counterexample, realizable};
use super::draws::{Branches, Taken};
use super::fingerprint::fingerprint;
use super::limits::{Limits, Progress};
use super::model::Model;
use super::report::{End, Report};
use super::seen::Seen;
use super::sleep::{self, Sleep};
use super::state::State;
use super::stepper::{enabled, Stepper};
use super::transition::Transition;

/// How often (in unique states) the caller's `stop` is asked.
const POLL_EVERY: u64 = 1024;

/// A state on the current path and the transitions from it not tried yet.
struct Frame<P: Process> {
    state: State<P>,
    moves: Vec<Transition>,
    next: usize,
    /// The branches of `moves[next]` (its draws' outcomes, see `draws`) taken so far.
    branches: Branches,
    /// With reduction: its sleep set and the transitions taken from it so far.
    sleep: Sleep,
}

/// Explores `model` depth-first within `limits`; `stop` is asked now and then whether to
/// give up (a time limit), and sees the progress.
pub(crate) fn search<P>(
    model: &Model<P>,
    limits: &Limits,
    stop: &mut dyn FnMut(&Progress) -> Option<String>,
) -> Report
where
    P: Process + Clone + Hash,
    P::Stable: Hash,
{
    let mut stepper = Stepper::new(model);
    let (initial, verdict) = stepper.initial();
    let mut report = Report::new(model);
    if let Err(broken) = verdict {
        report.end = End::Violation(counterexample(model, &[], broken));
        return report;
    }
    let mut seen = Seen::new();
    seen.insert(fingerprint(model, limits, &initial));
    let mut moves = Vec::new();
    enabled(model, &initial, &mut moves);
    let mut stack = vec![Frame {
        state: initial,
        moves,
        next: 0,
        branches: Branches::default(),
        sleep: Sleep::new(),
    }];
    // With reduction: the sleep set each state visited was explored with, if not empty.
    let mut stored: BTreeMap<u64, Sleep> = BTreeMap::new();
    // The transitions from the initial state to the top of the stack.
    let mut path: Vec<Taken> = Vec::new();
    // Move lists of popped frames, reused.
    let mut spare: Vec<Vec<Transition>> = Vec::new();
    loop {
        // The depth of the next state: one more than the top's.
        let depth = stack.len() as u32;
        let Some(top) = stack.last_mut() else {
            break;
        };
        let Some(&t) = top.moves.get(top.next) else {
            spare.push(stack.pop().expect("a top frame").moves);
            path.pop();
            continue;
        };
        let Some(plan) = top.branches.next() else {
            top.next += 1;
            top.branches = Branches::default();
            continue;
        };
        let t = Taken { t, plan };
        let mut next = top.state.clone();
        report.states += 1;
        let name = limits.por.then(|| sleep::name(&top.state, t.t));
        let verdict = stepper.take(&mut next, t, depth as u64);
        top.branches.taken(&mut stepper.choices);
        if let Err(broken) = verdict {
            path.push(t);
            if !realizable(model, &mut report, &path, &broken) {
                path.pop();
                continue;
            }
            report.depth = report.depth.max(depth);
            report.end = End::Violation(counterexample(model, &path, broken));
            break;
        }
        let mut inherited = Sleep::new();
        if let Some(mut name) = name {
            name.visible = stepper.visible;
            inherited = sleep::inherit(&top.sleep, &name);
            sleep::add(&mut top.sleep, name);
        }
        let fp = fingerprint(model, limits, &next);
        if !seen.insert(fp) {
            let beyond = limits.max_depth.is_some_and(|d| depth >= d);
            if limits.por && !beyond {
                let mut moves = spare.pop().unwrap_or_default();
                revisit(model, &next, inherited, stored.get_mut(&fp), &mut moves);
                if moves.is_empty() {
                    spare.push(moves);
                } else {
                    let sleep = stored.get(&fp).cloned().unwrap_or_default();
                    path.push(t);
                    stack.push(Frame {
                        state: next,
                        moves,
                        next: 0,
                        branches: Branches::default(),
                        sleep,
                    });
                }
            }
            continue;
        }
        report.depth = report.depth.max(depth);
        report.unique = seen.len() as u64;
        if let Some(limit) = limits.states_reached(report.unique) {
            report.end = End::Limit(limit);
            break;
        }
        if let Some(why) = (report.unique.is_multiple_of(POLL_EVERY))
            .then(|| stop(&report.progress()))
            .flatten()
        {
            report.end = End::Limit(why);
            break;
        }
        if limits.max_depth.is_some_and(|d| depth >= d) {
            report.end = End::Limit(format!("--max-depth {depth}"));
            continue;
        }
        let mut moves = spare.pop().unwrap_or_default();
        enabled(model, &next, &mut moves);
        if limits.por {
            let all = moves.len();
            moves.retain(|&m| !sleep::asleep(&inherited, &sleep::name(&next, m)));
            report.slept += (all - moves.len()) as u64;
            if !inherited.is_empty() {
                stored.insert(fp, inherited.clone());
            }
        }
        path.push(t);
        stack.push(Frame {
            state: next,
            moves,
            next: 0,
            branches: Branches::default(),
            sleep: inherited,
        });
        report.peak_frontier = report.peak_frontier.max(stack.len() as u64);
    }
    report.unique = seen.len() as u64;
    report.seen_bytes = seen.bytes() as u64;
    report.draws = stepper.choices.figures;
    report
}

/// A state seen before, reached again with sleep set `arrived`: into `moves` the transitions
/// its stored set (`stored`, `None`: empty) lets sleep and `arrived` does not, which must now
/// be taken; the stored set becomes the intersection (the new frame's sleep set).
fn revisit<P>(
    model: &Model<P>,
    state: &State<P>,
    arrived: Sleep,
    stored: Option<&mut Sleep>,
    moves: &mut Vec<Transition>,
) where
    P: Process,
{
    moves.clear();
    let Some(stored) = stored else {
        return;
    };
    enabled(model, state, moves);
    moves.retain(|&m| {
        let name = sleep::name(state, m);
        sleep::asleep(stored, &name) && !sleep::asleep(&arrived, &name)
    });
    sleep::intersect(stored, &arrived);
}
