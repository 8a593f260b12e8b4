//! One seed's run: its fault plan (given, or drawn from the seed or its swarm mix), its source
//! of decisions (the seed, a recorded tape, a script, a caller's), its tracing, and the guard
//! that turns a panic while drawing the plan or setting up the run into that seed's report.

use sim_core::engine::guarded;
use sim_core::{
    Choice, Choices, Engine, FaultPlan, Outcome, Recorder, RunReport, Script, Scripted, Seeded,
    Stats, Tape,
};

use super::{Prepared, Recorded, RunOptions, TapeFit};
use ftsim_api::protocol::Protocol;

impl<T: Protocol> Prepared<T> {
    /// One seed's run, its decisions drawn from the seed or read from `options.choices`,
    /// traced as `tracing` says ([`run`](Simulation::run) and
    /// [`run_streamed`](Simulation::run_streamed)).
    pub(super) fn run_traced(
        &self,
        seed: u64,
        options: RunOptions<'_>,
        tracing: Tracing,
    ) -> RunReport {
        let plan = match self.plan_of(seed, options.plan) {
            Ok(plan) => plan,
            Err(report) => return *report,
        };
        match options.choices {
            None => self.execute(seed, plan, tracing, Seeded::new(seed)).0,
            Some(recorded) => self.execute(seed, plan, tracing, Tape::new(recorded)).0,
        }
    }

    /// The plan `seed` draws: from the spec's fault mix, or in swarm mode from the seed's own.
    fn drawn_plan(&self, seed: u64) -> FaultPlan {
        let spec = &self.bound.spec;
        if !self.swarm {
            return spec.plan(seed);
        }
        crate::swarm::mix(&spec.faults, seed).plan_for(spec.nodes, seed, &spec.schedule)
    }

    /// The fault plan to run: the one given, or the seed's (a panic while drawing it is the
    /// seed's outcome, returned as its report).
    pub(crate) fn plan_of(
        &self,
        seed: u64,
        given: Option<&FaultPlan>,
    ) -> Result<FaultPlan, Box<RunReport>> {
        match given {
            Some(plan) => Ok(plan.clone()),
            None => guarded(|| self.drawn_plan(seed)).map_err(|message| {
                Box::new(panicked(
                    seed,
                    FaultPlan::default(),
                    message,
                    "drawing the fault plan",
                ))
            }),
        }
    }

    /// One seed's run with its decisions recorded (taken from `options.choices`, or a script,
    /// if given: then how closely the run kept to them is its fit), traced as `tracing` says
    /// ([`run_recorded`](Simulation::run_recorded) and
    /// [`run_recorded_streamed`](Simulation::run_recorded_streamed)).
    pub(super) fn record(&self, seed: u64, options: RunOptions<'_>, tracing: Tracing) -> Recorded {
        let plan = match self.plan_of(seed, options.plan) {
            Ok(plan) => plan,
            Err(report) => {
                let fit = options.choices.map(|_| TapeFit::default());
                return Recorded {
                    report: *report,
                    choices: Vec::new(),
                    fit,
                };
            }
        };
        if let Some(script) = options.script {
            return self.run_scripted(seed, plan, script, options.choices, tracing);
        }
        match options.choices {
            None => {
                let source = Recorder::new(Seeded::new(seed));
                let (report, recorder) = self.execute(seed, plan, tracing, source);
                Recorded {
                    report,
                    choices: recorder.map(|r| r.tape).unwrap_or_default(),
                    fit: None,
                }
            }
            Some(recorded) => {
                let mut source = Recorder::new(Tape::new(recorded));
                // About as many decisions again (a shrinker's candidate: fewer), recorded
                // without growing the tape a doubling at a time.
                source.tape.reserve(recorded.len());
                let (report, recorder) = self.execute(seed, plan, tracing, source);
                let fit = recorder.as_ref().map(|r| TapeFit::of(&r.inner));
                Recorded {
                    report,
                    choices: recorder.map(|r| r.tape).unwrap_or_default(),
                    fit: Some(fit.unwrap_or_default()),
                }
            }
        }
    }

    /// Runs `plan` following `script`, recording the decisions (taken from `options.choices`
    /// if given: then how closely the run kept to them is its fit).
    pub(super) fn run_scripted(
        &self,
        seed: u64,
        plan: FaultPlan,
        script: &Script,
        choices: Option<&[Choice]>,
        tracing: Tracing,
    ) -> Recorded {
        let tape = choices.map(|c| Tape::new(c.to_vec()));
        let source = Recorder::new(Scripted::new(script, tape));
        let (report, recorder) = self.execute(seed, plan, tracing, source);
        let fit = choices.map(|_| {
            let tape = recorder.as_ref().and_then(|r| r.inner.tape());
            tape.map(TapeFit::of).unwrap_or_default()
        });
        Recorded {
            report,
            choices: recorder.map(|r| r.tape).unwrap_or_default(),
            fit,
        }
    }

    /// Runs `plan` with decisions from `choices`, judges a failure against the protocol's
    /// model (outside its assumptions or not), and hands the source back (`None` if the run
    /// panicked while it was being set up).
    pub(super) fn execute<C: Choices>(
        &self,
        seed: u64,
        plan: FaultPlan,
        tracing: Tracing,
        choices: C,
    ) -> (RunReport, Option<C>) {
        let kept = plan.clone();
        let run = guarded(|| {
            let mut setup = self.setup(plan, matches!(tracing, Tracing::Collect));
            let probe = self.probe().map(|(probe, monitor)| {
                setup.properties.push(monitor);
                probe
            });
            let mut engine = Engine::with_choices(setup, seed, choices);
            if let Tracing::Stream(sink) = tracing {
                engine.stream_trace(sink);
            }
            let mut report = engine.run();
            if let Some(probe) = probe {
                report.measured = probe.finish(report.stats.end_time);
            }
            (report, engine.into_choices())
        });
        let (mut report, choices) = match run {
            Ok((report, choices)) => (report, Some(choices)),
            Err(message) => (panicked(seed, kept, message, "setting up the run"), None),
        };
        self.classify(&mut report);
        (report, choices)
    }
}

/// A caller's source of decisions, lent to one run.
pub(super) struct Lent<'a>(pub(super) &'a mut dyn Choices);

impl Choices for Lent<'_> {
    fn choose(&mut self, stream: sim_core::Stream, draw: sim_core::Draw, bound: u64) -> u64 {
        self.0.choose(stream, draw, bound)
    }

    fn script(&mut self) -> Option<&mut dyn sim_core::Schedule> {
        self.0.script()
    }
}

/// Whether a run is traced, and where its entries go.
pub(super) enum Tracing {
    Off,
    /// Kept in the report.
    Collect,
    /// Handed to a sink as they happen.
    Stream(Box<dyn sim_core::TraceSink>),
}

impl Tracing {
    pub(super) fn of(trace: bool) -> Self {
        if trace {
            Tracing::Collect
        } else {
            Tracing::Off
        }
    }
}

/// The report of a seed whose run panicked outside the engine's own guard.
pub(crate) fn panicked(seed: u64, plan: FaultPlan, message: String, during: &str) -> RunReport {
    RunReport {
        seed,
        outcome: Outcome::Panicked {
            message,
            during: during.to_string(),
        },
        violations: Vec::new(),
        reached: Vec::new(),
        stats: Stats::default(),
        trace_hash: 0,
        plan,
        crashed: Vec::new(),
        down_at_end: Vec::new(),
        outside_assumptions: Vec::new(),
        trace: None,
        states: Vec::new(),
        measured: Default::default(),
        client_histories: Vec::new(),
    }
}
