//! The lock server's own properties; mutual exclusion is the shared one
//! ([`ftsim_api::properties::mutex`]), through [`CriticalSection`](ftsim_api::properties::CriticalSection)
//! on [`Obs`].

use std::collections::BTreeSet;

use ftsim_api::{nodes_phrase, NodeId, Property, World};

use super::process::{LockProcess, Obs};

/// FIFO grants: clients enter in the order their requests first reached the server, skipping
/// clients that crashed (or restarted, dropping their request) meanwhile.
#[derive(Default)]
pub struct FifoGrants {
    /// Clients with a pending request, in order of first arrival at the server.
    pending: Vec<NodeId>,
}

impl FifoGrants {
    /// `node` enters: every live client whose request arrived before its own must have
    /// entered already.
    fn enter(&mut self, w: &World<'_, LockProcess>, node: NodeId) -> Result<(), String> {
        let Some(at) = self.pending.iter().position(|&c| c == node) else {
            return Ok(());
        };
        if let Some(&first) = self.pending[..at].iter().find(|&&c| w.is_up(c)) {
            return Err(format!(
                "node {node} was granted the lock before node {first}, whose request reached \
                 the server first and is still waiting"
            ));
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
    ) -> Result<(), String> {
        match obs {
            Obs::Arrived { client } if !self.pending.contains(client) => {
                self.pending.push(*client);
            }
            Obs::Restarted => self.pending.retain(|&c| c != node),
            Obs::Forgot { client } => self.pending.retain(|c| c != client),
            Obs::Enter => return self.enter(w, node),
            _ => {}
        }
        Ok(())
    }
}

/// Every request of a client that is up at the end was granted.
#[derive(Default)]
pub struct EveryRequestGranted {
    waiting: BTreeSet<NodeId>,
}

impl Property<LockProcess> for EveryRequestGranted {
    fn observe(
        &mut self,
        _: &World<'_, LockProcess>,
        node: NodeId,
        obs: &Obs,
    ) -> Result<(), String> {
        match obs {
            Obs::Request => {
                self.waiting.insert(node);
            }
            Obs::Enter | Obs::Restarted => {
                self.waiting.remove(&node);
            }
            _ => {}
        }
        Ok(())
    }

    fn finish(&mut self, w: &World<'_, LockProcess>) -> Result<(), String> {
        let starved: Vec<NodeId> = self
            .waiting
            .iter()
            .copied()
            .filter(|&c| w.is_up_and_honest(c))
            .collect();
        if starved.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "{} still waiting for the lock at {}",
                nodes_phrase(&starved),
                w.now
            ))
        }
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
    ) -> Result<(), String> {
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

    fn finish(&mut self, _: &World<'_, LockProcess>) -> Result<(), String> {
        if self.reached {
            Ok(())
        } else {
            Err("the server never rebooted while a client held the lock".into())
        }
    }
}
