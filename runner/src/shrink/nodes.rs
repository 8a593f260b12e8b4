//! The node pass: a group one node smaller. Removing node `k` renumbers the nodes above it
//! down by one, in the spec (link overrides, the random faults' node pools), in the fault plan
//! (the removed node's faults go) and in the recorded decisions (its own draws and its
//! messages' fates go; every other message keeps its recorded fate). The protocol's checks
//! decide which sizes are allowed, and so do the scenario's node ids: a node that an explicit
//! schedule entry or a link override names is never removed. Random fault sections keep their
//! node lists, renumbered; one that names only the removed node no longer validates, and the
//! node stays.

use std::sync::Arc;

use sim_core::faults::{CrashChain, FaultSpec, TriggeredCrash};
use sim_core::{Choice, Draw, FaultEvent, FaultPlan, NodeId, Stream};

use super::search::Search;
use crate::simulation::Simulation;
use ftsim_api::RunSpec;

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
    pools_without(&mut s.faults, k);
    Some(s)
}

/// The random fault sections' node lists without node `k`, renumbered.
fn pools_without(faults: &mut FaultSpec, k: NodeId) {
    for c in &mut faults.crashes {
        c.nodes = pool_without(&c.nodes, k);
    }
    if let Some(p) = &mut faults.partitions {
        p.nodes = pool_without(&p.nodes, k);
    }
    if let Some(o) = &mut faults.omissions {
        o.nodes = pool_without(&o.nodes, k);
    }
    if let Some(b) = &mut faults.byzantine {
        b.nodes = pool_without(&b.nodes, k);
    }
    if let Some(i) = &mut faults.intermittent {
        i.nodes = pool_without(&i.nodes, k);
    }
    if let Some(c) = &mut faults.clocks {
        c.nodes = pool_without(&c.nodes, k);
    }
    if let Some(s) = &mut faults.slow {
        s.nodes = pool_without(&s.nodes, k);
    }
}

/// Whether a plan names node `k` (a fault of its, a partition group or one-way side holding
/// it, a triggered crash or the start of a chain).
fn names(plan: &FaultPlan, k: NodeId) -> bool {
    plan.byzantine.contains(&k)
        || plan.events.iter().any(|e| e.kind.mentions(k))
        || plan.triggered.iter().any(|t| t.node == k)
        || plan.chains.iter().any(|c| c.start.node == k)
}

/// The plan without node `k`'s faults, `k` taken out of partition groups and one-way sides, ids
/// renumbered. A chain that starts at `k` goes; the links of a chain are found as the run goes
/// and name no node.
fn plan_without(plan: &FaultPlan, k: NodeId) -> FaultPlan {
    let triggered_without = |t: &TriggeredCrash| {
        Some(TriggeredCrash {
            node: renumber(t.node, k)?,
            ..t.clone()
        })
    };
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
                    kind: e.kind.renamed(|n| renumber(n, k))?,
                })
            })
            .collect(),
        triggered: plan
            .triggered
            .iter()
            .filter_map(triggered_without)
            .collect(),
        chains: plan
            .chains
            .iter()
            .filter_map(|c| {
                Some(CrashChain {
                    start: triggered_without(&c.start)?,
                    links: c.links.clone(),
                })
            })
            .collect(),
        storage: plan.storage,
    }
}

/// The decisions without node `k`'s own draws, its messages' fates and its torn writes, ids
/// renumbered.
fn choices_without(choices: &[Choice], k: NodeId) -> Vec<Choice> {
    choices
        .iter()
        .filter_map(|c| {
            let stream = match c.stream {
                Stream::Process(i) => Stream::Process(renumber(i, k)?),
                other => other,
            };
            let draw = match (c.draw, c.draw.msg()) {
                (Draw::Tear { node }, _) => Draw::Tear {
                    node: renumber(node, k)?,
                },
                (_, Some(mut key)) => {
                    key.from = renumber(key.from, k)?;
                    key.to = renumber(key.to, k)?;
                    c.draw.with_msg(key)
                }
                (_, None) => c.draw,
            };
            Some(Choice { stream, draw, ..*c })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use sim_core::faults::{StorageFaults, Trigger};
    use sim_core::{Duration, FaultKind, Time};

    fn event(kind: FaultKind) -> FaultEvent {
        FaultEvent { at: Time(1), kind }
    }

    fn crash_of(node: NodeId) -> TriggeredCrash {
        TriggeredCrash {
            node,
            when: Trigger::Broadcast { nth: 1, sent: 1 },
            recover_after: Some(Duration(5)),
        }
    }

    #[test]
    fn every_kind_of_fault_loses_the_node_and_is_renumbered() {
        let plan = FaultPlan {
            byzantine: vec![3],
            events: vec![
                event(FaultKind::OneWay {
                    from: vec![0, 2],
                    to: vec![1, 3],
                }),
                event(FaultKind::OneWay {
                    from: vec![2],
                    to: vec![0],
                }),
                event(FaultKind::ClockSkew {
                    node: 3,
                    offset_ns: -4,
                    drift_ppm: 7,
                }),
                event(FaultKind::SlowStart {
                    node: 2,
                    factor_pct: 300,
                }),
                event(FaultKind::SlowEnd { node: 1 }),
            ],
            triggered: vec![crash_of(3), crash_of(2)],
            chains: vec![
                CrashChain {
                    start: crash_of(2),
                    links: Vec::new(),
                },
                CrashChain {
                    start: crash_of(1),
                    links: Vec::new(),
                },
            ],
            storage: StorageFaults::Torn,
        };
        assert!(names(&plan, 2) && names(&plan, 3) && !names(&FaultPlan::default(), 2));
        let after = plan_without(&plan, 2);
        let kinds: Vec<FaultKind> = after.events.into_iter().map(|e| e.kind).collect();
        assert_eq!(
            kinds,
            vec![
                FaultKind::OneWay {
                    from: vec![0],
                    to: vec![1, 2],
                },
                FaultKind::ClockSkew {
                    node: 2,
                    offset_ns: -4,
                    drift_ppm: 7,
                },
                FaultKind::SlowEnd { node: 1 },
            ]
        );
        assert_eq!(after.byzantine, vec![2]);
        assert_eq!(after.triggered, vec![crash_of(2)]);
        assert_eq!(after.chains.len(), 1);
        assert_eq!(after.chains[0].start, crash_of(1));
        assert_eq!(after.storage, StorageFaults::Torn);
    }

    #[test]
    fn a_removed_node_takes_its_torn_writes_along() {
        let tear = |node| Choice {
            stream: Stream::Storage,
            draw: Draw::Tear { node },
            bound: 3,
            value: 1,
        };
        let left = choices_without(&[tear(1), tear(2), tear(3)], 2);
        assert_eq!(left, vec![tear(1), tear(2)]);
    }
}
