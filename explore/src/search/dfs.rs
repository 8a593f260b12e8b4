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
use super::fingerprint::fingerprint;
use super::seen::Seen;
use super::sleep::{self, Sleep};
use crate::draws::{Branches, Taken};
use crate::limits::{Limits, Progress};
use crate::model::Model;
use crate::report::{End, Report};
use crate::state::State;
use crate::stepper::{enabled, Broken, Stepper};
use crate::transition::Transition;

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

/// The search between two steps: the current path and what it has seen.
struct Dfs<'m, P: Process> {
    model: &'m Model<P>,
    limits: &'m Limits,
    stepper: Stepper<'m, P>,
    report: Report,
    seen: Seen,
    /// The current path's states, the initial one at the bottom.
    stack: Vec<Frame<P>>,
    /// With reduction: the sleep set each state visited was explored with, if not empty.
    stored: BTreeMap<u64, Sleep>,
    /// The transitions from the initial state to the top of the stack.
    path: Vec<Taken>,
    /// Move lists of popped frames, reused.
    spare: Vec<Vec<Transition>>,
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
    let (mut initial, verdict) = stepper.initial();
    let mut report = Report::new(model);
    if let Err(broken) = verdict {
        report.end = End::Violation(counterexample(model, &[], *broken));
        return report;
    }
    let mut seen = Seen::new();
    seen.insert(fingerprint(model, limits, &mut initial));
    let mut moves = Vec::new();
    enabled(model, &initial, &mut moves);
    let mut dfs = Dfs {
        model,
        limits,
        stepper,
        report,
        seen,
        stack: vec![Frame {
            state: initial,
            moves,
            next: 0,
            branches: Branches::default(),
            sleep: Sleep::new(),
        }],
        stored: BTreeMap::new(),
        path: Vec::new(),
        spare: Vec::new(),
    };
    while dfs.step(stop) {}
    dfs.finish()
}

impl<P> Dfs<'_, P>
where
    P: Process + Clone + Hash,
    P::Stable: Hash,
{
    /// Takes the next branch of the next transition from the top of the stack, or pops the
    /// top once it has none; false once the search is over.
    fn step(&mut self, stop: &mut dyn FnMut(&Progress) -> Option<String>) -> bool {
        // The depth of the next state: one more than the top's.
        let depth = self.stack.len() as u32;
        let Some(top) = self.stack.last_mut() else {
            return false;
        };
        let Some(&t) = top.moves.get(top.next) else {
            self.spare
                .push(self.stack.pop().expect("a top frame").moves);
            self.path.pop();
            return true;
        };
        let Some(plan) = top.branches.next() else {
            top.next += 1;
            top.branches = Branches::default();
            return true;
        };
        let t = Taken { t, plan };
        let mut next = top.state.clone();
        self.report.states += 1;
        let name = self.limits.por.then(|| sleep::name(&top.state, t.t));
        let verdict = self.stepper.take(&mut next, t, depth as u64);
        top.branches.taken(&mut self.stepper.choices);
        if let Err(broken) = verdict {
            return self.broken(t, *broken, depth);
        }
        let mut inherited = Sleep::new();
        if let Some(mut name) = name {
            name.visible = self.stepper.visible;
            inherited = sleep::inherit(&top.sleep, &name);
            sleep::add(&mut top.sleep, name);
        }
        let fp = fingerprint(self.model, self.limits, &mut next);
        if !self.seen.insert(fp) {
            self.again(next, fp, inherited, (t, depth));
            return true;
        }
        self.arrive(next, (fp, inherited), (t, depth), stop)
    }

    /// Step `t` at `depth` broke a property: the violation is reported (the search is over:
    /// false) unless the model's bound on delays sets it aside.
    fn broken(&mut self, t: Taken, broken: Broken, depth: u32) -> bool {
        self.path.push(t);
        if !realizable(self.model, &mut self.report, &self.path, &broken) {
            self.path.pop();
            return true;
        }
        self.report.depth = self.report.depth.max(depth);
        self.report.end = End::Violation(counterexample(self.model, &self.path, broken));
        false
    }

    /// A state seen before (fingerprint `fp`), reached again by `t` at `depth` with sleep set
    /// `inherited`: with reduction and within the depth limit, it is visited again for what
    /// its stored set let sleep and this one does not (see [`revisit`]).
    fn again(&mut self, next: State<P>, fp: u64, inherited: Sleep, (t, depth): (Taken, u32)) {
        let beyond = self.limits.max_depth.is_some_and(|d| depth >= d);
        if !self.limits.por || beyond {
            return;
        }
        let mut moves = self.spare.pop().unwrap_or_default();
        revisit(
            self.model,
            &next,
            inherited,
            self.stored.get_mut(&fp),
            &mut moves,
        );
        if moves.is_empty() {
            self.spare.push(moves);
            return;
        }
        let sleep = self.stored.get(&fp).cloned().unwrap_or_default();
        self.descend(t, next, moves, sleep);
    }

    /// Steps down to `next`, reached by `t`, to expand its `moves` with sleep set `sleep`.
    fn descend(&mut self, t: Taken, next: State<P>, moves: Vec<Transition>, sleep: Sleep) {
        self.path.push(t);
        self.stack.push(Frame {
            state: next,
            moves,
            next: 0,
            branches: Branches::default(),
            sleep,
        });
    }

    /// A new state (fingerprint `fp`), reached by `t` at `depth` with sleep set `inherited`:
    /// counted, then pushed to be expanded unless a limit stops there; false if the search
    /// is over.
    fn arrive(
        &mut self,
        next: State<P>,
        (fp, inherited): (u64, Sleep),
        (t, depth): (Taken, u32),
        stop: &mut dyn FnMut(&Progress) -> Option<String>,
    ) -> bool {
        let report = &mut self.report;
        report.depth = report.depth.max(depth);
        report.unique = self.seen.len() as u64;
        if let Some(limit) = self.limits.states_reached(report.unique) {
            report.end = End::Limit(limit);
            return false;
        }
        if let Some(why) = (report.unique.is_multiple_of(POLL_EVERY))
            .then(|| stop(&report.progress()))
            .flatten()
        {
            report.end = End::Limit(why);
            return false;
        }
        if self.limits.max_depth.is_some_and(|d| depth >= d) {
            report.end = End::Limit(format!("--max-depth {depth}"));
            return true;
        }
        let mut moves = self.spare.pop().unwrap_or_default();
        enabled(self.model, &next, &mut moves);
        if self.limits.por {
            let all = moves.len();
            moves.retain(|&m| !sleep::asleep(&inherited, &sleep::name(&next, m)));
            report.slept += (all - moves.len()) as u64;
            if !inherited.is_empty() {
                self.stored.insert(fp, inherited.clone());
            }
        }
        self.descend(t, next, moves, inherited);
        let report = &mut self.report;
        report.peak_frontier = report.peak_frontier.max(self.stack.len() as u64);
        true
    }

    fn finish(mut self) -> Report {
        self.report.unique = self.seen.len() as u64;
        self.report.seen_bytes = self.seen.bytes() as u64;
        self.report.draws = self.stepper.choices.figures;
        self.report
    }
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
