//! The lock server's own properties; mutual exclusion is the shared one
//! ([`ftsim_api::properties::mutex`]), through
//! [`CriticalSection`](ftsim_api::properties::CriticalSection) on [`Obs`].

use std::collections::BTreeSet;
use std::hash::Hash;

use ftsim_api::properties::{event_ref, Stuck, Waits};
use ftsim_api::sim_core::entropy::DetHasher;
use ftsim_api::{nodes_phrase, Explorable, Falsified, NodeId, Property, World};

use super::messages::Obs;
use super::process::LockProcess;

/// FIFO grants: clients enter in the order their requests first reached the server, skipping
/// clients that crashed (or restarted, dropping their request) meanwhile. A violation names
/// both requests' arrivals and the grant.
#[derive(Clone, Default)]
pub struct FifoGrants {
    /// Clients with a pending request, in order of first arrival at the server, each with the
    /// event of that arrival.
    pending: Vec<(NodeId, u64)>,
}

impl FifoGrants {
    /// `node` enters: every live client whose request arrived before its own must have
    /// entered already.
    fn enter(&mut self, w: &World<'_, LockProcess>, node: NodeId) -> Result<(), Falsified> {
        let Some(at) = self.pending.iter().position(|&(c, _)| c == node) else {
            return Ok(());
        };
        if let Some(&(first, arrived)) = self.pending[..at].iter().find(|&&(c, _)| w.is_up(c)) {
            let mine = self.pending[at].1;
            return Err(Falsified::new(format!(
                "node {node} was granted the lock at {} before node {first}, whose request \
                 reached the server first ({}, node {node}'s at {}) and is still waiting",
                event_ref(w.event()),
                event_ref(arrived),
                event_ref(mine)
            ))
            .citing([arrived, mine, w.event()]));
        }
        self.pending.remove(at);
        Ok(())
    }
}

impl Property<LockProcess> for FifoGrants {
    fn observe(
        &mut self,
        w: &World<'_, LockProcess>,
        node: NodeId,
        obs: &Obs,
    ) -> Result<(), Falsified> {
        match obs {
            Obs::Arrived { client } if !self.pending.iter().any(|(c, _)| c == client) => {
                self.pending.push((*client, w.event()));
            }
            Obs::Restarted => self.pending.retain(|&(c, _)| c != node),
            Obs::Forgot { client } => self.pending.retain(|(c, _)| c != client),
            Obs::Enter => return self.enter(w, node),
            _ => {}
        }
        Ok(())
    }
}

impl Explorable<LockProcess> for FifoGrants {
    /// The pending clients in arrival order (not the events).
    fn fingerprint(&self, hasher: &mut DetHasher) {
        let order: Vec<NodeId> = self.pending.iter().map(|&(c, _)| c).collect();
        order.hash(hasher);
    }
}

/// Every request of a client that is up at the end was granted. A violation names each
/// starved client's request and its last step.
#[derive(Clone, Default)]
pub struct EveryRequestGranted {
    /// Clients waiting for the lock, since their request.
    waiting: Waits<NodeId>,
}

impl Property<LockProcess> for EveryRequestGranted {
    fn observe(
        &mut self,
        w: &World<'_, LockProcess>,
        node: NodeId,
        obs: &Obs,
    ) -> Result<(), Falsified> {
        match obs {
            Obs::Request => self.waiting.begin(w, node, node),
            Obs::Enter | Obs::Restarted => self.waiting.end(&node),
            _ => {}
        }
        Ok(())
    }

    fn finish(&mut self, w: &World<'_, LockProcess>) -> Result<(), Falsified> {
        let starved: Vec<Stuck> = self
            .waiting
            .stuck(w, |_, c| w.is_up_and_honest(c))
            .into_iter()
            .map(|(_, s)| s)
            .collect();
        if starved.is_empty() {
            return Ok(());
        }
        let nodes: Vec<NodeId> = starved.iter().map(|s| s.node).collect();
        Err(Falsified::new(format!(
            "{} still waiting for the lock at {}: {}",
            nodes_phrase(&nodes),
            w.now,
            Stuck::details(&starved, "requested it at")
        ))
        .citing(Stuck::evidence(&starved)))
    }
}

impl Explorable<LockProcess> for EveryRequestGranted {
    fn fingerprint(&self, hasher: &mut DetHasher) {
        self.waiting.fingerprint(hasher);
    }
}

/// Reached when the server rebooted while a client held the lock: the case where a stateless
/// server can go wrong.
#[derive(Default)]
pub struct RebootWhileHeld {
    inside: BTreeSet<NodeId>,
    reached: bool,
}

impl Property<LockProcess> for RebootWhileHeld {
    fn observe(
        &mut self,
        w: &World<'_, LockProcess>,
        node: NodeId,
        obs: &Obs,
    ) -> Result<(), Falsified> {
        match obs {
            Obs::Enter => {
                self.inside.insert(node);
            }
            Obs::Exit | Obs::Restarted => {
                self.inside.remove(&node);
            }
            Obs::Rebooted => self.reached |= self.inside.iter().any(|&c| w.is_up(c)),
            _ => {}
        }
        Ok(())
    }

    fn finish(&mut self, _: &World<'_, LockProcess>) -> Result<(), Falsified> {
        if self.reached {
            Ok(())
        } else {
            Err("the server never rebooted while a client held the lock".into())
        }
    }
}
