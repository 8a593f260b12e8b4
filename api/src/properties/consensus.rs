//! Generic consensus properties, shared by every protocol whose processes propose and decide
//! values (flooding consensus, Byzantine agreement, Paxos, and commit/abort in 2PC): a
//! protocol's observation type implements [`Decision`] and gets agreement, validity,
//! integrity and termination for free. Byzantine nodes' observations are ignored: what a
//! traitor "decides" means nothing.

use std::collections::BTreeMap;

use std::hash::{Hash, Hasher};

use sim_core::entropy::DetHasher;
use sim_core::{Explorable, Falsified, NodeId, Process, Property, World};

use super::by_node::ByNode;
use super::evidence::{event_ref, Seen, Stuck};

/// Observations that carry proposals and decisions.
pub trait Decision {
    /// The value this observation proposes, if it is a proposal.
    fn proposed(&self) -> Option<u64>;
    /// The value this observation decides, if it is a decision.
    fn decided(&self) -> Option<u64>;
}

/// Uniform agreement: no two (non-Byzantine) processes decide differently, including processes
/// that crash after deciding. Two-phase commit calls the same property "atomicity". A
/// violation names both decisions.
#[derive(Clone, Default)]
pub struct Agreement {
    /// The first decision: who, what, and where.
    first: Option<Seen<u64>>,
}

impl<P: Process> Property<P> for Agreement
where
    P::Obs: Decision,
{
    fn observe(&mut self, w: &World<'_, P>, node: NodeId, obs: &P::Obs) -> Result<(), Falsified> {
        let Some(v) = obs.decided() else {
            return Ok(());
        };
        if w.is_byzantine(node) {
            return Ok(());
        }
        match &self.first {
            None => {
                self.first = Some(Seen::new(w, node, v));
                Ok(())
            }
            Some(first) if first.value != v => Err(Falsified::new(format!(
                "node {node} decided {v} at {} but node {} decided {} at {}",
                event_ref(w.event()),
                first.node,
                first.value,
                event_ref(first.event)
            ))
            .citing([first.event, w.event()])),
            Some(_) => Ok(()),
        }
    }
}

impl<P: Process> Explorable<P> for Agreement
where
    P::Obs: Decision,
{
    fn fingerprint(&self, hasher: &mut DetHasher) {
        hasher.write_u64(self.first.as_ref().map_or(u64::MAX, |f| f.value));
    }
}

/// Validity: a decided value was proposed by some process. A violation names the decision and
/// every proposal.
#[derive(Clone, Default)]
pub struct Validity {
    /// Each proposed value's first proposal.
    proposed: BTreeMap<u64, Seen<()>>,
}

impl<P: Process> Property<P> for Validity
where
    P::Obs: Decision,
{
    fn observe(&mut self, w: &World<'_, P>, node: NodeId, obs: &P::Obs) -> Result<(), Falsified> {
        if let Some(v) = obs.proposed() {
            self.proposed
                .entry(v)
                .or_insert_with(|| Seen::new(w, node, ()));
        }
        match obs.decided() {
            Some(v) if !w.is_byzantine(node) && !self.proposed.contains_key(&v) => {
                let proposals: Vec<String> = self
                    .proposed
                    .iter()
                    .map(|(v, p)| format!("{v} by node {} at {}", p.node, event_ref(p.event)))
                    .collect();
                Err(Falsified::new(format!(
                    "node {node} decided {v} at {}, which nobody proposed (proposals: {})",
                    event_ref(w.event()),
                    if proposals.is_empty() {
                        "none".to_string()
                    } else {
                        proposals.join(", ")
                    }
                ))
                .citing(self.proposed.values().map(|p| p.event))
                .citing([w.event()]))
            }
            _ => Ok(()),
        }
    }
}

impl<P: Process> Explorable<P> for Validity
where
    P::Obs: Decision,
{
    fn fingerprint(&self, hasher: &mut DetHasher) {
        for v in self.proposed.keys() {
            hasher.write_u64(*v);
        }
    }
}

/// Integrity: a process decides at most once. A violation names both decisions.
#[derive(Clone, Default)]
pub struct Integrity {
    /// Each node's decision and the event it happened at.
    decided: ByNode<(u64, u64)>,
}

impl<P: Process> Property<P> for Integrity
where
    P::Obs: Decision,
{
    fn observe(&mut self, w: &World<'_, P>, node: NodeId, obs: &P::Obs) -> Result<(), Falsified> {
        let Some(v) = obs.decided() else {
            return Ok(());
        };
        if w.is_byzantine(node) {
            return Ok(());
        }
        match self.decided.get(node) {
            Some(&(before, at)) => Err(Falsified::new(format!(
                "node {node} decided twice: {before} at {}, then {v} at {}",
                event_ref(at),
                event_ref(w.event())
            ))
            .citing([at, w.event()])),
            None => {
                self.decided.insert(node, (v, w.event()));
                Ok(())
            }
        }
    }
}

impl<P: Process> Explorable<P> for Integrity
where
    P::Obs: Decision,
{
    fn fingerprint(&self, hasher: &mut DetHasher) {
        for (node, (v, _)) in self.decided.iter() {
            hasher.write_usize(node);
            hasher.write_u64(*v);
        }
    }
}

/// Which processes must eventually decide.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Obliged {
    /// Processes that never crashed (crash-stop models).
    Correct,
    /// Processes that are up at the end (crash-recover models: they recovered and must finish).
    UpAtEnd,
}

/// Termination: every obliged, non-Byzantine process has decided by the end of the run. A
/// violation names, for each undecided process, its proposal and its last step.
#[derive(Clone)]
pub struct Termination {
    obliged: Obliged,
    decided: ByNode<u64>,
    /// Each node's latest proposal (the event).
    proposed: ByNode<u64>,
}

impl Termination {
    /// Termination for the processes `obliged` names.
    pub fn new(obliged: Obliged) -> Self {
        Termination {
            obliged,
            decided: ByNode::new(),
            proposed: ByNode::new(),
        }
    }
}

impl<P: Process> Property<P> for Termination
where
    P::Obs: Decision,
{
    fn observe(&mut self, w: &World<'_, P>, node: NodeId, obs: &P::Obs) -> Result<(), Falsified> {
        if obs.proposed().is_some() {
            self.proposed.insert(node, w.event());
        }
        if let Some(v) = obs.decided() {
            self.decided.insert(node, v);
        }
        Ok(())
    }
    fn finish(&mut self, w: &World<'_, P>) -> Result<(), Falsified> {
        let undecided: Vec<NodeId> = w
            .nodes()
            .filter(|&i| match self.obliged {
                Obliged::Correct => w.is_correct(i),
                Obliged::UpAtEnd => w.is_up_and_honest(i),
            })
            .filter(|&i| !self.decided.contains(i))
            .collect();
        if undecided.is_empty() {
            return Ok(());
        }
        let stuck: Vec<Stuck> = undecided
            .iter()
            .map(|&i| Stuck::new(w, i, self.proposed.get(i).copied()))
            .collect();
        Err(Falsified::new(format!(
            "{} never decided (at {}): {}",
            crate::nodes::nodes_phrase(&undecided),
            w.now,
            Stuck::details(&stuck, "proposed at")
        ))
        .citing(Stuck::evidence(&stuck)))
    }
}

impl<P: Process> Explorable<P> for Termination
where
    P::Obs: Decision,
{
    /// Who decided what, and who proposed (not when: event numbers differ between paths).
    fn fingerprint(&self, hasher: &mut DetHasher) {
        self.decided.hash(hasher);
        for node in self.proposed.nodes() {
            node.hash(hasher);
        }
    }
}

/// Regular agreement: no two *correct* processes (never crashed, not Byzantine) decide
/// differently. A process that decides and then crashes may have decided alone, so this can
/// only be judged when the run ends and it is known who stayed correct: declare it
/// `eventually`. (Uniform [`Agreement`] is the stronger, always-checkable one.)
#[derive(Default)]
pub struct RegularAgreement {
    /// Each process's decision and the event it happened at.
    decided: ByNode<(u64, u64)>,
}

impl<P: Process> Property<P> for RegularAgreement
where
    P::Obs: Decision,
{
    fn observe(&mut self, w: &World<'_, P>, node: NodeId, obs: &P::Obs) -> Result<(), Falsified> {
        if let Some(v) = obs.decided() {
            self.decided.get_or_insert_with(node, || (v, w.event()));
        }
        Ok(())
    }

    fn finish(&mut self, w: &World<'_, P>) -> Result<(), Falsified> {
        let correct: Vec<(NodeId, (u64, u64))> = self
            .decided
            .iter()
            .filter(|&(i, _)| w.is_correct(i))
            .map(|(i, &d)| (i, d))
            .collect();
        let Some(&(first, (v, at))) = correct.first() else {
            return Ok(());
        };
        match correct.iter().find(|(_, (u, _))| *u != v) {
            Some(&(other, (u, other_at))) => Err(Falsified::new(format!(
                "correct nodes {first} and {other} decided differently: {v} and {u}"
            ))
            .citing([at, other_at])),
            None => Ok(()),
        }
    }
}

/// Reached when some process crashed before the first decision: a run that actually tested
/// consensus under a crash, so a passing sweep is not a vacuous one.
#[derive(Default)]
pub struct CrashBeforeDecision {
    reached: bool,
    decided: bool,
}

impl<P: Process> Property<P> for CrashBeforeDecision
where
    P::Obs: Decision,
{
    fn observe(&mut self, w: &World<'_, P>, _: NodeId, obs: &P::Obs) -> Result<(), Falsified> {
        if obs.decided().is_some() && !self.decided {
            self.decided = true;
            self.reached = w.nodes().any(|i| w.ever_crashed(i));
        }
        Ok(())
    }

    fn finish(&mut self, _: &World<'_, P>) -> Result<(), Falsified> {
        if self.reached {
            Ok(())
        } else {
            Err("no process crashed before the first decision".into())
        }
    }
}
