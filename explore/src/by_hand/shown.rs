//! A position as a person sees it: the path's steps (in words, and as a space-time diagram
//! draws them), each node's state (its `Debug`, and what it was before the last step), the
//! messages in flight with the step that sent each, every move enabled next with its branches,
//! and every property's status.

use sim_core::{NodeId, PropertyKind, Searchable};

use super::{may_stop, Move, Replayed};
use crate::describe;
use crate::draws::{Branches, Taken};
use crate::model::Model;
use crate::report::Counterexample;
use crate::search::counterexample::counterexample;
use crate::search::lasso::{self, Lasso};
use crate::state::State;
use crate::stepper::{enabled, Broken};
use crate::transition::Transition;

/// The most branches of one transition's draws listed as moves.
pub const MAX_SHOWN_BRANCHES: u32 = 32;

/// Where a path leads.
#[derive(Debug)]
pub struct Position {
    /// Each step of the path.
    pub steps: Vec<StepShown>,
    /// Each node, in id order.
    pub nodes: Vec<NodeShown>,
    /// The messages in flight, in the order a search takes them.
    pub in_flight: Vec<InFlight>,
    /// Every move enabled next, one per branch of its handler's draws (none after a
    /// violation: the run ends there).
    pub moves: Vec<MoveShown>,
    /// Branches not listed, of transitions with more than [`MAX_SHOWN_BRANCHES`].
    pub moves_cut: u64,
    /// Every property the search follows, then those it cannot (declared for runs only).
    pub properties: Vec<PropertyShown>,
    /// The path as a counterexample, if it breaks a property: a safety property broken (or
    /// the protocol's code panicked) at the last step, or an `eventually` one not met where
    /// the run may stop.
    pub broken: Option<Counterexample>,
    /// Whether a run may stop here: nothing more must happen (only losses and crashes, which
    /// may never come, or nothing at all is enabled).
    pub may_stop: bool,
}

/// What a transition is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MoveKind {
    /// The traitors are placed and every node starts.
    Start,
    Deliver,
    Lose,
    /// A timer fires.
    Fire,
    Crash,
    Recover,
    /// A failure-detector notice arrives.
    Notice,
}

/// A step, taken or enabled.
#[derive(Clone, Debug)]
pub struct StepShown {
    /// What it does, in words (with its draws' outcomes, where it drew any).
    pub words: String,
    pub kind: MoveKind,
    /// Where it happens: a message's receiver, the timer's, crashing, recovering or told
    /// node (`None`: the nodes' start).
    pub node: Option<NodeId>,
    /// A delivered or lost message's sender.
    pub from: Option<NodeId>,
    /// The step that sent a delivered or lost message (0: the nodes' start).
    pub sent_at: Option<u64>,
}

/// A move enabled next.
#[derive(Clone, Debug)]
pub struct MoveShown {
    /// How a path names it.
    pub mv: Move,
    pub step: StepShown,
}

/// A node as it stands.
#[derive(Clone, Debug)]
pub struct NodeShown {
    pub up: bool,
    pub byzantine: bool,
    /// Its process, `{:#?}`.
    pub state: String,
    /// The same before the last step, if the step changed it.
    pub before: Option<String>,
    /// Its stable storage, `{:#?}`.
    pub stable: String,
    /// Its armed timers' tags, `{:?}`.
    pub timers: Vec<String>,
}

/// A message in flight.
#[derive(Clone, Debug)]
pub struct InFlight {
    pub from: NodeId,
    pub to: NodeId,
    /// The message, `{:?}`.
    pub message: String,
    /// The step that sent it (0: the nodes' start).
    pub sent_at: u64,
}

/// A property's status.
#[derive(Clone, Debug)]
pub struct PropertyShown {
    /// Its table name.
    pub name: String,
    pub kind: PropertyKind,
    pub status: Status,
}

/// Where a property stands at a position.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Status {
    /// An `always` property held at every step.
    Holds,
    /// An `always` property broke at the last step: its verdict.
    Broken(String),
    /// An `eventually` property would hold if the run stopped here.
    Met,
    /// An `eventually` property would not hold if the run stopped here: its verdict (a
    /// violation where the run may stop, else something still to come).
    NotYet(String),
    /// A property a search cannot follow (declared for runs only): judged in runs, not here.
    NotFollowed,
}

/// Shows where `replayed` leads.
pub(super) fn position<P: Searchable>(
    model: &Model<P>,
    replayed: &mut Replayed<'_, P>,
) -> Position {
    let mut transitions = Vec::new();
    enabled(model, &replayed.state, &mut transitions);
    let may_stop = may_stop(model, &replayed.state, &transitions);
    let (moves, moves_cut) = match replayed.verdict {
        Ok(()) => moves(replayed, &transitions),
        Err(_) => (Vec::new(), 0),
    };
    let properties = properties(model, replayed);
    let broken = match &replayed.verdict {
        Err(broken) => Some(counterexample(
            model,
            &replayed.taken,
            Broken::clone(broken),
        )),
        Ok(()) if may_stop => lasso::unmet(model, &replayed.state).map(|(monitor, message)| {
            let path = replayed.taken.clone();
            let loop_start = None;
            (Lasso {
                monitor,
                message,
                path,
                loop_start,
            })
            .counterexample(model)
        }),
        Ok(()) => None,
    };
    Position {
        steps: std::mem::take(&mut replayed.steps),
        nodes: nodes(model, &replayed.state, replayed.before.as_ref()),
        in_flight: (replayed.state.net.iter())
            .map(|e| InFlight {
                from: e.from(),
                to: e.to(),
                message: format!("{:?}", e.msg),
                sent_at: u64::from(e.key.0),
            })
            .collect(),
        moves,
        moves_cut,
        properties,
        broken,
        may_stop,
    }
}

/// Transition `t` of `s` as a step (its words without its draws, which taking it tells).
pub(super) fn step_of<P: Searchable>(model: &Model<P>, s: &State<P>, t: Transition) -> StepShown {
    let words = describe::describe(model, s, t);
    let message = |i: u32| {
        let e = &s.net[i as usize];
        (Some(e.to()), Some(e.from()), Some(u64::from(e.key.0)))
    };
    let ((node, from, sent_at), kind) = match t {
        Transition::Start(_) => ((None, None, None), MoveKind::Start),
        Transition::Deliver(i) => (message(i), MoveKind::Deliver),
        Transition::Lose(i) => (message(i), MoveKind::Lose),
        Transition::Fire { node, .. } => ((Some(node as NodeId), None, None), MoveKind::Fire),
        Transition::Crash { node, .. } => ((Some(node as NodeId), None, None), MoveKind::Crash),
        Transition::Recover(node) => ((Some(node as NodeId), None, None), MoveKind::Recover),
        Transition::Notice(i) => {
            let to = s.notices()[i as usize].to;
            ((Some(to), None, None), MoveKind::Notice)
        }
    };
    StepShown {
        words,
        kind,
        node,
        from,
        sent_at,
    }
}

/// Every move enabled in the replayed state: each transition once per branch of its
/// handler's draws (found by taking it, as a search does), and how many branches were not
/// listed.
fn moves<P: Searchable>(
    replayed: &mut Replayed<'_, P>,
    transitions: &[Transition],
) -> (Vec<MoveShown>, u64) {
    let model = replayed.stepper.model;
    let i = replayed.taken.len();
    let mut shown = Vec::with_capacity(transitions.len());
    let mut cut = 0;
    let mut copy = replayed.state.clone();
    for (index, &t) in transitions.iter().enumerate() {
        let mut branches = Branches::default();
        let mut listed = 0;
        while let Some(plan) = branches.next() {
            copy.clone_from(&replayed.state);
            let stepper = &mut replayed.stepper;
            let (_, drawn) = describe::take_described(stepper, &mut copy, Taken { t, plan }, i);
            branches.taken(&mut stepper.choices);
            if listed == MAX_SHOWN_BRANCHES {
                cut += 1;
                continue;
            }
            listed += 1;
            let mut step = step_of(model, &replayed.state, t);
            step.words.push_str(&drawn);
            let mv = Move {
                index: index as u32,
                plan,
            };
            shown.push(MoveShown { mv, step });
        }
    }
    (shown, cut)
}

/// Every node of `s`, with its state before the last step where that step changed it.
fn nodes<P: Searchable>(
    model: &Model<P>,
    s: &State<P>,
    before: Option<&State<P>>,
) -> Vec<NodeShown> {
    (0..model.config.n)
        .map(|node| {
            let state = format!("{:#?}", s.procs()[node]);
            let before = before
                .map(|b| format!("{:#?}", b.procs()[node]))
                .filter(|b| *b != state);
            NodeShown {
                up: s.up()[node],
                byzantine: s.byzantine().get(node).copied().unwrap_or(false),
                state,
                before,
                stable: format!("{:#?}", s.stable(node)),
                timers: (s.armed(node).iter())
                    .map(|a| format!("{:?}", a.tag))
                    .collect(),
            }
        })
        .collect()
}

/// Every property's status at the replayed state: the followed ones in the model's order,
/// then those a search cannot follow.
fn properties<P: Searchable>(model: &Model<P>, replayed: &Replayed<'_, P>) -> Vec<PropertyShown> {
    let world = replayed.state.world();
    let broken = replayed.verdict.as_ref().err();
    let mut shown: Vec<PropertyShown> = (model.monitors.iter().enumerate())
        .map(|(i, def)| {
            let status = match def.kind {
                PropertyKind::Always => match broken.filter(|b| b.monitor == Some(i)) {
                    Some(b) => Status::Broken(b.message.clone()),
                    None => Status::Holds,
                },
                PropertyKind::Eventually | PropertyKind::Sometimes => {
                    match lasso::judge_end(replayed.state.monitors()[i].as_ref(), &world) {
                        Ok(()) => Status::Met,
                        Err(why) => Status::NotYet(why),
                    }
                }
            };
            PropertyShown {
                name: def.name.to_string(),
                kind: def.kind,
                status,
            }
        })
        .collect();
    shown.extend(model.unchecked.iter().map(|name| PropertyShown {
        name: name.to_string(),
        kind: PropertyKind::Always,
        status: Status::NotFollowed,
    }));
    shown
}
