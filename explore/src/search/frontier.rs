//! The queue of a breadth-first search, holding states by their parents. An entry is the step
//! that reached it from its parent; a parent is held once, counted by its entries still
//! queued, and dropped when the last of them is taken. A level then costs one state per
//! parent with new successors, not one per successor (a few bytes each). An entry's state is
//! rebuilt when it is taken: a copy of its parent (the parent itself for its last entry), the
//! step taken again. Stepping is a pure function of the state and the step (its draws
//! answered by the step's plan), so the rebuilt state is the one the search found.
//!
//! A batch is taken as [`Group`]s, the entries of one parent each, and rebuilt where it is
//! expanded (on the search's threads): a group reads a parent the queue still holds for later
//! entries, or owns it when it has its last entry.

use std::collections::VecDeque;
use std::hash::Hash;
use std::sync::Arc;

use sim_core::Process;

use crate::draws::Taken;
use crate::interned::InternedTimers;
use crate::state::State;
use crate::stepper::Stepper;
use crate::timers::NodeTimers;

/// A state waiting in the queue: 24 bytes (its depth is its level's, see `Frontier::levels`).
#[derive(Clone, Copy)]
pub(crate) struct Entry {
    /// Its unique-state number.
    pub id: u32,
    /// Its parent's slot and the step from it (`None`: the initial state).
    from: Option<(u32, Taken)>,
}

// What `Entry` says of its size, checked.
const _: () = assert!(std::mem::size_of::<Entry>() == 24);

/// What a search keeps to copy into instead of allocating: states done with, and node timers
/// no state holds any more (which a state let go when it was held: see [`State::trim`]).
pub(crate) struct Spares<P: Process> {
    states: Boxed<P>,
    timers: Vec<Arc<NodeTimers<P::Timer>>>,
}

/// States, each boxed: moving one between the queue, its spares and the search's threads
/// copies a pointer, not its fields.
type Boxed<P> = Vec<Box<State<P>>>;

impl<P: Process> Spares<P> {
    pub(crate) fn new() -> Self {
        Spares {
            states: Vec::new(),
            timers: Vec::new(),
        }
    }

    /// Splits off as many states as `copies` and timers as `rebuilt` (fewer if there are not
    /// so many): what a share of a batch that copies `copies` states and rebuilds `rebuilt`
    /// may use.
    pub(crate) fn split_off(&mut self, copies: usize, rebuilt: usize) -> Self {
        let (states, timers) = (self.states.len(), self.timers.len());
        Spares {
            states: self.states.split_off(states.saturating_sub(copies)),
            timers: self.timers.split_off(timers.saturating_sub(rebuilt)),
        }
    }

    /// Takes back what `other` did not use.
    pub(crate) fn append(&mut self, other: &mut Self) {
        self.states.append(&mut other.states);
        self.timers.append(&mut other.timers);
    }
}

/// A held parent: its state and how many of its entries are still queued. The state is
/// boxed so that a free slot costs a pointer, not a whole state's fields (the slots keep the
/// capacity of the widest level).
struct Held<P: Process> {
    state: Box<State<P>>,
    queued: u32,
}

/// The queue, and the parents its entries are rebuilt from.
pub(crate) struct Frontier<P: Process> {
    entries: VecDeque<Entry>,
    /// The entries' depths, front to back: (depth, how many entries in a row are at it). A
    /// breadth-first queue holds at most two levels, so this costs a few words, not four
    /// bytes an entry.
    levels: VecDeque<(u32, usize)>,
    initial: Option<Box<State<P>>>,
    /// By slot; `None`: free (its number in `free`).
    parents: Vec<Option<Held<P>>>,
    free: Vec<u32>,
    /// States done with, to copy a rebuilt state into (see [`Frontier::recycle`]).
    spare: Spares<P>,
    /// The node timers of the held parents, one copy of each value (see `interned`).
    interned: InternedTimers<P::Timer>,
    /// The entries of the batch taken last (see [`Frontier::take_batch`]), which its groups
    /// read: one buffer for every batch, not one a group.
    batch: Vec<Entry>,
}

/// The most states kept to copy into: about as many as a thread's share of a batch (see
/// `bfs`), so that the search's threads mostly copy into states the merge gave back instead
/// of allocating (and the merge frees few of what they allocated); few enough to cost little
/// next to the queue.
const SPARE_STATES: usize = 512;
/// The most node timers kept to copy into: a few batches' worth, as a rebuilt state copies
/// at most one node's (see [`Group::next_state`]).
const SPARE_TIMERS: usize = 4096;

impl<P> Frontier<P>
where
    P: Process + Clone + Hash,
    P::Stable: Hash,
{
    /// A queue holding the initial state (unique state 0).
    pub(crate) fn new(initial: State<P>) -> Self {
        Frontier {
            entries: VecDeque::from([Entry { id: 0, from: None }]),
            levels: VecDeque::from([(0, 1)]),
            initial: Some(Box::new(initial)),
            parents: Vec::new(),
            free: Vec::new(),
            spare: Spares::new(),
            interned: InternedTimers::new(),
            batch: Vec::new(),
        }
    }

    /// Entries queued.
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Holds `state` as the parent of entries about to be queued; its slot. Its buffers are
    /// trimmed first (see [`State::trim`]): it may wait in the queue for a whole level. The
    /// timers it kept to copy into are kept here, for states rebuilt later.
    pub(crate) fn hold(&mut self, mut state: Box<State<P>>) -> u32 {
        state.trim(&mut self.spare.timers, SPARE_TIMERS);
        state.intern_timers(&mut self.interned, &mut self.spare.timers, SPARE_TIMERS);
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
    pub(crate) fn push(&mut self, id: u32, depth: u32, slot: u32, step: Taken) {
        let held = self.parents[slot as usize].as_mut();
        held.expect("a parent is held while it has entries").queued += 1;
        self.entries.push_back(Entry {
            id,
            from: Some((slot, step)),
        });
        match self.levels.back_mut() {
            Some((level, count)) if *level == depth => *count += 1,
            _ => self.levels.push_back((depth, 1)),
        }
    }

    /// Keeps `state`, expanded and not held, to copy a state into as it is rebuilt: its
    /// buffers are reused, not allocated again.
    pub(crate) fn recycle(&mut self, state: Box<State<P>>) {
        if self.spare.states.len() < SPARE_STATES {
            self.spare.states.push(state);
        }
    }

    /// Takes back the spares a batch did not use.
    pub(crate) fn give_back(&mut self, mut spares: Spares<P>) {
        self.spare.append(&mut spares);
        self.spare.states.truncate(SPARE_STATES);
        self.spare.timers.truncate(SPARE_TIMERS);
    }

    /// Takes the front entries (at most `most`; with `one_level`, only those at the front's
    /// depth) as groups of one parent each, in queue order, with as many states done with as
    /// the groups make copies and timers as they have entries (fewer if there are not so
    /// many), to copy into. A group with its parent's last entry takes the parent from the
    /// queue; the others read it where the queue holds it. The merge queues a parent's
    /// entries one after another, so a batch has one group a parent, and no group reads a
    /// parent another took.
    pub(crate) fn take_batch(
        &mut self,
        most: usize,
        one_level: bool,
    ) -> (Vec<Group<'_, P>>, Spares<P>) {
        let runs = self.take_entries(most, one_level);
        let mut planned = Vec::with_capacity(runs.len());
        let mut copies = 0;
        for (slot, depth, entries) in runs {
            let owned = match slot {
                None => Some(
                    self.initial
                        .take()
                        .expect("the initial state is taken once"),
                ),
                Some(slot) if self.held(slot).queued == 0 => {
                    self.free.push(slot);
                    let held = self.parents[slot as usize].take();
                    Some(held.expect("held above").state)
                }
                Some(_) => None,
            };
            copies += entries.len() - usize::from(owned.is_some());
            planned.push((slot, depth, owned, entries));
        }
        let spares = self.spare.split_off(copies, self.batch.len());
        let this = &*self;
        let groups = (planned.into_iter())
            .map(|(slot, depth, owned, entries)| Group {
                depth,
                parent: match (owned, slot) {
                    (Some(state), _) => Parent::Owned(state),
                    (None, Some(slot)) => Parent::Shared(&this.held(slot).state),
                    (None, None) => unreachable!("the initial state is always owned"),
                },
                entries: this.batch[entries].iter(),
            })
            .collect();
        (groups, spares)
    }

    /// Pops the batch's entries into `batch` (see [`Frontier::take_batch`]), counted off
    /// their parents, in runs of one parent (`None`: the initial state's), each with its
    /// depth and where it is in `batch`.
    fn take_entries(&mut self, most: usize, one_level: bool) -> Vec<Run> {
        let level = self.levels.front().map(|&(depth, _)| depth);
        let mut runs: Vec<Run> = Vec::new();
        self.batch.clear();
        for _ in 0..most {
            let Some((depth, count)) = self.levels.front_mut() else {
                break;
            };
            let depth = *depth;
            if one_level && Some(depth) != level {
                break;
            }
            *count -= 1;
            if *count == 0 {
                self.levels.pop_front();
            }
            let entry = self.entries.pop_front().expect("an entry per level count");
            let slot = entry.from.map(|(slot, _)| slot);
            if let Some(slot) = slot {
                let held = self.parents[slot as usize].as_mut();
                held.expect("a parent outlives its entries").queued -= 1;
            }
            self.batch.push(entry);
            let at = self.batch.len();
            match runs.last_mut() {
                Some((last, _, run)) if *last == slot && slot.is_some() => run.end = at,
                _ => runs.push((slot, depth, at - 1..at)),
            }
        }
        runs
    }

    fn held(&self, slot: u32) -> &Held<P> {
        (self.parents[slot as usize].as_ref()).expect("a parent outlives its entries")
    }
}

/// Entries of one parent popped in a row: the parent's slot (`None`: the initial state), their
/// depth and where they are in the batch.
type Run = (Option<u32>, u32, std::ops::Range<usize>);

/// The parent a group's states are rebuilt from.
enum Parent<'f, P: Process> {
    /// Taken from the queue: the group has its last entry, which takes it.
    Owned(Box<State<P>>),
    /// Still held by the queue for later entries: each state of the group is a copy.
    Shared(&'f State<P>),
    /// Taken by the group's last entry.
    Taken,
}

/// Entries of one parent taken from the queue's front together, in queue order.
pub(crate) struct Group<'f, P: Process> {
    parent: Parent<'f, P>,
    /// The depth of its entries (one more than their parent's).
    depth: u32,
    /// Those not rebuilt yet.
    entries: std::slice::Iter<'f, Entry>,
}

impl<'f, P: Process> Group<'f, P> {
    /// The group's entries not rebuilt yet, in order.
    pub(crate) fn entries(&self) -> &[Entry] {
        self.entries.as_slice()
    }

    /// How many of its states are copies of the parent (see [`Group::next_state`]).
    pub(crate) fn copies(&self) -> usize {
        let owned = matches!(self.parent, Parent::Owned(_));
        self.entries.len() - usize::from(owned)
    }

    /// The depth of the group's entries.
    pub(crate) fn depth(&self) -> u32 {
        self.depth
    }

    /// The state its entries are rebuilt from, while it has one (to bring it into the cache
    /// ahead: see `bfs::expand_chunk`).
    pub(crate) fn parent(&self) -> Option<&State<P>> {
        match &self.parent {
            Parent::Owned(state) => Some(state),
            Parent::Shared(state) => Some(state),
            Parent::Taken => None,
        }
    }
}

impl<'f, P> Group<'f, P>
where
    P: Process + Clone + Hash,
    P::Stable: Hash,
{
    /// Rebuilds the next entry's state with `stepper`, from the parent: a copy (into one of
    /// `spares` if there is one) for each but an owned parent's last entry, which takes the
    /// parent itself; given one of the spare timers to copy a node's into if it keeps none.
    /// `None` after the last.
    pub(crate) fn next_state(
        &mut self,
        stepper: &mut Stepper<'_, P>,
        spares: &mut Spares<P>,
    ) -> Option<(Entry, Box<State<P>>)> {
        let entry = *self.entries.next()?;
        let last = self.entries.len() == 0;
        let mut state = match &self.parent {
            Parent::Owned(_) if last => {
                let taken = std::mem::replace(&mut self.parent, Parent::Taken);
                let Parent::Owned(state) = taken else {
                    unreachable!("matched above")
                };
                state
            }
            Parent::Owned(from) => copy(from, &mut spares.states),
            Parent::Shared(from) => copy(from, &mut spares.states),
            Parent::Taken => unreachable!("the last entry takes the parent"),
        };
        // A step changes one node's timers at most: one to copy them into, if it has none.
        if !state.has_spare_timers() {
            if let Some(timers) = spares.timers.pop() {
                state.keep_spare_timers(timers);
            }
        }
        if let Some((_, step)) = entry.from {
            // It was queued because this step broke nothing: taken again, it must not either
            // (an external node rebuilt from its inputs may answer them differently).
            if let Err(broken) = stepper.take(&mut state, step, u64::from(self.depth)) {
                panic!(
                    "a step taken again, to rebuild a queued state, did not do what it did the \
                     first time (a process must be a function of its inputs): {}",
                    broken.message
                );
            }
        }
        state.cache_node_hashes();
        Some((entry, state))
    }
}

/// A copy of `from`, into one of `spares` if there is one.
fn copy<P: Process + Clone>(from: &State<P>, spares: &mut Boxed<P>) -> Box<State<P>> {
    match spares.pop() {
        Some(mut spare) => {
            State::clone_from(&mut spare, from);
            spare
        }
        None => Box::new(from.clone()),
    }
}
