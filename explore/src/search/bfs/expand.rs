//! Expanding one queued state of a breadth-first search: its successors stepped,
//! fingerprinted, judged and looked up in the seen set, the new ones kept for the merge.

use std::hash::Hash;
use std::sync::atomic::{AtomicBool, Ordering};

use sim_core::Process;

use super::{Expansion, Known, Successor};
use crate::draws::{Branches, Taken};
use crate::limits::Limits;
use crate::model::Model;
use crate::search::fingerprint::fingerprint;
use crate::search::links::Place;
use crate::search::seen::Seen;
use crate::search::sleep::{self, Sleep};
use crate::state::State;
use crate::stepper::{Broken, Stepper, Verdict};
use crate::transition::Transition;

/// One state's expansion, with what it shares with the rest of its chunk.
pub(super) struct Expand<'a, 'm, P: Process> {
    pub(super) model: &'a Model<P>,
    pub(super) limits: &'a Limits,
    pub(super) known: Known<'a>,
    pub(super) kept: &'a mut Seen,
    pub(super) stepper: &'a mut Stepper<'m, P>,
    pub(super) exp: &'a mut Expansion,
    /// The chunk's successors, to add this state's to.
    pub(super) found: &'a mut Vec<Successor>,
    /// Successors stepped and fingerprinted whose look-up waits (see [`Expand::all`]): one
    /// buffer for the chunk.
    pub(super) pending: &'a mut Vec<Stepped>,
    /// The successor being built: copied into (see `State::clone_from`) and kept for the
    /// next (a new one is rebuilt when the queue gives it back: see `frontier`).
    pub(super) scratch: &'a mut Option<State<P>>,
}

/// A successor stepped and fingerprinted, its look-up to come.
pub(super) struct Stepped {
    step: Taken,
    place: Place,
    fingerprint: u64,
    /// The sleep set it inherits (empty without reduction).
    sleep: Sleep,
}

impl<P> Expand<'_, '_, P>
where
    P: Process + Clone + Hash,
    P::Stable: Hash,
{
    /// Takes each of `moves` from `state` but those in `sleep` (reduction on), each of its
    /// draws' branches (see `draws`): each successor inherits the sleeping transitions, and
    /// those taken before it, independent of its own.
    ///
    /// A successor with no state check waiting for its look-up is looked up later, after
    /// the next ones are stepped, its slot of the seen set prefetched: the processor then
    /// fetches several at once, not one cache miss after another (Paxos, whose `agreement`
    /// remembers, took 0.93 to 0.96 of the time, paired with 9f61dff in two hours). One
    /// whose checks wait is looked up at once, its state at hand, after those pending before
    /// it: successors are kept in transition order, as one after another, and a violation is
    /// noted after the successors before it.
    pub(super) fn all(&mut self, state: &State<P>, moves: &[Transition], mut sleep: Sleep) {
        let por = self.limits.por;
        let depth = u64::from(self.exp.depth) + 1;
        for (transition, &t) in (0u32..).zip(moves) {
            let name = por.then(|| sleep::name(state, t));
            if name.is_some_and(|n| sleep::asleep(&sleep, &n)) {
                self.exp.slept += 1;
                continue;
            }
            let mut visible = false;
            let mut branches = Branches::default();
            let mut branch = 0;
            while let Some(plan) = branches.next() {
                let place = Place { transition, branch };
                branch += 1;
                if self.limits.stopping() {
                    return; // the search ends at the merge: what is kept here is never used
                }
                let step = Taken { t, plan };
                let next = copy_into(self.scratch, state);
                self.exp.generated += 1;
                let mut verdict = self.stepper.take(next, step, depth);
                branches.taken(&mut self.stepper.choices);
                let mut waits = self.stepper.has_deferred();
                if verdict.is_ok() && waits && self.known.step_read.load(Ordering::Relaxed) {
                    // Every step's checks are judged now: here, while its state is at hand.
                    verdict = check_deferred(self.stepper, self.known.step_read, next, true);
                    waits = false;
                }
                if let Err(broken) = verdict {
                    if self.broke(step, *broken) {
                        return;
                    }
                    continue;
                }
                visible |= self.stepper.visible;
                let fp = fingerprint(self.model, self.limits, next);
                let inherited = match name {
                    Some(mut name) => {
                        name.visible = self.stepper.visible;
                        sleep::inherit(&sleep, &name)
                    }
                    None => Sleep::new(),
                };
                let stepped = Stepped {
                    step,
                    place,
                    fingerprint: fp,
                    sleep: inherited,
                };
                if !waits {
                    self.known.seen.prefetch(fp);
                    self.pending.push(stepped);
                    continue;
                }
                self.look_up_pending();
                let unseen = self.unseen(fp);
                let next = self.scratch.as_mut().expect("stepped above");
                let verdict = check_deferred(self.stepper, self.known.step_read, next, unseen);
                match verdict {
                    Ok(()) => self.keep(stepped, unseen),
                    Err(broken) => {
                        if self.broke(step, *broken) {
                            return;
                        }
                    }
                }
            }
            if let Some(mut name) = name {
                name.visible = visible;
                sleep::add(&mut sleep, name);
            }
        }
        self.look_up_pending();
    }

    /// Notes that `step` broke a property, after looking up the successors before it; true
    /// if the expansion ends there (no bound on delays may set the violation aside).
    fn broke(&mut self, step: Taken, broken: Broken) -> bool {
        self.look_up_pending();
        self.exp.broken.push((step, broken));
        self.model.bound.is_none()
    }

    /// Whether `fp` was seen neither before the batch nor earlier in the chunk.
    fn unseen(&self, fp: u64) -> bool {
        !self.known.seen.contains(fp) && !self.kept.contains(fp)
    }

    /// Looks up the pending successors, in order.
    fn look_up_pending(&mut self) {
        if self.pending.is_empty() {
            return; // the common case where checks wait: before each successor
        }
        let mut pending = std::mem::take(self.pending);
        for stepped in pending.drain(..) {
            let unseen = self.unseen(stepped.fingerprint);
            self.keep(stepped, unseen);
        }
        *self.pending = pending;
    }

    /// Keeps `stepped` if it is new (`unseen` and not kept before); with reduction, every
    /// successor is kept, for its sleep set.
    #[inline]
    fn keep(&mut self, stepped: Stepped, unseen: bool) {
        let fresh = unseen && self.kept.insert(stepped.fingerprint);
        if !fresh && !self.limits.por {
            return;
        }
        self.exp.fresh += 1;
        self.found.push(Successor {
            t: stepped.step,
            place: stepped.place,
            fingerprint: stepped.fingerprint,
            sleep: stepped.sleep,
        });
    }
}

/// `scratch` made a copy of `state` (see `State::clone_from`), to step in place: a state is
/// large, and moving one is a copy.
fn copy_into<'s, P: Process + Clone>(
    scratch: &'s mut Option<State<P>>,
    state: &State<P>,
) -> &'s mut State<P> {
    match scratch {
        Some(scratch) => {
            scratch.clone_from(state);
            scratch
        }
        None => scratch.insert(state.clone()),
    }
}

/// Judges the state checks `stepper`'s last step deferred: for a state not seen before
/// (`unseen`), and for every state once a deferred check read the step (`step_read`, which
/// it sets: see `stepper::judging`).
fn check_deferred<P: Process + Clone>(
    stepper: &mut Stepper<'_, P>,
    step_read: &AtomicBool,
    next: &mut State<P>,
    unseen: bool,
) -> Verdict {
    if !unseen && !step_read.load(Ordering::Relaxed) {
        return Ok(());
    }
    let verdict = stepper.check_deferred(next);
    if stepper.read_the_step() {
        step_read.store(true, Ordering::Relaxed);
    }
    verdict
}
