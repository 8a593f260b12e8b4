//! The event loop. One [`Engine`] runs one (setup, seed) pair to an outcome. It is generic over
//! the process type, so handler dispatch in the hot loop is static; properties and adversaries
//! are trait objects because they run per observation, not per event.
//!
//! The loop pops events in (virtual time, insertion sequence) order (see `queue`), so
//! simultaneous events run in the order they were scheduled and every run is a pure function
//! of its inputs. Each kind of event is handled in its own module: message sends and
//! deliveries (`messages`), faults (`faults`), failure-detector notices (`detector`); the
//! effects of a handler are applied in `dispatch`, properties judged in `properties`, and the
//! optional full trace kept in `tracer`. Per-node state lives in `node`, the links in `links`.

mod budget;
mod clock;
mod detector;
mod dispatch;
mod faults;
mod guard;
mod links;
mod messages;
mod node;
mod properties;
mod queue;
mod radix;
mod storage;
mod tracer;
mod triggers;
mod weighing;

use std::hash::{Hash, Hasher};

use serde::{Deserialize, Serialize};

use crate::entropy::{Choices, DetHasher, Seeded};
use crate::faults::{FaultKind, FaultPlan};
use crate::network::NetworkModel;
use crate::process::{Adversary, Effect, Process};
use crate::property::Monitor;
use crate::time::{Duration, Time};
use crate::trace::{Budget, Outcome, RunReport, Stats, TraceKind, Violation};
use crate::NodeId;

pub use budget::{Budgets, DEFAULT_MAX_IN_FLIGHT, DEFAULT_MAX_MEMORY_BYTES};
pub use detector::DetectorModel;
pub use guard::{guarded, in_simulation, panic_message};
pub use tracer::{StatesWanted, TraceSink, CLIPPED, MAX_CLOCK_NODES, STABLE_TEXT_BYTES_MAX};

use budget::Account;
use detector::Detector;
use links::Links;
use node::Nodes;
use queue::{Ev, Queue};
use storage::Storage;
use tracer::{Collect, Sink, Tracer};
use triggers::Triggers;

/// How long a run lasts and what it may spend.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunConfig {
    /// The fault phase: faults happen in `[0, duration)`; at `duration` the network heals.
    pub duration: Duration,
    /// The liveness phase after `duration`: no new faults, a healed network.
    pub settle: Duration,
    /// The most events a run may process before it is cut short as a budget overrun.
    pub max_events: u64,
    /// Record the full trace (slow; for replays, not sweeps).
    pub trace: bool,
    /// Virtual time, messages in flight and memory: what else a run may spend.
    #[serde(default)]
    pub budgets: Budgets,
}

impl Default for RunConfig {
    fn default() -> Self {
        RunConfig {
            duration: Duration::from_millis(100),
            settle: Duration::from_millis(100),
            max_events: 1_000_000,
            trace: false,
            budgets: Budgets::default(),
        }
    }
}

/// Builds the process for a node (at start, and again on recovery).
pub type Factory<P> = Box<dyn Fn(NodeId, usize) -> P>;
/// Builds the adversary driving a Byzantine node.
pub type AdversaryFactory<P> = Box<dyn Fn(NodeId) -> Box<dyn Adversary<P>>>;

/// Everything one run needs besides its seed.
pub struct Setup<P: Process> {
    /// The group size, at most `u32::MAX`.
    pub n: usize,
    /// Delays, loss, duplication, FIFO order and the send gap, per link.
    pub network: NetworkModel,
    /// The failure detector processes are notified by.
    pub detector: DetectorModel,
    /// Every fault of the run, decided before it starts.
    pub plan: FaultPlan,
    /// Duration, settle period, event budget, tracing.
    pub config: RunConfig,
    /// Builds each node's process, at start and on recovery.
    pub factory: Factory<P>,
    /// The properties to check, each under the name and kind its protocol declared.
    pub properties: Vec<Monitor<P>>,
    /// Used for the plan's Byzantine nodes; `None` makes them silent.
    pub adversary: Option<AdversaryFactory<P>>,
}

/// The event being processed, kept small and `Copy` so a violation or a panic can say where it
/// happened without tracing being on.
#[derive(Clone, Copy, Debug)]
struct Current {
    index: u64,
    time: Time,
    what: &'static str,
    node: Option<NodeId>,
    peer: Option<NodeId>,
    msg_id: Option<u64>,
}

impl Current {
    /// Before the first event.
    const START: Current = Current {
        index: 0,
        time: Time::ZERO,
        what: "start of run",
        node: None,
        peer: None,
        msg_id: None,
    };

    fn describe(&self) -> String {
        let mut s = format!("event #{} at {}: {}", self.index, self.time, self.what);
        if let Some(id) = self.msg_id {
            s.push_str(&format!(" of message #{id}"));
        }
        if let Some(p) = self.peer {
            s.push_str(&format!(" from node {p}"));
        }
        if let Some(n) = self.node {
            s.push_str(&format!(" at node {n}"));
        }
        s
    }
}

/// Why the event loop stopped.
enum Stop {
    End,
    Violated,
    Budget(Budget, u64),
}

/// One run of a protocol under a network and fault plan.
pub struct Engine<P: Process, C: Choices = Seeded> {
    n: usize,
    seed: u64,
    plan: FaultPlan,
    config: RunConfig,
    factory: Factory<P>,
    adversary: Option<AdversaryFactory<P>>,
    choices: C,

    nodes: Nodes<P>,
    links: Links,
    detector: Detector,
    triggers: Triggers,
    storage: Storage<P::Stable>,
    queue: Queue<P>,
    now: Time,
    next_msg_id: u64,
    /// The effects buffer handlers push into, reused across events.
    effects: Vec<Effect<P>>,
    stats: Stats,
    hash: DetHasher,
    current: Current,
    /// The traitor whose adversary is running, while one is: a panic then is the
    /// adversary's, not the event's handler's.
    tampering: Option<NodeId>,
    tracer: Option<Tracer>,
    /// What the run spends against its budgets.
    account: Account,
    weighing: weighing::Weighing,

    properties: Vec<Monitor<P>>,
    /// The properties that judge states after every event (all, until each that does not
    /// says so).
    state_watchers: Vec<usize>,
    /// The observations of the current event, judged once it is handled.
    observations: Vec<P::Obs>,
    violations: Vec<Violation>,
    reached: Vec<String>,
    outcome: Option<Outcome>,
}

impl<P: Process> Engine<P, Seeded> {
    /// An engine drawing from the standard seeded streams.
    pub fn new(setup: Setup<P>, seed: u64) -> Self {
        Engine::with_choices(setup, seed, Seeded::new(seed))
    }

    /// [`reset`](Engine::reset) with the standard seeded streams of `seed`, set up again in
    /// place rather than built and moved in: what a sweep worker does between seeds.
    pub fn reseed(&mut self, seed: u64, plan: FaultPlan, properties: Vec<Monitor<P>>) {
        self.reset_run(seed, plan, properties);
        self.choices.reseed(seed);
    }
}

impl<P: Process, C: Choices> Engine<P, C> {
    /// An engine drawing every decision from `choices` (a recorder, a tape, an explorer).
    pub fn with_choices(setup: Setup<P>, seed: u64, choices: C) -> Self {
        let n = setup.n;
        // Envelopes hold node ids in 32 bits (see `queue::Envelope`).
        assert!(
            u32::try_from(n).is_ok(),
            "a group of more than u32::MAX nodes"
        );
        let nodes = Nodes::new(
            n,
            &setup.factory,
            &setup.plan.byzantine,
            setup.adversary.as_ref(),
        );
        let triggers = Triggers::new(&setup.plan.triggered, &setup.plan.chains, n);
        let storage = Storage::new(setup.plan.storage, n);
        // Every property may judge states until it says it does not (StateCheck::NotWatched).
        let state_watchers = (0..setup.properties.len()).collect();
        Engine {
            n,
            seed,
            plan: setup.plan,
            config: setup.config,
            factory: setup.factory,
            adversary: setup.adversary,
            choices,
            nodes,
            links: Links::new(&setup.network, n),
            detector: Detector::new(setup.detector, n),
            triggers,
            storage,
            queue: Queue::new(),
            now: Time::ZERO,
            next_msg_id: 0,
            effects: Vec::new(),
            stats: Stats::default(),
            hash: DetHasher::default(),
            current: Current::START,
            tampering: None,
            tracer: setup
                .config
                .trace
                .then(|| Tracer::new(n, Sink::Collect(Collect::default()))),
            account: Account::default(),
            weighing: weighing::Weighing::default(),
            properties: setup.properties,
            state_watchers,
            observations: Vec::new(),
            violations: Vec::new(),
            reached: Vec::new(),
            outcome: None,
        }
    }

    /// Makes this engine ready for another run of the same setup (group, network, detector,
    /// configuration, factories) with another seed, fault plan, fresh properties and source of
    /// decisions, keeping the memory of its queue, buffers, per-node columns and timer slabs:
    /// what a sweep worker does between seeds. The run is the one a new engine would make.
    pub fn reset(&mut self, seed: u64, plan: FaultPlan, properties: Vec<Monitor<P>>, choices: C) {
        self.reset_run(seed, plan, properties);
        self.choices = choices;
    }

    /// Everything [`reset`](Engine::reset) does but the source of decisions.
    fn reset_run(&mut self, seed: u64, plan: FaultPlan, properties: Vec<Monitor<P>>) {
        self.nodes
            .reset(&self.factory, &plan.byzantine, self.adversary.as_ref());
        self.triggers = Triggers::new(&plan.triggered, &plan.chains, self.n);
        self.storage = Storage::new(plan.storage, self.n);
        self.links.reset();
        self.detector.reset();
        self.queue.clear();
        self.seed = seed;
        self.plan = plan;
        self.now = Time::ZERO;
        self.next_msg_id = 0;
        self.effects.clear();
        self.stats = Stats::default();
        self.hash = DetHasher::default();
        self.current = Current::START;
        self.tampering = None;
        if self.config.trace {
            self.tracer = Some(Tracer::new(self.n, Sink::Collect(Collect::default())));
        }
        self.account.reset();
        self.weighing = weighing::Weighing::default();
        self.state_watchers.clear();
        self.state_watchers.extend(0..properties.len());
        self.properties = properties;
        self.observations.clear();
        self.violations.clear();
        self.reached.clear();
        self.outcome = None;
    }

    /// Streams the run's trace entries (and, if it wants them, process states) to `sink` as
    /// they happen instead of keeping them: the report then has no trace. Call before `run`.
    pub fn stream_trace(&mut self, mut sink: Box<dyn TraceSink>) {
        sink.begin(self.seed, &self.plan, &self.config);
        self.tracer = Some(Tracer::new(self.n, Sink::Stream(sink)));
    }

    /// The process states (after a run: as they ended).
    pub fn states(&self) -> &[P] {
        &self.nodes.processes
    }

    /// Each node's stable storage.
    pub fn stable(&self) -> &[P::Stable] {
        &self.nodes.stable
    }

    /// The source of decisions (for example, to take a recorded tape out of a `Recorder`).
    pub fn choices(&self) -> &C {
        &self.choices
    }

    /// The source of decisions, taking the engine apart (a recorder's tape without a copy).
    pub fn into_choices(self) -> C {
        self.choices
    }

    /// Runs to the end (or the first safety violation, a budget overrun, a panic) and reports.
    /// Runs once: a second call reports the same run again without re-running it.
    pub fn run(&mut self) -> RunReport {
        self.execute_once();
        let (trace, states) = match self.tracer.as_ref().map(|t| &t.sink) {
            Some(Sink::Collect(c)) => (Some(c.events.clone()), c.states.clone()),
            _ => (None, Vec::new()),
        };
        self.report(
            self.plan.clone(),
            self.violations.clone(),
            self.reached.clone(),
            trace,
            states,
        )
    }

    /// Runs like [`run`](Engine::run), moving the plan, violations and trace into the report
    /// instead of copying them: for an engine that is [`reset`](Engine::reset) before its
    /// next run (a second call reports them empty).
    pub fn run_to_report(&mut self) -> RunReport {
        self.execute_once();
        let (trace, states) = match self.tracer.as_mut().map(|t| &mut t.sink) {
            Some(Sink::Collect(c)) => (
                Some(std::mem::take(&mut c.events)),
                std::mem::take(&mut c.states),
            ),
            _ => (None, Vec::new()),
        };
        let plan = std::mem::take(&mut self.plan);
        let violations = std::mem::take(&mut self.violations);
        let reached = std::mem::take(&mut self.reached);
        self.report(plan, violations, reached, trace, states)
    }

    fn execute_once(&mut self) {
        if self.outcome.is_none() {
            let outcome = self.execute();
            self.outcome = Some(outcome);
        }
    }

    fn report(
        &self,
        plan: FaultPlan,
        violations: Vec<Violation>,
        reached: Vec<String>,
        trace: Option<Vec<crate::trace::TraceEvent>>,
        states: Vec<crate::trace::ProcessState>,
    ) -> RunReport {
        RunReport {
            seed: self.seed,
            outcome: self.outcome.clone().unwrap_or(Outcome::Ok),
            violations,
            reached,
            stats: self.stats.clone(),
            trace_hash: self.hash.finish(),
            plan,
            crashed: (0..self.n)
                .filter(|&i| self.nodes.ever_crashed[i])
                .collect(),
            down_at_end: (0..self.n).filter(|&i| !self.nodes.up[i]).collect(),
            outside_assumptions: Vec::new(),
            trace,
            states,
            measured: Default::default(),
            client_histories: match self.tracer {
                Some(_) => self.client_histories(),
                None => Vec::new(),
            },
        }
    }
}

impl<P: Process, C: Choices> Engine<P, C> {
    fn execute(&mut self) -> Outcome {
        self.schedule_initial_events();
        let end = Time::ZERO + self.config.duration + self.config.settle;
        // The end-of-run judgement runs under the guard too: a property that panics judging a
        // run fails that seed like a handler that panics.
        let result = guarded(|| self.main_loop(end)).and_then(|stop| match stop {
            Stop::End => guarded(|| self.finish_properties()).map(|()| Stop::End),
            stop => Ok(stop),
        });
        self.stats.end_time = self.now;
        match result {
            Err(message) => {
                self.hash.mix(0xdead);
                let mut during = self.current.describe();
                if let Some(traitor) = self.tampering {
                    during.push_str(&format!(", in node {traitor}'s adversary"));
                }
                Outcome::Panicked { message, during }
            }
            Ok(Stop::Violated) => Outcome::Violated,
            Ok(Stop::Budget(budget, limit)) => Outcome::BudgetExceeded { budget, limit },
            Ok(Stop::End) => {
                if self.violations.is_empty() {
                    Outcome::Ok
                } else {
                    Outcome::Violated
                }
            }
        }
    }

    fn schedule_initial_events(&mut self) {
        // A node's clock and speed at time 0 are set before it starts, so its first timers
        // already run on them.
        let initial =
            |e: &crate::faults::FaultEvent| e.at == Time::ZERO && e.kind.sets_up_machine();
        for (i, fault) in self.plan.events.iter().enumerate() {
            if initial(fault) {
                self.queue.push(fault.at, Ev::Fault(i));
            }
        }
        for node in 0..self.n {
            self.queue.push(Time::ZERO, Ev::Start(node));
        }
        for (i, fault) in self.plan.events.iter().enumerate() {
            if !initial(fault) {
                self.queue.push(fault.at, Ev::Fault(i));
            }
        }
        self.queue
            .push(Time::ZERO + self.config.duration, Ev::FaultsEnd);
        self.schedule_false_suspicions();
        self.schedule_scripted_notices();
    }

    /// A scripted run's failure-detector notices, at their times (a script stands in for the
    /// detector's own notices, see `detector`).
    fn schedule_scripted_notices(&mut self) {
        let Some(script) = self.choices.script() else {
            return;
        };
        for (at, node, about, suspect) in script.notices() {
            let detect = Ev::Detect {
                node,
                about,
                suspect,
                false_alarm: false,
            };
            self.queue.push(at, detect);
        }
    }

    fn main_loop(&mut self, end: Time) -> Stop {
        let stop = budget::stop_time(end, &self.config.budgets);
        let event_bytes = budget::event_bytes::<P>();
        while let Some((time, ev)) = self.queue.pop_due(stop, |ev| self.nodes.still_set(ev)) {
            let before = self.now;
            self.now = time;
            if !self.handle(ev) {
                // A moot detector notice: not an event, so the clock stays at the last one.
                self.now = before;
                continue;
            }
            if !self.violations.is_empty() {
                return Stop::Violated;
            }
            if self.stats.events >= self.config.max_events && self.work_left() {
                return Stop::Budget(Budget::Events, self.config.max_events);
            }
            self.weigh_if_due(event_bytes);
            let (pending, messages) = (self.queue.len(), self.queue.messages());
            let budgets = &self.config.budgets;
            if let Some((budget, limit)) =
                self.account
                    .exceeded(budgets, pending, messages, event_bytes)
            {
                return Stop::Budget(budget, limit);
            }
        }
        let next = self.queue.next_time(|ev| self.nodes.still_set(ev));
        match (self.config.budgets.max_time, next) {
            (Some(max), Some(next)) if stop < end && next <= end => {
                Stop::Budget(Budget::VirtualTime, max.0)
            }
            _ => Stop::End,
        }
    }

    /// Whether an event is still pending (a cancelled timer is not one).
    fn work_left(&mut self) -> bool {
        self.queue
            .next_time(|ev| self.nodes.still_set(ev))
            .is_some()
    }

    /// Marks the start of a real event: counts it, hashes it, and remembers it for reports.
    fn begin(
        &mut self,
        what: &'static str,
        node: Option<NodeId>,
        peer: Option<NodeId>,
        msg_id: Option<u64>,
    ) {
        self.stats.events += 1;
        self.current = Current {
            index: self.stats.events,
            time: self.now,
            what,
            node,
            peer,
            msg_id,
        };
        self.hash.mix(self.now.0);
        self.hash
            .mix(what.len() as u64 ^ ((what.as_bytes()[0] as u64) << 8));
        self.hash.mix(node.map_or(u64::MAX, |n| n as u64));
        self.hash.mix(peer.map_or(u64::MAX, |n| n as u64));
        if let Some(t) = &mut self.tracer {
            t.before_event(self.stats.events, &self.nodes.processes);
        }
    }

    /// Processes one popped event; false if it turned out to be stale.
    #[inline]
    fn handle(&mut self, ev: Ev<P>) -> bool {
        match ev {
            Ev::Start(node) => {
                self.begin("start", Some(node), None, None);
                self.tick(node);
                self.trace(Some(node), || TraceKind::Start);
                self.dispatch(node, |p, ctx| p.on_start(ctx));
            }
            Ev::Deliver(envelope) => self.deliver(envelope),
            Ev::Timer { node, id, tag } => {
                // The queue hands out only timers still set (`Nodes::still_set`).
                let fired = self.nodes.up[node] && self.nodes.timers[node].disarm(id);
                debug_assert!(fired, "a timer popped after it was cancelled");
                if !fired {
                    return false;
                }
                self.begin("timer", Some(node), None, None);
                self.stats.timers_fired += 1;
                self.tick(node);
                tag.hash(&mut self.hash);
                self.trace(Some(node), || TraceKind::TimerFire {
                    timer: id.slot(),
                    tag: format!("{tag:?}"),
                });
                self.dispatch(node, |p, ctx| p.on_timer(ctx, tag));
            }
            Ev::Fault(i) => {
                let kind = self.plan.events[i].kind.clone();
                self.apply_fault(kind);
            }
            Ev::Triggered(i) => self.crash_triggered(i),
            Ev::Recover(node) => self.apply_fault(FaultKind::Recover { node }),
            Ev::Detect {
                node,
                about,
                suspect,
                false_alarm,
            } => return self.detect(node, about, suspect, false_alarm),
            Ev::FaultsEnd => self.end_fault_phase(),
        }
        true
    }
}
