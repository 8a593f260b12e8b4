//! A search driven by hand (`ftsim debug`): a person picks each step among the moves enabled
//! in the current state, as a search would take them. A position is its path of [`Move`]s
//! from the initial state; `position` replays it with the search's own stepper and
//! shows where it leads (`shown`): the steps so far, each node's state, the messages in flight
//! and armed timers, every move enabled next (one per branch of its handler's draws), and
//! every property's status. `onward` extends a path by seeded random runs (`onward`).
//!
//! Nothing is kept between two calls: a position is a function of (model, path), so a path
//! written in a link shows the same position to anyone, and a path clicked by hand is one the
//! search itself would have taken (its counterexample replays as the search's do).

mod from_run;
mod onward;
mod shown;

use sim_core::{Process, Searchable};

use crate::describe;
use crate::draws::Taken;
use crate::model::Model;
use crate::search::lasso;
use crate::state::State;
use crate::stepper::{enabled, Stepper, Verdict};
use crate::transition::Transition;

pub use from_run::FromRun;
pub use onward::{Onward, Until, Walked};
pub use shown::{
    InFlight, MoveKind, MoveShown, NodeShown, Position, PropertyShown, Status, StepShown,
    MAX_SHOWN_BRANCHES,
};

/// The longest path a position is replayed from.
pub const MAX_PATH_STEPS: usize = 20_000;

/// One step chosen by hand: the `index`th move enabled where it is taken (in the order a
/// search takes them), with the outcomes of its handler's draws (`plan`: the outcome of its
/// `i`th branching draw in bits `4i..4i + 4`; 0 for a handler that draws nothing).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Move {
    /// Which enabled transition.
    pub index: u32,
    /// Which branch of its handler's draws.
    pub plan: u32,
}

/// Why a path cannot be followed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PathError {
    /// Step `step` (from 1) asks for a move that is not enabled there.
    NotEnabled {
        step: usize,
        index: u32,
        enabled: usize,
    },
    /// Step `step`'s plan names an outcome its handler's draws do not have.
    NoSuchBranch { step: usize, plan: u32 },
    /// The path goes on after step `step` broke a property (the run ends there).
    AfterViolation { step: usize },
    /// The path is longer than [`MAX_PATH_STEPS`].
    TooLong { steps: usize },
}

impl std::fmt::Display for PathError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {
            PathError::NotEnabled {
                step,
                index,
                enabled,
            } => write!(
                f,
                "step {step} asks for move {index}, but only {enabled} move(s) are enabled \
                 there (numbered from 0)"
            ),
            PathError::NoSuchBranch { step, plan } => write!(
                f,
                "step {step} asks for branch {plan} of its handler's draws, which it does \
                 not have"
            ),
            PathError::AfterViolation { step: 0 } => write!(
                f,
                "the initial state already breaks a property: no step can be taken"
            ),
            PathError::AfterViolation { step } => write!(
                f,
                "step {step} breaks a property, and the path goes on after it (a run ends \
                 at its violation)"
            ),
            PathError::TooLong { steps } => write!(
                f,
                "the path has {steps} steps; at most {MAX_PATH_STEPS} are followed"
            ),
        }
    }
}

/// A path replayed: the state it reaches, each step shown, and the last step's verdict.
struct Replayed<'m, P: Process> {
    stepper: Stepper<'m, P>,
    state: State<P>,
    /// The state before the last step (the initial state for an empty path).
    before: Option<State<P>>,
    taken: Vec<Taken>,
    steps: Vec<StepShown>,
    verdict: Verdict,
}

/// The monitors a hand-driven search follows: every property a search can follow, the
/// `eventually` ones included (the liveness model's, as a sampled run does).
fn judged<P: Searchable>(model: &Model<P>) -> &Model<P> {
    model.liveness.as_deref().unwrap_or(model)
}

/// Where `path` leads from the initial state, shown (see `shown`).
pub(crate) fn position<P: Searchable>(
    model: &Model<P>,
    path: &[Move],
) -> Result<Position, PathError> {
    let model = judged(model);
    let mut replayed = replay(model, path)?;
    Ok(shown::position(model, &mut replayed))
}

/// `path` extended by seeded random runs, as `onward` asks (see `onward`).
pub(crate) fn onward<P: Searchable>(
    model: &Model<P>,
    path: &[Move],
    onward: &Onward,
) -> Result<Walked, PathError> {
    let model = judged(model);
    let replayed = replay(model, path)?;
    Ok(onward::walk(model, replayed, path, onward))
}

/// A run's trace as a path (see `from_run`).
pub(crate) fn path_of_run<P: Searchable>(
    model: &Model<P>,
    trace: &[sim_core::TraceEvent],
) -> FromRun {
    from_run::path_of_run(judged(model), trace)
}

/// Replays `path` from the initial state, showing each step; an error names the first step
/// that cannot be taken.
fn replay<'m, P: Searchable>(
    model: &'m Model<P>,
    path: &[Move],
) -> Result<Replayed<'m, P>, PathError> {
    if path.len() > MAX_PATH_STEPS {
        return Err(PathError::TooLong { steps: path.len() });
    }
    let mut stepper = Stepper::new(model);
    let (mut state, mut verdict) = stepper.initial();
    let mut before = None;
    let mut taken = Vec::with_capacity(path.len());
    let mut steps = Vec::with_capacity(path.len());
    let mut moves = Vec::new();
    for (i, mv) in path.iter().enumerate() {
        if verdict.is_err() {
            return Err(PathError::AfterViolation { step: i });
        }
        enabled(model, &state, &mut moves);
        let Some(&t) = moves.get(mv.index as usize) else {
            return Err(PathError::NotEnabled {
                step: i + 1,
                index: mv.index,
                enabled: moves.len(),
            });
        };
        let mut step = shown::step_of(model, &state, t);
        if i + 1 == path.len() {
            before = Some(state.clone());
        }
        let (v, drawn) =
            describe::take_described(&mut stepper, &mut state, Taken { t, plan: mv.plan }, i);
        if !stepper.choices.plan_fits() {
            return Err(PathError::NoSuchBranch {
                step: i + 1,
                plan: mv.plan,
            });
        }
        step.words.push_str(&drawn);
        steps.push(step);
        taken.push(Taken { t, plan: mv.plan });
        verdict = v;
    }
    Ok(Replayed {
        stepper,
        state,
        before,
        taken,
        steps,
        verdict,
    })
}

/// Whether a run may stop in `state` (nothing more must happen), given what is enabled there.
fn may_stop<P: Process>(model: &Model<P>, state: &State<P>, moves: &[Transition]) -> bool {
    !lasso::owes_anything(model, state, moves)
}
