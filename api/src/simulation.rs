//! From a declaration to runs. A [`RunSpec`] says what every seed of an experiment shares (the
//! group, network, detector, faults, budgets, which properties to check); preparing it against
//! a protocol and its typed parameters validates everything and resolves every default once,
//! into a [`Simulation`] that runs any seed with no further lookups.

use std::sync::Arc;

use sim_core::engine::guarded;
use sim_core::{
    Choice, Choices, DetectorModel, Divergence, Engine, FaultPlan, FaultSpec, NetworkModel,
    Outcome, PropertyKind, Recorder, RunConfig, RunReport, Script, Scripted, Seeded, Setup, Stats,
    Tape,
};

use crate::adversaries::Adversaries;
use crate::metrics::{Metrics, MetricsInfo, Probe};

/// A metric's probe and the monitor that feeds it during one run.
type ProbeAndMonitor<P> = (Probe<P>, sim_core::Monitor<P>);
use crate::model::Model;
use crate::params::{ParamValues, Params};
use crate::protocol::{Protocol, SpecError};
use crate::table::Properties;
use crate::worker::{EngineWorker, Worker};

/// What every seed of an experiment shares. The `Option`s are "the protocol's default"; a
/// prepared [`Simulation`] reports its spec with every one of them filled in.
#[derive(Clone, Debug, PartialEq)]
pub struct RunSpec {
    /// The group size.
    pub nodes: usize,
    /// Delays, loss, duplication, FIFO order and the send gap, per link.
    pub network: NetworkModel,
    /// `None`: the detector the protocol declares (or none).
    pub detector: Option<DetectorModel>,
    /// Duration, settle period and event budget (`trace` is set per run).
    pub config: RunConfig,
    /// The safety and liveness properties to check; `None`: all of them.
    pub invariants: Option<Vec<String>>,
    /// The reachability properties to track; `None`: all of them.
    pub sometimes: Option<Vec<String>>,
    /// The adversary of Byzantine nodes; `None`: the protocol's first.
    pub adversary: Option<String>,
    /// The random fault mix, drawn per seed.
    pub faults: FaultSpec,
    /// Explicit faults added to every seed's plan (and Byzantine nodes fixed for every seed).
    pub schedule: FaultPlan,
}

impl RunSpec {
    /// A group of `nodes` on the default network, with no faults and every default.
    pub fn new(nodes: usize) -> Self {
        RunSpec {
            nodes,
            network: NetworkModel::default(),
            detector: None,
            config: RunConfig::default(),
            invariants: None,
            sometimes: None,
            adversary: None,
            faults: FaultSpec::default(),
            schedule: FaultPlan::default(),
        }
    }

    /// The fault plan of one seed: the random mix drawn from the seed's fault-plan stream,
    /// plus the explicit schedule.
    pub fn plan(&self, seed: u64) -> FaultPlan {
        self.faults.plan_for(self.nodes, seed, &self.schedule)
    }

    /// Whether any node can be Byzantine.
    pub fn has_byzantine(&self) -> bool {
        self.faults.byzantine.as_ref().is_some_and(|b| b.count > 0)
            || !self.schedule.byzantine.is_empty()
    }
}

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
    fn explorer(&self) -> Result<Box<dyn crate::explore::Explorer>, SpecError> {
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

/// Prepares a typed protocol and parameters for `spec` (see [`AnyProtocol::prepare`]).
///
/// [`AnyProtocol::prepare`]: crate::AnyProtocol::prepare
pub fn prepare_typed<T: Protocol>(
    protocol: &'static T,
    params: T::Params,
    mut spec: RunSpec,
) -> Result<Arc<Prepared<T>>, SpecError> {
    if spec.nodes == 0 {
        return Err(SpecError::new("nodes", "expected at least one node"));
    }
    protocol.validate(&params, spec.nodes)?;
    spec.faults
        .validate(spec.nodes)
        .map_err(|e| SpecError::new(format!("faults.{}", e.path), e.message))?;
    spec.schedule
        .validate(spec.nodes)
        .map_err(|e| SpecError::new("faults.schedule", e.message))?;
    let detector = resolve_detector(protocol, &mut spec)?;
    let properties = protocol.properties();
    let checked = resolve_checks(protocol.name(), &properties, &mut spec)?;
    let adversaries = protocol.adversaries();
    let adversary = resolve_adversary(protocol.name(), &adversaries, &mut spec)?;
    let model = protocol.model(&params, spec.nodes);
    let may_step_outside = model.scenario_breaches(protocol.name(), &spec);
    let metrics = protocol.metrics(&params);
    Ok(Arc::new(Prepared {
        bound: Arc::new(Bound {
            protocol,
            params,
            spec,
            detector,
            properties,
            checked,
            adversaries,
            adversary,
            model,
            may_step_outside,
            metrics,
        }),
        swarm: false,
    }))
}

fn resolve_detector<T: Protocol>(
    protocol: &T,
    spec: &mut RunSpec,
) -> Result<DetectorModel, SpecError> {
    let needed = protocol.detector();
    let detector = spec.detector.or(needed).unwrap_or(DetectorModel::None);
    if needed.is_some() && detector == DetectorModel::None {
        return Err(SpecError::new(
            "detector.kind",
            format!(
                "protocol \"{}\" needs a failure detector: expected \"perfect\" or \
                 \"eventually_perfect\"",
                protocol.name()
            ),
        ));
    }
    spec.detector = Some(detector);
    Ok(detector)
}

/// The table rows a spec selects, checking each name and kind; fills in the defaults.
fn resolve_checks<P: sim_core::Process + 'static>(
    protocol: &str,
    table: &Properties<P>,
    spec: &mut RunSpec,
) -> Result<Vec<usize>, SpecError> {
    let mut rows = Vec::new();
    for (list, key, sometimes) in [
        (&mut spec.invariants, "invariants", false),
        (&mut spec.sometimes, "sometimes", true),
    ] {
        let names: Vec<String> = match list {
            Some(names) => names.clone(),
            None => table
                .defs()
                .iter()
                .filter(|d| (d.info.kind == PropertyKind::Sometimes) == sometimes)
                .map(|d| d.info.name.to_string())
                .collect(),
        };
        for (i, name) in names.iter().enumerate() {
            let key = format!("{key}[{i}]");
            let Some(row) = table.position(name) else {
                let known: Vec<&str> = table.defs().iter().map(|d| d.info.name).collect();
                return Err(SpecError::new(
                    key,
                    format!(
                        "unknown property \"{name}\" of protocol \"{protocol}\": expected one of {}",
                        known.join(", ")
                    ),
                ));
            };
            let is_sometimes = table.defs()[row].info.kind == PropertyKind::Sometimes;
            if is_sometimes != sometimes {
                let (it, other) = if is_sometimes {
                    ("a `sometimes` property", "sometimes")
                } else {
                    ("not a `sometimes` property", "invariants")
                };
                return Err(SpecError::new(
                    key,
                    format!("\"{name}\" is {it}: list it under `{other}`"),
                ));
            }
            if !rows.contains(&row) {
                rows.push(row);
            }
        }
        *list = Some(names);
    }
    rows.sort_unstable();
    Ok(rows)
}

fn resolve_adversary<T: Protocol>(
    protocol: &str,
    adversaries: &Adversaries<T>,
    spec: &mut RunSpec,
) -> Result<Option<usize>, SpecError> {
    let known: Vec<&str> = adversaries.defs().iter().map(|d| d.info.name).collect();
    let chosen = match &spec.adversary {
        Some(name) => Some(adversaries.position(name).ok_or_else(|| {
            SpecError::new(
                "adversary",
                if known.is_empty() {
                    format!(
                        "protocol \"{protocol}\" has no Byzantine adversaries (found \"{name}\")"
                    )
                } else {
                    format!(
                        "unknown adversary \"{name}\": expected one of {}",
                        known.join(", ")
                    )
                },
            )
        })?),
        None => (!known.is_empty()).then_some(0),
    };
    if spec.has_byzantine() && known.is_empty() {
        return Err(SpecError::new(
            "faults.byzantine",
            format!(
                "protocol \"{protocol}\" has no Byzantine adversaries; its Byzantine nodes \
                 would only be silent (use crashes instead)"
            ),
        ));
    }
    spec.adversary = chosen.map(|i| known[i].to_string());
    Ok(chosen)
}

impl<T: Protocol> Prepared<T> {
    /// One seed's run, its decisions drawn from the seed or read from `options.choices`,
    /// traced as `tracing` says ([`run`](Simulation::run) and
    /// [`run_streamed`](Simulation::run_streamed)).
    fn run_traced(&self, seed: u64, options: RunOptions<'_>, tracing: Tracing) -> RunReport {
        let plan = match self.plan_of(seed, options.plan) {
            Ok(plan) => plan,
            Err(report) => return *report,
        };
        match options.choices {
            None => self.execute(seed, plan, tracing, Seeded::new(seed)).0,
            Some(recorded) => {
                self.execute(seed, plan, tracing, Tape::new(recorded.to_vec()))
                    .0
            }
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
        crate::model::classify(&self.bound.model, self.protocol(), report);
    }

    pub(crate) fn setup(&self, plan: FaultPlan, trace: bool) -> Setup<T::Process> {
        let b = &self.bound;
        let factory = {
            let b = Arc::clone(b);
            Box::new(move |node, n| b.protocol.process(&b.params, node, n))
        };
        let adversary = b.adversary.map(|row| {
            let b = Arc::clone(b);
            Box::new(move |node| (b.adversaries.defs()[row].make)(&b.params, node))
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
            return self.run_scripted(seed, plan, script, options);
        }
        match options.choices {
            None => {
                let source = Recorder::new(Seeded::new(seed));
                let (report, recorder) =
                    self.execute(seed, plan, Tracing::of(options.trace), source);
                Recorded {
                    report,
                    choices: recorder.map(|r| r.tape).unwrap_or_default(),
                    fit: None,
                }
            }
            Some(recorded) => {
                let source = Recorder::new(Tape::new(recorded.to_vec()));
                let (report, recorder) =
                    self.execute(seed, plan, Tracing::of(options.trace), source);
                let fit = recorder.as_ref().map(|r| TapeFit::of(&r.inner));
                Recorded {
                    report,
                    choices: recorder.map(|r| r.tape).unwrap_or_default(),
                    fit: Some(fit.unwrap_or_default()),
                }
            }
        }
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

    fn explorer(&self) -> Result<Box<dyn crate::explore::Explorer>, SpecError> {
        match self.bound.protocol.exploration() {
            Some(exploration) => (exploration.build)(self),
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
    /// The protocol's declaration.
    pub(crate) fn declaration(&self) -> &'static T {
        self.bound.protocol
    }

    /// The typed parameters.
    pub(crate) fn typed_params(&self) -> &T::Params {
        &self.bound.params
    }

    /// What a search needs: the spec, the detector, the factory and the checked properties.
    pub(crate) fn explore_parts(&self) -> crate::explore::Parts<'_, T::Process> {
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
                let info = &b.properties.defs()[row].info;
                let bound = Arc::clone(b);
                crate::explore::MonitorDef {
                    name: info.name,
                    kind: info.kind,
                    make: Box::new(move || bound.properties.defs()[row].monitor().property),
                }
            })
            .collect();
        let adversary = b.adversary.map(|row| {
            let name = b.adversaries.defs()[row].info.name.to_string();
            let bound = Arc::clone(b);
            let make: crate::explore::AdversaryMaker<T::Process> = Box::new(move |node| {
                (bound.adversaries.defs()[row].make)(&bound.params, node).snapshot()
            });
            (name, make)
        });
        crate::explore::Parts {
            spec: &b.spec,
            detector: b.detector,
            factory,
            monitors,
            adversary,
        }
    }
}

impl<T: Protocol> Prepared<T> {
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

    /// Runs `plan` following `script`, recording the decisions (taken from `options.choices`
    /// if given: then how closely the run kept to them is its fit).
    fn run_scripted(
        &self,
        seed: u64,
        plan: FaultPlan,
        script: &Script,
        options: RunOptions<'_>,
    ) -> Recorded {
        let tape = options.choices.map(|c| Tape::new(c.to_vec()));
        let source = Recorder::new(Scripted::new(script, tape));
        let (report, recorder) = self.execute(seed, plan, Tracing::of(options.trace), source);
        let fit = options.choices.map(|_| {
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
    fn execute<C: Choices>(
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
struct Lent<'a>(&'a mut dyn Choices);

impl Choices for Lent<'_> {
    fn choose(&mut self, stream: sim_core::Stream, draw: sim_core::Draw, bound: u64) -> u64 {
        self.0.choose(stream, draw, bound)
    }

    fn script(&mut self) -> Option<&mut sim_core::Scripted> {
        self.0.script()
    }
}

/// Whether a run is traced, and where its entries go.
enum Tracing {
    Off,
    /// Kept in the report.
    Collect,
    /// Handed to a sink as they happen.
    Stream(Box<dyn sim_core::TraceSink>),
}

impl Tracing {
    fn of(trace: bool) -> Self {
        if trace {
            Tracing::Collect
        } else {
            Tracing::Off
        }
    }
}
