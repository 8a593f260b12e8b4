//! Single-decree Paxos (Lamport, "Paxos Made Simple") under crash-recover.
//!
//! Every node is an acceptor and a learner; the first `proposers` nodes also propose (node i
//! proposes the value 100 + i). A proposer picks a ballot above any it has used or seen and
//! runs two phases against a majority of acceptors:
//! 1. *prepare*: an acceptor promises to ignore lower ballots and reports the highest-ballot
//!    value it has accepted;
//! 2. *accept*: with a majority of promises, the proposer asks for the value of the highest
//!    reported ballot (its own value if none); an acceptor accepts unless it promised higher.
//!
//! A value is *chosen* once a majority of acceptors accepted it in the same ballot. Any two
//! majorities share an acceptor, so every later ballot's prepare phase hears of the chosen
//! value and re-proposes it: at most one value is ever chosen. That argument needs the
//! acceptor's promise and accepted value to survive a crash, so they live in stable storage
//! (the proposer's last ballot and the learned value too). With `acceptor_storage =
//! "volatile"` a recovered acceptor has forgotten both, can join a second majority that never
//! heard of the first value, and two values get chosen: the known result this module must
//! reproduce.
//!
//! Liveness: a proposer re-sends its current phase to the acceptors that have not answered
//! until it learns; once nacked (preempted) it retries with a higher ballot after a random,
//! exponentially growing backoff, so dueling proposers eventually let one of them finish. Acceptors announce each accept to every learner; a learner that missed them
//! (loss, a crash) asks its peers until someone who learned answers.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use sim_core::{Ctx, Duration, NodeId, Process, PropertyKind, RunReport, Setup, TimerId, World};

use crate::consensus::{Decision, Obliged};
use crate::registry::{
    describe, setup, ParamInfo, Params, PropertyDef, Protocol, ProtocolInfo, RunSpec, SpecError,
};

/// A proposal number: rounds are compared first, the proposer's id breaks ties, so no two
/// proposers ever use the same ballot. The zero ballot is below every real one.
#[derive(Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Ballot {
    pub round: u32,
    pub node: u32,
}

impl Ballot {
    pub fn new(round: u32, node: NodeId) -> Self {
        Ballot {
            round,
            node: node as u32,
        }
    }
}

impl fmt::Debug for Ballot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "b{}.{}", self.round, self.node)
    }
}

/// What an acceptor must not forget.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct AcceptorState {
    pub promised: Ballot,
    pub accepted: Option<(Ballot, u64)>,
}

/// A node's stable storage.
#[derive(Clone, Debug, Default)]
pub struct Stable {
    /// Unused with a volatile acceptor (the known-buggy variant).
    pub acceptor: AcceptorState,
    /// The highest round this node has proposed in, so a recovered proposer never reuses a
    /// ballot (which it might fill with a different value).
    pub round: u32,
    pub learned: Option<u64>,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub enum Msg {
    Prepare {
        ballot: Ballot,
    },
    Promise {
        ballot: Ballot,
        accepted: Option<(Ballot, u64)>,
    },
    /// "I promised a higher ballot": the proposer should give up `ballot`.
    Nack {
        ballot: Ballot,
        promised: Ballot,
    },
    Accept {
        ballot: Ballot,
        value: u64,
    },
    /// An acceptor tells every learner what it accepted.
    Accepted {
        ballot: Ballot,
        value: u64,
    },
    /// A learner that has not learned asks its peers.
    Query,
    Learned {
        value: u64,
    },
}

#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub enum Timer {
    /// A proposer's attempt timed out, or its backoff is over.
    Retry,
    /// A learner that has not learned asks again.
    Poll,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub enum Obs {
    /// A proposer proposes its own value.
    Propose(u64),
    /// An acceptor accepted `value` in `ballot`: the properties count majorities from these.
    Accept { ballot: Ballot, value: u64 },
    /// A learner learns that `value` was chosen.
    Learn(u64),
}

impl Decision for Obs {
    fn proposed(&self) -> Option<u64> {
        match self {
            Obs::Propose(v) => Some(*v),
            _ => None,
        }
    }
    fn decided(&self) -> Option<u64> {
        match self {
            Obs::Learn(v) => Some(*v),
            _ => None,
        }
    }
}

/// The value node `i` proposes.
pub fn own_value(node: NodeId) -> u64 {
    100 + node as u64
}

fn majority(n: usize) -> u32 {
    (n / 2 + 1) as u32
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    Idle,
    Preparing,
    Accepting,
}

/// The highest backoff is `backoff << MAX_DOUBLINGS`, so a proposer that lost many times
/// during the fault phase still retries soon after the network heals.
const MAX_DOUBLINGS: u32 = 4;

#[derive(Debug)]
pub struct Paxos {
    proposer: bool,
    volatile_acceptor: bool,
    retry: Duration,
    backoff: Duration,
    /// The acceptor's state when it is volatile (the buggy variant); otherwise it is in
    /// stable storage and this stays at its default.
    acceptor: AcceptorState,

    phase: Phase,
    ballot: Ballot,
    promises: u64,
    best: Option<(Ballot, u64)>,
    /// The value of the current ballot's accept phase.
    value: u64,
    /// The highest round a nack told us about: the next ballot must beat it.
    highest_seen: u32,
    failures: u32,
    retry_timer: Option<TimerId>,

    /// Per ballot: the value accepted in it and which acceptors said so.
    votes: BTreeMap<Ballot, (u64, u64)>,
    learned: Option<u64>,
}

impl Paxos {
    pub fn new(
        proposer: bool,
        volatile_acceptor: bool,
        retry: Duration,
        backoff: Duration,
    ) -> Self {
        Paxos {
            proposer,
            volatile_acceptor,
            retry,
            backoff,
            acceptor: AcceptorState::default(),
            phase: Phase::Idle,
            ballot: Ballot::default(),
            promises: 0,
            best: None,
            value: 0,
            highest_seen: 0,
            failures: 0,
            retry_timer: None,
            votes: BTreeMap::new(),
            learned: None,
        }
    }

    pub fn learned(&self) -> Option<u64> {
        self.learned
    }

    fn acceptor_state(&self, ctx: &Ctx<'_, Self>) -> AcceptorState {
        if self.volatile_acceptor {
            self.acceptor
        } else {
            ctx.stable().acceptor
        }
    }

    fn store_acceptor(&mut self, ctx: &mut Ctx<'_, Self>, a: AcceptorState) {
        if self.volatile_acceptor {
            self.acceptor = a;
        } else if ctx.stable().acceptor != a {
            ctx.stable_mut().acceptor = a;
        }
    }

    /// Sends to a node, delivering to this node's own roles directly.
    fn send_to(&mut self, ctx: &mut Ctx<'_, Self>, to: NodeId, msg: Msg) {
        if to == ctx.id() {
            self.handle(ctx, to, msg);
        } else {
            ctx.send(to, msg);
        }
    }

    /// Sends to every node, this one included.
    fn send_all(&mut self, ctx: &mut Ctx<'_, Self>, msg: Msg) {
        ctx.broadcast(msg.clone());
        self.handle(ctx, ctx.id(), msg);
    }

    fn arm_retry(&mut self, ctx: &mut Ctx<'_, Self>, delay: Duration) {
        if let Some(t) = self.retry_timer.take() {
            ctx.cancel_timer(t);
        }
        self.retry_timer = Some(ctx.set_timer(delay, Timer::Retry));
    }

    fn begin(&mut self, ctx: &mut Ctx<'_, Self>) {
        if let Some(v) = ctx.stable().learned {
            self.learned = Some(v);
            return;
        }
        ctx.set_timer(self.retry, Timer::Poll);
        if self.proposer {
            ctx.observe(Obs::Propose(own_value(ctx.id())));
            self.new_ballot(ctx);
        }
    }

    fn new_ballot(&mut self, ctx: &mut Ctx<'_, Self>) {
        let round = ctx.stable().round.max(self.highest_seen) + 1;
        ctx.stable_mut().round = round;
        self.ballot = Ballot::new(round, ctx.id());
        self.phase = Phase::Preparing;
        self.promises = 0;
        self.best = None;
        self.arm_retry(ctx, self.retry);
        self.send_all(
            ctx,
            Msg::Prepare {
                ballot: self.ballot,
            },
        );
    }

    /// Sends `msg` again to every other acceptor not in `answered`, and waits again.
    fn resend(&mut self, ctx: &mut Ctx<'_, Self>, answered: u64, msg: Msg) {
        let me = ctx.id();
        for to in (0..ctx.n()).filter(|&i| i != me && answered & (1 << i) == 0) {
            ctx.send(to, msg.clone());
        }
        self.arm_retry(ctx, self.retry);
    }

    /// The ballot was preempted: wait a random, growing time so that dueling proposers drift apart.
    fn back_off(&mut self, ctx: &mut Ctx<'_, Self>) {
        self.phase = Phase::Idle;
        self.failures += 1;
        let ceiling = Duration(self.backoff.0 << self.failures.min(MAX_DOUBLINGS));
        let wait = ctx.random_duration(Duration::ZERO, ceiling);
        self.arm_retry(ctx, wait);
    }

    fn learn(&mut self, ctx: &mut Ctx<'_, Self>, value: u64) {
        if self.learned.is_some() {
            return;
        }
        self.learned = Some(value);
        ctx.stable_mut().learned = Some(value);
        ctx.observe(Obs::Learn(value));
        self.phase = Phase::Idle;
        if let Some(t) = self.retry_timer.take() {
            ctx.cancel_timer(t);
        }
    }

    fn handle(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, msg: Msg) {
        match msg {
            Msg::Prepare { ballot } => {
                let mut a = self.acceptor_state(ctx);
                if ballot >= a.promised {
                    a.promised = ballot;
                    self.store_acceptor(ctx, a);
                    let accepted = a.accepted;
                    self.send_to(ctx, from, Msg::Promise { ballot, accepted });
                } else {
                    let promised = a.promised;
                    self.send_to(ctx, from, Msg::Nack { ballot, promised });
                }
            }
            Msg::Accept { ballot, value } => {
                let mut a = self.acceptor_state(ctx);
                if ballot >= a.promised {
                    a.promised = ballot;
                    a.accepted = Some((ballot, value));
                    self.store_acceptor(ctx, a);
                    ctx.observe(Obs::Accept { ballot, value });
                    self.send_all(ctx, Msg::Accepted { ballot, value });
                } else {
                    let promised = a.promised;
                    self.send_to(ctx, from, Msg::Nack { ballot, promised });
                }
            }
            Msg::Promise { ballot, accepted } => {
                if self.phase != Phase::Preparing || ballot != self.ballot {
                    return;
                }
                self.promises |= 1 << from;
                if accepted.map(|(b, _)| b) > self.best.map(|(b, _)| b) {
                    self.best = accepted;
                }
                if self.promises.count_ones() >= majority(ctx.n()) {
                    let value = self.best.map_or(own_value(ctx.id()), |(_, v)| v);
                    self.phase = Phase::Accepting;
                    self.value = value;
                    self.send_all(ctx, Msg::Accept { ballot, value });
                }
            }
            Msg::Nack { ballot, promised } => {
                self.highest_seen = self.highest_seen.max(promised.round);
                if ballot == self.ballot && self.phase != Phase::Idle && self.learned.is_none() {
                    self.back_off(ctx);
                }
            }
            Msg::Accepted { ballot, value } => {
                if self.learned.is_some() {
                    return;
                }
                let (v, voters) = self.votes.entry(ballot).or_insert((value, 0));
                // One ballot carries one value; anything else is not a vote for it.
                if *v != value {
                    return;
                }
                *voters |= 1 << from;
                if voters.count_ones() >= majority(ctx.n()) {
                    self.learn(ctx, value);
                }
            }
            Msg::Query => {
                if let Some(value) = self.learned {
                    self.send_to(ctx, from, Msg::Learned { value });
                }
            }
            Msg::Learned { value } => self.learn(ctx, value),
        }
    }
}

impl Process for Paxos {
    type Msg = Msg;
    type Timer = Timer;
    type Obs = Obs;
    type Stable = Stable;

    fn on_start(&mut self, ctx: &mut Ctx<'_, Self>) {
        self.begin(ctx);
    }

    fn on_recover(&mut self, ctx: &mut Ctx<'_, Self>) {
        self.begin(ctx);
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, msg: Msg) {
        self.handle(ctx, from, msg);
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, Self>, timer: Timer) {
        if self.learned.is_some() {
            return;
        }
        match timer {
            Timer::Retry => {
                self.retry_timer = None;
                match self.phase {
                    Phase::Idle => self.new_ballot(ctx),
                    // No majority answered in time (loss, crashes, a partition): ask the
                    // silent acceptors again in the same ballot. Only a nack says the ballot is
                    // lost; a fresh ballot per timeout would need every message of one
                    // attempt to get through, which heavy loss rarely allows.
                    Phase::Preparing => {
                        let answered = self.promises;
                        self.resend(
                            ctx,
                            answered,
                            Msg::Prepare {
                                ballot: self.ballot,
                            },
                        );
                    }
                    Phase::Accepting => {
                        let answered = self.votes.get(&self.ballot).map_or(0, |&(_, m)| m);
                        let msg = Msg::Accept {
                            ballot: self.ballot,
                            value: self.value,
                        };
                        self.resend(ctx, answered, msg);
                    }
                }
            }
            Timer::Poll => {
                ctx.broadcast(Msg::Query);
                ctx.set_timer(self.retry, Timer::Poll);
            }
        }
    }
}

/// Which values a majority of acceptors accepted in one ballot, judged from `Accept`
/// observations alone (what acceptors did, not what anyone learned).
#[derive(Default)]
pub struct ChosenTracker {
    votes: BTreeMap<(Ballot, u64), u64>,
    /// Every chosen value with the first ballot that chose it.
    chosen: BTreeMap<u64, Ballot>,
    /// (ballot, value) pairs that reached a majority.
    choices: BTreeSet<(Ballot, u64)>,
}

impl ChosenTracker {
    /// Counts an observation; returns `(value, ballot)` when it makes a (ballot, value) pair
    /// reach a majority for the first time.
    pub fn observe(&mut self, n: usize, node: NodeId, obs: &Obs) -> Option<(u64, Ballot)> {
        let Obs::Accept { ballot, value } = *obs else {
            return None;
        };
        let voters = self.votes.entry((ballot, value)).or_insert(0);
        *voters |= 1 << node;
        if voters.count_ones() < majority(n) || !self.choices.insert((ballot, value)) {
            return None;
        }
        self.chosen.entry(value).or_insert(ballot);
        Some((value, ballot))
    }

    pub fn is_chosen(&self, value: u64) -> bool {
        self.chosen.contains_key(&value)
    }

    fn voters(&self, ballot: Ballot, value: u64) -> Vec<NodeId> {
        let mask = self.votes.get(&(ballot, value)).copied().unwrap_or(0);
        (0..64).filter(|i| mask & (1 << i) != 0).collect()
    }
}

/// At most one value is chosen.
#[derive(Default)]
pub struct OneChosen {
    tracker: ChosenTracker,
}

impl sim_core::Property<Paxos> for OneChosen {
    fn name(&self) -> &str {
        "one-chosen"
    }
    fn kind(&self) -> PropertyKind {
        PropertyKind::Always
    }
    fn observe(&mut self, w: &World<'_, Paxos>, node: NodeId, obs: &Obs) -> Result<(), String> {
        let Some((value, ballot)) = self.tracker.observe(w.n(), node, obs) else {
            return Ok(());
        };
        match self.tracker.chosen.iter().find(|(&v, _)| v != value) {
            None => Ok(()),
            Some((&other, &when)) => Err(format!(
                "{value} chosen in ballot {ballot:?} by acceptors {:?}, but {other} was chosen \
                 in ballot {when:?} by acceptors {:?}",
                self.tracker.voters(ballot, value),
                self.tracker.voters(when, other),
            )),
        }
    }
}

/// Only a proposed value is chosen.
#[derive(Default)]
pub struct ChosenProposed {
    tracker: ChosenTracker,
    proposed: BTreeSet<u64>,
}

impl sim_core::Property<Paxos> for ChosenProposed {
    fn name(&self) -> &str {
        "chosen-proposed"
    }
    fn kind(&self) -> PropertyKind {
        PropertyKind::Always
    }
    fn observe(&mut self, w: &World<'_, Paxos>, node: NodeId, obs: &Obs) -> Result<(), String> {
        if let Obs::Propose(v) = obs {
            self.proposed.insert(*v);
        }
        match self.tracker.observe(w.n(), node, obs) {
            Some((value, ballot)) if !self.proposed.contains(&value) => Err(format!(
                "{value} chosen in ballot {ballot:?}, but nobody proposed it (proposals: {:?})",
                self.proposed
            )),
            _ => Ok(()),
        }
    }
}

/// A learner learns only a value that has been chosen.
#[derive(Default)]
pub struct LearnedChosen {
    tracker: ChosenTracker,
}

impl sim_core::Property<Paxos> for LearnedChosen {
    fn name(&self) -> &str {
        "learned-chosen"
    }
    fn kind(&self) -> PropertyKind {
        PropertyKind::Always
    }
    fn observe(&mut self, w: &World<'_, Paxos>, node: NodeId, obs: &Obs) -> Result<(), String> {
        self.tracker.observe(w.n(), node, obs);
        match obs {
            Obs::Learn(v) if !self.tracker.is_chosen(*v) => Err(format!(
                "node {node} learned {v}, which no majority of acceptors has accepted"
            )),
            _ => Ok(()),
        }
    }
}

/// Reached when some proposer's ballot carried a value it did not propose: it adopted an
/// earlier ballot's value, the mechanism that keeps a chosen value chosen.
#[derive(Default)]
struct Adopted {
    own: BTreeMap<NodeId, u64>,
    reached: bool,
}

impl sim_core::Property<Paxos> for Adopted {
    fn name(&self) -> &str {
        "adopted"
    }
    fn kind(&self) -> PropertyKind {
        PropertyKind::Sometimes
    }
    fn observe(&mut self, _: &World<'_, Paxos>, node: NodeId, obs: &Obs) -> Result<(), String> {
        match *obs {
            Obs::Propose(v) => {
                self.own.insert(node, v);
            }
            Obs::Accept { ballot, value } => {
                let proposer = ballot.node as NodeId;
                self.reached |= self.own.get(&proposer).is_some_and(|&v| v != value);
            }
            Obs::Learn(_) => {}
        }
        Ok(())
    }
    fn finish(&mut self, _: &World<'_, Paxos>) -> Result<(), String> {
        if self.reached {
            Ok(())
        } else {
            Err("no proposer adopted another's value".into())
        }
    }
}

/// Reached when an acceptor accepted something after recovering from a crash, so its stable
/// storage was put to work.
#[derive(Default)]
struct RecoveredAcceptor {
    reached: bool,
}

impl sim_core::Property<Paxos> for RecoveredAcceptor {
    fn name(&self) -> &str {
        "recovered-acceptor"
    }
    fn kind(&self) -> PropertyKind {
        PropertyKind::Sometimes
    }
    fn observe(&mut self, w: &World<'_, Paxos>, node: NodeId, obs: &Obs) -> Result<(), String> {
        if let Obs::Accept { .. } = obs {
            self.reached |= w.ever_crashed(node);
        }
        Ok(())
    }
    fn finish(&mut self, _: &World<'_, Paxos>) -> Result<(), String> {
        if self.reached {
            Ok(())
        } else {
            Err("no recovered acceptor accepted anything".into())
        }
    }
}

fn properties() -> Vec<PropertyDef<Paxos>> {
    vec![
        PropertyDef {
            name: "one-chosen",
            kind: PropertyKind::Always,
            help: "at most one value is chosen (accepted by a majority of acceptors in one ballot)",
            make: || Box::<OneChosen>::default(),
        },
        PropertyDef {
            name: "chosen-proposed",
            kind: PropertyKind::Always,
            help: "only a proposed value is chosen",
            make: || Box::<ChosenProposed>::default(),
        },
        PropertyDef {
            name: "learned-chosen",
            kind: PropertyKind::Always,
            help: "a learner learns only a chosen value",
            make: || Box::<LearnedChosen>::default(),
        },
        crate::consensus::integrity("no learner learns twice, even across a crash"),
        crate::consensus::termination(
            Obliged::UpAtEnd,
            "every node up at the end has learned (faults stop at `duration`; a proposer \
                   must be up during the settle period)",
        ),
        PropertyDef {
            name: "adopted",
            kind: PropertyKind::Sometimes,
            help: "some ballot carried a value its proposer adopted from an earlier ballot",
            make: || Box::<Adopted>::default(),
        },
        PropertyDef {
            name: "recovered-acceptor",
            kind: PropertyKind::Sometimes,
            help: "an acceptor accepted something after recovering from a crash",
            make: || Box::<RecoveredAcceptor>::default(),
        },
    ]
}

pub struct SingleDecreePaxos;

impl SingleDecreePaxos {
    fn build(spec: &RunSpec) -> Setup<Paxos> {
        let proposers = spec.params.int("proposers") as NodeId;
        let volatile = spec.params.choice("acceptor_storage") == "volatile";
        let retry = Duration::from_millis(spec.params.int("retry_ms") as u64);
        let backoff = Duration::from_millis(spec.params.int("backoff_ms") as u64);
        setup(
            spec,
            &properties(),
            move |id, _| Paxos::new(id < proposers, volatile, retry, backoff),
            None,
        )
    }
}

impl Protocol for SingleDecreePaxos {
    fn info(&self) -> ProtocolInfo {
        ProtocolInfo {
            name: "paxos",
            summary: "Single-decree Paxos: every node an acceptor and a learner, the first \
                      `proposers` nodes propose; crash-recover with stable storage",
            params: vec![
                ParamInfo::int(
                    "proposers",
                    1,
                    64,
                    2,
                    "nodes 0..proposers propose (node i proposes 100 + i)",
                ),
                ParamInfo::choice(
                    "acceptor_storage",
                    &["stable", "volatile"],
                    "stable",
                    "stable: promises and accepted values survive a crash; volatile (buggy): a \
                     recovered acceptor has forgotten them",
                ),
                ParamInfo::int(
                    "retry_ms",
                    1,
                    10_000,
                    30,
                    "how long a proposer waits before asking the acceptors that have not \
                     answered again, and a learner between queries; should exceed a round trip",
                ),
                ParamInfo::int(
                    "backoff_ms",
                    0,
                    10_000,
                    10,
                    "base of the random backoff after a preempted (nacked) ballot, doubling \
                     with each one up to 16 times the base",
                ),
            ],
            invariants: describe(&properties()),
            adversaries: vec![],
            needs_detector: false,
        }
    }

    fn check(&self, params: &Params, n: usize) -> Result<(), SpecError> {
        crate::registry::at_most_nodes("Paxos", 64, n)?;
        let proposers = params.int("proposers") as usize;
        if proposers > n {
            return Err(SpecError::new(
                "params.proposers",
                format!("{proposers} proposers asked, but there are only {n} nodes"),
            ));
        }
        Ok(())
    }

    fn run(&self, spec: &RunSpec) -> RunReport {
        sim_core::Engine::new(Self::build(spec), spec.seed).run()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::consensus::{Integrity, Termination};
    use crate::registry::ParamValue;
    use crate::testing::{ms, spec, sweep, violated};
    use sim_core::faults::{CrashSpec, PartitionSpec};
    use sim_core::{
        DelayDist, Engine, FaultEvent, FaultKind, FaultSpec, Outcome, Property, RunConfig, Time,
    };

    fn paxos(n: usize, proposers: i64, storage: &str) -> RunSpec {
        let mut s = spec(
            &SingleDecreePaxos,
            n,
            &[
                ("proposers", ParamValue::Int(proposers)),
                ("acceptor_storage", ParamValue::Str(storage.into())),
            ],
        );
        s.network.default.delay = DelayDist::Uniform {
            min: Duration::from_millis(1),
            max: Duration::from_millis(10),
        };
        s.config = RunConfig {
            duration: Duration::from_millis(300),
            settle: Duration::from_millis(700),
            ..RunConfig::default()
        };
        s
    }

    fn lossy(mut s: RunSpec, loss: u32, duplicate: u32) -> RunSpec {
        s.network.default.loss_ppm = loss;
        s.network.default.duplicate_ppm = duplicate;
        s
    }

    fn engine(s: &RunSpec, seed: u64) -> (RunReport, Engine<Paxos>) {
        let mut e = Engine::new(SingleDecreePaxos::build(s), seed);
        (e.run(), e)
    }

    /// The fault mix of `scenarios/paxos-*-acceptor.toml`: an early partition, and one
    /// crash-recover while it lasts.
    fn partition_then_crash() -> FaultSpec {
        FaultSpec {
            partitions: Some(PartitionSpec {
                min: 1,
                max: 1,
                between: [ms(0), ms(10)],
                lasting: [Duration::from_millis(60), Duration::from_millis(120)],
            }),
            crashes: Some(CrashSpec {
                min: 1,
                max: 1,
                between: [ms(30), ms(80)],
                nodes: None,
                recover_after: Some([Duration::from_millis(1), Duration::from_millis(5)]),
            }),
            ..FaultSpec::default()
        }
    }

    #[test]
    fn without_faults_everyone_learns_one_proposed_value() {
        for proposers in [1, 3] {
            for seed in 0..20 {
                let (r, e) = engine(&paxos(5, proposers, "stable"), seed);
                assert_eq!(r.outcome, Outcome::Ok, "{proposers} proposers, seed {seed}");
                let learned = e.states()[0].learned().expect("node 0 learned");
                assert!((100..100 + proposers as u64).contains(&learned));
                assert!(e.states().iter().all(|p| p.learned() == Some(learned)));
                if proposers == 1 {
                    assert_eq!(learned, 100);
                }
            }
        }
    }

    #[test]
    fn a_lone_proposer_rides_out_loss_in_one_ballot() {
        // Nobody competes, so nobody nacks: timeouts re-send within the first ballot.
        let s = lossy(paxos(5, 1, "stable"), 400_000, 200_000);
        for seed in 0..50 {
            let (r, e) = engine(&s, seed);
            assert_eq!(r.outcome, Outcome::Ok, "seed {seed}: {:?}", r.violations);
            assert_eq!(e.stable()[0].round, 1, "seed {seed}");
        }
    }

    #[test]
    fn dueling_proposers_back_off_and_finish() {
        let reports = sweep(
            &SingleDecreePaxos,
            &lossy(paxos(5, 5, "stable"), 100_000, 100_000),
            &FaultSpec::default(),
            0..100,
        );
        assert!(violated(&reports).is_empty(), "{:?}", violated(&reports));
        let preempted = (0..100)
            .filter(|&seed| {
                let (_, e) = engine(&lossy(paxos(5, 5, "stable"), 100_000, 100_000), seed);
                e.stable().iter().any(|st| st.round > 1)
            })
            .count();
        assert!(preempted > 0, "no proposer was ever preempted");
    }

    #[test]
    fn safe_and_live_under_loss_duplication_partitions_and_crash_recover() {
        let faults = FaultSpec {
            crashes: Some(CrashSpec {
                min: 1,
                max: 2,
                between: [ms(0), ms(250)],
                nodes: None,
                recover_after: Some([Duration::from_millis(5), Duration::from_millis(50)]),
            }),
            partitions: Some(PartitionSpec {
                min: 0,
                max: 2,
                between: [ms(0), ms(250)],
                lasting: [Duration::from_millis(20), Duration::from_millis(100)],
            }),
            ..FaultSpec::default()
        };
        let s = lossy(paxos(5, 3, "stable"), 200_000, 200_000);
        let reports = sweep(&SingleDecreePaxos, &s, &faults, 0..300);
        assert!(violated(&reports).is_empty(), "{:?}", violated(&reports));
        let reports = sweep(
            &SingleDecreePaxos,
            &paxos(3, 3, "stable"),
            &partition_then_crash(),
            0..300,
        );
        assert!(violated(&reports).is_empty(), "{:?}", violated(&reports));
    }

    #[test]
    fn a_forgetful_acceptor_is_caught_choosing_two_values() {
        let s = lossy(paxos(3, 3, "volatile"), 100_000, 100_000);
        let reports = sweep(&SingleDecreePaxos, &s, &partition_then_crash(), 0..300);
        let v = violated(&reports);
        assert!(v.get("one-chosen").copied().unwrap_or(0) > 0, "{v:?}");
        assert!(
            !v.contains_key("chosen-proposed") && !v.contains_key("integrity"),
            "{v:?}"
        );
    }

    #[test]
    fn promises_survive_a_crash_only_in_stable_storage() {
        for storage in ["stable", "volatile"] {
            let mut s = paxos(3, 1, storage);
            // Node 2 crashes once the value is chosen and comes back before the end.
            s.plan.events = vec![
                FaultEvent {
                    at: ms(60),
                    kind: FaultKind::Crash { node: 2 },
                },
                FaultEvent {
                    at: ms(80),
                    kind: FaultKind::Recover { node: 2 },
                },
            ];
            let (r, e) = engine(&s, 7);
            assert_eq!(r.outcome, Outcome::Ok, "{storage}: {:?}", r.violations);
            let kept = e.stable()[2].acceptor;
            if storage == "stable" {
                assert_eq!(kept.promised, Ballot::new(1, 0));
                assert_eq!(kept.accepted, Some((Ballot::new(1, 0), 100)));
            } else {
                assert_eq!(kept, AcceptorState::default());
            }
            // Either way the recovered node learned: from storage, or by asking its peers.
            assert_eq!(e.states()[2].learned(), Some(100));
        }
    }

    fn accept(round: u32, node: NodeId, value: u64) -> Obs {
        Obs::Accept {
            ballot: Ballot::new(round, node),
            value,
        }
    }

    fn world_states(n: usize) -> Vec<Paxos> {
        (0..n)
            .map(|i| Paxos::new(i == 0, false, Duration::from_millis(30), Duration::ZERO))
            .collect()
    }

    #[test]
    fn one_chosen_judges_hand_built_histories() {
        let states = world_states(5);
        let (up, never) = ([true; 5], [false; 5]);
        let w = World::new(Time::ZERO, &states, &up, &never, &never);
        // 100 chosen in b1.0 by 0, 1, 2; re-chosen in b2.1 (adopted: fine); 101 reaches two
        // acceptors in b3.1 (not chosen: fine); then a third: two values chosen.
        let mut p = OneChosen::default();
        let good = [
            (0, accept(1, 0, 100)),
            (1, accept(1, 0, 100)),
            (1, accept(1, 0, 100)), // a duplicate counts once
            (2, accept(1, 0, 100)),
            (2, accept(2, 1, 100)),
            (3, accept(2, 1, 100)),
            (4, accept(2, 1, 100)),
            (3, accept(3, 1, 101)),
            (4, accept(3, 1, 101)),
        ];
        for (node, obs) in &good {
            assert!(p.observe(&w, *node, obs).is_ok(), "{node} {obs:?}");
        }
        let err = p.observe(&w, 0, &accept(3, 1, 101)).unwrap_err();
        assert!(
            err.contains("101 chosen in ballot b3.1")
                && err.contains("100 was chosen in ballot b1.0"),
            "{err}"
        );
    }

    #[test]
    fn chosen_proposed_and_learned_chosen_judge_hand_built_histories() {
        let states = world_states(3);
        let (up, never) = ([true; 3], [false; 3]);
        let w = World::new(Time::ZERO, &states, &up, &never, &never);

        let mut cp = ChosenProposed::default();
        cp.observe(&w, 0, &Obs::Propose(100)).unwrap();
        for node in [0, 1] {
            assert!(cp.observe(&w, node, &accept(1, 0, 100)).is_ok());
        }
        assert!(cp.observe(&w, 1, &accept(2, 1, 7)).is_ok()); // one acceptor: not chosen
        let err = cp.observe(&w, 2, &accept(2, 1, 7)).unwrap_err();
        assert!(
            err.contains("7 chosen") && err.contains("nobody proposed"),
            "{err}"
        );

        let mut lc = LearnedChosen::default();
        lc.observe(&w, 0, &accept(1, 0, 100)).unwrap();
        let err = lc.observe(&w, 2, &Obs::Learn(100)).unwrap_err();
        assert!(err.contains("node 2 learned 100"), "{err}");
        lc.observe(&w, 1, &accept(1, 0, 100)).unwrap();
        assert!(lc.observe(&w, 2, &Obs::Learn(100)).is_ok());
        assert!(lc.observe(&w, 1, &Obs::Learn(101)).is_err());
    }

    #[test]
    fn integrity_and_termination_judge_hand_built_histories() {
        let states = world_states(3);
        let up = [true, true, false];
        let never = [false; 3];
        let crashed2 = [false, false, true];
        let w = World::new(Time::ZERO, &states, &up, &crashed2, &never);

        let mut i = Integrity::default();
        assert!(Property::<Paxos>::observe(&mut i, &w, 0, &Obs::Learn(100)).is_ok());
        assert!(Property::<Paxos>::observe(&mut i, &w, 0, &Obs::Learn(100)).is_err());

        // Node 2 is down at the end: only nodes 0 and 1 must have learned.
        let mut t = Termination::new(Obliged::UpAtEnd);
        Property::<Paxos>::observe(&mut t, &w, 0, &Obs::Learn(100)).unwrap();
        let err = Property::<Paxos>::finish(&mut t, &w).unwrap_err();
        assert!(err.starts_with("node 1 never decided"), "{err}");
        Property::<Paxos>::observe(&mut t, &w, 1, &Obs::Learn(100)).unwrap();
        assert!(Property::<Paxos>::finish(&mut t, &w).is_ok());
        let all_up = [true; 3];
        let w_up = World::new(Time::ZERO, &states, &all_up, &crashed2, &never);
        assert!(Property::<Paxos>::finish(&mut t, &w_up).is_err());
    }

    #[test]
    fn reachability_judges_hand_built_histories() {
        let states = world_states(3);
        let up = [true; 3];
        let never = [false; 3];
        let crashed1 = [false, true, false];
        let w = World::new(Time::ZERO, &states, &up, &never, &never);
        let w1 = World::new(Time::ZERO, &states, &up, &crashed1, &never);

        let mut a = Adopted::default();
        a.observe(&w, 0, &Obs::Propose(100)).unwrap();
        a.observe(&w, 1, &Obs::Propose(101)).unwrap();
        a.observe(&w, 2, &accept(1, 0, 100)).unwrap();
        assert!(a.finish(&w).is_err());
        a.observe(&w, 2, &accept(2, 1, 100)).unwrap();
        assert!(a.finish(&w).is_ok());

        let mut r = RecoveredAcceptor::default();
        r.observe(&w1, 0, &accept(1, 0, 100)).unwrap();
        assert!(r.finish(&w1).is_err());
        r.observe(&w1, 1, &accept(1, 0, 100)).unwrap();
        assert!(r.finish(&w1).is_ok());
    }

    #[test]
    fn check_refuses_more_proposers_than_nodes() {
        let info = SingleDecreePaxos.info();
        let given = [("proposers".to_string(), ParamValue::Int(4))]
            .into_iter()
            .collect();
        let params = Params::resolve(&info, &given).unwrap();
        assert!(SingleDecreePaxos.check(&params, 4).is_ok());
        let err = SingleDecreePaxos.check(&params, 3).unwrap_err();
        assert_eq!(err.key, "params.proposers");
    }
}
