//! The event loop. One [`Engine`] runs one (setup, seed) pair to an outcome. It is generic over
//! the process type, so handler dispatch in the hot loop is static; properties and adversaries
//! are trait objects because they run per observation, not per event.
//!
//! Order of events: a binary heap keyed by (virtual time, insertion sequence), so simultaneous
//! events run in the order they were scheduled and every run is a pure function of its inputs.

use std::collections::BinaryHeap;
use std::hash::{Hash, Hasher};
use std::panic::{catch_unwind, AssertUnwindSafe};

use serde::{Deserialize, Serialize};

use crate::entropy::{chance_ppm, Choices, DetHasher, Seeded, Stream};
use crate::faults::{FaultKind, FaultPlan};
use crate::network::{LinkModel, NetworkModel};
use crate::process::{Adversary, AdversaryCtx, Ctx, Effect, Process, TimerId, TimerSlab};
use crate::property::{Monitor, PropertyKind, World};
use crate::time::{Duration, Time};
use crate::trace::{
    Budget, DropReason, Outcome, RunReport, Stats, TraceEvent, TraceKind, Violation,
};
use crate::NodeId;

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
}

impl Default for RunConfig {
    fn default() -> Self {
        RunConfig {
            duration: Duration::from_millis(100),
            settle: Duration::from_millis(100),
            max_events: 1_000_000,
            trace: false,
        }
    }
}

/// The failure detector the engine provides to processes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", deny_unknown_fields)]
pub enum DetectorModel {
    /// No failure detector: processes are never notified.
    #[default]
    None,
    /// Every live process is told of a crash `delay` after it happens (and of a recovery
    /// `delay` after it); never suspects a live process.
    Perfect { delay: Duration },
    /// Like `Perfect`, but before `stabilize_at` it makes `mistakes` false suspicions of live
    /// processes, each withdrawn after `delay` to `2 * delay`.
    EventuallyPerfect {
        delay: Duration,
        stabilize_at: Time,
        mistakes: u32,
    },
}

impl DetectorModel {
    fn delay(&self) -> Option<Duration> {
        match *self {
            DetectorModel::None => None,
            DetectorModel::Perfect { delay } | DetectorModel::EventuallyPerfect { delay, .. } => {
                Some(delay)
            }
        }
    }
}

/// Builds the process for a node (at start, and again on recovery).
pub type Factory<P> = Box<dyn Fn(NodeId, usize) -> P>;
/// Builds the adversary driving a Byzantine node.
pub type AdversaryFactory<P> = Box<dyn Fn(NodeId) -> Box<dyn Adversary<P>>>;

/// Everything one run needs besides its seed.
pub struct Setup<P: Process> {
    pub n: usize,
    pub network: NetworkModel,
    pub detector: DetectorModel,
    pub plan: FaultPlan,
    pub config: RunConfig,
    pub factory: Factory<P>,
    /// The properties to check, each under the name and kind its protocol declared.
    pub properties: Vec<Monitor<P>>,
    /// Used for the plan's Byzantine nodes; `None` makes them silent.
    pub adversary: Option<AdversaryFactory<P>>,
}

enum Ev<P: Process> {
    Start(NodeId),
    Deliver {
        from: NodeId,
        to: NodeId,
        msg_id: u64,
        lamport: u64,
        depart: Time,
        sender_incarnation: u32,
        msg: P::Msg,
    },
    Timer {
        node: NodeId,
        id: TimerId,
        tag: P::Timer,
    },
    Fault(usize),
    Detect {
        node: NodeId,
        about: NodeId,
        suspect: bool,
        false_alarm: bool,
    },
    FaultsEnd,
}

struct Entry<P: Process> {
    time: Time,
    seq: u64,
    ev: Ev<P>,
}

impl<P: Process> PartialEq for Entry<P> {
    fn eq(&self, other: &Self) -> bool {
        (self.time, self.seq) == (other.time, other.seq)
    }
}
impl<P: Process> Eq for Entry<P> {}
impl<P: Process> PartialOrd for Entry<P> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl<P: Process> Ord for Entry<P> {
    /// Reversed, so that `BinaryHeap` (a max-heap) pops the earliest (time, seq) first.
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (other.time, other.seq).cmp(&(self.time, self.seq))
    }
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

struct Tracer {
    events: Vec<TraceEvent>,
    vc: Vec<Vec<u64>>,
    msg_vc: Vec<Vec<u64>>,
}

thread_local! {
    static IN_SIMULATION: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// True while this thread is inside a run's event loop: a panic hook can stay quiet about
/// protocol panics, which are reported as run outcomes instead.
pub fn in_simulation() -> bool {
    IN_SIMULATION.with(|f| f.get())
}

/// Runs `f`, turning a panic into its message. While it runs, [`in_simulation`] is true, so a
/// panic hook can stay quiet: the panic is reported as an outcome of the run instead.
pub fn guarded<R>(f: impl FnOnce() -> R) -> Result<R, String> {
    let was = IN_SIMULATION.with(|flag| flag.replace(true));
    let result = catch_unwind(AssertUnwindSafe(f));
    IN_SIMULATION.with(|flag| flag.set(was));
    result.map_err(|payload| panic_message(payload.as_ref()))
}

/// The text of a panic's payload.
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic with a non-text payload".to_string()
    }
}

enum Stop {
    End,
    Violated,
    Budget,
}

/// One run of a protocol under a network and fault plan.
pub struct Engine<P: Process, C: Choices = Seeded> {
    n: usize,
    seed: u64,
    links: Vec<LinkModel>,
    send_gap: Duration,
    detector: DetectorModel,
    plan: FaultPlan,
    config: RunConfig,
    factory: Factory<P>,
    properties: Vec<Monitor<P>>,
    state_watchers: Vec<usize>,
    adversaries: Vec<Option<Box<dyn Adversary<P>>>>,
    choices: C,

    states: Vec<P>,
    stable: Vec<P::Stable>,
    timers: Vec<TimerSlab>,
    up: Vec<bool>,
    ever_crashed: Vec<bool>,
    byzantine: Vec<bool>,
    crash_times: Vec<Vec<Time>>,
    lamport: Vec<u64>,
    group: Vec<u32>,
    send_omission_ppm: Vec<u32>,
    receive_omission_ppm: Vec<u32>,
    suspects: Vec<bool>,
    fifo_last: Vec<Time>,
    /// When each node's outgoing wire is free again (see `NetworkModel::send_gap`).
    wire_free: Vec<Time>,

    queue: BinaryHeap<Entry<P>>,
    seq: u64,
    now: Time,
    next_msg_id: u64,
    effects: Vec<Effect<P>>,
    observations: Vec<P::Obs>,
    stats: Stats,
    hash: DetHasher,
    current: Current,
    violations: Vec<Violation>,
    tracer: Option<Tracer>,
    reached: Vec<String>,
    outcome: Option<Outcome>,
}

impl<P: Process> Engine<P, Seeded> {
    /// An engine drawing from the standard seeded streams.
    pub fn new(setup: Setup<P>, seed: u64) -> Self {
        Engine::with_choices(setup, seed, Seeded::new(seed))
    }
}

impl<P: Process, C: Choices> Engine<P, C> {
    /// An engine drawing every decision from `choices` (a recorder, a tape, an explorer).
    pub fn with_choices(setup: Setup<P>, seed: u64, choices: C) -> Self {
        let n = setup.n;
        let mut byzantine = vec![false; n];
        let mut adversaries: Vec<Option<Box<dyn Adversary<P>>>> = (0..n).map(|_| None).collect();
        for &b in &setup.plan.byzantine {
            byzantine[b] = true;
            adversaries[b] = Some(match &setup.adversary {
                Some(make) => make(b),
                None => Box::new(crate::process::Silent),
            });
        }
        let state_watchers = (0..setup.properties.len())
            .filter(|&i| setup.properties[i].property.watches_state())
            .collect();
        let states = (0..n).map(|i| (setup.factory)(i, n)).collect();
        let tracer = setup.config.trace.then(|| Tracer {
            events: Vec::new(),
            vc: vec![vec![0; n]; n],
            msg_vc: Vec::new(),
        });
        Engine {
            n,
            seed,
            links: setup.network.resolve(n),
            send_gap: setup.network.send_gap,
            detector: setup.detector,
            plan: setup.plan,
            config: setup.config,
            factory: setup.factory,
            properties: setup.properties,
            state_watchers,
            adversaries,
            choices,
            states,
            stable: (0..n).map(|_| P::Stable::default()).collect(),
            timers: (0..n).map(|_| TimerSlab::default()).collect(),
            up: vec![true; n],
            ever_crashed: vec![false; n],
            byzantine,
            crash_times: vec![Vec::new(); n],
            lamport: vec![0; n],
            group: vec![0; n],
            send_omission_ppm: vec![0; n],
            receive_omission_ppm: vec![0; n],
            suspects: vec![false; n * n],
            fifo_last: vec![Time::ZERO; n * n],
            wire_free: vec![Time::ZERO; n],
            queue: BinaryHeap::new(),
            seq: 0,
            now: Time::ZERO,
            next_msg_id: 0,
            effects: Vec::new(),
            observations: Vec::new(),
            stats: Stats::default(),
            hash: DetHasher::default(),
            current: Current {
                index: 0,
                time: Time::ZERO,
                what: "start of run",
                node: None,
                peer: None,
                msg_id: None,
            },
            violations: Vec::new(),
            tracer,
            reached: Vec::new(),
            outcome: None,
        }
    }

    /// The process states (after a run: as they ended).
    pub fn states(&self) -> &[P] {
        &self.states
    }

    /// Each node's stable storage.
    pub fn stable(&self) -> &[P::Stable] {
        &self.stable
    }

    /// The source of decisions (for example, to take a recorded tape out of a `Recorder`).
    pub fn choices(&self) -> &C {
        &self.choices
    }

    /// Runs to the end (or the first safety violation, a budget overrun, a panic) and reports.
    /// Runs once: a second call reports the same run again without re-running it.
    pub fn run(&mut self) -> RunReport {
        if self.outcome.is_none() {
            let outcome = self.execute();
            self.outcome = Some(outcome);
        }
        RunReport {
            seed: self.seed,
            outcome: self.outcome.clone().unwrap_or(Outcome::Ok),
            violations: self.violations.clone(),
            reached: self.reached.clone(),
            stats: self.stats.clone(),
            trace_hash: self.hash.finish(),
            plan: self.plan.clone(),
            trace: self.tracer.as_ref().map(|t| t.events.clone()),
        }
    }
}

impl<P: Process, C: Choices> Engine<P, C> {
    fn execute(&mut self) -> Outcome {
        self.schedule_initial_events();
        let end = Time::ZERO + self.config.duration + self.config.settle;
        let result = guarded(|| self.main_loop(end));
        self.stats.end_time = self.now;
        match result {
            Err(message) => {
                self.hash.mix(0xdead);
                Outcome::Panicked {
                    message,
                    during: self.current.describe(),
                }
            }
            Ok(Stop::Violated) => Outcome::Violated,
            Ok(Stop::Budget) => Outcome::BudgetExceeded {
                budget: Budget::Events,
                limit: self.config.max_events,
            },
            Ok(Stop::End) => {
                self.finish_properties();
                if self.violations.is_empty() {
                    Outcome::Ok
                } else {
                    Outcome::Violated
                }
            }
        }
    }

    fn push(&mut self, time: Time, ev: Ev<P>) {
        self.seq += 1;
        self.queue.push(Entry {
            time,
            seq: self.seq,
            ev,
        });
    }

    fn schedule_initial_events(&mut self) {
        for node in 0..self.n {
            self.push(Time::ZERO, Ev::Start(node));
        }
        for i in 0..self.plan.events.len() {
            let at = self.plan.events[i].at;
            self.push(at, Ev::Fault(i));
        }
        self.push(Time::ZERO + self.config.duration, Ev::FaultsEnd);
        if let DetectorModel::EventuallyPerfect {
            delay,
            stabilize_at,
            mistakes,
        } = self.detector
        {
            if self.n >= 2 {
                for _ in 0..mistakes {
                    let c = &mut self.choices;
                    let at = Time(c.choose(Stream::Detector, stabilize_at.0 + 1));
                    let node = c.choose(Stream::Detector, self.n as u64) as NodeId;
                    let other = c.choose(Stream::Detector, self.n as u64 - 1) as NodeId;
                    let about = if other >= node { other + 1 } else { other };
                    let lasting = Duration(delay.0 + c.choose(Stream::Detector, delay.0 + 1));
                    let detect = |suspect| Ev::Detect {
                        node,
                        about,
                        suspect,
                        false_alarm: true,
                    };
                    self.push(at, detect(true));
                    self.push(at + lasting, detect(false));
                }
            }
        }
    }

    fn main_loop(&mut self, end: Time) -> Stop {
        while let Some(top) = self.queue.peek() {
            if top.time > end {
                break;
            }
            let Some(entry) = self.queue.pop() else { break };
            self.now = entry.time;
            if !self.handle(entry.ev) {
                continue; // a stale timer or detector notice: not an event
            }
            if !self.violations.is_empty() {
                return Stop::Violated;
            }
            if self.stats.events >= self.config.max_events && !self.queue.is_empty() {
                return Stop::Budget;
            }
        }
        Stop::End
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
    }

    /// Processes one popped event; false if it turned out to be stale.
    fn handle(&mut self, ev: Ev<P>) -> bool {
        match ev {
            Ev::Start(node) => {
                self.begin("start", Some(node), None, None);
                self.lamport[node] += 1;
                self.trace(Some(node), || TraceKind::Start);
                self.dispatch(node, |p, ctx| p.on_start(ctx));
            }
            Ev::Deliver {
                from,
                to,
                msg_id,
                lamport,
                depart,
                sender_incarnation,
                msg,
            } => self.deliver(from, to, msg_id, lamport, depart, sender_incarnation, msg),
            Ev::Timer { node, id, tag } => {
                if !self.up[node] || !self.timers[node].disarm(id) {
                    return false;
                }
                self.begin("timer", Some(node), None, None);
                self.stats.timers_fired += 1;
                self.lamport[node] += 1;
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
            Ev::Detect {
                node,
                about,
                suspect,
                false_alarm,
            } => return self.detect(node, about, suspect, false_alarm),
            Ev::FaultsEnd => {
                self.begin("end of fault phase", None, None, None);
                self.group.fill(0);
                self.send_omission_ppm.fill(0);
                self.receive_omission_ppm.fill(0);
                self.trace(None, || TraceKind::FaultsEnd);
            }
        }
        true
    }

    #[allow(clippy::too_many_arguments)]
    fn deliver(
        &mut self,
        from: NodeId,
        to: NodeId,
        msg_id: u64,
        lamport: u64,
        depart: Time,
        sender_incarnation: u32,
        msg: P::Msg,
    ) {
        self.begin("delivery", Some(to), Some(from), Some(msg_id));
        let sender_crashed_first = self.crash_times[from]
            .get(sender_incarnation as usize)
            .is_some_and(|&crashed| crashed < depart);
        let reason = if sender_crashed_first {
            Some(DropReason::SenderCrashed)
        } else if !self.up[to] {
            Some(DropReason::ReceiverDown)
        } else if self.group[from] != self.group[to] {
            Some(DropReason::Partition)
        } else if chance_ppm(
            &mut self.choices,
            Stream::Network,
            self.receive_omission_ppm[to],
        ) {
            Some(DropReason::ReceiveOmission)
        } else {
            None
        };
        if let Some(reason) = reason {
            self.dropped(from, to, msg_id, reason, Some(to));
            return;
        }
        self.stats.messages_delivered += 1;
        msg.hash(&mut self.hash);
        self.lamport[to] = self.lamport[to].max(lamport) + 1;
        if let Some(t) = &mut self.tracer {
            if let Some(sent) = t.msg_vc.get(msg_id as usize) {
                for (mine, theirs) in t.vc[to].iter_mut().zip(sent) {
                    *mine = (*mine).max(*theirs);
                }
            }
        }
        self.trace(Some(to), || TraceKind::Deliver {
            from,
            msg_id,
            msg: format!("{msg:?}"),
        });
        self.dispatch(to, |p, ctx| p.on_message(ctx, from, msg));
    }

    fn dropped(
        &mut self,
        from: NodeId,
        to: NodeId,
        msg_id: u64,
        reason: DropReason,
        at: Option<NodeId>,
    ) {
        self.stats.messages_dropped += 1;
        self.hash
            .mix(0xd0 ^ ((reason as u64) << 8) ^ (msg_id << 16));
        self.trace(at, || TraceKind::Drop {
            from,
            to,
            msg_id,
            reason,
        });
    }

    /// Runs a handler of `node` with a fresh context, then applies what it asked for.
    fn dispatch(&mut self, node: NodeId, handler: impl FnOnce(&mut P, &mut Ctx<'_, P>)) {
        let mut effects = std::mem::take(&mut self.effects);
        let stable_written = {
            let mut ctx = Ctx {
                id: node,
                n: self.n,
                now: self.now,
                effects: &mut effects,
                timers: &mut self.timers[node],
                stable: &mut self.stable[node],
                stable_written: false,
                choices: &mut self.choices,
            };
            handler(&mut self.states[node], &mut ctx);
            ctx.stable_written
        };
        for effect in effects.drain(..) {
            match effect {
                Effect::Send { to, msg } => self.send(node, to, msg),
                Effect::Broadcast { msg } => {
                    // Clone for all destinations but the last, which gets the original.
                    let Some(last) = (0..self.n).rev().find(|&to| to != node) else {
                        continue;
                    };
                    for to in (0..last).filter(|&to| to != node) {
                        self.send(node, to, msg.clone());
                    }
                    self.send(node, last, msg);
                }
                Effect::SetTimer { id, delay, tag } => {
                    let at = self.now + delay;
                    self.trace(Some(node), || TraceKind::TimerSet {
                        timer: id.slot(),
                        tag: format!("{tag:?}"),
                        fires_at: at,
                    });
                    self.push(at, Ev::Timer { node, id, tag });
                }
                Effect::CancelTimer { id } => {
                    self.trace(Some(node), || TraceKind::TimerCancel { timer: id.slot() });
                }
                Effect::Observe(obs) => {
                    obs.hash(&mut self.hash);
                    self.trace(Some(node), || TraceKind::Observe {
                        obs: format!("{obs:?}"),
                    });
                    self.observations.push(obs);
                }
            }
        }
        self.effects = effects;
        if stable_written && self.tracer.is_some() {
            let stable = format!("{:?}", self.stable[node]);
            self.trace(Some(node), || TraceKind::Persist { stable });
        }
        self.check_properties(node);
    }

    fn send(&mut self, from: NodeId, to: NodeId, msg: P::Msg) {
        let msg_id = self.next_msg_id;
        self.next_msg_id += 1;
        self.stats.messages_sent += 1;
        self.lamport[from] += 1;
        let lamport = self.lamport[from];
        // One wire per sender: a message leaves once the ones before it (from this handler or
        // an earlier one) have, so a crash cuts each link cleanly after some message.
        let depart = self.now.max(self.wire_free[from]);
        self.wire_free[from] = depart + self.send_gap;
        let original = self.tracer.is_some().then(|| format!("{msg:?}"));
        let msg = match self.adversaries[from].as_mut() {
            None => Some(msg),
            Some(adversary) => {
                let mut ctx = AdversaryCtx {
                    now: self.now,
                    n: self.n,
                    choices: &mut self.choices,
                };
                adversary.tamper(&mut ctx, from, to, msg)
            }
        };
        let shown = match (&msg, original) {
            (Some(m), Some(orig)) => {
                let now_shown = format!("{m:?}");
                if self.byzantine[from] && now_shown != orig {
                    self.trace(Some(from), || TraceKind::Tamper {
                        to,
                        msg_id,
                        original: orig,
                    });
                }
                now_shown
            }
            (None, Some(orig)) => orig,
            _ => String::new(),
        };
        self.trace(Some(from), || TraceKind::Send {
            to,
            msg_id,
            msg: shown,
            depart,
        });
        if let Some(t) = &mut self.tracer {
            // One entry per send, in msg_id order: the sender's clock as the message leaves.
            t.msg_vc.push(t.vc[from].clone());
        }
        let Some(msg) = msg else {
            self.dropped(from, to, msg_id, DropReason::Adversary, Some(from));
            return;
        };
        if self.group[from] != self.group[to] {
            self.dropped(from, to, msg_id, DropReason::Partition, Some(from));
            return;
        }
        if chance_ppm(
            &mut self.choices,
            Stream::Network,
            self.send_omission_ppm[from],
        ) {
            self.dropped(from, to, msg_id, DropReason::SendOmission, Some(from));
            return;
        }
        let link = from * self.n + to;
        let transit = self.links[link].transit(&mut self.choices);
        if transit.lost {
            self.dropped(from, to, msg_id, DropReason::Loss, Some(from));
            return;
        }
        let fifo = self.links[link].fifo;
        let mut arrival = depart + transit.delay;
        if fifo {
            arrival = arrival.max(self.fifo_last[link]);
            self.fifo_last[link] = arrival;
        }
        let sender_incarnation = self.crash_times[from].len() as u32;
        if let Some(extra) = transit.duplicate {
            let mut again = (depart + extra).max(arrival);
            if fifo {
                again = again.max(self.fifo_last[link]);
                self.fifo_last[link] = again;
            }
            self.stats.messages_duplicated += 1;
            self.trace(Some(from), || TraceKind::Duplicate { to, msg_id });
            let copy = Ev::Deliver {
                from,
                to,
                msg_id,
                lamport,
                depart,
                sender_incarnation,
                msg: msg.clone(),
            };
            self.push(
                arrival,
                Ev::Deliver {
                    from,
                    to,
                    msg_id,
                    lamport,
                    depart,
                    sender_incarnation,
                    msg,
                },
            );
            self.push(again, copy);
        } else {
            self.push(
                arrival,
                Ev::Deliver {
                    from,
                    to,
                    msg_id,
                    lamport,
                    depart,
                    sender_incarnation,
                    msg,
                },
            );
        }
    }

    fn apply_fault(&mut self, kind: FaultKind) {
        match kind {
            FaultKind::Crash { node } => {
                self.begin("crash", Some(node), None, None);
                if !self.up[node] {
                    return;
                }
                self.up[node] = false;
                self.ever_crashed[node] = true;
                self.crash_times[node].push(self.now);
                self.timers[node].clear();
                // The messages still queued on its wire are lost with it.
                self.wire_free[node] = self.now;
                self.lamport[node] += 1;
                self.trace(Some(node), || TraceKind::Crash);
                if let Some(delay) = self.detector.delay() {
                    for other in (0..self.n).filter(|&o| o != node) {
                        self.push(
                            self.now + delay,
                            Ev::Detect {
                                node: other,
                                about: node,
                                suspect: true,
                                false_alarm: false,
                            },
                        );
                    }
                }
            }
            FaultKind::Recover { node } => {
                self.begin("recovery", Some(node), None, None);
                if self.up[node] {
                    return;
                }
                self.up[node] = true;
                self.states[node] = (self.factory)(node, self.n);
                self.suspects[node * self.n..(node + 1) * self.n].fill(false);
                self.lamport[node] += 1;
                self.trace(Some(node), || TraceKind::Recover);
                if let Some(delay) = self.detector.delay() {
                    for other in (0..self.n).filter(|&o| o != node) {
                        let (about, suspect) = if self.up[other] {
                            (node, false)
                        } else {
                            (other, true)
                        };
                        let watcher = if suspect { node } else { other };
                        self.push(
                            self.now + delay,
                            Ev::Detect {
                                node: watcher,
                                about,
                                suspect,
                                false_alarm: false,
                            },
                        );
                    }
                }
                self.dispatch(node, |p, ctx| p.on_recover(ctx));
            }
            FaultKind::Partition { groups } => {
                self.begin("partition", None, None, None);
                self.group.fill(groups.len() as u32);
                for (g, members) in groups.iter().enumerate() {
                    for &m in members {
                        self.group[m] = g as u32;
                    }
                }
                for &g in &self.group {
                    self.hash.mix(g as u64);
                }
                self.trace(None, || TraceKind::Partition { groups });
            }
            FaultKind::Heal => {
                self.begin("heal", None, None, None);
                self.group.fill(0);
                self.trace(None, || TraceKind::Heal);
            }
            FaultKind::OmissionStart {
                node,
                send_ppm,
                receive_ppm,
            } => {
                self.begin("omission start", Some(node), None, None);
                self.send_omission_ppm[node] = send_ppm;
                self.receive_omission_ppm[node] = receive_ppm;
                self.trace(Some(node), || TraceKind::OmissionStart {
                    send_ppm,
                    receive_ppm,
                });
            }
            FaultKind::OmissionEnd { node } => {
                self.begin("omission end", Some(node), None, None);
                self.send_omission_ppm[node] = 0;
                self.receive_omission_ppm[node] = 0;
                self.trace(Some(node), || TraceKind::OmissionEnd);
            }
        }
    }

    /// Delivers a failure-detector notice; false if it is moot (watcher down, already known,
    /// or a perfect detector's notice about a crash the node has already recovered from).
    fn detect(&mut self, node: NodeId, about: NodeId, suspect: bool, false_alarm: bool) -> bool {
        let idx = node * self.n + about;
        let moot = !self.up[node]
            || self.suspects[idx] == suspect
            || (suspect && !false_alarm && self.up[about])
            || (!suspect && !self.up[about]);
        if moot {
            return false;
        }
        self.suspects[idx] = suspect;
        let what = if suspect { "suspicion" } else { "restoration" };
        self.begin(what, Some(node), Some(about), None);
        self.lamport[node] += 1;
        if suspect {
            self.trace(Some(node), || TraceKind::Suspect { about });
            self.dispatch(node, |p, ctx| p.on_suspect(ctx, about));
        } else {
            self.trace(Some(node), || TraceKind::Restore { about });
            self.dispatch(node, |p, ctx| p.on_restore(ctx, about));
        }
        true
    }

    fn check_properties(&mut self, node: NodeId) {
        if self.observations.is_empty() && self.state_watchers.is_empty() {
            return;
        }
        let world = World {
            now: self.now,
            event: self.current.index,
            states: &self.states,
            up: &self.up,
            ever_crashed: &self.ever_crashed,
            byzantine: &self.byzantine,
        };
        let mut failures: Vec<(usize, String)> = Vec::new();
        for obs in &self.observations {
            for (i, monitor) in self.properties.iter_mut().enumerate() {
                if let Err(message) = monitor.property.observe(&world, node, obs) {
                    failures.push((i, message));
                }
            }
        }
        for &i in &self.state_watchers {
            if let Err(message) = self.properties[i].property.check_state(&world) {
                failures.push((i, message));
            }
        }
        self.observations.clear();
        for (i, message) in failures {
            self.violate(i, message);
        }
    }

    fn violate(&mut self, property: usize, message: String) {
        let name = self.properties[property].name.to_string();
        if self.violations.iter().any(|v| v.property == name) {
            return;
        }
        self.hash.mix(0x0bad ^ property as u64);
        self.trace(None, || TraceKind::Violation {
            property: name.clone(),
            message: message.clone(),
        });
        self.violations.push(Violation {
            property: name,
            kind: self.properties[property].kind,
            time: self.now,
            event: self.current.index,
            during: self.current.describe(),
            message,
            related: self.properties[property].property.related_events(),
        });
    }

    fn finish_properties(&mut self) {
        self.current = Current {
            index: self.stats.events,
            time: self.now,
            what: "end of run",
            node: None,
            peer: None,
            msg_id: None,
        };
        let world = World {
            now: self.now,
            event: self.current.index,
            states: &self.states,
            up: &self.up,
            ever_crashed: &self.ever_crashed,
            byzantine: &self.byzantine,
        };
        let mut failures = Vec::new();
        for (i, monitor) in self.properties.iter_mut().enumerate() {
            match (monitor.kind, monitor.property.finish(&world)) {
                (PropertyKind::Always, _) => {}
                (PropertyKind::Eventually, Err(message)) => failures.push((i, message)),
                (PropertyKind::Eventually, Ok(())) => {}
                (PropertyKind::Sometimes, Ok(())) => self.reached.push(monitor.name.to_string()),
                (PropertyKind::Sometimes, Err(_)) => {}
            }
        }
        for (i, message) in failures {
            self.violate(i, message);
        }
    }

    /// Appends a trace entry when tracing is on; the entry is built only then.
    fn trace(&mut self, node: Option<NodeId>, kind: impl FnOnce() -> TraceKind) {
        let Some(t) = &mut self.tracer else { return };
        let (lamport, vc) = match node {
            Some(n) => {
                t.vc[n][n] += 1;
                (self.lamport[n], t.vc[n].clone())
            }
            None => (0, Vec::new()),
        };
        t.events.push(TraceEvent {
            event: self.current.index,
            time: self.now,
            node,
            lamport,
            vc,
            kind: kind(),
        });
    }
}
