//! The way back from each unique state of a breadth-first search to the initial one, to
//! describe a counterexample: per state, its parent's number and where among the parent's
//! successors it was found, in 8 bytes (a parent and the step itself took 20, the largest
//! table of a search after the queue: 42 MB at TwoPhase's 1.7 million states with 8 RMs).
//!
//! Where a state was found is the index of its transition among those enabled in its parent,
//! and which of that transition's branches (see `draws`) it is. A path is then found again by
//! replaying it from the initial state: each parent's enabled transitions listed again, and
//! the branches before the one taken stepped again to learn their plans. Stepping is a pure
//! function of the state and the step, so the replay finds the steps the search took. A
//! transition beyond the first million of its parent's does not fit the 32 bits with its
//! branch: its step is kept whole, apart.
//!
//! The links are kept in blocks of a fixed size, not one buffer grown by doubling: such a
//! buffer holds room for up to twice the links found, and while it grows, the old buffer
//! and the new one at once (TwoPhase with 8 RMs: 16.8 MB at its peak, for fewer links).

use std::collections::BTreeMap;

use sim_core::Process;

use crate::draws::{Branches, Taken, MAX_BRANCHES};
use crate::model::Model;
use crate::state::State;
use crate::stepper::{enabled, Stepper};
use crate::transition::Transition;

/// Bits of a place that hold the branch (`MAX_BRANCHES` is `1 << BRANCH_BITS`).
const BRANCH_BITS: u32 = 12;
/// The place of a step kept whole (see [`Links::wide`]): no packed place is this, as the
/// largest packed transition index is one below `u32::MAX >> BRANCH_BITS`.
const WIDE: u32 = u32::MAX;

/// Where a successor was found among its parent's: the index of its transition among those
/// enabled in the parent (see `stepper::enabled`), and of its branch among the transition's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Place {
    pub transition: u32,
    pub branch: u32,
}

impl Place {
    /// The place in 32 bits, if it fits (`WIDE` is never one).
    fn packed(self) -> Option<u32> {
        const _: () = assert!(MAX_BRANCHES == 1 << BRANCH_BITS);
        let fits = self.transition < (u32::MAX >> BRANCH_BITS) && self.branch < MAX_BRANCHES;
        fits.then_some(self.transition << BRANCH_BITS | self.branch)
    }

    fn unpacked(code: u32) -> Self {
        Place {
            transition: code >> BRANCH_BITS,
            branch: code & (MAX_BRANCHES - 1),
        }
    }
}

/// Links a block holds: 512 KiB of them.
const BLOCK: usize = 1 << 16;

/// Each unique state's parent and place, by number (unique state 0 is the initial state).
pub(crate) struct Links {
    /// Per state: its parent's number and its place, packed (`WIDE`: in `wide`); state `id`
    /// at `blocks[id / BLOCK][id % BLOCK]`. Every block but the last is full, and none grows
    /// past `BLOCK`.
    blocks: Vec<Vec<(u32, u32)>>,
    /// The steps of the states whose place does not fit in 32 bits, by number.
    wide: BTreeMap<u32, Taken>,
}

impl Links {
    /// The links of a search that found only the initial state.
    pub(crate) fn new() -> Self {
        let mut first = Vec::with_capacity(BLOCK);
        first.push((0, WIDE));
        Links {
            blocks: vec![first],
            wide: BTreeMap::new(),
        }
    }

    /// How many states are linked.
    fn len(&self) -> usize {
        (self.blocks.len() - 1) * BLOCK + self.blocks.last().map_or(0, Vec::len)
    }

    /// State `id`'s parent and packed place.
    fn get(&self, id: u32) -> (u32, u32) {
        let id = id as usize;
        self.blocks[id / BLOCK][id % BLOCK]
    }

    /// Links a new unique state, reached from `parent` by `step` found at `place`; its number.
    pub(crate) fn push(&mut self, parent: u32, step: Taken, place: Place) -> u32 {
        let id = u32::try_from(self.len()).expect("a search numbers its states in 32 bits");
        let code = place.packed().unwrap_or_else(|| {
            self.wide.insert(id, step);
            WIDE
        });
        if self.blocks.last().is_none_or(|last| last.len() == BLOCK) {
            self.blocks.push(Vec::with_capacity(BLOCK));
        }
        let last = self.blocks.last_mut().expect("a block with room");
        last.push((parent, code));
        id
    }

    /// The steps from the initial state to unique state `id`, found again by replaying them
    /// in `model`.
    pub(crate) fn path_to<P: Process + Clone>(&self, model: &Model<P>, id: u32) -> Vec<Taken> {
        let mut back = Vec::new();
        let mut at = id;
        while at != 0 {
            back.push(at);
            at = self.get(at).0;
        }
        let mut stepper = Stepper::new(model);
        let (mut state, _) = stepper.initial();
        let mut moves = Vec::new();
        let mut path = Vec::with_capacity(back.len());
        for (depth, &at) in back.iter().rev().enumerate() {
            let event = depth as u64 + 1;
            let step = match self.get(at).1 {
                WIDE => self.wide[&at],
                code => {
                    enabled(model, &state, &mut moves);
                    let place = Place::unpacked(code);
                    step_at(&mut stepper, &state, &moves, place, event)
                }
            };
            // The search took it without breaking anything, so the replay does not either.
            let _ = stepper.take(&mut state, step, event);
            path.push(step);
        }
        path
    }
}

/// The step at `place` from `state`, whose enabled transitions are `moves`: the branches of
/// its transition before it are stepped (on copies) to learn the next one's plan.
fn step_at<P: Process + Clone>(
    stepper: &mut Stepper<'_, P>,
    state: &State<P>,
    moves: &[Transition],
    place: Place,
    event: u64,
) -> Taken {
    let t = *moves.get(place.transition as usize).expect(
        "a step replayed to describe a path is enabled as when the search took it (a process \
         must be a function of its inputs)",
    );
    let mut branches = Branches::default();
    for _ in 0..place.branch {
        let plan = branches.next().expect("the branch was taken");
        let mut scratch = state.clone();
        let _ = stepper.take(&mut scratch, Taken { t, plan }, event);
        branches.taken(&mut stepper.choices);
    }
    let plan = branches.next().expect("the branch was taken");
    Taken { t, plan }
}

#[cfg(test)]
mod tests;
