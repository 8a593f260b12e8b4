//! A counterexample as an ordinary run: the explorer's path is untimed, so each step is given
//! its own virtual time (`step_ns` apart, the first at `step_ns`; for a model bounding
//! delays, at a schedule within the bound when there is one, see `bounded`) and written as a
//! [`Script`] cue (a delivery, a loss, a timer firing, a failure-detector notice) or, for a
//! crash or a recovery, as a fault-plan event at that time. The engine then runs the path's
//! events in the path's order (see `sim_core::script`), so a replay, its timeline and its
//! diagram show the explorer's steps, step `k` at `k × step_ns`.
//!
//! Messages and timers are named as the engine names them: a message by its number on its link, a
//! timer by how many timers its node set before it. On a duplicating link the search keeps a set:
//! each delivery of a message is an arrival of the one the set holds (the first sent of its
//! equals), a copy after the first; an equal message sent meanwhile never arrives. The path is
//! replayed here with a [`Journal`] of the handlers' sends and timers, to number them in the order
//! they were made.

use std::collections::BTreeMap;

use sim_core::{
    Choice, Cue, DropReason, Duration, FaultEvent, FaultKind, FaultPlan, Happening, MsgKey, NodeId,
    Process, Script, Time, TimerId,
};

use super::draws::Taken;
use super::model::Model;
use super::state::State;
use super::stepper::{Journal, Stepper};
use super::transition::Transition;
use sim_core::NodeSet;

/// The spacing of a timed path's steps when the scenario's fault phase has room for it.
const STEP_NS: u64 = 1_000_000;

/// A path as a run: the script of its events and the plan of its crashes and recoveries.
#[derive(Clone, Debug)]
pub struct Timed {
    /// Deliveries, losses, timers and notices, at their steps' times.
    pub script: Script,
    /// Crashes and recoveries, at their steps' times.
    pub plan: FaultPlan,
    /// Virtual time between two steps when they are evenly spaced (step `k` happens at
    /// `k × step_ns`); 0 when they are at a bounded schedule's times.
    pub step_ns: u64,
    /// The time of each step (nanoseconds), in path order.
    pub at_ns: Vec<u64>,
    /// For a model bounding delays (see `bounded`): whether the steps are at times within
    /// the bound (`true`), or evenly spaced because there are no such times in the fault
    /// phase (`false`); `None` for a model without a bound.
    pub within_bound: Option<bool>,
    /// The processes' draws as the search answered them, in order: the run answers its
    /// draws from these (a tape), so it takes the path's branches (see `draws`).
    pub choices: Vec<Choice>,
}

/// Names the path's messages and timers as the engine does.
#[derive(Default)]
struct Names {
    /// A message in flight by (sender, sending number): its key.
    messages: BTreeMap<(NodeId, u32), MsgKey>,
    /// Per node, timers set so far.
    timers_set: BTreeMap<NodeId, u64>,
    /// An armed timer by (node, handle): how many its node had set before it.
    timers: BTreeMap<(NodeId, TimerId), u64>,
}

impl Names {
    /// Names what the handlers just sent and armed.
    fn absorb(&mut self, journal: &mut Journal) {
        journal.made.clear();
        for sent in journal.sends.drain(..) {
            self.messages.insert((sent.key.from, sent.seq), sent.key);
        }
        for (node, id) in journal.timers.drain(..) {
            let ordinal = self.timers_set.entry(node).or_default();
            self.timers.insert((node, id), *ordinal);
            *ordinal += 1;
        }
    }
}

/// Times `path` for a run whose fault phase lasts `duration`: a step every millisecond if the
/// path fits, closer otherwise.
pub(crate) fn timed<P>(model: &Model<P>, path: &[Taken], duration: Duration) -> Timed
where
    P: Process + Clone,
{
    let steps = path.len() as u64 + 1;
    let step_ns = if steps.saturating_mul(STEP_NS) < duration.0 {
        STEP_NS
    } else {
        (duration.0 / (steps + 1)).max(1)
    };
    let at_ns = (1..=path.len() as u64).map(|k| k * step_ns).collect();
    let mut timed = scripted(model, path, at_ns);
    timed.step_ns = step_ns;
    timed
}

/// Times `path` for a run with its steps at `at_ns` (in order, within the fault phase, and
/// simultaneous steps in the order the engine scheduled them): a bounded schedule's times
/// (see `bounded`).
pub(crate) fn timed_at<P>(model: &Model<P>, path: &[Taken], at_ns: Vec<u64>) -> Timed
where
    P: Process + Clone,
{
    let mut timed = scripted(model, path, at_ns);
    timed.within_bound = Some(true);
    timed
}

/// The script and plan of `path` with step `k` at `at_ns[k - 1]`.
fn scripted<P>(model: &Model<P>, path: &[Taken], at_ns: Vec<u64>) -> Timed
where
    P: Process + Clone,
{
    let mut stepper = Stepper::new(model);
    stepper.journal = Some(Journal::default());
    stepper.choices.record = Some(Vec::new());
    let (mut state, _) = stepper.initial();
    let mut names = Names::default();
    names.absorb(stepper.journal.as_mut().expect("set above"));
    let mut timed = Timed {
        script: Script::default(),
        plan: FaultPlan::default(),
        step_ns: 0,
        at_ns: Vec::new(),
        within_bound: None,
        choices: Vec::new(),
    };
    for (k, (&step, &at)) in path.iter().zip(&at_ns).enumerate() {
        let placements = &model.config.placements;
        cue(&mut timed, &names, placements, &state, step.t, Time(at));
        let _ = stepper.take(&mut state, step, k as u64 + 1);
        names.absorb(stepper.journal.as_mut().expect("set above"));
    }
    timed.choices = stepper.choices.record.take().unwrap_or_default();
    timed.at_ns = at_ns;
    timed
}

/// Writes step `t`, taken in `s` at time `at`, into the script or the plan (a first step's
/// placement of the traitors, `placements[i]`, into the plan's Byzantine nodes).
fn cue<P: Process>(
    timed: &mut Timed,
    names: &Names,
    placements: &[NodeSet],
    s: &State<P>,
    t: Transition,
    at: Time,
) {
    let message = |i: u32| {
        let e = &s.net[i as usize];
        names.messages[&(e.from(), e.seq)]
    };
    let mut push = |what| timed.script.cues.push(Cue { at, what });
    match t {
        Transition::Deliver(i) => push(Happening::Deliver { msg: message(i) }),
        Transition::Lose(i) => push(Happening::Drop {
            msg: message(i),
            reason: DropReason::Loss,
        }),
        Transition::Fire { node, index } => {
            let node = node as usize;
            let id = s.armed(node)[index as usize].id;
            let ordinal = names.timers[&(node, id)];
            push(Happening::Fire { node, ordinal });
        }
        Transition::Notice(i) => {
            let n = s.notices()[i as usize];
            push(Happening::Notice {
                node: n.to,
                about: n.about,
                suspect: !n.restore,
            });
        }
        Transition::Crash { node, keep } => {
            let node = node as usize;
            for &seq in &s.net.cuttable(node)[keep as usize..] {
                push(Happening::Drop {
                    msg: names.messages[&(node, seq)],
                    reason: DropReason::SenderCrashed,
                });
            }
            let kind = FaultKind::Crash { node };
            timed.plan.events.push(FaultEvent { at, kind });
        }
        Transition::Recover(node) => {
            let kind = FaultKind::Recover {
                node: node as usize,
            };
            timed.plan.events.push(FaultEvent { at, kind });
        }
        // The nodes start at time zero in every run: the plan names the traitors.
        Transition::Start(placement) => {
            timed.plan.byzantine = placements[placement as usize].iter().collect();
        }
    }
}
