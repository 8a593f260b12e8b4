//! A search over the engine's runs instead of a protocol's states (`ftsim explore --strategy
//! decisions`): every decision a run makes, from its fault plan to each delay, loss, clock and
//! process draw, takes each of a few outcomes ([`sim_core::enumerate`]). The runs are the
//! engine's own, in concrete virtual time with every clock, so it covers what a state search
//! cannot branch on (clocks that are off and drift, timers racing messages) and any protocol,
//! explorable or not. No state is deduplicated: the runs are enumerated fewest deviations first
//! (the run with no decision away from its simplest outcome, then every run with one, ...),
//! each executed once, so the first failing run found has the fewest. Memory holds one level of
//! runs (their outcome indices), to enumerate the next.
//!
//! Architecture invariant: a run found is an ordinary run: its fault plan and its decisions
//! (a tape) replay it exactly, as a repro file.

use sim_core::enumerate::{children, Enumerator, Step};
use sim_core::{Choice, FaultPlan, RunReport};

use crate::shrink::Failure;
use crate::simulation::Simulation;
use ftsim_explore::Progress;

/// How much a search over decisions may take.
#[derive(Clone, Copy, Debug)]
pub struct DecisionLimits {
    /// Outcomes a ranged decision takes (its simplest, its other end, evenly between).
    pub values: u64,
    /// The most decisions away from their simplest outcome in a run (none: every run).
    pub max_deviations: Option<u32>,
    /// Stop after checking this many distinct runs.
    pub max_runs: Option<u64>,
    /// Whether a run failing only outside the protocol's model ends the search (when that is
    /// what is looked for); otherwise it is counted, the first kept, and the search goes on,
    /// as a sweep counts such seeds apart: no bug in the protocol.
    pub outside_ends: bool,
}

/// What a search over decisions did and how it ended.
#[derive(Clone, Debug)]
pub struct DecisionReport {
    /// Runs checked (each once).
    pub runs: u64,
    /// The most decisions one run made.
    pub longest: usize,
    /// Every run with at most this many deviations was checked (or, stopped, the level the
    /// search was at).
    pub deviations: u32,
    /// Runs that failed only outside the protocol's model (unless those end the search).
    pub outside: u64,
    /// The first of them.
    pub first_outside: Option<Box<FoundRun>>,
    /// How it ended.
    pub end: DecisionEnd,
}

/// How a search over decisions ended.
#[derive(Clone, Debug)]
pub enum DecisionEnd {
    /// Every run was checked (every decision with each of its outcomes taken) and none failed.
    Complete,
    /// Every run with at most `max_deviations` deviations was checked and none failed; runs
    /// with more exist.
    Bounded,
    /// A limit stopped it (which).
    Limit(String),
    /// A run failed: the first found, with the fewest deviations.
    Found(Box<FoundRun>),
    /// The same answers led to other decisions: the run is not a function of its decisions
    /// (the protocol reads something outside the simulation, or iterates a hash map).
    Nondeterministic {
        /// The run (counting from 1).
        run: u64,
        /// Its first decision that differed (from 0, the fault plan's first).
        decision: usize,
    },
}

/// A failing run.
#[derive(Clone, Debug)]
pub struct FoundRun {
    /// Its fault plan (as drawn by its first decisions).
    pub plan: FaultPlan,
    /// The run's decisions after the plan: with `plan`, they replay it.
    pub choices: Vec<Choice>,
    /// The run, untraced.
    pub report: RunReport,
    /// How it fails.
    pub failure: Failure,
    /// Its decisions away from their simplest outcome (plan's included).
    pub deviations: u32,
}

/// A run taken, kept to enumerate its children: its decisions and where they may depart.
struct Taken {
    steps: Box<[Step]>,
    /// Just past its last deviation.
    from: usize,
}

/// Searches `simulation`'s runs with every decision enumerated, fewest deviations first,
/// until one fails, every run was checked, or `stop` (asked every 64 runs) names a limit.
pub fn search_decisions(
    simulation: &dyn Simulation,
    limits: &DecisionLimits,
    stop: &mut dyn FnMut(&Progress) -> Option<String>,
) -> DecisionReport {
    let mut search = Search {
        simulation,
        limits,
        enumerator: Enumerator::new(limits.values),
        report: DecisionReport {
            runs: 0,
            longest: 0,
            deviations: 0,
            outside: 0,
            first_outside: None,
            end: DecisionEnd::Complete,
        },
        beyond: false,
    };
    let mut level = Vec::new();
    if let Err(end) = search.take(&[], 0, &mut level, stop) {
        search.report.end = end;
        return search.report;
    }
    let max = limits.max_deviations.unwrap_or(u32::MAX);
    loop {
        if search.report.deviations == max && search.beyond {
            search.report.end = DecisionEnd::Bounded;
            break;
        }
        if level.is_empty() {
            break;
        }
        search.report.deviations += 1;
        match search.next_level(&level, stop) {
            Ok(next) => level = next,
            Err(end) => {
                search.report.end = end;
                break;
            }
        }
    }
    search.report
}

struct Search<'a> {
    simulation: &'a dyn Simulation,
    limits: &'a DecisionLimits,
    enumerator: Enumerator,
    report: DecisionReport,
    /// A run at the last level the bound allows has children: runs beyond the bound exist.
    beyond: bool,
}

impl Search<'_> {
    /// Every child of every run of `level`: the runs with one deviation more, kept in turn.
    fn next_level(
        &mut self,
        level: &[Taken],
        stop: &mut dyn FnMut(&Progress) -> Option<String>,
    ) -> Result<Vec<Taken>, DecisionEnd> {
        let mut next = Vec::new();
        let mut prefix = Vec::new();
        for parent in level {
            for (at, step) in children(&parent.steps, parent.from) {
                prefix.clear();
                prefix.extend_from_slice(&parent.steps[..at]);
                prefix.push(step);
                self.take(&prefix, at + 1, &mut next, stop)?;
            }
        }
        Ok(next)
    }

    /// Runs the run that follows `prefix` (`from`: just past its last deviation), checks it
    /// and keeps it in `level`; the search's end if it fails or a limit stops the search.
    fn take(
        &mut self,
        prefix: &[Step],
        from: usize,
        level: &mut Vec<Taken>,
        stop: &mut dyn FnMut(&Progress) -> Option<String>,
    ) -> Result<(), DecisionEnd> {
        let (plan, plan_len, run) = self.execute(prefix);
        self.report.runs += 1;
        if let Some(decision) = self.enumerator.mismatch() {
            return Err(DecisionEnd::Nondeterministic {
                run: self.report.runs,
                decision,
            });
        }
        // An inside violation first, where a run has both.
        match Failure::of(&run, None, Some(false)) {
            Some(failure @ Failure::Violated { outside: true, .. })
                if !self.limits.outside_ends =>
            {
                self.report.outside += 1;
                if self.report.first_outside.is_none() {
                    self.report.first_outside = Some(self.found(plan, plan_len, run, failure));
                }
            }
            Some(failure) => {
                return Err(DecisionEnd::Found(self.found(plan, plan_len, run, failure)));
            }
            None => {}
        }
        if self.limits.max_runs.is_some_and(|m| self.report.runs >= m) {
            return Err(DecisionEnd::Limit(format!("--runs {}", self.report.runs)));
        }
        if self.report.runs.is_multiple_of(64) {
            let progress = Progress {
                states: self.report.runs,
                unique: self.report.runs,
                depth: self.report.deviations,
            };
            if let Some(which) = stop(&progress) {
                return Err(DecisionEnd::Limit(which));
            }
        }
        let steps = self.enumerator.steps();
        if Some(self.report.deviations) == self.limits.max_deviations {
            // The last level the bound allows: its runs' children are beyond it.
            self.beyond |= children(steps, from).next().is_some();
        } else {
            level.push(Taken {
                steps: steps.into(),
                from,
            });
        }
        Ok(())
    }

    /// The run just taken, failing with `failure`.
    fn found(
        &self,
        plan: FaultPlan,
        plan_len: usize,
        report: RunReport,
        failure: Failure,
    ) -> Box<FoundRun> {
        Box::new(FoundRun {
            plan,
            choices: self.enumerator.made()[plan_len..].to_vec(),
            report,
            failure,
            deviations: self.enumerator.deviations(),
        })
    }

    /// Runs the run that follows `prefix`: its plan, how many decisions drew it, and the
    /// run's report (a panic while drawing the plan is the run's outcome).
    fn execute(&mut self, prefix: &[Step]) -> (FaultPlan, usize, RunReport) {
        let e = &mut self.enumerator;
        e.follow(prefix);
        let spec = self.simulation.spec();
        let drawn = sim_core::engine::guarded(|| {
            spec.faults.plan_from(spec.nodes, &mut *e, &spec.schedule)
        });
        let plan_len = e.made().len();
        let (plan, run) = match drawn {
            Ok(plan) => {
                let run = self.simulation.run_choosing(0, plan.clone(), e);
                (plan, run)
            }
            Err(message) => {
                let run = crate::simulation::panicked(
                    0,
                    FaultPlan::default(),
                    message,
                    "drawing the fault plan",
                );
                (FaultPlan::default(), run)
            }
        };
        self.report.longest = self.report.longest.max(e.made().len());
        (plan, plan_len, run)
    }
}
