//! A path extended by seeded random runs from where it stands: "run randomly to the end" and
//! "run until a property breaks". Each step is any enabled move, equally likely, its
//! handler's draws answered at random, as `ftsim explore --strategy random` runs are; run `r`
//! draws from the generator of (`seed`, `r`), so the same request extends a path the same way.

use sim_core::Searchable;

use super::{may_stop, Move, Replayed};
use crate::draws::Taken;
use crate::model::Model;
use crate::rng::WalkRng;
use crate::search::lasso;
use crate::stepper::enabled;

/// How to extend a path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Onward {
    /// Seeds the runs.
    pub seed: u64,
    /// The most steps a run adds.
    pub steps_max: u32,
    /// When a run stops.
    pub until: Until,
}

/// When a random run stops.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Until {
    /// One run, stopping where nothing more must happen (or a property breaks).
    End,
    /// Up to this many runs, each stopping when nothing at all is enabled, until one breaks a
    /// property: a safety one at a step, or an `eventually` one where the run may stop.
    Broken { runs: u64 },
}

/// A path extended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Walked {
    /// The whole path: the one given, then the run's steps (for `Until::Broken` without a
    /// violation found, the path given).
    pub path: Vec<Move>,
    /// Whether the path breaks a property.
    pub broke: bool,
    /// The runs made.
    pub runs: u64,
}

/// Extends `path` (replayed as `replayed`) as `onward` asks.
pub(super) fn walk<P: Searchable>(
    model: &Model<P>,
    replayed: Replayed<'_, P>,
    path: &[Move],
    onward: &Onward,
) -> Walked {
    if replayed.verdict.is_err() {
        return Walked {
            path: path.to_vec(),
            broke: true,
            runs: 0,
        };
    }
    let runs = match onward.until {
        Until::End => 1,
        Until::Broken { runs } => runs.max(1),
    };
    let mut runner = Runner {
        replayed,
        moves: Vec::new(),
    };
    let mut added = Vec::new();
    for run in 0..runs {
        let broke = runner.run(model, onward, run, &mut added);
        if broke || onward.until == Until::End {
            return Walked {
                path: [path, &added].concat(),
                broke,
                runs: run + 1,
            };
        }
    }
    Walked {
        path: path.to_vec(),
        broke: false,
        runs,
    }
}

/// One random run at a time from a replayed position.
struct Runner<'m, P: sim_core::Process> {
    replayed: Replayed<'m, P>,
    moves: Vec<crate::transition::Transition>,
}

impl<P: Searchable> Runner<'_, P> {
    /// Run `run` from the position, its steps into `added` (cleared first): whether it broke
    /// a property.
    fn run(&mut self, model: &Model<P>, onward: &Onward, run: u64, added: &mut Vec<Move>) -> bool {
        added.clear();
        let mut rng = WalkRng::new(onward.seed, run);
        let mut state = self.replayed.state.clone();
        let stepper = &mut self.replayed.stepper;
        stepper.choices.random = Some(rng.for_draws());
        let depth = self.replayed.taken.len();
        let mut broke = false;
        for step in 0..onward.steps_max as usize {
            enabled(model, &state, &mut self.moves);
            let stops = may_stop(model, &state, &self.moves);
            if stops && lasso::unmet(model, &state).is_some() {
                broke = true;
                break;
            }
            if self.moves.is_empty() || (stops && onward.until == Until::End) {
                break;
            }
            let index = rng.below(self.moves.len() as u64) as usize;
            let t = self.moves[index];
            let taken = Taken { t, plan: 0 };
            let verdict = stepper.take(&mut state, taken, (depth + step) as u64 + 1);
            added.push(Move {
                index: index as u32,
                plan: stepper.choices.plan(),
            });
            if verdict.is_err() {
                broke = true;
                break;
            }
        }
        stepper.choices.random = None;
        broke
    }
}
