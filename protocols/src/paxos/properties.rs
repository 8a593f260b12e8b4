//! Paxos's own properties: the safety of the chosen value, judged from what acceptors
//! accepted, and two reachability properties that show a sweep exercised the mechanisms that
//! keep it safe. Integrity and termination are the shared consensus ones.

use std::collections::BTreeMap;
use std::hash::Hasher;

use ftsim_api::sim_core::entropy::DetHasher;

use ftsim_api::properties::{event_ref, events_phrase};
use ftsim_api::{Explorable, Falsified, NodeId, Property, World};

use super::chosen::ChosenTracker;
use super::messages::Obs;
use super::process::Paxos;

/// At most one value is chosen. A violation names the accepts that chose each value.
#[derive(Clone, Default)]
pub struct OneChosen {
    tracker: ChosenTracker,
}

impl Property<Paxos> for OneChosen {
    fn observe(&mut self, w: &World<'_, Paxos>, node: NodeId, obs: &Obs) -> Result<(), Falsified> {
        let t = &mut self.tracker;
        let Some((value, ballot)) = t.observe(w.n(), node, w.event(), obs) else {
            return Ok(());
        };
        let Some((other, when)) = t.other_than(value) else {
            return Ok(());
        };
        Err(Falsified::new(format!(
            "{value} chosen in ballot {ballot:?} at {} by acceptors {:?}, but {other} was chosen \
             in ballot {when:?} at {} by acceptors {:?}",
            event_ref(w.event()),
            t.voters(ballot, value),
            t.chosen_at(when, other).map_or("?".to_string(), event_ref),
            t.voters(when, other),
        ))
        .citing(t.accepts(ballot, value))
        .citing(t.accepts(when, other)))
    }
}

impl Explorable<Paxos> for OneChosen {
    fn fingerprint(&self, hasher: &mut DetHasher) {
        self.tracker.fingerprint(hasher);
    }
}

/// Only a proposed value is chosen. A violation names the accepts that chose it and every
/// proposal.
#[derive(Clone, Default)]
pub struct ChosenProposed {
    tracker: ChosenTracker,
    /// Each proposed value and the event of its first proposal.
    proposed: BTreeMap<u64, u64>,
}

impl Property<Paxos> for ChosenProposed {
    fn observe(&mut self, w: &World<'_, Paxos>, node: NodeId, obs: &Obs) -> Result<(), Falsified> {
        if let Obs::Propose(v) = obs {
            self.proposed.entry(*v).or_insert(w.event());
        }
        match self.tracker.observe(w.n(), node, w.event(), obs) {
            Some((value, ballot)) if !self.proposed.contains_key(&value) => {
                let proposals: Vec<String> = self
                    .proposed
                    .iter()
                    .map(|(v, &e)| format!("{v} at {}", event_ref(e)))
                    .collect();
                let accepts = self.tracker.accepts(ballot, value);
                Err(Falsified::new(format!(
                    "{value} chosen in ballot {ballot:?} at {} (accepts at {}), but nobody \
                     proposed it (proposals: {})",
                    event_ref(w.event()),
                    events_phrase(&accepts),
                    if proposals.is_empty() {
                        "none".to_string()
                    } else {
                        proposals.join(", ")
                    }
                ))
                .citing(accepts)
                .citing(self.proposed.values().copied()))
            }
            _ => Ok(()),
        }
    }
}

impl Explorable<Paxos> for ChosenProposed {
    fn fingerprint(&self, hasher: &mut DetHasher) {
        self.tracker.fingerprint(hasher);
        for value in self.proposed.keys() {
            hasher.write_u64(*value);
        }
    }
}

/// A learner learns only a value that has been chosen. A violation names the learning and
/// whatever accepts of the value there were.
#[derive(Clone, Default)]
pub struct LearnedChosen {
    tracker: ChosenTracker,
}

impl Property<Paxos> for LearnedChosen {
    fn observe(&mut self, w: &World<'_, Paxos>, node: NodeId, obs: &Obs) -> Result<(), Falsified> {
        self.tracker.observe(w.n(), node, w.event(), obs);
        match obs {
            Obs::Learn(v) if !self.tracker.is_chosen(*v) => {
                let accepts = self.tracker.accepts_of(*v);
                Err(Falsified::new(format!(
                    "node {node} learned {v} at {}, which no majority of acceptors has accepted \
                     (accepts of it: {})",
                    event_ref(w.event()),
                    if accepts.is_empty() {
                        "none".to_string()
                    } else {
                        events_phrase(&accepts)
                    }
                ))
                .citing(accepts)
                .citing([w.event()]))
            }
            _ => Ok(()),
        }
    }
}

impl Explorable<Paxos> for LearnedChosen {
    fn fingerprint(&self, hasher: &mut DetHasher) {
        self.tracker.fingerprint(hasher);
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
    fn observe(&mut self, _: &World<'_, Paxos>, node: NodeId, obs: &Obs) -> Result<(), Falsified> {
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
    fn finish(&mut self, _: &World<'_, Paxos>) -> Result<(), Falsified> {
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
    fn observe(&mut self, w: &World<'_, Paxos>, node: NodeId, obs: &Obs) -> Result<(), Falsified> {
        if let Obs::Accept { .. } = obs {
            self.reached |= w.ever_crashed(node);
        }
        Ok(())
    }
    fn finish(&mut self, _: &World<'_, Paxos>) -> Result<(), Falsified> {
        if self.reached {
            Ok(())
        } else {
            Err("no recovered acceptor accepted anything".into())
        }
    }
}
