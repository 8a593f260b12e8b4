//! From a declaration to runs. A [`RunSpec`] says what every seed of an experiment shares (the
//! group, network, detector, faults, budgets, which properties to check); preparing it against
//! a protocol and its typed parameters validates everything and resolves every default once,
//! into a [`Simulation`] that runs any seed with no further lookups.

mod prepare;
mod probe;
mod search;
mod search_config;
mod seed_run;
mod worker;

use std::sync::Arc;

use sim_core::{
    Choice, Choices, DetectorModel, Divergence, Engine, FaultPlan, PropertyKind, RunConfig,
    RunReport, Script, Setup, Tape,
};

pub use prepare::prepare_typed;
pub(crate) use seed_run::panicked;
use seed_run::{Lent, Tracing};

use ftsim_api::metrics::{Metrics, MetricsInfo};
use ftsim_api::Adversaries;
use probe::Probe;

/// A metric's probe and the monitor that feeds it during one run.
type ProbeAndMonitor<P> = (Probe<P>, sim_core::Monitor<P>);
use ftsim_api::model::Model;
use ftsim_api::params::{ParamValues, Params};
use ftsim_api::table::Properties;
use ftsim_api::RunSpec;
use ftsim_api::{Protocol, SpecError};
use worker::EngineWorker;
pub use worker::Worker;

/// How to run one seed.
#[derive(Clone, Copy, Debug, Default)]
pub struct RunOptions<'a> {
    /// Record the full trace (for replays; sweeps leave it off).
    pub trace: bool,
    /// Run this fault plan instead of the one the seed draws.
    pub plan: Option<&'a FaultPlan>,
    /// Answer the run's decisions from these recorded ones instead of the seed's streams, so
    /// the run replays without its seed (see [`Tape`]: a decision they lack gets its simplest
    /// outcome: no loss, the shortest delay, the first pick).
    pub choices: Option<&'a [Choice]>,
    /// Follow this scripted schedule (a counterexample of `ftsim explore`): every message's
    /// arrival and every timer's firing at the time it gives, with `plan`'s crashes; the
    /// process's draws from `choices` if given, else each its first outcome.
    pub script: Option<&'a Script>,
}

impl RunOptions<'_> {
    /// The seed's own plan and decisions, with the full trace: a replay.
    pub fn traced() -> Self {
        RunOptions {
            trace: true,
            ..RunOptions::default()
        }
    }
}

/// A run together with every decision it made.
#[derive(Clone, Debug)]
pub struct Recorded {
    /// The run.
    pub report: RunReport,
    /// Every decision of the run, in the order made: given back as [`RunOptions::choices`]
    /// (with the same plan), they replay the run exactly. Empty if the run panicked while it
    /// was being set up.
    pub choices: Vec<Choice>,
    /// When the run was answered from recorded decisions: how closely it followed them.
    pub fit: Option<TapeFit>,
}

/// How closely a run followed the recorded decisions it was given.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TapeFit {
    /// Decisions the recording lacked, or had with another number of outcomes (each answered
    /// with its simplest outcome).
    pub divergences: u64,
    /// Recorded decisions the run never asked for.
    pub unused: u64,
    /// The first decision the recording did not answer.
    pub first: Option<Divergence>,
}

impl TapeFit {
    fn of(tape: &Tape) -> Self {
        TapeFit {
            divergences: tape.divergences,
            unused: tape.unused(),
            first: tape.first_divergence,
        }
    }

    /// Whether the run took every decision from the recording and used all of it: it is the
    /// recorded run.
    pub fn is_exact(&self) -> bool {
        self.divergences == 0 && self.unused == 0
    }
}

/// A protocol prepared for an experiment: parameters validated and typed, defaults resolved.
/// Runs any seed; a run is a pure function of the seed (and the options).
pub trait Simulation: Send + Sync {
    /// The protocol's name.
    fn protocol(&self) -> &'static str;
    /// The spec with every default resolved.
    fn spec(&self) -> &RunSpec;
    /// The parameter values, defaults included.
    fn params(&self) -> ParamValues;
    /// The model the protocol claims with these parameters and this group size.
    fn model(&self) -> &Model;
    /// The figures the protocol's metric yields (latency, availability), if it declares one.
    fn metrics(&self) -> MetricsInfo;
    /// Each node's name in the protocol's own text ([`Protocol::node_label`]), by node id;
    /// `None` where the protocol gives none.
    fn node_labels(&self) -> Vec<Option<String>> {
        Vec::new()
    }
    /// How runs of this spec may step outside that model (empty: they cannot), one sentence
    /// each, naming the scenario key that allows it.
    fn may_step_outside(&self) -> &[String];
    /// Runs one seed. A panic anywhere in it (the protocol, its properties, drawing the plan)
    /// is that seed's outcome, never the caller's.
    fn run(&self, seed: u64, options: RunOptions<'_>) -> RunReport;
    /// Runs one seed like [`run`](Simulation::run) and records every decision it makes, so that
    /// it can be replayed without the seed, edited (a shrinker) or stored (a repro file).
    fn run_recorded(&self, seed: u64, options: RunOptions<'_>) -> Recorded;
    /// Runs one seed like [`run`](Simulation::run), traced, handing each trace entry (and each
    /// process state, if the sink wants them) to `sink` as it happens instead of keeping it:
    /// the report has no trace, and memory does not grow with the run (`ftsim replay`).
    fn run_streamed(
        &self,
        seed: u64,
        options: RunOptions<'_>,
        sink: Box<dyn sim_core::TraceSink>,
    ) -> RunReport;
    /// Runs one seed like [`run_recorded`](Simulation::run_recorded), its trace streamed to
    /// `sink` like [`run_streamed`](Simulation::run_streamed)'s (`ftsim replay --repro`).
    fn run_recorded_streamed(
        &self,
        seed: u64,
        options: RunOptions<'_>,
        sink: Box<dyn sim_core::TraceSink>,
    ) -> Recorded;
    /// Runs `plan` untraced with every decision answered by `choices` (a search that
    /// enumerates them, `explore --strategy decisions`), judged like any run. `seed` only
    /// labels the report.
    fn run_choosing(&self, seed: u64, plan: FaultPlan, choices: &mut dyn Choices) -> RunReport;
    /// The same protocol and parameters prepared for another spec, validated as a scenario's
    /// would be (a shrinker tries smaller groups this way; the protocol's checks decide).
    fn with_spec(&self, spec: RunSpec) -> Result<Arc<dyn Simulation>, SpecError>;
    /// A runner of seeds for one thread: each of its runs is the one [`run`](Simulation::run)
    /// makes with the default options, but it keeps one engine and resets it between seeds,
    /// which is what a sweep's workers should hold (one each).
    fn worker(&self) -> Box<dyn Worker + '_>;
    /// The same simulation in swarm mode: each seed draws its own fault mix within the
    /// spec's bounds before its plan ([`crate::swarm`]).
    fn swarmed(&self) -> Arc<dyn Simulation>;
    /// In swarm mode, the fault mix `seed` draws, in words.
    fn swarm_mix(&self, seed: u64) -> Option<String>;
    /// A search over this scenario's states (`ftsim explore`), if the protocol declares one
    /// ([`Protocol::exploration`]); otherwise, or if the scenario asks for what a search
    /// cannot branch on, the error says why, naming the key.
    fn explorer(&self) -> Result<Box<dyn ftsim_explore::Explorer>, SpecError> {
        Err(SpecError::new(
            "protocol",
            format!("protocol \"{}\" cannot be explored", self.protocol()),
        ))
    }
}

/// Everything a run of protocol `T` needs, resolved once.
struct Bound<T: Protocol> {
    protocol: &'static T,
    params: T::Params,
    spec: RunSpec,
    detector: DetectorModel,
    properties: Properties<T::Process>,
    /// Rows of `properties` to check, in table order.
    checked: Vec<usize>,
    adversaries: Adversaries<T>,
    adversary: Option<usize>,
    model: Model,
    may_step_outside: Vec<String>,
    metrics: Metrics<T::Process>,
}

/// A [`Simulation`] that knows its protocol's type: besides running seeds, it hands out the
/// engine after a run, to look at the processes' final states and stable storage.
pub struct Prepared<T: Protocol> {
    bound: Arc<Bound<T>>,
    /// Each seed draws its own fault mix first (`run --swarm`, [`crate::swarm`]).
    swarm: bool,
}

impl<T: Protocol> Prepared<T> {
    /// Runs one seed and returns the engine, whose `states()` and `stable()` are the nodes'
    /// final states (a protocol panic is in its report, `run()`). The decisions come from the
    /// seed: `options.choices` is not used here (see [`Simulation::run_recorded`]).
    pub fn engine(&self, seed: u64, options: RunOptions<'_>) -> Engine<T::Process> {
        let plan = match options.plan {
            Some(plan) => plan.clone(),
            None => self.bound.spec.plan(seed),
        };
        let mut engine = Engine::new(self.setup(plan, options.trace), seed);
        engine.run();
        engine
    }

    /// A fresh monitor of every checked property, for one run.
    pub(crate) fn monitors(&self) -> Vec<sim_core::Monitor<T::Process>> {
        let b = &self.bound;
        b.checked
            .iter()
            .map(|&row| b.properties.defs()[row].monitor())
            .collect()
    }

    /// The probe of the protocol's declared metric and the monitor that feeds it, for one run
    /// (`None`: the protocol declares no metric).
    pub(crate) fn probe(&self) -> Option<ProbeAndMonitor<T::Process>> {
        self.bound.metrics.measure().map(Probe::new)
    }

    /// Judges a failed run against the protocol's model (outside its assumptions or not).
    pub(crate) fn classify(&self, report: &mut RunReport) {
        ftsim_api::model::classify(&self.bound.model, self.protocol(), report);
    }

    pub(crate) fn setup(&self, plan: FaultPlan, trace: bool) -> Setup<T::Process> {
        let b = &self.bound;
        let factory = {
            let b = Arc::clone(b);
            Box::new(move |node, n| b.protocol.process(&b.params, node, n))
        };
        let adversary = b.adversary.map(|row| {
            let b = Arc::clone(b);
            Box::new(move |node| b.adversaries.defs()[row].build(&b.params, node))
                as sim_core::engine::AdversaryFactory<T::Process>
        });
        Setup {
            n: b.spec.nodes,
            network: b.spec.network.clone(),
            detector: b.detector,
            plan,
            config: RunConfig {
                trace,
                ..b.spec.config
            },
            factory,
            properties: self.monitors(),
            adversary,
        }
    }
}

impl<T: Protocol> Simulation for Prepared<T> {
    fn protocol(&self) -> &'static str {
        self.bound.protocol.name()
    }

    fn spec(&self) -> &RunSpec {
        &self.bound.spec
    }

    fn params(&self) -> ParamValues {
        self.bound.params.to_values()
    }

    fn model(&self) -> &Model {
        &self.bound.model
    }

    fn may_step_outside(&self) -> &[String] {
        &self.bound.may_step_outside
    }

    fn node_labels(&self) -> Vec<Option<String>> {
        let b = &self.bound;
        let nodes = b.spec.nodes;
        (0..nodes)
            .map(|node| b.protocol.node_label(&b.params, node, nodes))
            .collect()
    }

    fn metrics(&self) -> MetricsInfo {
        self.bound.metrics.info()
    }

    fn run(&self, seed: u64, options: RunOptions<'_>) -> RunReport {
        if options.script.is_some() {
            return self.run_recorded(seed, options).report;
        }
        let tracing = Tracing::of(options.trace);
        self.run_traced(seed, options, tracing)
    }

    fn run_streamed(
        &self,
        seed: u64,
        options: RunOptions<'_>,
        sink: Box<dyn sim_core::TraceSink>,
    ) -> RunReport {
        self.run_traced(seed, options, Tracing::Stream(sink))
    }

    fn run_recorded(&self, seed: u64, options: RunOptions<'_>) -> Recorded {
        let tracing = Tracing::of(options.trace);
        self.record(seed, options, tracing)
    }

    fn run_recorded_streamed(
        &self,
        seed: u64,
        options: RunOptions<'_>,
        sink: Box<dyn sim_core::TraceSink>,
    ) -> Recorded {
        self.record(seed, options, Tracing::Stream(sink))
    }

    fn run_choosing(&self, seed: u64, plan: FaultPlan, choices: &mut dyn Choices) -> RunReport {
        self.execute(seed, plan, Tracing::Off, Lent(choices)).0
    }

    fn with_spec(&self, spec: RunSpec) -> Result<Arc<dyn Simulation>, SpecError> {
        let b = &self.bound;
        let prepared: Arc<dyn Simulation> = prepare_typed(b.protocol, b.params.clone(), spec)?;
        Ok(prepared)
    }

    fn worker(&self) -> Box<dyn Worker + '_> {
        Box::new(EngineWorker::new(self))
    }

    fn swarmed(&self) -> Arc<dyn Simulation> {
        Arc::new(Prepared {
            bound: Arc::clone(&self.bound),
            swarm: true,
        })
    }

    fn swarm_mix(&self, seed: u64) -> Option<String> {
        let faults = &self.bound.spec.faults;
        self.swarm
            .then(|| crate::swarm::describe(faults, &crate::swarm::mix(faults, seed)))
    }

    fn explorer(&self) -> Result<Box<dyn ftsim_explore::Explorer>, SpecError> {
        let builder = search::Builder { prepared: self };
        match self.bound.protocol.exploration(builder) {
            Some(explorer) => explorer,
            None => Err(SpecError::new(
                "protocol",
                format!(
                    "protocol \"{}\" cannot be explored: its declaration has no `exploration` \
                     (a state search needs processes that are Clone + Hash; --strategy decisions \
                     searches any protocol's runs)",
                    self.protocol()
                ),
            )),
        }
    }
}

impl<T: Protocol> Prepared<T> {
    /// The model the protocol declares for its parameters and a group of `nodes`.
    pub(crate) fn declared_model(&self, nodes: usize) -> Model {
        ftsim_api::protocol::declared_model(self.bound.protocol, &self.bound.params, nodes)
    }

    /// The typed parameters.
    pub(crate) fn typed_params(&self) -> &T::Params {
        &self.bound.params
    }

    /// What a search needs: the spec, the detector, the factory and the checked properties.
    pub(crate) fn explore_parts(&self) -> search::Parts<'_, T::Process> {
        let b = &self.bound;
        let factory = {
            let b = Arc::clone(b);
            Box::new(move |node, n| b.protocol.process(&b.params, node, n))
        };
        let monitors = b
            .checked
            .iter()
            .filter(|&&row| b.properties.defs()[row].info.kind != PropertyKind::Sometimes)
            .map(|&row| {
                let def = &b.properties.defs()[row];
                search::Checked {
                    name: def.info.name,
                    kind: def.info.kind,
                    make: def.search_factory(),
                }
            })
            .collect();
        let adversary = b.adversary.map(|row| {
            let name = b.adversaries.defs()[row].info.name.to_string();
            let bound = Arc::clone(b);
            let make: ftsim_explore::AdversaryMaker<T::Process> = Box::new(move |node| {
                bound.adversaries.defs()[row]
                    .build(&bound.params, node)
                    .snapshot()
            });
            (name, make)
        });
        search::Parts {
            spec: &b.spec,
            detector: b.detector,
            factory,
            monitors,
            adversary,
        }
    }
}
