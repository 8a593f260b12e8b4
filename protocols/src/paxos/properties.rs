//! Paxos's own properties: the safety of the chosen value, judged from what acceptors
//! accepted, and two reachability properties that show a sweep exercised the mechanisms that
//! keep it safe. Integrity and termination are the shared consensus ones.

use std::collections::{BTreeMap, BTreeSet};

use ftsim_api::{NodeId, Property, World};

use super::chosen::ChosenTracker;
use super::process::{Obs, Paxos};

/// At most one value is chosen.
#[derive(Default)]
pub struct OneChosen {
    tracker: ChosenTracker,
}

impl Property<Paxos> for OneChosen {
    fn observe(&mut self, w: &World<'_, Paxos>, node: NodeId, obs: &Obs) -> Result<(), String> {
        let Some((value, ballot)) = self.tracker.observe(w.n(), node, obs) else {
            return Ok(());
        };
        match self.tracker.other_than(value) {
            None => Ok(()),
            Some((other, when)) => Err(format!(
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

impl Property<Paxos> for ChosenProposed {
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

impl Property<Paxos> for LearnedChosen {
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
pub struct Adopted {
    own: BTreeMap<NodeId, u64>,
    reached: bool,
}

impl Property<Paxos> for Adopted {
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
pub struct RecoveredAcceptor {
    reached: bool,
}

impl Property<Paxos> for RecoveredAcceptor {
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
