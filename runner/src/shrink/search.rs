//! The search's state: the smallest failing run found so far ([`Case`]) and what it may still
//! spend ([`ShrinkBudget`]).
//! Every pass proposes candidates through [`Search::attempt`], which runs each from its
//! recorded decisions and keeps it only if it fails the same way, is no larger in any count,
//! and ranks strictly lower.

use std::sync::Arc;

use sim_core::{Choice, FaultPlan, RunReport};

use super::failure::Failure;
use super::size::{Rank, Size};
use super::ShrinkBudget;
use crate::simulation::{RunOptions, Simulation};

/// One run the search knows: what ran, and what came out.
#[derive(Clone)]
pub struct Case {
    /// The protocol, parameters and spec it ran (a shrunk case may have fewer nodes).
    pub simulation: Arc<dyn Simulation>,
    /// Its fault plan.
    pub plan: FaultPlan,
    /// Its decisions exactly as made: replayed with `plan`, they give `report` again.
    pub choices: Vec<Choice>,
    /// The run.
    pub report: RunReport,
}

impl Case {
    /// Its size.
    pub fn size(&self) -> Size {
        Size::of(self.simulation.spec().nodes, &self.plan, &self.report)
    }

    pub(crate) fn rank(&self) -> Rank {
        Rank::of(&self.size(), &self.plan, &self.choices)
    }
}

/// The smallest failing run so far and what the search may still spend.
pub(crate) struct Search {
    pub(crate) best: Case,
    failure: Failure,
    seed: u64,
    /// Candidate runs so far.
    pub(crate) runs: u64,
    /// The events they took in all.
    pub(crate) events: u64,
    budget: ShrinkBudget,
}

impl Search {
    pub(crate) fn new(best: Case, failure: Failure, seed: u64, budget: ShrinkBudget) -> Self {
        Search {
            best,
            failure,
            seed,
            runs: 0,
            events: 0,
            budget,
        }
    }

    /// Whether the budget of runs or of their events is spent.
    pub(crate) fn exhausted(&self) -> bool {
        self.runs >= self.budget.max_runs || self.events >= self.budget.max_events
    }

    /// Runs a candidate from `choices` (recorded decisions, edited) and keeps it if it is
    /// smaller and fails the same way. The plan is run as given, out of time order if a pass
    /// moved a fault (the engine schedules faults by time), so that passes can keep pointing
    /// at a fault by its index.
    pub(crate) fn attempt(
        &mut self,
        simulation: Arc<dyn Simulation>,
        plan: FaultPlan,
        choices: Vec<Choice>,
    ) -> bool {
        if self.exhausted() {
            return false;
        }
        self.runs += 1;
        let options = RunOptions {
            trace: false,
            plan: Some(&plan),
            choices: Some(&choices),
            script: None,
        };
        let recorded = simulation.run_recorded(self.seed, options);
        self.events = self.events.saturating_add(recorded.report.stats.events);
        if !self.failure.shown_by(&recorded.report) {
            return false;
        }
        let candidate = Case {
            simulation,
            plan,
            choices: recorded.choices,
            report: recorded.report,
        };
        if !candidate.size().within(&self.best.size()) || candidate.rank() >= self.best.rank() {
            return false;
        }
        self.best = candidate;
        true
    }

    /// A candidate with another plan and the same simulation and decisions.
    pub(crate) fn attempt_plan(&mut self, plan: FaultPlan) -> bool {
        let simulation = Arc::clone(&self.best.simulation);
        let choices = self.best.choices.clone();
        self.attempt(simulation, plan, choices)
    }

    /// A candidate with other decisions and the same simulation and plan.
    pub(crate) fn attempt_choices(&mut self, choices: Vec<Choice>) -> bool {
        let simulation = Arc::clone(&self.best.simulation);
        let plan = self.best.plan.clone();
        self.attempt(simulation, plan, choices)
    }
}
