//! Generic delivery properties, shared by every protocol whose processes broadcast messages and
//! deliver them (reliable links and broadcast, total-order multicast…): a protocol's
//! observation type implements [`DeliveryObs`] and gets no-duplication, no-creation, validity
//! and agreement. A message is named by its key: (origin, sequence number at the origin).

use std::collections::{BTreeMap, BTreeSet};

use sim_core::{NodeId, Process, Property, PropertyKind, World};

/// A message's identity: the node that broadcast it and its sequence number there.
pub type MsgKey = (NodeId, u64);

/// Observations that carry broadcasts and deliveries.
pub trait DeliveryObs {
    /// The message this observation broadcasts (observed by its origin), if any.
    fn broadcast(&self) -> Option<MsgKey>;
    /// The message this observation delivers to the application, if any.
    fn delivered(&self) -> Option<MsgKey>;
}

/// No duplication: no process delivers the same message twice.
#[derive(Default)]
pub struct NoDuplication {
    /// (node, message) → the event of its first delivery there.
    delivered: BTreeMap<(NodeId, MsgKey), u64>,
    first: Option<u64>,
}

impl<P: Process> Property<P> for NoDuplication
where
    P::Obs: DeliveryObs,
{
    fn name(&self) -> &str {
        "no-duplication"
    }
    fn kind(&self) -> PropertyKind {
        PropertyKind::Always
    }
    fn observe(&mut self, w: &World<'_, P>, node: NodeId, obs: &P::Obs) -> Result<(), String> {
        let Some(key) = obs.delivered() else {
            return Ok(());
        };
        if let Some(&first) = self.delivered.get(&(node, key)) {
            self.first = Some(first);
            return Err(format!(
                "node {node} delivered message {}#{} twice",
                key.0, key.1
            ));
        }
        self.delivered.insert((node, key), w.event());
        Ok(())
    }
    fn related_events(&self) -> Vec<u64> {
        self.first.into_iter().collect()
    }
}

/// No creation: a delivered message was broadcast by its origin before.
#[derive(Default)]
pub struct NoCreation {
    broadcast: BTreeSet<MsgKey>,
}

impl<P: Process> Property<P> for NoCreation
where
    P::Obs: DeliveryObs,
{
    fn name(&self) -> &str {
        "no-creation"
    }
    fn kind(&self) -> PropertyKind {
        PropertyKind::Always
    }
    fn observe(&mut self, _: &World<'_, P>, node: NodeId, obs: &P::Obs) -> Result<(), String> {
        if let Some(key) = obs.broadcast() {
            self.broadcast.insert(key);
        }
        match obs.delivered() {
            Some(key) if !self.broadcast.contains(&key) => Err(format!(
                "node {node} delivered message {}#{}, which node {} never broadcast",
                key.0, key.1, key.0
            )),
            _ => Ok(()),
        }
    }
}

/// What every property needs at the end: who broadcast and who delivered what.
#[derive(Default)]
struct Ledger {
    broadcast: BTreeMap<MsgKey, NodeId>,
    delivered: BTreeMap<MsgKey, BTreeSet<NodeId>>,
}

impl Ledger {
    fn record<O: DeliveryObs>(&mut self, node: NodeId, obs: &O) {
        if let Some(key) = obs.broadcast() {
            self.broadcast.insert(key, node);
        }
        if let Some(key) = obs.delivered() {
            self.delivered.entry(key).or_default().insert(node);
        }
    }

    /// The correct processes that did not deliver `key`.
    fn missing<P: Process>(&self, w: &World<'_, P>, key: &MsgKey) -> Vec<NodeId> {
        let got = self.delivered.get(key);
        w.nodes()
            .filter(|&i| w.is_correct(i))
            .filter(|i| !got.is_some_and(|g| g.contains(i)))
            .collect()
    }
}

/// Validity: every message broadcast by a correct process is delivered by every correct process.
#[derive(Default)]
pub struct Validity {
    ledger: Ledger,
}

impl<P: Process> Property<P> for Validity
where
    P::Obs: DeliveryObs,
{
    fn name(&self) -> &str {
        "validity"
    }
    fn kind(&self) -> PropertyKind {
        PropertyKind::Eventually
    }
    fn observe(&mut self, _: &World<'_, P>, node: NodeId, obs: &P::Obs) -> Result<(), String> {
        self.ledger.record(node, obs);
        Ok(())
    }
    fn finish(&mut self, w: &World<'_, P>) -> Result<(), String> {
        for (key, &origin) in &self.ledger.broadcast {
            if !w.is_correct(origin) {
                continue;
            }
            let missing = self.ledger.missing(w, key);
            if !missing.is_empty() {
                return Err(format!(
                    "message {}#{} from correct node {origin} never reached {}",
                    key.0,
                    key.1,
                    crate::nodes_phrase(&missing)
                ));
            }
        }
        Ok(())
    }
}

/// Agreement: if a correct process delivers a message, every correct process delivers it.
#[derive(Default)]
pub struct Agreement {
    ledger: Ledger,
}

impl<P: Process> Property<P> for Agreement
where
    P::Obs: DeliveryObs,
{
    fn name(&self) -> &str {
        "agreement"
    }
    fn kind(&self) -> PropertyKind {
        PropertyKind::Eventually
    }
    fn observe(&mut self, _: &World<'_, P>, node: NodeId, obs: &P::Obs) -> Result<(), String> {
        self.ledger.record(node, obs);
        Ok(())
    }
    fn finish(&mut self, w: &World<'_, P>) -> Result<(), String> {
        for (key, got) in &self.ledger.delivered {
            let Some(&by) = got.iter().find(|&&i| w.is_correct(i)) else {
                continue;
            };
            let missing = self.ledger.missing(w, key);
            if !missing.is_empty() {
                return Err(format!(
                    "correct node {by} delivered message {}#{} but {} never did",
                    key.0,
                    key.1,
                    crate::nodes_phrase(&missing)
                ));
            }
        }
        Ok(())
    }
}
