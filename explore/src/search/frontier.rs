//! The queue of a breadth-first search, holding states by their parents. An entry is the step
//! that reached it from its parent; a parent is held once, counted by its entries still
//! queued, and dropped when the last of them is taken. A level then costs one state per
//! parent with new successors, not one per successor (a few bytes each). An entry's state is
//! rebuilt when it is taken: a copy of its parent (the parent itself for its last entry), the
//! step taken again. Stepping is a pure function of the state and the step (its draws
//! answered by the step's plan), so the rebuilt state is the one the search found.

use std::collections::VecDeque;
use std::hash::Hash;

use sim_core::Process;

use crate::draws::Taken;
use crate::state::State;
use crate::stepper::Stepper;

/// A state waiting in the queue.
pub(crate) struct Entry {
    /// Its unique-state number.
    pub id: u32,
    pub depth: u32,
    pub fingerprint: u64,
    /// Its parent's slot and the step from it (`None`: the initial state).
    from: Option<(u32, Taken)>,
}

/// A held parent: its state and how many of its entries are still queued.
struct Held<P: Process> {
    state: State<P>,
    queued: u32,
}

/// The queue, and the parents its entries are rebuilt from.
pub(crate) struct Frontier<P: Process> {
    entries: VecDeque<Entry>,
    initial: Option<State<P>>,
    /// By slot; `None`: free (its number in `free`).
    parents: Vec<Option<Held<P>>>,
    free: Vec<u32>,
    /// States done with, to copy a rebuilt state into (see [`Frontier::recycle`]).
    spare: Vec<State<P>>,
}

/// The most states kept to copy into: enough for a batch's states that had no new
/// successor, few enough to cost nothing next to the queue.
const SPARE_STATES: usize = 64;

impl<P> Frontier<P>
where
    P: Process + Clone + Hash,
    P::Stable: Hash,
{
    /// A queue holding the initial state (unique state 0).
    pub(crate) fn new(initial: State<P>, fingerprint: u64) -> Self {
        Frontier {
            entries: VecDeque::from([Entry {
                id: 0,
                depth: 0,
                fingerprint,
                from: None,
            }]),
            initial: Some(initial),
            parents: Vec::new(),
            free: Vec::new(),
            spare: Vec::new(),
        }
    }

    /// Entries queued.
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The queued entries' depths, front first.
    pub(crate) fn depths(&self) -> impl Iterator<Item = u32> + '_ {
        self.entries.iter().map(|e| e.depth)
    }

    /// Holds `state` as the parent of entries about to be queued; its slot.
    pub(crate) fn hold(&mut self, state: State<P>) -> u32 {
        let held = Some(Held { state, queued: 0 });
        match self.free.pop() {
            Some(slot) => {
                self.parents[slot as usize] = held;
                slot
            }
            None => {
                self.parents.push(held);
                self.parents.len() as u32 - 1
            }
        }
    }

    /// Queues unique state `id` at `depth`, reached from the parent held in `slot` by `step`.
    pub(crate) fn push(&mut self, id: u32, depth: u32, fingerprint: u64, slot: u32, step: Taken) {
        let held = self.parents[slot as usize].as_mut();
        held.expect("a parent is held while it has entries").queued += 1;
        self.entries.push_back(Entry {
            id,
            depth,
            fingerprint,
            from: Some((slot, step)),
        });
    }

    /// Keeps `state`, expanded and not held, to copy a state into as it is rebuilt: its
    /// buffers are reused, not allocated again.
    pub(crate) fn recycle(&mut self, state: State<P>) {
        if self.spare.len() < SPARE_STATES {
            self.spare.push(state);
        }
    }

    /// Takes the front entry with its state, rebuilt by `stepper` from its parent (which its
    /// last entry takes).
    pub(crate) fn pop(&mut self, stepper: &mut Stepper<'_, P>) -> Option<(Entry, State<P>)> {
        let entry = self.entries.pop_front()?;
        let Some((slot, step)) = entry.from else {
            let initial = self
                .initial
                .take()
                .expect("the initial state is taken once");
            return Some((entry, initial));
        };
        let parent = &mut self.parents[slot as usize];
        let held = parent.as_mut().expect("a parent outlives its entries");
        held.queued -= 1;
        // The last entry takes the parent itself; the others a copy.
        let mut state = match held.queued {
            0 => {
                self.free.push(slot);
                parent.take().expect("held above").state
            }
            _ => match self.spare.pop() {
                Some(mut spare) => {
                    spare.clone_from(&held.state);
                    spare
                }
                None => held.state.clone(),
            },
        };
        let rebuilt = stepper.take(&mut state, step, u64::from(entry.depth));
        debug_assert!(
            rebuilt.is_ok(),
            "a queued state was reached without a violation"
        );
        state.cache_node_hashes();
        Some((entry, state))
    }
}
