//! Two-phase commit with crash-recover and stable storage.
//!
//! Node 0 coordinates one transaction; nodes 1..n are participants. The coordinator sends
//! `Prepare`; each participant votes (yes, or no with some probability), logging its vote to
//! stable storage *before* answering; a no voter aborts at once. The coordinator commits only if
//! every vote is yes, aborts on a no or when votes do not arrive in time, logs the decision,
//! and sends it until every participant acknowledges. A participant that voted yes is blocked
//! until it learns the decision, and asks the coordinator for it periodically.
//!
//! Known results (PROTOCOLS.md §4): a coordinator that crashes after prepare and never recovers
//! leaves yes voters blocked forever: termination is violated but atomicity holds (2PC is
//! fail-safe, not masking). A coordinator that recovers from its log terminates. A participant
//! that forgets its vote across a crash (no stable storage) aborts on its own after voting yes,
//! while the others commit: atomicity is violated.

use std::collections::{BTreeMap, BTreeSet};

use sim_core::{Ctx, Duration, NodeId, Process, Property, PropertyKind, RunReport, World};

use crate::consensus::{Agreement, Decision, Obliged};
use crate::registry::{describe, setup, ParamInfo, PropertyDef, Protocol, ProtocolInfo, RunSpec};

const COORDINATOR: NodeId = 0;
const COMMIT: u64 = 1;
const ABORT: u64 = 0;

#[derive(Clone, Copy, Debug)]
pub struct Config {
    /// Participants log votes and decisions to stable storage (the correct protocol).
    pub participant_log: bool,
    /// Chance, in percent, that a participant votes no.
    pub no_percent: u64,
    /// How long the coordinator waits for votes before aborting.
    pub vote_timeout: Duration,
    /// Period of retransmissions (prepare, decision, participants' queries).
    pub retry: Duration,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub enum Msg {
    Prepare,
    Vote {
        yes: bool,
    },
    Decision {
        commit: bool,
    },
    Ack,
    /// A blocked participant asks the coordinator for the outcome.
    Query,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub enum Timer {
    VoteTimeout,
    Retry,
}

/// Why a process decided what it decided; abort-validity judges these against the history.
#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq)]
pub enum Why {
    /// Coordinator: every participant voted yes.
    AllYes,
    /// Coordinator: a participant voted no; participant: it voted no itself.
    NoVote,
    /// Coordinator: votes did not all arrive before the timeout.
    Timeout,
    /// Coordinator: it recovered without a logged decision (presumed abort).
    Recovered,
    /// Participant: the coordinator told it.
    Told,
    /// Participant: it recovered with no record of the transaction and aborted on its own.
    NoRecord,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub enum Obs {
    Vote { yes: bool },
    Decide { commit: bool, why: Why },
}

impl Decision for Obs {
    fn proposed(&self) -> Option<u64> {
        None
    }
    fn decided(&self) -> Option<u64> {
        match self {
            Obs::Decide { commit, .. } => Some(if *commit { COMMIT } else { ABORT }),
            Obs::Vote { .. } => None,
        }
    }
}

/// What survives a crash.
#[derive(Clone, Debug, Default, Hash)]
pub struct Log {
    pub vote: Option<bool>,
    pub decision: Option<bool>,
}

#[derive(Debug)]
pub struct Node {
    cfg: Config,
    vote: Option<bool>,
    decision: Option<bool>,
    /// Coordinator: votes received so far.
    votes: BTreeMap<NodeId, bool>,
    /// Coordinator: participants that have not acknowledged the decision.
    unacked: BTreeSet<NodeId>,
}

impl Node {
    pub fn new(cfg: Config) -> Self {
        Node {
            cfg,
            vote: None,
            decision: None,
            votes: BTreeMap::new(),
            unacked: BTreeSet::new(),
        }
    }

    fn participants(n: usize) -> impl Iterator<Item = NodeId> {
        1..n
    }

    /// Decides (once), logging first where the role logs, then tells whoever must know.
    fn decide(&mut self, ctx: &mut Ctx<'_, Self>, commit: bool, why: Why) {
        if self.decision.is_some() {
            return;
        }
        self.decision = Some(commit);
        if ctx.id() == COORDINATOR || self.cfg.participant_log {
            ctx.stable_mut().decision = Some(commit);
        }
        ctx.observe(Obs::Decide { commit, why });
        if ctx.id() == COORDINATOR {
            self.unacked = Self::participants(ctx.n()).collect();
            self.send_decision(ctx);
            ctx.set_timer(self.cfg.retry, Timer::Retry);
        }
    }

    fn send_decision(&mut self, ctx: &mut Ctx<'_, Self>) {
        if let Some(commit) = self.decision {
            for &p in &self.unacked {
                ctx.send(p, Msg::Decision { commit });
            }
        }
    }

    fn coordinator_message(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, msg: Msg) {
        match msg {
            Msg::Vote { yes } => {
                self.votes.insert(from, yes);
                if !yes {
                    self.decide(ctx, false, Why::NoVote);
                } else if self.votes.len() == ctx.n() - 1 && self.votes.values().all(|&v| v) {
                    self.decide(ctx, true, Why::AllYes);
                }
            }
            Msg::Ack => {
                self.unacked.remove(&from);
            }
            Msg::Query => {
                if let Some(commit) = self.decision {
                    ctx.send(from, Msg::Decision { commit });
                }
            }
            Msg::Prepare | Msg::Decision { .. } => {}
        }
    }

    fn participant_message(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, msg: Msg) {
        match msg {
            Msg::Prepare => {
                let yes = match self.vote {
                    Some(v) => v,
                    None => {
                        // A participant that already aborted on its own can only vote no.
                        let yes = self.decision != Some(false)
                            && ctx.random_below(100) >= self.cfg.no_percent;
                        self.vote = Some(yes);
                        if self.cfg.participant_log {
                            ctx.stable_mut().vote = Some(yes);
                        }
                        ctx.observe(Obs::Vote { yes });
                        if !yes {
                            self.decide(ctx, false, Why::NoVote);
                        } else {
                            ctx.set_timer(self.cfg.retry, Timer::Retry);
                        }
                        yes
                    }
                };
                ctx.send(from, Msg::Vote { yes });
            }
            Msg::Decision { commit } => {
                self.decide(ctx, commit, Why::Told);
                ctx.send(from, Msg::Ack);
            }
            Msg::Vote { .. } | Msg::Ack | Msg::Query => {}
        }
    }
}

impl Process for Node {
    type Msg = Msg;
    type Timer = Timer;
    type Obs = Obs;
    type Stable = Log;

    fn on_start(&mut self, ctx: &mut Ctx<'_, Self>) {
        if ctx.id() == COORDINATOR {
            for p in Self::participants(ctx.n()) {
                ctx.send(p, Msg::Prepare);
            }
            ctx.set_timer(self.cfg.vote_timeout, Timer::VoteTimeout);
            ctx.set_timer(self.cfg.retry, Timer::Retry);
        }
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, msg: Msg) {
        if ctx.id() == COORDINATOR {
            self.coordinator_message(ctx, from, msg);
        } else {
            self.participant_message(ctx, from, msg);
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, Self>, timer: Timer) {
        match timer {
            Timer::VoteTimeout => self.decide(ctx, false, Why::Timeout),
            Timer::Retry if ctx.id() == COORDINATOR => {
                if self.decision.is_none() {
                    for p in Self::participants(ctx.n()).filter(|p| !self.votes.contains_key(p)) {
                        ctx.send(p, Msg::Prepare);
                    }
                } else {
                    self.send_decision(ctx);
                }
                if self.decision.is_none() || !self.unacked.is_empty() {
                    ctx.set_timer(self.cfg.retry, Timer::Retry);
                }
            }
            Timer::Retry => {
                // A yes voter without a decision is blocked: keep asking.
                if self.vote == Some(true) && self.decision.is_none() {
                    ctx.send(COORDINATOR, Msg::Query);
                    ctx.set_timer(self.cfg.retry, Timer::Retry);
                }
            }
        }
    }

    fn on_recover(&mut self, ctx: &mut Ctx<'_, Self>) {
        let log = ctx.stable().clone();
        self.vote = log.vote;
        self.decision = log.decision;
        if ctx.id() == COORDINATOR {
            match log.decision {
                Some(_) => {
                    self.unacked = Self::participants(ctx.n()).collect();
                    self.send_decision(ctx);
                    ctx.set_timer(self.cfg.retry, Timer::Retry);
                }
                None => self.decide(ctx, false, Why::Recovered),
            }
        } else if log.decision.is_none() {
            match log.vote {
                Some(true) => {
                    ctx.send(COORDINATOR, Msg::Query);
                    ctx.set_timer(self.cfg.retry, Timer::Retry);
                }
                // Voted no (and so aborted, logged or not), or never voted: abort on its own.
                // Without a log, this is also what a participant that voted yes does: the bug.
                _ => self.decide(ctx, false, Why::NoRecord),
            }
        }
    }
}

/// Commit-validity: a commit requires a yes vote from every participant.
#[derive(Default)]
pub struct CommitValidity {
    yes: BTreeSet<NodeId>,
}

impl Property<Node> for CommitValidity {
    fn name(&self) -> &str {
        "commit-validity"
    }
    fn kind(&self) -> PropertyKind {
        PropertyKind::Always
    }
    fn observe(&mut self, w: &World<'_, Node>, node: NodeId, obs: &Obs) -> Result<(), String> {
        match obs {
            Obs::Vote { yes: true } => {
                self.yes.insert(node);
                Ok(())
            }
            Obs::Decide { commit: true, .. } => {
                let missing: Vec<NodeId> = (1..w.n()).filter(|p| !self.yes.contains(p)).collect();
                if missing.is_empty() {
                    Ok(())
                } else {
                    Err(format!(
                        "node {node} committed without a yes vote from {}",
                        crate::nodes_phrase(&missing)
                    ))
                }
            }
            _ => Ok(()),
        }
    }
}

/// Abort-validity: an abort has a reason the history bears out. A no vote was cast if one is
/// claimed; the coordinator told the participant if it says so; and a participant that aborts
/// on its own never voted yes.
#[derive(Default)]
pub struct AbortValidity {
    votes: BTreeMap<NodeId, bool>,
    coordinator_aborted: bool,
}

impl Property<Node> for AbortValidity {
    fn name(&self) -> &str {
        "abort-validity"
    }
    fn kind(&self) -> PropertyKind {
        PropertyKind::Always
    }
    fn observe(&mut self, _: &World<'_, Node>, node: NodeId, obs: &Obs) -> Result<(), String> {
        let why = match obs {
            Obs::Vote { yes } => {
                self.votes.insert(node, *yes);
                return Ok(());
            }
            Obs::Decide { commit: true, .. } => return Ok(()),
            Obs::Decide { commit: false, why } => *why,
        };
        if node == COORDINATOR {
            self.coordinator_aborted = true;
        }
        let ok = match why {
            Why::NoVote => self.votes.values().any(|v| !v),
            Why::Timeout | Why::Recovered => node == COORDINATOR,
            Why::Told => self.coordinator_aborted,
            Why::NoRecord => self.votes.get(&node) != Some(&true),
            Why::AllYes => false,
        };
        if ok {
            Ok(())
        } else {
            Err(match why {
                Why::NoRecord => format!("node {node} aborted on its own after voting yes"),
                other => format!("node {node} aborted ({other:?}) without cause"),
            })
        }
    }
}

fn properties() -> Vec<PropertyDef<Node>> {
    vec![
        PropertyDef {
            name: "atomicity",
            kind: PropertyKind::Always,
            help: "no process commits while another aborts",
            make: || Box::new(Agreement::named("atomicity")),
        },
        PropertyDef {
            name: "commit-validity",
            kind: PropertyKind::Always,
            help: "commit only if every participant voted yes",
            make: || Box::<CommitValidity>::default(),
        },
        PropertyDef {
            name: "abort-validity",
            kind: PropertyKind::Always,
            help: "abort only for a no vote, a coordinator timeout or recovery, or on the \
                   coordinator's word; never on one's own after voting yes",
            make: || Box::<AbortValidity>::default(),
        },
        crate::consensus::integrity("no process decides twice"),
        crate::consensus::termination(Obliged::UpAtEnd, "every process up at the end has decided"),
    ]
}

pub struct TwoPhaseCommit;

impl Protocol for TwoPhaseCommit {
    fn info(&self) -> ProtocolInfo {
        ProtocolInfo {
            name: "two-phase-commit",
            summary: "Two-phase commit: node 0 coordinates, votes and decisions logged to stable \
                      storage, crash-recover",
            params: vec![
                ParamInfo::boolean(
                    "participant_log",
                    true,
                    "participants log their vote before answering (false: the known bug, a \
                     participant forgets its vote across a crash)",
                ),
                ParamInfo::int(
                    "no_vote_percent",
                    0,
                    100,
                    10,
                    "chance a participant votes no",
                ),
                ParamInfo::int(
                    "vote_timeout_ms",
                    1,
                    100_000,
                    20,
                    "milliseconds the coordinator waits for votes before aborting",
                ),
                ParamInfo::int(
                    "retry_ms",
                    1,
                    100_000,
                    5,
                    "milliseconds between retransmissions",
                ),
            ],
            invariants: describe(&properties()),
            adversaries: vec![],
            needs_detector: false,
        }
    }

    fn check(&self, _: &crate::Params, n: usize) -> Result<(), crate::SpecError> {
        if n < 2 {
            return Err(crate::SpecError::new(
                "nodes",
                "two-phase commit needs a coordinator and at least one participant: expected at least 2 nodes",
            ));
        }
        Ok(())
    }

    fn run(&self, spec: &RunSpec) -> RunReport {
        let p = &spec.params;
        let cfg = Config {
            participant_log: p.boolean("participant_log"),
            no_percent: p.int("no_vote_percent") as u64,
            vote_timeout: Duration::from_millis(p.int("vote_timeout_ms") as u64),
            retry: Duration::from_millis(p.int("retry_ms") as u64),
        };
        let setup = setup(spec, &properties(), move |_, _| Node::new(cfg), None);
        sim_core::Engine::new(setup, spec.seed).run()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::ParamValue;
    use crate::testing::{ms, spec, sweep, violated};
    use sim_core::faults::CrashSpec;
    use sim_core::{FaultSpec, Outcome, Time};

    fn crashes(nodes: Vec<NodeId>, recover: bool, between: [u64; 2]) -> FaultSpec {
        FaultSpec {
            crashes: Some(CrashSpec {
                min: 1,
                max: 1,
                between: [ms(between[0]), ms(between[1])],
                nodes: Some(nodes),
                recover_after: recover.then(|| {
                    [
                        sim_core::Duration::from_millis(1),
                        sim_core::Duration::from_millis(10),
                    ]
                }),
            }),
            ..FaultSpec::default()
        }
    }

    #[test]
    fn happy_path_commits_or_aborts_everywhere() {
        let mut commits = 0;
        for seed in 0..50 {
            let mut s = spec(&TwoPhaseCommit, 4, &[]);
            s.seed = seed;
            s.config.trace = true;
            let r = TwoPhaseCommit.run(&s);
            assert_eq!(r.outcome, Outcome::Ok, "seed {seed}: {:?}", r.violations);
            let decisions: Vec<String> = r
                .trace
                .unwrap()
                .iter()
                .filter_map(|e| match &e.kind {
                    sim_core::TraceKind::Observe { obs } if obs.starts_with("Decide") => {
                        Some(obs.contains("commit: true").to_string())
                    }
                    _ => None,
                })
                .collect();
            assert_eq!(decisions.len(), 4, "seed {seed}");
            commits += usize::from(decisions[0] == "true");
        }
        // With a 10% no vote per participant, most transactions commit, some abort.
        assert!((20..50).contains(&commits), "{commits} commits");
    }

    #[test]
    fn a_coordinator_crash_without_recovery_blocks_but_stays_atomic() {
        let s = spec(&TwoPhaseCommit, 4, &[]);
        let found = violated(&sweep(
            &TwoPhaseCommit,
            &s,
            &crashes(vec![0], false, [1, 6]),
            0..200,
        ));
        assert!(
            found.get("termination").copied().unwrap_or(0) > 20,
            "{found:?}"
        );
        assert_eq!(found.len(), 1, "only termination may fail: {found:?}");
    }

    #[test]
    fn a_recovering_coordinator_terminates() {
        let mut s = spec(&TwoPhaseCommit, 4, &[]);
        s.network.default.loss_ppm = 100_000;
        let found = violated(&sweep(
            &TwoPhaseCommit,
            &s,
            &crashes(vec![0], true, [1, 15]),
            0..300,
        ));
        assert!(found.is_empty(), "{found:?}");
        let found = violated(&sweep(
            &TwoPhaseCommit,
            &s,
            &crashes(vec![1, 2, 3], true, [1, 15]),
            0..300,
        ));
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn a_participant_that_forgets_its_vote_breaks_atomicity() {
        let s = spec(
            &TwoPhaseCommit,
            4,
            &[("participant_log", ParamValue::Bool(false))],
        );
        let found = violated(&sweep(
            &TwoPhaseCommit,
            &s,
            &crashes(vec![1, 2, 3], true, [1, 8]),
            0..300,
        ));
        assert!(
            found.get("atomicity").copied().unwrap_or(0) > 5,
            "{found:?}"
        );
    }

    #[test]
    fn invariants_judge_hand_built_histories() {
        let cfg = Config {
            participant_log: true,
            no_percent: 0,
            vote_timeout: Duration::from_millis(1),
            retry: Duration::from_millis(1),
        };
        let states: Vec<Node> = (0..3).map(|_| Node::new(cfg)).collect();
        let (up, never) = ([true; 3], [false; 3]);
        let w = World::new(Time::ZERO, &states, &up, &never, &never);
        let yes = Obs::Vote { yes: true };
        let commit = Obs::Decide {
            commit: true,
            why: Why::AllYes,
        };

        let mut cv = CommitValidity::default();
        cv.observe(&w, 1, &yes).unwrap();
        assert!(cv.observe(&w, 0, &commit).is_err(), "node 2 never voted");
        cv.observe(&w, 2, &yes).unwrap();
        assert!(cv.observe(&w, 0, &commit).is_ok());

        let mut av = AbortValidity::default();
        av.observe(&w, 1, &yes).unwrap();
        let forgot = Obs::Decide {
            commit: false,
            why: Why::NoRecord,
        };
        assert!(
            av.observe(&w, 1, &forgot).is_err(),
            "aborted alone after a yes"
        );
        assert!(av.observe(&w, 2, &forgot).is_ok(), "never voted: may abort");
        let told = Obs::Decide {
            commit: false,
            why: Why::Told,
        };
        assert!(
            av.observe(&w, 1, &told).is_err(),
            "the coordinator never aborted"
        );
        av.observe(
            &w,
            0,
            &Obs::Decide {
                commit: false,
                why: Why::Timeout,
            },
        )
        .unwrap();
        assert!(av.observe(&w, 1, &told).is_ok());

        let mut atomicity = Agreement::named("atomicity");
        assert_eq!(Property::<Node>::name(&atomicity), "atomicity");
        Property::<Node>::observe(&mut atomicity, &w, 0, &commit).unwrap();
        assert!(Property::<Node>::observe(&mut atomicity, &w, 1, &told).is_err());
    }
}
