//! Breadth-first search: every state reachable from the initial one, each expanded once (by
//! fingerprint), safety checked on every transition. Breadth-first, the first violation found
//! is at the smallest depth, so its path is a shortest counterexample. A path is kept as a
//! parent link and a transition per unique state, and replayed from the initial state to be
//! described.

use std::collections::VecDeque;
use std::hash::Hash;

use sim_core::Process;

use super::model::Model;
use super::seen::Seen;
use super::state::State;
use super::transition::{enabled, Broken, Stepper, Transition};
use super::{Counterexample, End, Limits, Progress, Report};

/// How often (in unique states) the caller's `stop` is asked.
const POLL_EVERY: u64 = 1024;

/// Explores `model` breadth-first within `limits`; `stop` is asked now and then whether to
/// give up (a time limit), and sees the progress.
pub(crate) fn search<P>(
    model: &Model<P>,
    limits: &Limits,
    stop: &mut dyn FnMut(&Progress) -> bool,
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
    // Per unique state: its parent and the transition that reached it.
    let mut parents: Vec<(u32, Transition)> = vec![(0, Transition::Notice(u32::MAX))];
    let mut queue: VecDeque<(u32, u32, State<P>)> = VecDeque::from([(0, 0, initial)]);
    let mut moves = Vec::new();
    let mut peak_queue = 1;
    let mut expanded = 0u64;
    while let Some((id, depth, state)) = queue.pop_front() {
        expanded += 1;
        report.depth = report.depth.max(depth);
        if limits.max_depth.is_some_and(|d| depth >= d) {
            report.end = End::Limit(format!("--max-depth {}", depth));
            continue;
        }
        enabled(model, &state, &mut moves);
        for &t in &moves {
            let mut next = state.clone();
            report.states += 1;
            if let Err(broken) = stepper.apply(&mut next, t, depth as u64 + 1) {
                let mut path = path_to(&parents, id);
                path.push(t);
                report.depth = depth + 1;
                report.end = End::Violation(counterexample(model, &path, broken));
                return finish(report, &seen, &stepper);
            }
            if seen.insert(fingerprint(model, limits, &next)) {
                parents.push((id, t));
                queue.push_back((parents.len() as u32 - 1, depth + 1, next));
            }
        }
        peak_queue = peak_queue.max(queue.len());
        report.unique = seen.len() as u64;
        if limits.max_states.is_some_and(|m| report.unique >= m) {
            report.end = End::Limit(format!("--max-states {}", report.unique));
            break;
        }
        if expanded.is_multiple_of(POLL_EVERY) && stop(&report.progress()) {
            report.end = End::Limit("--time-limit".into());
            break;
        }
    }
    report.peak_frontier = peak_queue as u64;
    finish(report, &seen, &stepper)
}

/// The state's fingerprint, canonical over renamings if asked (and declared).
pub(crate) fn fingerprint<P>(model: &Model<P>, limits: &Limits, s: &State<P>) -> u64
where
    P: Process + Hash,
    P::Stable: Hash,
{
    match &model.symmetry {
        Some(sym) if limits.symmetry => {
            (sym.canonical)(s, &sym.perms, &|f, t| model.config.link(f, t).fifo)
        }
        _ => s.fingerprint(|n| crashable(model, s, n)),
    }
}

/// Whether `node` may still crash in `s` (then its messages' sending order matters).
fn crashable<P: Process>(model: &Model<P>, s: &State<P>, node: sim_core::NodeId) -> bool {
    s.up[node] && model.config.may_crash[node] && s.crashes < model.config.crash_budget
}

fn finish<P: Process>(mut report: Report, seen: &Seen, stepper: &Stepper<'_, P>) -> Report {
    report.unique = seen.len() as u64;
    report.seen_bytes = seen.bytes() as u64;
    report.random_draws = stepper.choices.draws;
    report
}

/// The transitions from the initial state to unique state `id`.
fn path_to(parents: &[(u32, Transition)], mut id: u32) -> Vec<Transition> {
    let mut path = Vec::new();
    while id != 0 {
        let (parent, t) = parents[id as usize];
        path.push(t);
        id = parent;
    }
    path.reverse();
    path
}

/// Replays `path` from the initial state, describing each step; the last one breaks
/// `broken`'s property (the replay's own verdict is the one reported: same path, same
/// monitors, same message).
pub(crate) fn counterexample<P>(
    model: &Model<P>,
    path: &[Transition],
    broken: Broken,
) -> Counterexample
where
    P: Process + Clone,
{
    let mut stepper = Stepper::new(model);
    let (mut state, mut verdict) = stepper.initial();
    let mut steps = Vec::with_capacity(path.len());
    for (i, &t) in path.iter().enumerate() {
        steps.push(super::describe::describe(&state, t));
        verdict = stepper.apply(&mut state, t, i as u64 + 1);
    }
    let broken = verdict.err().unwrap_or(broken);
    Counterexample {
        property: model.monitors[broken.monitor].name.to_string(),
        message: broken.message,
        steps,
        run: Box::new(super::timed::timed(model, path, model.config.duration)),
        loop_start: None,
        liveness: false,
    }
}

/// A liveness counterexample of the liveness model `model`: its steps described, and timed
/// as a run that follows the stem and one turn of the loop (the property is then judged at
/// the run's end).
pub(crate) fn lasso_counterexample<P>(
    model: &Model<P>,
    lasso: super::lasso::Lasso,
) -> Counterexample
where
    P: Process + Clone,
{
    let mut stepper = Stepper::new(model);
    let (mut state, _) = stepper.initial();
    let mut steps = Vec::with_capacity(lasso.path.len());
    for (i, &t) in lasso.path.iter().enumerate() {
        steps.push(super::describe::describe(&state, t));
        let _ = stepper.apply(&mut state, t, i as u64 + 1);
    }
    Counterexample {
        property: model.monitors[lasso.monitor].name.to_string(),
        message: lasso.message,
        steps,
        run: Box::new(super::timed::timed(
            model,
            &lasso.path,
            model.config.duration,
        )),
        loop_start: lasso.loop_start,
        liveness: true,
    }
}
