//! Drawing a fault plan from a spec and a seed: every draw comes from the fault-plan stream, in
//! a fixed order (Byzantine nodes, crashes, partitions, omissions), before the run starts.

use super::pick::{pick_count, pick_distinct, pick_duration, pick_time, pool};
use super::{
    ChainLink, CrashChain, CrashSpec, FaultEvent, FaultKind, FaultPlan, FaultSpec, PartitionShape,
    PartitionSpec, Trigger, TriggeredCrash,
};
use crate::entropy::{chance, Choices, Draw, Stream};
use crate::NodeId;

/// A crash that cuts one of `node`'s broadcasts: one of the spec's `broadcasts` (default: one
/// of the first three), after some but not all of its messages left (with two nodes, a
/// broadcast has one message: none leaves).
fn mid_broadcast(
    choices: &mut dyn Choices,
    spec: &CrashSpec,
    node: NodeId,
    n: usize,
) -> TriggeredCrash {
    let [first, last] = spec.broadcasts.unwrap_or([1, 3]);
    let nth = pick_count(choices, first, last);
    let destinations = n.saturating_sub(1) as u32;
    let sent = if destinations >= 2 {
        pick_count(choices, 1, destinations - 1)
    } else {
        0
    };
    TriggeredCrash {
        node,
        when: Trigger::Broadcast { nth, sent },
        recover_after: spec.recover_after.map(|w| pick_duration(choices, w)),
    }
}

/// A chain of `count` crashes starting at `node`: each cut after one message to a live node,
/// the last after a random share of the nodes still up (at least one reached, one missed).
fn chain(
    choices: &mut dyn Choices,
    spec: &CrashSpec,
    node: NodeId,
    count: usize,
    n: usize,
) -> CrashChain {
    let [first, last] = spec.broadcasts.unwrap_or([1, 3]);
    let nth = pick_count(choices, first, last);
    // When the last crash of the chain comes, the others are down: its broadcast has
    // n - count live destinations.
    let live = n.saturating_sub(count) as u32;
    let last_sent = if live >= 2 {
        pick_count(choices, 1, live - 1)
    } else {
        0
    };
    let sent = |i: usize| if i + 1 == count { last_sent } else { 1 };
    let mut recover = || spec.recover_after.map(|w| pick_duration(choices, w));
    let start = TriggeredCrash {
        node,
        when: Trigger::Broadcast { nth, sent: sent(0) },
        recover_after: recover(),
    };
    let links = (1..count)
        .map(|i| ChainLink {
            sent: sent(i),
            recover_after: recover(),
        })
        .collect();
    CrashChain { start, links }
}

impl FaultSpec {
    /// The plan of one run: this spec drawn from the seed's fault-plan stream, plus the faults
    /// that `fixed` schedules explicitly (its Byzantine nodes are merged in).
    pub fn plan_for(&self, n: usize, seed: u64, fixed: &FaultPlan) -> FaultPlan {
        self.plan_from(n, &mut crate::entropy::Seeded::new(seed), fixed)
    }

    /// The plan of one run with this spec's draws answered by `choices` (a seed's streams, or
    /// a search that enumerates them), plus the faults `fixed` schedules explicitly.
    pub fn plan_from(&self, n: usize, choices: &mut dyn Choices, fixed: &FaultPlan) -> FaultPlan {
        let mut plan = self.generate(n, choices);
        plan.events.extend(fixed.events.iter().cloned());
        plan.triggered.extend(fixed.triggered.iter().cloned());
        plan.chains.extend(fixed.chains.iter().cloned());
        plan.byzantine.extend(fixed.byzantine.iter().copied());
        plan.byzantine.sort_unstable();
        plan.byzantine.dedup();
        plan.sort();
        plan
    }

    /// Draws a concrete plan for a group of `n` nodes. Draws come from the fault-plan stream
    /// in a fixed order (Byzantine nodes, crashes, partitions, omissions).
    pub fn generate(&self, n: usize, choices: &mut dyn Choices) -> FaultPlan {
        let mut plan = FaultPlan::default();
        if let Some(b) = &self.byzantine {
            let mut chosen = pick_distinct(choices, pool(&b.nodes, n), b.count as usize);
            chosen.sort_unstable();
            plan.byzantine = chosen;
        }
        let mut crashed: Vec<NodeId> = Vec::new();
        for c in &self.crashes {
            let count = pick_count(choices, c.min, c.max) as usize;
            let mut candidates = pool(&c.nodes, n);
            // A node crashes under one spec only (pools of one spec keep their draws as before).
            candidates.retain(|node| !crashed.contains(node));
            if c.chain && count > 0 {
                let start = pick_distinct(choices, candidates, 1)[0];
                crashed.push(start);
                plan.chains.push(chain(choices, c, start, count, n));
                continue;
            }
            let chosen = pick_distinct(choices, candidates, count);
            crashed.extend(&chosen);
            for node in chosen {
                let cut = Draw::Chance {
                    ppm: c.mid_broadcast_ppm,
                };
                if chance(choices, Stream::FaultPlan, cut) {
                    plan.triggered.push(mid_broadcast(choices, c, node, n));
                    continue;
                }
                let at = pick_time(choices, c.between);
                plan.events.push(FaultEvent {
                    at,
                    kind: FaultKind::Crash { node },
                });
                if let Some(w) = c.recover_after {
                    plan.events.push(FaultEvent {
                        at: at + pick_duration(choices, w),
                        kind: FaultKind::Recover { node },
                    });
                }
            }
        }
        if let Some(p) = &self.partitions {
            for _ in 0..pick_count(choices, p.min, p.max) {
                let at = pick_time(choices, p.between);
                let kind = partition(choices, p, n);
                plan.events.push(FaultEvent { at, kind });
                plan.events.push(FaultEvent {
                    at: at + pick_duration(choices, p.lasting),
                    kind: FaultKind::Heal,
                });
            }
        }
        if let Some(o) = &self.omissions {
            for _ in 0..pick_count(choices, o.min, o.max) {
                let node = match &o.nodes {
                    None => choices.choose(Stream::FaultPlan, Draw::Pick, n as u64) as NodeId,
                    Some(pool) => {
                        pool[choices.choose(Stream::FaultPlan, Draw::Pick, pool.len() as u64)
                            as usize]
                    }
                };
                let at = pick_time(choices, o.between);
                plan.events.push(FaultEvent {
                    at,
                    kind: FaultKind::OmissionStart {
                        node,
                        send_ppm: o.send_ppm,
                        receive_ppm: o.receive_ppm,
                    },
                });
                plan.events.push(FaultEvent {
                    at: at + pick_duration(choices, o.lasting),
                    kind: FaultKind::OmissionEnd { node },
                });
            }
        }
        if let Some(i) = &self.intermittent {
            i.generate(n, choices, &mut plan);
        }
        if let Some(c) = &self.clocks {
            c.generate(n, choices, &mut plan);
        }
        if let Some(s) = &self.slow {
            s.generate(n, choices, &mut plan);
        }
        plan.storage = self.storage;
        plan.sort();
        plan
    }
}

/// One random partition of the spec's shape, its cut-off side drawn from the spec's nodes.
fn partition(choices: &mut dyn Choices, p: &PartitionSpec, n: usize) -> FaultKind {
    let candidates = pool(&p.nodes, n);
    let largest = if p.nodes.is_some() {
        candidates.len()
    } else {
        n - 1
    };
    let size = match p.shape {
        PartitionShape::Isolate => 1,
        PartitionShape::Minority => {
            1 + choices.choose(Stream::FaultPlan, Draw::Pick, ((n - 1) / 2).max(1) as u64) as usize
        }
        // A random non-trivial bipartition: a side of size 1..n-1.
        PartitionShape::Random | PartitionShape::OneWay => {
            1 + choices.choose(Stream::FaultPlan, Draw::Pick, largest as u64) as usize
        }
    };
    let mut side = pick_distinct(choices, candidates, size.min(largest));
    side.sort_unstable();
    match p.shape {
        PartitionShape::OneWay => {
            let rest = (0..n).filter(|i| !side.contains(i)).collect();
            FaultKind::OneWay {
                from: side,
                to: rest,
            }
        }
        _ => FaultKind::Partition { groups: vec![side] },
    }
}
