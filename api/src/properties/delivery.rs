//! Generic message-delivery properties, shared by every protocol whose processes broadcast (or
//! multicast) messages and deliver them to the application: reliable links and broadcast,
//! total-order multicast, and any causal broadcast to come. A protocol's observation type
//! implements [`DeliveryObs`] and picks the properties it promises. A message is named by its
//! origin and the origin's own sequence number, so nothing needs global knowledge: everything
//! is judged from broadcast / deliver observations. Byzantine nodes' observations are ignored.
//!
//! The building blocks: no duplication and no creation (together: integrity), validity (every
//! message of a correct origin reaches every correct process; total-order calls it
//! termination), agreement (regular or uniform), total order and causal order.

use std::collections::{BTreeMap, BTreeSet};

use sim_core::{NodeId, Process, Property, World};

/// A message's identity: the node that broadcast it and its sequence number there.
pub type MsgKey = (NodeId, u64);

/// Observations that carry broadcasts and deliveries.
pub trait DeliveryObs {
    /// The sequence number of a message the observing node broadcasts (it is the origin).
    fn broadcast(&self) -> Option<u64>;
    /// The message this observation delivers to the application, if any.
    fn delivered(&self) -> Option<MsgKey>;
}

fn show(m: MsgKey) -> String {
    format!("{}#{}", m.0, m.1)
}

/// No duplication: no process delivers the same message twice.
#[derive(Default)]
pub struct NoDuplication {
    /// (node, message) → the event of its first delivery there.
    delivered: BTreeMap<(NodeId, MsgKey), u64>,
    first: Option<u64>,
}

impl NoDuplication {
    fn check<P: Process>(
        &mut self,
        w: &World<'_, P>,
        node: NodeId,
        obs: &P::Obs,
    ) -> Result<(), String>
    where
        P::Obs: DeliveryObs,
    {
        let Some(m) = obs.delivered() else {
            return Ok(());
        };
        if w.is_byzantine(node) {
            return Ok(());
        }
        if let Some(&first) = self.delivered.get(&(node, m)) {
            self.first = Some(first);
            return Err(format!("node {node} delivered message {} twice", show(m)));
        }
        self.delivered.insert((node, m), w.event());
        Ok(())
    }
}

impl<P: Process> Property<P> for NoDuplication
where
    P::Obs: DeliveryObs,
{
    fn observe(&mut self, w: &World<'_, P>, node: NodeId, obs: &P::Obs) -> Result<(), String> {
        self.check(w, node, obs)
    }
    fn related_events(&self) -> Vec<u64> {
        self.first.into_iter().collect()
    }
}

/// No creation: a delivered message was broadcast by its origin before (a Byzantine origin may
/// have sent anything).
#[derive(Default)]
pub struct NoCreation {
    broadcast: BTreeSet<MsgKey>,
}

impl NoCreation {
    fn check<P: Process>(
        &mut self,
        w: &World<'_, P>,
        node: NodeId,
        obs: &P::Obs,
    ) -> Result<(), String>
    where
        P::Obs: DeliveryObs,
    {
        if let Some(seq) = obs.broadcast() {
            self.broadcast.insert((node, seq));
        }
        match obs.delivered() {
            Some(m)
                if !w.is_byzantine(node)
                    && !w.is_byzantine(m.0)
                    && !self.broadcast.contains(&m) =>
            {
                Err(format!(
                    "node {node} delivered message {}, which node {} never broadcast",
                    show(m),
                    m.0
                ))
            }
            _ => Ok(()),
        }
    }
}

impl<P: Process> Property<P> for NoCreation
where
    P::Obs: DeliveryObs,
{
    fn observe(&mut self, w: &World<'_, P>, node: NodeId, obs: &P::Obs) -> Result<(), String> {
        self.check(w, node, obs)
    }
}

/// Integrity: no duplication and no creation, as one property.
#[derive(Default)]
pub struct Integrity {
    duplication: NoDuplication,
    creation: NoCreation,
}

impl<P: Process> Property<P> for Integrity
where
    P::Obs: DeliveryObs,
{
    fn observe(&mut self, w: &World<'_, P>, node: NodeId, obs: &P::Obs) -> Result<(), String> {
        self.creation.check(w, node, obs)?;
        self.duplication.check(w, node, obs)
    }
    fn related_events(&self) -> Vec<u64> {
        self.duplication.first.into_iter().collect()
    }
}

/// Who broadcast and who delivered what: the bookkeeping of the end-of-run properties.
#[derive(Default)]
struct Ledger {
    broadcast: BTreeSet<MsgKey>,
    delivered: BTreeMap<MsgKey, BTreeSet<NodeId>>,
}

impl Ledger {
    fn record<P: Process>(&mut self, w: &World<'_, P>, node: NodeId, obs: &P::Obs)
    where
        P::Obs: DeliveryObs,
    {
        if w.is_byzantine(node) {
            return;
        }
        if let Some(seq) = obs.broadcast() {
            self.broadcast.insert((node, seq));
        }
        if let Some(m) = obs.delivered() {
            self.delivered.entry(m).or_default().insert(node);
        }
    }

    /// The correct processes that did not deliver `m`.
    fn missing<P: Process>(&self, w: &World<'_, P>, m: &MsgKey) -> Vec<NodeId> {
        let got = self.delivered.get(m);
        w.nodes()
            .filter(|&i| w.is_correct(i))
            .filter(|i| !got.is_some_and(|g| g.contains(i)))
            .collect()
    }
}

/// Validity: every message broadcast by a correct process is delivered by every correct
/// process by the end of the run. Total-order multicast calls it termination.
#[derive(Default)]
pub struct Validity {
    ledger: Ledger,
}

impl<P: Process> Property<P> for Validity
where
    P::Obs: DeliveryObs,
{
    fn observe(&mut self, w: &World<'_, P>, node: NodeId, obs: &P::Obs) -> Result<(), String> {
        self.ledger.record(w, node, obs);
        Ok(())
    }
    fn finish(&mut self, w: &World<'_, P>) -> Result<(), String> {
        for m in self.ledger.broadcast.iter().filter(|m| w.is_correct(m.0)) {
            let missing = self.ledger.missing(w, m);
            if !missing.is_empty() {
                return Err(format!(
                    "message {} from correct node {} never reached {} (at {})",
                    show(*m),
                    m.0,
                    crate::nodes::nodes_phrase(&missing),
                    w.now
                ));
            }
        }
        Ok(())
    }
}

/// Agreement: if a correct process delivers a message, every correct process delivers it by
/// the end of the run. Uniform agreement asks the same of a message delivered by *any* process,
/// even one that crashed afterwards.
#[derive(Default)]
pub struct Agreement {
    uniform: bool,
    ledger: Ledger,
}

impl Agreement {
    /// Regular agreement: about messages delivered by correct processes.
    pub fn regular() -> Self {
        Agreement::default()
    }
    /// Uniform agreement: about messages delivered by any process, even one that crashed later.
    pub fn uniform() -> Self {
        Agreement {
            uniform: true,
            ledger: Ledger::default(),
        }
    }
}

impl<P: Process> Property<P> for Agreement
where
    P::Obs: DeliveryObs,
{
    fn observe(&mut self, w: &World<'_, P>, node: NodeId, obs: &P::Obs) -> Result<(), String> {
        self.ledger.record(w, node, obs);
        Ok(())
    }
    fn finish(&mut self, w: &World<'_, P>) -> Result<(), String> {
        for (m, got) in &self.ledger.delivered {
            let by = got
                .iter()
                .copied()
                .find(|&i| self.uniform || w.is_correct(i));
            let Some(by) = by else {
                continue;
            };
            let missing = self.ledger.missing(w, m);
            if !missing.is_empty() {
                let who = if w.is_correct(by) {
                    "correct node"
                } else {
                    "node"
                };
                return Err(format!(
                    "{who} {by} delivered message {} but {} never did (at {})",
                    show(*m),
                    crate::nodes::nodes_phrase(&missing),
                    w.now
                ));
            }
        }
        Ok(())
    }
}

/// Per-node delivery sequences, the bookkeeping of the order properties.
#[derive(Default)]
struct Sequences {
    order: BTreeMap<NodeId, Vec<MsgKey>>,
    position: BTreeMap<NodeId, BTreeMap<MsgKey, usize>>,
}

impl Sequences {
    fn push(&mut self, node: NodeId, m: MsgKey) {
        let list = self.order.entry(node).or_default();
        self.position.entry(node).or_default().insert(m, list.len());
        list.push(m);
    }
    fn has(&self, node: NodeId, m: MsgKey) -> bool {
        self.position.get(&node).is_some_and(|p| p.contains_key(&m))
    }
}

/// Total order (uniform): if two processes (even ones that later crash) both deliver `m` and
/// `m'`, they deliver them in the same order. Checked at each delivery against every other
/// process's sequence, so the first inverted pair is reported at the event that inverts it.
#[derive(Default)]
pub struct TotalOrder {
    seqs: Sequences,
}

impl<P: Process> Property<P> for TotalOrder
where
    P::Obs: DeliveryObs,
{
    fn observe(&mut self, w: &World<'_, P>, node: NodeId, obs: &P::Obs) -> Result<(), String> {
        let Some(m) = obs.delivered() else {
            return Ok(());
        };
        if w.is_byzantine(node) {
            return Ok(());
        }
        // Everything `node` delivered so far comes before `m`; another process that delivered
        // `m` must not have delivered any of those after it.
        for (&other, list) in &self.seqs.order {
            if other == node || w.is_byzantine(other) {
                continue;
            }
            let Some(&at) = self.seqs.position[&other].get(&m) else {
                continue;
            };
            if let Some(&later) = list[at + 1..].iter().find(|&&x| self.seqs.has(node, x)) {
                return Err(format!(
                    "node {node} delivered {} before {}, but node {other} delivered them in the \
                     opposite order",
                    show(later),
                    show(m)
                ));
            }
        }
        self.seqs.push(node, m);
        Ok(())
    }
}

/// Causal order: a process delivers `m` only after every message that causally precedes it
/// (the origin's earlier broadcasts and everything the origin had delivered before
/// broadcasting `m`, transitively).
#[derive(Default)]
pub struct CausalOrder {
    /// Per node: its own broadcasts and its deliveries so far (its causal past).
    past: BTreeMap<NodeId, BTreeSet<MsgKey>>,
    delivered: BTreeMap<NodeId, BTreeSet<MsgKey>>,
    deps: BTreeMap<MsgKey, BTreeSet<MsgKey>>,
}

impl<P: Process> Property<P> for CausalOrder
where
    P::Obs: DeliveryObs,
{
    fn observe(&mut self, w: &World<'_, P>, node: NodeId, obs: &P::Obs) -> Result<(), String> {
        if w.is_byzantine(node) {
            return Ok(());
        }
        if let Some(seq) = obs.broadcast() {
            let past = self.past.entry(node).or_default();
            self.deps.insert((node, seq), past.clone());
            past.insert((node, seq));
        }
        if let Some(m) = obs.delivered() {
            let delivered = self.delivered.entry(node).or_default();
            if let Some(deps) = self.deps.get(&m) {
                if let Some(missing) = deps.iter().find(|d| !delivered.contains(d)) {
                    return Err(format!(
                        "node {node} delivered {} before {}, which causally precedes it",
                        show(m),
                        show(*missing)
                    ));
                }
            }
            delivered.insert(m);
            self.past.entry(node).or_default().insert(m);
        }
        Ok(())
    }
}
