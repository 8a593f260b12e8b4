//! Sampling searches: many seeded runs, each a single path from the initial state, a
//! [`Scheduler`] choosing every step among the enabled transitions. A run ends when the
//! scheduler has nothing to take, at the step cap, or at the first violation, whose path is
//! replayed and described as a breadth-first search's is (not necessarily a shortest one).
//! An `eventually` property the search can follow is judged at every state of a run where
//! nothing more must happen (only a loss or a crash, which may never come, or nothing at all
//! is enabled): a run may stop there, so one that does not hold there is violated, as the
//! exhaustive liveness search reports a lasso without a loop (`lasso`). A sample finds no
//! cycles: that takes the graph of every state.
//! Run `i` draws only from its own generator, seeded by the search's seed and `i`: the same
//! command samples the same runs.

use std::hash::Hash;

use sim_core::{NodeId, Process};

use super::counterexample::{counterexample, realizable};
use super::fingerprint::fingerprint;
use super::lasso::{self, Lasso};
use super::seen::Seen;
use crate::draws::Taken;
use crate::limits::{Limits, Progress};
use crate::model::Model;
use crate::report::{End, Report};
use crate::rng::WalkRng;
use crate::state::State;
use crate::stepper::{enabled, Broken, Stepper};
use crate::transition::Transition;

/// The longest run, in steps, when `--max-depth` does not say.
pub const DEFAULT_RUN_STEPS: u32 = 1000;

/// Who takes a transition, as a scheduler sees it: the node whose handler runs (a delivery's
/// receiver, a timer's or notice's node, a recovering node), or the environment, for a fault
/// (a loss, a crash, or a delivery again of a message the receiver already had on a
/// duplicating link).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Actor {
    Node(NodeId),
    Fault,
}

/// Chooses each step of a run.
pub(crate) trait Scheduler {
    /// Prepares run `rng` is for, over `nodes` nodes, aiming at runs of `k` steps.
    fn begin(&mut self, rng: &mut WalkRng, nodes: usize, k: u32);
    /// The index in `moves` of step `step` (from 1), whose takers are `actors`; `None` ends the
    /// run.
    fn choose(
        &mut self,
        rng: &mut WalkRng,
        step: u32,
        moves: &[Transition],
        actors: &[Actor],
    ) -> Option<usize>;
}

/// A uniformly random walk: each step any enabled transition, faults included, equally likely.
pub(crate) struct Uniform;

impl Scheduler for Uniform {
    fn begin(&mut self, _: &mut WalkRng, _: usize, _: u32) {}

    fn choose(
        &mut self,
        rng: &mut WalkRng,
        _: u32,
        moves: &[Transition],
        _: &[Actor],
    ) -> Option<usize> {
        (!moves.is_empty()).then(|| rng.below(moves.len() as u64) as usize)
    }
}

/// Runs `runs` runs of `scheduler` from seed `seed`, within `limits` (`max_depth` caps a run
/// and is the `k` the scheduler aims at; without it, `k` is the longest run so far, the first
/// run's the cap); `stop` is asked after every run.
pub(crate) fn sample<P>(
    model: &Model<P>,
    limits: &Limits,
    (runs, seed): (u64, u64),
    scheduler: &mut dyn Scheduler,
    stop: &mut dyn FnMut(&Progress) -> Option<String>,
) -> Report
where
    P: Process + Clone + Hash,
    P::Stable: Hash,
{
    let cap = limits.max_depth.unwrap_or(DEFAULT_RUN_STEPS);
    let mut walker = Walker::new(model, limits);
    let (mut initial, verdict) = walker.stepper.initial();
    let mut report = Report::new(model);
    report.states = 0;
    if let Err(broken) = verdict {
        report.end = End::Violation(counterexample(model, &[], *broken));
        return report;
    }
    walker.seen.insert(fingerprint(model, limits, &mut initial));
    let mut k = cap;
    report.end = End::Limit(format!("--runs {runs}"));
    for run in 0..runs {
        let mut rng = WalkRng::new(seed, run);
        scheduler.begin(&mut rng, model.config.n, k);
        let mut state = initial.clone();
        let outcome = walker.run(&mut state, scheduler, &mut rng, cap, &mut report);
        report.runs = run + 1;
        let steps = walker.path.len() as u32;
        report.depth = report.depth.max(steps);
        match outcome {
            Ok(()) => {}
            Err(Stop::Broken(broken)) => {
                if realizable(model, &mut report, &walker.path, &broken) {
                    report.end = End::Violation(counterexample(model, &walker.path, broken));
                    break;
                }
            }
            Err(Stop::Unmet(monitor, message)) => {
                let path = std::mem::take(&mut walker.path);
                let lasso = Lasso {
                    monitor,
                    message,
                    path,
                    loop_start: None,
                };
                report.end = End::Violation(lasso.counterexample(model));
                break;
            }
        }
        if limits.max_depth.is_none() {
            k = report.depth.max(1);
        }
        report.unique = walker.seen.len() as u64;
        if let Some(limit) = limits.states_reached(report.unique) {
            report.end = End::Limit(limit);
            break;
        }
        if let Some(why) = stop(&report.progress()) {
            report.end = End::Limit(why);
            break;
        }
    }
    report.unique = walker.seen.len() as u64;
    report.seen_bytes = walker.seen.bytes() as u64;
    report.draws = walker.stepper.choices.figures;
    report
}

/// Why a run stopped early.
enum Stop {
    /// A safety property broke at the last step.
    Broken(Broken),
    /// An `eventually` property (the monitor) does not hold where the run may stop: its
    /// verdict.
    Unmet(usize, String),
}

/// One run at a time, reusing its buffers.
struct Walker<'m, P: Process> {
    model: &'m Model<P>,
    limits: Limits,
    stepper: Stepper<'m, P>,
    /// The distinct states visited over all runs (a measure of coverage).
    seen: Seen,
    /// The run's transitions so far.
    path: Vec<Taken>,
    moves: Vec<Transition>,
    actors: Vec<Actor>,
    /// Messages on duplicating links delivered in this run, by (from, to, fingerprint): a
    /// further delivery of one is a duplication, a fault.
    delivered: Vec<(NodeId, NodeId, u64)>,
}

impl<'m, P> Walker<'m, P>
where
    P: Process + Clone + Hash,
    P::Stable: Hash,
{
    fn new(model: &'m Model<P>, limits: &Limits) -> Self {
        Walker {
            model,
            limits: *limits,
            stepper: Stepper::new(model),
            seen: Seen::new(),
            path: Vec::new(),
            moves: Vec::new(),
            actors: Vec::new(),
            delivered: Vec::new(),
        }
    }

    /// Runs from `state` until the scheduler stops, `cap` steps, or a violation.
    fn run(
        &mut self,
        state: &mut State<P>,
        scheduler: &mut dyn Scheduler,
        rng: &mut WalkRng,
        cap: u32,
        report: &mut Report,
    ) -> Result<(), Stop> {
        let judges_liveness =
            (self.model.monitors.iter()).any(|m| m.kind == sim_core::PropertyKind::Eventually);
        self.path.clear();
        self.delivered.clear();
        // The handlers' draws: each branching one at random (see `draws`), from a generator
        // of their own, so the scheduler's numbers are those of a run without draws.
        self.stepper.choices.random = Some(rng.for_draws());
        for step in 1..=cap {
            enabled(self.model, state, &mut self.moves);
            if judges_liveness && !lasso::owes_anything(self.model, state, &self.moves) {
                if let Some((monitor, message)) = lasso::unmet(self.model, state) {
                    return Err(Stop::Unmet(monitor, message));
                }
            }
            self.classify(state);
            // The traitors' placement, before the start, is not the scheduler's: uniform.
            let chosen = match state.started {
                true => scheduler.choose(rng, step, &self.moves, &self.actors),
                false => Some(rng.below(self.moves.len() as u64) as usize),
            };
            let Some(i) = chosen else {
                break;
            };
            let t = self.moves[i];
            self.note_delivery(state, t);
            report.states += 1;
            let verdict = self.stepper.take(state, Taken { t, plan: 0 }, step as u64);
            let plan = self.stepper.choices.plan();
            self.path.push(Taken { t, plan });
            verdict.map_err(|broken| Stop::Broken(*broken))?;
            self.seen
                .insert(fingerprint(self.model, &self.limits, state));
        }
        Ok(())
    }

    /// Fills `actors` for `moves` in `state`.
    fn classify(&mut self, state: &State<P>) {
        self.actors.clear();
        for &t in &self.moves {
            let actor = match t {
                Transition::Deliver(i) => {
                    let e = &state.net[i as usize];
                    if self
                        .delivered
                        .binary_search(&(e.from(), e.to(), e.hash()))
                        .is_ok()
                    {
                        Actor::Fault
                    } else {
                        Actor::Node(e.to())
                    }
                }
                Transition::Fire { node, .. } | Transition::Recover(node) => {
                    Actor::Node(node as NodeId)
                }
                Transition::Notice(i) => Actor::Node(state.notices()[i as usize].to),
                Transition::Lose(_) | Transition::Crash { .. } | Transition::Start(_) => {
                    Actor::Fault
                }
            };
            self.actors.push(actor);
        }
    }

    /// Remembers a delivery on a duplicating link (the message stays in flight).
    fn note_delivery(&mut self, state: &State<P>, t: Transition) {
        if let Transition::Deliver(i) = t {
            let e = &state.net[i as usize];
            if self.model.config.link(e.from(), e.to()).duplicating {
                let key = (e.from(), e.to(), e.hash());
                if let Err(at) = self.delivered.binary_search(&key) {
                    self.delivered.insert(at, key);
                }
            }
        }
    }
}
