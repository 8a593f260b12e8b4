//! The node pass: a group one node smaller. Removing node `k` renumbers the nodes above it
//! down by one, in the spec (link overrides, the random faults' node pools), in the fault plan
//! (the removed node's faults go) and in the recorded decisions (its own draws and its
//! messages' fates go; every other message keeps its recorded fate). The protocol's checks
//! decide which sizes are allowed, and so do the scenario's node ids: a node that an explicit
//! schedule entry or a link override names is never removed.

use std::sync::Arc;

use sim_core::faults::{ByzantineSpec, CrashSpec};
use sim_core::{Choice, FaultEvent, FaultKind, FaultPlan, NodeId, Stream};

use super::search::Search;
use crate::simulation::{RunSpec, Simulation};

/// Tries removing each node, highest id first, until no node can go.
pub(crate) fn remove_nodes(search: &mut Search) {
    let mut k = search.best.simulation.spec().nodes;
    while k > 0 && !search.exhausted() {
        k -= 1;
        let Some((simulation, plan, choices)) = without_node(search, k) else {
            continue;
        };
        if search.attempt(simulation, plan, choices) {
            k = search.best.simulation.spec().nodes;
        }
    }
}

/// The best case with node `k` removed, if the scenario and the protocol allow it.
fn without_node(
    search: &Search,
    k: NodeId,
) -> Option<(Arc<dyn Simulation>, FaultPlan, Vec<Choice>)> {
    let best = &search.best;
    let spec = spec_without(best.simulation.spec(), k)?;
    let simulation = best.simulation.with_spec(spec).ok()?;
    let plan = plan_without(&best.plan, k);
    let choices = choices_without(&best.choices, k);
    Some((simulation, plan, choices))
}

/// `id` once node `k` is gone (`None`: it is `k`).
fn renumber(id: NodeId, k: NodeId) -> Option<NodeId> {
    match id.cmp(&k) {
        std::cmp::Ordering::Less => Some(id),
        std::cmp::Ordering::Equal => None,
        std::cmp::Ordering::Greater => Some(id - 1),
    }
}

fn pool_without(pool: &Option<Vec<NodeId>>, k: NodeId) -> Option<Vec<NodeId>> {
    pool.as_ref()
        .map(|p| p.iter().filter_map(|&id| renumber(id, k)).collect())
}

/// The spec for a group without node `k`; `None` if the scenario names `k` explicitly.
fn spec_without(spec: &RunSpec, k: NodeId) -> Option<RunSpec> {
    if spec.nodes < 2 || names(&spec.schedule, k) {
        return None;
    }
    let links = &spec.network.links;
    if links.iter().any(|l| l.from == k || l.to == k) {
        return None;
    }
    let mut s = spec.clone();
    s.nodes -= 1;
    for l in &mut s.network.links {
        l.from = renumber(l.from, k)?;
        l.to = renumber(l.to, k)?;
    }
    s.schedule = plan_without(&spec.schedule, k);
    if let Some(c) = &mut s.faults.crashes {
        *c = CrashSpec {
            nodes: pool_without(&c.nodes, k),
            ..c.clone()
        };
    }
    if let Some(b) = &mut s.faults.byzantine {
        *b = ByzantineSpec {
            nodes: pool_without(&b.nodes, k),
            ..b.clone()
        };
    }
    Some(s)
}

/// Whether a plan names node `k` (a fault of its, a partition group holding it).
fn names(plan: &FaultPlan, k: NodeId) -> bool {
    plan.byzantine.contains(&k)
        || plan.events.iter().any(|e| match &e.kind {
            FaultKind::Crash { node }
            | FaultKind::Recover { node }
            | FaultKind::OmissionStart { node, .. }
            | FaultKind::OmissionEnd { node } => *node == k,
            FaultKind::Partition { groups } => groups.iter().flatten().any(|&n| n == k),
            FaultKind::Heal => false,
        })
}

/// The plan without node `k`'s faults, `k` taken out of partition groups, ids renumbered.
fn plan_without(plan: &FaultPlan, k: NodeId) -> FaultPlan {
    FaultPlan {
        byzantine: plan
            .byzantine
            .iter()
            .filter_map(|&b| renumber(b, k))
            .collect(),
        events: plan
            .events
            .iter()
            .filter_map(|e| {
                Some(FaultEvent {
                    at: e.at,
                    kind: kind_without(&e.kind, k)?,
                })
            })
            .collect(),
    }
}

/// A fault without node `k` (`None`: it was `k`'s).
fn kind_without(kind: &FaultKind, k: NodeId) -> Option<FaultKind> {
    Some(match *kind {
        FaultKind::Crash { node } => FaultKind::Crash {
            node: renumber(node, k)?,
        },
        FaultKind::Recover { node } => FaultKind::Recover {
            node: renumber(node, k)?,
        },
        FaultKind::OmissionStart {
            node,
            send_ppm,
            receive_ppm,
        } => FaultKind::OmissionStart {
            node: renumber(node, k)?,
            send_ppm,
            receive_ppm,
        },
        FaultKind::OmissionEnd { node } => FaultKind::OmissionEnd {
            node: renumber(node, k)?,
        },
        FaultKind::Partition { ref groups } => FaultKind::Partition {
            groups: groups
                .iter()
                .map(|g| g.iter().filter_map(|&n| renumber(n, k)).collect::<Vec<_>>())
                .filter(|g| !g.is_empty())
                .collect(),
        },
        FaultKind::Heal => FaultKind::Heal,
    })
}

/// The decisions without node `k`'s own draws and its messages' fates, ids renumbered.
fn choices_without(choices: &[Choice], k: NodeId) -> Vec<Choice> {
    choices
        .iter()
        .filter_map(|c| {
            let stream = match c.stream {
                Stream::Process(i) => Stream::Process(renumber(i, k)?),
                other => other,
            };
            let draw = match c.draw.msg() {
                Some(mut key) => {
                    key.from = renumber(key.from, k)?;
                    key.to = renumber(key.to, k)?;
                    c.draw.with_msg(key)
                }
                None => c.draw,
            };
            Some(Choice { stream, draw, ..*c })
        })
        .collect()
}
