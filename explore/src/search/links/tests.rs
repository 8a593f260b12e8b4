//! A path found again from the links is the path the search took, branches and wide places
//! included.

use sim_core::{Ctx, NodeId, Process};

use super::{Links, Place};
use crate::config::LinkRule;
use crate::draws::{Branches, Taken};
use crate::model::Model;
use crate::state::State;
use crate::stepper::{enabled, Stepper};

/// Node 0 sends node 1 two messages at its start; node 1 draws one of three numbers for
/// each message it gets, and keeps their sum.
#[derive(Clone, Debug, Hash)]
struct Drawer {
    sum: u64,
}

impl Process for Drawer {
    type Msg = u8;
    type Timer = u8;
    type Obs = ();
    type Stable = ();

    fn on_start(&mut self, ctx: &mut Ctx<'_, Self>) {
        if ctx.id() == 0 {
            ctx.send(1, 1);
            ctx.send(1, 2);
        }
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, Self>, _: NodeId, msg: Self::Msg) {
        self.sum += u64::from(msg) * 10 + ctx.random_below(3);
    }
}

fn model() -> Model<Drawer> {
    let link = LinkRule {
        lossy: true,
        duplicating: false,
        fifo: false,
    };
    Model::for_test(2, link, Box::new(|_, _| Drawer { sum: 0 }), Vec::new())
}

/// Every successor of `state` (at `depth`), as a search takes them: its step, its place and
/// its state.
fn successors(
    stepper: &mut Stepper<'_, Drawer>,
    state: &State<Drawer>,
    depth: u64,
) -> Vec<(Taken, Place, State<Drawer>)> {
    let mut moves = Vec::new();
    enabled(stepper.model, state, &mut moves);
    let mut out = Vec::new();
    for (transition, &t) in moves.iter().enumerate() {
        let mut branches = Branches::default();
        let mut branch = 0;
        while let Some(plan) = branches.next() {
            let mut next = state.clone();
            let step = Taken { t, plan };
            let _ = stepper.take(&mut next, step, depth + 1);
            branches.taken(&mut stepper.choices);
            let place = Place {
                transition: transition as u32,
                branch,
            };
            out.push((step, place, next));
            branch += 1;
        }
    }
    out
}

#[test]
fn every_path_is_found_again_from_its_links() {
    let model = model();
    let mut stepper = Stepper::new(&model);
    let (initial, _) = stepper.initial();
    let mut links = Links::new();
    let mut paths = vec![Vec::new()];
    let mut level = vec![(0u32, initial)];
    let mut branched = false;
    for depth in 0..4 {
        let mut next_level = Vec::new();
        for (id, state) in &level {
            for (step, place, next) in successors(&mut stepper, state, depth) {
                branched |= place.branch > 0;
                let child = links.push(*id, step, place);
                let mut path = paths[*id as usize].clone();
                path.push(step);
                paths.push(path);
                next_level.push((child, next));
            }
        }
        level = next_level;
    }
    assert!(
        branched,
        "the model draws: some steps are a transition's later branch"
    );
    assert!(paths.len() > 30, "{} states", paths.len());
    for (id, path) in paths.iter().enumerate() {
        assert_eq!(&links.path_to(&model, id as u32), path, "state {id}");
    }
}

#[test]
fn a_place_too_wide_to_pack_keeps_its_step() {
    let model = model();
    let mut stepper = Stepper::new(&model);
    let (initial, _) = stepper.initial();
    let mut links = Links::new();
    let firsts = successors(&mut stepper, &initial, 0);
    let (step, _, state) = firsts.last().expect("a message to deliver");
    let wide = Place {
        transition: u32::MAX - 1,
        branch: 0,
    };
    let parent = links.push(0, *step, wide);
    let (then, place, _) = successors(&mut stepper, state, 1)
        .pop()
        .expect("another step");
    let child = links.push(parent, then, place);
    assert_eq!(links.path_to(&model, child), vec![*step, then]);
}

#[test]
fn links_past_a_block_are_found_by_their_number() {
    let model = model();
    let mut stepper = Stepper::new(&model);
    let (initial, _) = stepper.initial();
    let (step, place, _) = successors(&mut stepper, &initial, 0)[0];
    let mut links = Links::new();
    // A chain of states, each the parent of the next, across two block boundaries.
    let last = 2 * super::BLOCK as u32 + 2;
    for id in 1..=last {
        assert_eq!(links.push(id - 1, step, place), id);
    }
    assert_eq!(links.len(), last as usize + 1);
    for id in [1, super::BLOCK as u32 - 1, super::BLOCK as u32, last] {
        assert_eq!(links.get(id).0, id - 1, "state {id}");
    }
    assert!(links.blocks.iter().all(|b| b.capacity() == super::BLOCK));
}
