//! Generic message-delivery properties, shared by every protocol whose processes multicast
//! messages and deliver them to the application (total-order multicast, reliable and causal
//! broadcast): a protocol's observation type implements [`Delivery`] and gets total order,
//! causal order, integrity, agreement and termination. A message is named by its origin and
//! the origin's own sequence number, so properties need no global knowledge: everything they
//! judge comes from `Multicast` / `Deliver` observations. Byzantine nodes are ignored.

use std::collections::{BTreeMap, BTreeSet};

use sim_core::{NodeId, Process, Property, PropertyKind, World};

/// A message: (origin, the origin's sequence number).
pub type MsgId = (NodeId, u64);

/// Observations that carry multicasts and deliveries.
pub trait Delivery {
    /// The sequence number of a message this node multicasts (the origin is the observer).
    fn multicast(&self) -> Option<u64>;
    /// The message this node delivers to its application.
    fn delivered(&self) -> Option<MsgId>;
}

fn show(m: MsgId) -> String {
    format!("{}#{}", m.0, m.1)
}

/// Per-node delivery sequences, shared bookkeeping of the order properties.
#[derive(Default)]
struct Sequences {
    order: BTreeMap<NodeId, Vec<MsgId>>,
    position: BTreeMap<NodeId, BTreeMap<MsgId, usize>>,
}

impl Sequences {
    fn push(&mut self, node: NodeId, m: MsgId) {
        let list = self.order.entry(node).or_default();
        self.position.entry(node).or_default().insert(m, list.len());
        list.push(m);
    }
    fn has(&self, node: NodeId, m: MsgId) -> bool {
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
    P::Obs: Delivery,
{
    fn name(&self) -> &str {
        "total-order"
    }
    fn kind(&self) -> PropertyKind {
        PropertyKind::Always
    }
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
/// (the origin's earlier multicasts and everything the origin had delivered before
/// multicasting `m`, transitively).
#[derive(Default)]
pub struct CausalOrder {
    /// Per node: its own multicasts and its deliveries so far (its causal past).
    past: BTreeMap<NodeId, BTreeSet<MsgId>>,
    delivered: BTreeMap<NodeId, BTreeSet<MsgId>>,
    deps: BTreeMap<MsgId, BTreeSet<MsgId>>,
}

impl<P: Process> Property<P> for CausalOrder
where
    P::Obs: Delivery,
{
    fn name(&self) -> &str {
        "causal-order"
    }
    fn kind(&self) -> PropertyKind {
        PropertyKind::Always
    }
    fn observe(&mut self, w: &World<'_, P>, node: NodeId, obs: &P::Obs) -> Result<(), String> {
        if w.is_byzantine(node) {
            return Ok(());
        }
        if let Some(seq) = obs.multicast() {
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

/// Integrity: a process delivers a message at most once, and only if it was multicast.
#[derive(Default)]
pub struct Integrity {
    multicast: BTreeSet<MsgId>,
    delivered: BTreeSet<(NodeId, MsgId)>,
}

impl<P: Process> Property<P> for Integrity
where
    P::Obs: Delivery,
{
    fn name(&self) -> &str {
        "integrity"
    }
    fn kind(&self) -> PropertyKind {
        PropertyKind::Always
    }
    fn observe(&mut self, w: &World<'_, P>, node: NodeId, obs: &P::Obs) -> Result<(), String> {
        if w.is_byzantine(node) {
            return Ok(());
        }
        if let Some(seq) = obs.multicast() {
            self.multicast.insert((node, seq));
        }
        let Some(m) = obs.delivered() else {
            return Ok(());
        };
        if !self.multicast.contains(&m) && !w.is_byzantine(m.0) {
            return Err(format!(
                "node {node} delivered {}, which was never multicast",
                show(m)
            ));
        }
        if !self.delivered.insert((node, m)) {
            return Err(format!("node {node} delivered {} twice", show(m)));
        }
        Ok(())
    }
}

/// Uniform agreement: a message delivered by any process (even one that crashed afterwards) is
/// delivered by every correct process by the end of the run.
#[derive(Default)]
pub struct Agreement {
    first: BTreeMap<MsgId, NodeId>,
    delivered: BTreeSet<(NodeId, MsgId)>,
}

impl<P: Process> Property<P> for Agreement
where
    P::Obs: Delivery,
{
    fn name(&self) -> &str {
        "agreement"
    }
    fn kind(&self) -> PropertyKind {
        PropertyKind::Eventually
    }
    fn observe(&mut self, w: &World<'_, P>, node: NodeId, obs: &P::Obs) -> Result<(), String> {
        if let Some(m) = obs.delivered() {
            if !w.is_byzantine(node) {
                self.first.entry(m).or_insert(node);
                self.delivered.insert((node, m));
            }
        }
        Ok(())
    }
    fn finish(&mut self, w: &World<'_, P>) -> Result<(), String> {
        for (&m, &by) in &self.first {
            let missing: Vec<NodeId> = w
                .nodes()
                .filter(|&i| w.is_correct(i) && !self.delivered.contains(&(i, m)))
                .collect();
            if !missing.is_empty() {
                return Err(format!(
                    "node {by} delivered {} but {} never did (at {})",
                    show(m),
                    crate::nodes_phrase(&missing),
                    w.now
                ));
            }
        }
        Ok(())
    }
}

/// Termination (validity): every message multicast by a correct process is delivered by every
/// correct process by the end of the run.
#[derive(Default)]
pub struct Termination {
    multicast: BTreeSet<MsgId>,
    delivered: BTreeSet<(NodeId, MsgId)>,
}

impl<P: Process> Property<P> for Termination
where
    P::Obs: Delivery,
{
    fn name(&self) -> &str {
        "termination"
    }
    fn kind(&self) -> PropertyKind {
        PropertyKind::Eventually
    }
    fn observe(&mut self, _: &World<'_, P>, node: NodeId, obs: &P::Obs) -> Result<(), String> {
        if let Some(seq) = obs.multicast() {
            self.multicast.insert((node, seq));
        }
        if let Some(m) = obs.delivered() {
            self.delivered.insert((node, m));
        }
        Ok(())
    }
    fn finish(&mut self, w: &World<'_, P>) -> Result<(), String> {
        for &m in &self.multicast {
            if !w.is_correct(m.0) {
                continue;
            }
            let missing: Vec<NodeId> = w
                .nodes()
                .filter(|&i| w.is_correct(i) && !self.delivered.contains(&(i, m)))
                .collect();
            if !missing.is_empty() {
                return Err(format!(
                    "{} never delivered {}, multicast by correct node {} (at {})",
                    crate::nodes_phrase(&missing),
                    show(m),
                    m.0,
                    w.now
                ));
            }
        }
        Ok(())
    }
}
