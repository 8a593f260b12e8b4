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
//!
//! Each can be followed by a search (`ftsim explore`): a snapshot is a copy, and the
//! fingerprint hashes who broadcast and delivered which message (and in which order, for the
//! order properties), never the events where they did.

use std::collections::{BTreeMap, BTreeSet};
use std::hash::Hash;

use sim_core::entropy::DetHasher;
use sim_core::{Explorable, Falsified, NodeId, Process, Property, World};

use super::evidence::{event_ref, Stuck};

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

/// No duplication: no process delivers the same message twice. A violation names both
/// deliveries.
#[derive(Clone, Default)]
pub struct NoDuplication {
    /// (node, message) → the event of its first delivery there.
    delivered: BTreeMap<(NodeId, MsgKey), u64>,
}

impl NoDuplication {
    fn check<P: Process>(
        &mut self,
        w: &World<'_, P>,
        node: NodeId,
        obs: &P::Obs,
    ) -> Result<(), Falsified>
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
            return Err(Falsified::new(format!(
                "node {node} delivered message {} twice, at {} and at {}",
                show(m),
                event_ref(first),
                event_ref(w.event())
            ))
            .citing([first, w.event()]));
        }
        self.delivered.insert((node, m), w.event());
        Ok(())
    }
}

impl<P: Process> Property<P> for NoDuplication
where
    P::Obs: DeliveryObs,
{
    fn observe(&mut self, w: &World<'_, P>, node: NodeId, obs: &P::Obs) -> Result<(), Falsified> {
        self.check(w, node, obs)
    }
}

impl<P: Process> Explorable<P> for NoDuplication
where
    P::Obs: DeliveryObs,
{
    fn fingerprint(&self, hasher: &mut DetHasher) {
        hash_keys(self.delivered.keys(), hasher);
    }
}

/// No creation: a delivered message was broadcast by its origin before (a Byzantine origin may
/// have sent anything). A violation names the delivery and the origin's latest broadcast.
#[derive(Clone, Default)]
pub struct NoCreation {
    /// Each broadcast and the event it happened at.
    broadcast: BTreeMap<MsgKey, u64>,
}

impl NoCreation {
    fn check<P: Process>(
        &mut self,
        w: &World<'_, P>,
        node: NodeId,
        obs: &P::Obs,
    ) -> Result<(), Falsified>
    where
        P::Obs: DeliveryObs,
    {
        if let Some(seq) = obs.broadcast() {
            self.broadcast.insert((node, seq), w.event());
        }
        match obs.delivered() {
            Some(m)
                if !w.is_byzantine(node)
                    && !w.is_byzantine(m.0)
                    && !self.broadcast.contains_key(&m) =>
            {
                let latest = self
                    .broadcast
                    .range((m.0, 0)..=(m.0, u64::MAX))
                    .max_by_key(|(_, &event)| event);
                Err(Falsified::new(format!(
                    "node {node} delivered message {} at {}, which node {} never broadcast ({})",
                    show(m),
                    event_ref(w.event()),
                    m.0,
                    match latest {
                        Some((&k, &e)) => format!("its latest was {} at {}", show(k), event_ref(e)),
                        None => "it broadcast nothing".to_string(),
                    }
                ))
                .citing(latest.map(|(_, &e)| e))
                .citing([w.event()]))
            }
            _ => Ok(()),
        }
    }
}

impl<P: Process> Property<P> for NoCreation
where
    P::Obs: DeliveryObs,
{
    fn observe(&mut self, w: &World<'_, P>, node: NodeId, obs: &P::Obs) -> Result<(), Falsified> {
        self.check(w, node, obs)
    }
}

impl<P: Process> Explorable<P> for NoCreation
where
    P::Obs: DeliveryObs,
{
    fn fingerprint(&self, hasher: &mut DetHasher) {
        hash_keys(self.broadcast.keys(), hasher);
    }
}

/// Integrity: no duplication and no creation, as one property.
#[derive(Clone, Default)]
pub struct Integrity {
    duplication: NoDuplication,
    creation: NoCreation,
}

impl<P: Process> Property<P> for Integrity
where
    P::Obs: DeliveryObs,
{
    fn observe(&mut self, w: &World<'_, P>, node: NodeId, obs: &P::Obs) -> Result<(), Falsified> {
        self.creation.check(w, node, obs)?;
        self.duplication.check(w, node, obs)
    }
}

impl<P: Process> Explorable<P> for Integrity
where
    P::Obs: DeliveryObs,
{
    fn fingerprint(&self, hasher: &mut DetHasher) {
        hash_keys(self.creation.broadcast.keys(), hasher);
        hash_keys(self.duplication.delivered.keys(), hasher);
    }
}

/// Hashes keys in their (sorted) order, with their count, for fingerprints.
fn hash_keys<'a, K: Hash + 'a>(keys: impl ExactSizeIterator<Item = &'a K>, hasher: &mut DetHasher) {
    std::hash::Hasher::write_usize(hasher, keys.len());
    for key in keys {
        key.hash(hasher);
    }
}

/// Who broadcast and who delivered what, and where: the bookkeeping of the end-of-run
/// properties.
#[derive(Clone, Default)]
struct Ledger {
    /// Each broadcast and its event.
    broadcast: BTreeMap<MsgKey, u64>,
    /// Each message's deliveries: by whom, at which event.
    delivered: BTreeMap<MsgKey, BTreeMap<NodeId, u64>>,
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
            self.broadcast.entry((node, seq)).or_insert(w.event());
        }
        if let Some(m) = obs.delivered() {
            self.delivered
                .entry(m)
                .or_default()
                .entry(node)
                .or_insert(w.event());
        }
    }

    /// Who broadcast and who delivered which message (not at which event).
    fn fingerprint(&self, hasher: &mut DetHasher) {
        hash_keys(self.broadcast.keys(), hasher);
        std::hash::Hasher::write_usize(hasher, self.delivered.len());
        for (m, by) in &self.delivered {
            m.hash(hasher);
            hash_keys(by.keys(), hasher);
        }
    }

    /// The correct processes that did not deliver `m`, each with its last step.
    fn missing<P: Process>(&self, w: &World<'_, P>, m: &MsgKey) -> Vec<Stuck> {
        let got = self.delivered.get(m);
        w.nodes()
            .filter(|&i| w.is_correct(i))
            .filter(|i| !got.is_some_and(|g| g.contains_key(i)))
            .map(|i| Stuck::new(w, i, None))
            .collect()
    }
}

/// "node 2" or "nodes 2 and 3", of stuck processes.
fn who(stuck: &[Stuck]) -> String {
    crate::nodes::nodes_phrase(&stuck.iter().map(|s| s.node).collect::<Vec<_>>())
}

/// Validity: every message broadcast by a correct process is delivered by every correct
/// process by the end of the run. Total-order multicast calls it termination. A violation
/// names the broadcast and the last step of each process that missed it.
#[derive(Clone, Default)]
pub struct Validity {
    ledger: Ledger,
}

impl<P: Process> Property<P> for Validity
where
    P::Obs: DeliveryObs,
{
    fn observe(&mut self, w: &World<'_, P>, node: NodeId, obs: &P::Obs) -> Result<(), Falsified> {
        self.ledger.record(w, node, obs);
        Ok(())
    }
    fn finish(&mut self, w: &World<'_, P>) -> Result<(), Falsified> {
        for (m, &sent) in self
            .ledger
            .broadcast
            .iter()
            .filter(|(m, _)| w.is_correct(m.0))
        {
            let missing = self.ledger.missing(w, m);
            if !missing.is_empty() {
                return Err(Falsified::new(format!(
                    "message {} from correct node {}, broadcast at {}, never reached {} (at {}): {}",
                    show(*m),
                    m.0,
                    event_ref(sent),
                    who(&missing),
                    w.now,
                    Stuck::details(&missing, "")
                ))
                .citing(Stuck::evidence(&missing))
                .citing([sent]));
            }
        }
        Ok(())
    }
}

impl<P: Process> Explorable<P> for Validity
where
    P::Obs: DeliveryObs,
{
    fn fingerprint(&self, hasher: &mut DetHasher) {
        self.ledger.fingerprint(hasher);
    }
}

/// Agreement: if a correct process delivers a message, every correct process delivers it by
/// the end of the run. Uniform agreement asks the same of a message delivered by *any* process,
/// even one that crashed afterwards. A violation names the delivery and the last step of each
/// process that missed it.
#[derive(Clone, Default)]
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
            ..Agreement::default()
        }
    }
}

impl<P: Process> Property<P> for Agreement
where
    P::Obs: DeliveryObs,
{
    fn observe(&mut self, w: &World<'_, P>, node: NodeId, obs: &P::Obs) -> Result<(), Falsified> {
        self.ledger.record(w, node, obs);
        Ok(())
    }
    fn finish(&mut self, w: &World<'_, P>) -> Result<(), Falsified> {
        for (m, got) in &self.ledger.delivered {
            let by = got
                .iter()
                .map(|(&i, &e)| (i, e))
                .find(|&(i, _)| self.uniform || w.is_correct(i));
            let Some((by, at)) = by else {
                continue;
            };
            let missing = self.ledger.missing(w, m);
            if !missing.is_empty() {
                let role = if w.is_correct(by) {
                    "correct node"
                } else {
                    "node"
                };
                return Err(Falsified::new(format!(
                    "{role} {by} delivered message {} at {} but {} never did (at {}): {}",
                    show(*m),
                    event_ref(at),
                    who(&missing),
                    w.now,
                    Stuck::details(&missing, "")
                ))
                .citing(Stuck::evidence(&missing))
                .citing([at]));
            }
        }
        Ok(())
    }
}

impl<P: Process> Explorable<P> for Agreement
where
    P::Obs: DeliveryObs,
{
    fn fingerprint(&self, hasher: &mut DetHasher) {
        self.ledger.fingerprint(hasher);
    }
}

/// Per-node delivery sequences, the bookkeeping of the order properties.
#[derive(Clone, Default)]
struct Sequences {
    /// Per node, what it delivered in order, each with its event.
    order: BTreeMap<NodeId, Vec<(MsgKey, u64)>>,
    position: BTreeMap<NodeId, BTreeMap<MsgKey, usize>>,
}

impl Sequences {
    fn push(&mut self, node: NodeId, m: MsgKey, event: u64) {
        let list = self.order.entry(node).or_default();
        self.position.entry(node).or_default().insert(m, list.len());
        list.push((m, event));
    }
    /// The event where `node` delivered `m`, if it did.
    fn event(&self, node: NodeId, m: MsgKey) -> Option<u64> {
        let at = *self.position.get(&node)?.get(&m)?;
        Some(self.order[&node][at].1)
    }
}

/// Total order (uniform): if two processes (even ones that later crash) both deliver `m` and
/// `m'`, they deliver them in the same order. Checked at each delivery against every other
/// process's sequence, so the first inverted pair is reported at the event that inverts it. A
/// violation names all four deliveries.
#[derive(Clone, Default)]
pub struct TotalOrder {
    seqs: Sequences,
}

impl<P: Process> Property<P> for TotalOrder
where
    P::Obs: DeliveryObs,
{
    fn observe(&mut self, w: &World<'_, P>, node: NodeId, obs: &P::Obs) -> Result<(), Falsified> {
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
            let inverted = list[at + 1..]
                .iter()
                .find_map(|&(x, e)| self.seqs.event(node, x).map(|mine| (x, e, mine)));
            if let Some((later, theirs, mine)) = inverted {
                let theirs_m = list[at].1;
                return Err(Falsified::new(format!(
                    "node {node} delivered {} ({}) before {} ({}), but node {other} delivered \
                     them in the opposite order ({} and {})",
                    show(later),
                    event_ref(mine),
                    show(m),
                    event_ref(w.event()),
                    event_ref(theirs_m),
                    event_ref(theirs)
                ))
                .citing([mine, w.event(), theirs_m, theirs]));
            }
        }
        self.seqs.push(node, m, w.event());
        Ok(())
    }
}

impl<P: Process> Explorable<P> for TotalOrder
where
    P::Obs: DeliveryObs,
{
    /// Each node's delivery sequence (not the events).
    fn fingerprint(&self, hasher: &mut DetHasher) {
        std::hash::Hasher::write_usize(hasher, self.seqs.order.len());
        for (node, list) in &self.seqs.order {
            node.hash(hasher);
            hash_keys(list.iter().map(|(m, _)| m), hasher);
        }
    }
}

/// Causal order: a process delivers `m` only after every message that causally precedes it
/// (the origin's earlier broadcasts and everything the origin had delivered before
/// broadcasting `m`, transitively). A violation names the delivery, the broadcast of `m` and
/// where the missing message entered the origin's past.
#[derive(Clone, Default)]
pub struct CausalOrder {
    /// Per node: its own broadcasts and its deliveries so far (its causal past), each with the
    /// event where it entered that past.
    past: BTreeMap<NodeId, BTreeMap<MsgKey, u64>>,
    delivered: BTreeMap<NodeId, BTreeSet<MsgKey>>,
    /// Per message: its broadcast event and its origin's past then.
    deps: BTreeMap<MsgKey, (u64, BTreeMap<MsgKey, u64>)>,
}

impl<P: Process> Property<P> for CausalOrder
where
    P::Obs: DeliveryObs,
{
    fn observe(&mut self, w: &World<'_, P>, node: NodeId, obs: &P::Obs) -> Result<(), Falsified> {
        if w.is_byzantine(node) {
            return Ok(());
        }
        if let Some(seq) = obs.broadcast() {
            let past = self.past.entry(node).or_default();
            self.deps.insert((node, seq), (w.event(), past.clone()));
            past.insert((node, seq), w.event());
        }
        if let Some(m) = obs.delivered() {
            let delivered = self.delivered.entry(node).or_default();
            if let Some((sent, deps)) = self.deps.get(&m) {
                if let Some((&missing, &known)) = deps.iter().find(|(d, _)| !delivered.contains(d))
                {
                    return Err(Falsified::new(format!(
                        "node {node} delivered {} at {} before {}, which causally precedes it \
                         (node {} had {} at {} and broadcast {} at {})",
                        show(m),
                        event_ref(w.event()),
                        show(missing),
                        m.0,
                        if missing.0 == m.0 {
                            "broadcast it"
                        } else {
                            "delivered it"
                        },
                        event_ref(known),
                        show(m),
                        event_ref(*sent)
                    ))
                    .citing([known, *sent, w.event()]));
                }
            }
            delivered.insert(m);
            self.past
                .entry(node)
                .or_default()
                .entry(m)
                .or_insert(w.event());
        }
        Ok(())
    }
}

impl<P: Process> Explorable<P> for CausalOrder
where
    P::Obs: DeliveryObs,
{
    /// Each node's causal past and deliveries, each message's dependencies (not the events).
    fn fingerprint(&self, hasher: &mut DetHasher) {
        std::hash::Hasher::write_usize(hasher, self.past.len());
        for (node, past) in &self.past {
            node.hash(hasher);
            hash_keys(past.keys(), hasher);
        }
        self.delivered.hash(hasher);
        std::hash::Hasher::write_usize(hasher, self.deps.len());
        for (m, (_, deps)) in &self.deps {
            m.hash(hasher);
            hash_keys(deps.keys(), hasher);
        }
    }
}
