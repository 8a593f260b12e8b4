//! The fault plan: an explicit, serialisable list of timed fault events. A run never invents a
//! fault on its own; random fault specs are turned into a plan from the seed *before* the run,
//! so the plan can be printed, edited, minimised and replayed by itself.

use serde::{Deserialize, Serialize};

use crate::entropy::{Choices, Stream, PPM};
use crate::time::{Duration, Time};
use crate::NodeId;

/// One thing that goes wrong.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "fault")]
pub enum FaultKind {
    /// The node stops; its volatile state, timers and pending deliveries are lost.
    Crash {
        /// The node that crashes.
        node: NodeId,
    },
    /// The node restarts from its stable storage only.
    Recover {
        /// The node that recovers.
        node: NodeId,
    },
    /// Nodes in different groups cannot exchange messages until `Heal`. Nodes not listed form
    /// one more group together.
    Partition {
        /// The groups.
        groups: Vec<Vec<NodeId>>,
    },
    /// Every link works again.
    Heal,
    /// The node loses each message it sends / receives with these probabilities (ppm).
    OmissionStart {
        /// The node that loses messages.
        node: NodeId,
        /// The chance of losing each message it sends, in parts per million.
        send_ppm: u32,
        /// The chance of losing each message it receives, in parts per million.
        receive_ppm: u32,
    },
    /// The node's omission window ends.
    OmissionEnd {
        /// The node whose window ends.
        node: NodeId,
    },
}

/// A fault at a point in virtual time.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaultEvent {
    /// When it happens.
    pub at: Time,
    #[serde(flatten)]
    /// What happens.
    pub kind: FaultKind,
}

/// Everything that will go wrong in one run, decided before it starts.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaultPlan {
    /// Nodes driven by the protocol's adversary for the whole run.
    pub byzantine: Vec<NodeId>,
    /// Timed events, in the order they happen (ties keep their order in this list).
    pub events: Vec<FaultEvent>,
}

/// Why a fault plan or spec cannot run on a group of a given size.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {message}")]
pub struct FaultError {
    /// Where the problem is, relative to the plan or spec (`events[2].node`).
    pub path: String,
    /// What is wrong, and what was expected.
    pub message: String,
}

fn err(path: impl Into<String>, message: impl Into<String>) -> FaultError {
    FaultError {
        path: path.into(),
        message: message.into(),
    }
}

fn check_node(path: String, node: NodeId, n: usize) -> Result<(), FaultError> {
    if node >= n {
        return Err(err(
            path,
            format!(
                "node {node} does not exist: expected a node id from 0 to {}",
                n - 1
            ),
        ));
    }
    Ok(())
}

fn check_ppm(path: String, ppm: u32) -> Result<(), FaultError> {
    if ppm > PPM {
        return Err(err(path, "expected a probability between 0 and 1"));
    }
    Ok(())
}

impl FaultPlan {
    /// Sorts events by time, keeping the given order among simultaneous ones.
    pub fn sort(&mut self) {
        self.events.sort_by_key(|e| e.at);
    }

    /// Checks that every node id exists and every probability is one.
    pub fn validate(&self, n: usize) -> Result<(), FaultError> {
        for (i, &b) in self.byzantine.iter().enumerate() {
            check_node(format!("byzantine[{i}]"), b, n)?;
        }
        for (i, e) in self.events.iter().enumerate() {
            let p = |field: &str| format!("events[{i}].{field}");
            match &e.kind {
                FaultKind::Crash { node }
                | FaultKind::Recover { node }
                | FaultKind::OmissionEnd { node } => check_node(p("node"), *node, n)?,
                FaultKind::OmissionStart {
                    node,
                    send_ppm,
                    receive_ppm,
                } => {
                    check_node(p("node"), *node, n)?;
                    check_ppm(p("send"), *send_ppm)?;
                    check_ppm(p("receive"), *receive_ppm)?;
                }
                FaultKind::Partition { groups } => {
                    let mut seen = vec![false; n];
                    for (g, group) in groups.iter().enumerate() {
                        for (k, &node) in group.iter().enumerate() {
                            check_node(p(&format!("groups[{g}][{k}]")), node, n)?;
                            if std::mem::replace(&mut seen[node], true) {
                                return Err(err(
                                    p("groups"),
                                    format!("node {node} is in two groups"),
                                ));
                            }
                        }
                    }
                }
                FaultKind::Heal => {}
            }
        }
        Ok(())
    }
}

/// A closed range of times or durations, written `["10ms", "50ms"]` in scenario files.
pub type Window<T> = [T; 2];

fn pick_time(choices: &mut dyn Choices, w: Window<Time>) -> Time {
    let span = w[1].0.saturating_sub(w[0].0);
    Time(w[0].0 + choices.choose(Stream::FaultPlan, span + 1))
}

fn pick_duration(choices: &mut dyn Choices, w: Window<Duration>) -> Duration {
    let span = w[1].0.saturating_sub(w[0].0);
    Duration(w[0].0 + choices.choose(Stream::FaultPlan, span + 1))
}

fn pick_count(choices: &mut dyn Choices, min: u32, max: u32) -> u32 {
    min + choices.choose(Stream::FaultPlan, (max - min) as u64 + 1) as u32
}

/// Picks `k` distinct nodes from `pool` (partial Fisher-Yates), in the order drawn.
fn pick_distinct(choices: &mut dyn Choices, mut pool: Vec<NodeId>, k: usize) -> Vec<NodeId> {
    let k = k.min(pool.len());
    for i in 0..k {
        let j = i + choices.choose(Stream::FaultPlan, (pool.len() - i) as u64) as usize;
        pool.swap(i, j);
    }
    pool.truncate(k);
    pool
}

/// "Between `min` and `max` crashes of distinct nodes, at times drawn from `between`", each
/// followed by a recovery after a delay drawn from `recover_after` if it is given.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CrashSpec {
    #[serde(default)]
    /// The fewest crashes in a run.
    pub min: u32,
    /// The most crashes in a run.
    pub max: u32,
    /// The window crash times are drawn from.
    pub between: Window<Time>,
    /// The nodes that may crash (default: all).
    #[serde(default)]
    pub nodes: Option<Vec<NodeId>>,
    #[serde(default)]
    /// If given, each crashed node recovers after a delay drawn from this window.
    pub recover_after: Option<Window<Duration>>,
}

impl CrashSpec {
    /// Exactly `count` crashes of distinct nodes (any node may crash) at times drawn from
    /// `between`, without recovery.
    pub fn exactly(count: u32, between: Window<Time>) -> Self {
        CrashSpec {
            min: count,
            max: count,
            between,
            nodes: None,
            recover_after: None,
        }
    }
}

/// Random partitions splitting the group in two at random, each healed after `lasting`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartitionSpec {
    #[serde(default)]
    /// The fewest partitions in a run.
    pub min: u32,
    /// The most partitions in a run.
    pub max: u32,
    /// The window partition times are drawn from.
    pub between: Window<Time>,
    /// How long each lasts before it heals.
    pub lasting: Window<Duration>,
}

/// Random omission windows on random nodes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OmissionSpec {
    #[serde(default)]
    /// The fewest omission windows in a run.
    pub min: u32,
    /// The most omission windows in a run.
    pub max: u32,
    /// The window start times are drawn from.
    pub between: Window<Time>,
    /// How long each window lasts.
    pub lasting: Window<Duration>,
    #[serde(default)]
    /// The chance of losing each message the node sends, in parts per million.
    pub send_ppm: u32,
    #[serde(default)]
    /// The chance of losing each message the node receives, in parts per million.
    pub receive_ppm: u32,
}

/// How many nodes are Byzantine, and which may be.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ByzantineSpec {
    /// How many nodes are Byzantine in a run.
    pub count: u32,
    #[serde(default)]
    /// The nodes that may be (default: all).
    pub nodes: Option<Vec<NodeId>>,
}

/// A random fault mix; [`FaultSpec::generate`] turns it into a [`FaultPlan`] for one seed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultSpec {
    #[serde(default)]
    /// Random crashes (and recoveries).
    pub crashes: Option<CrashSpec>,
    #[serde(default)]
    /// Random partitions.
    pub partitions: Option<PartitionSpec>,
    #[serde(default)]
    /// Random omission windows.
    pub omissions: Option<OmissionSpec>,
    #[serde(default)]
    /// Random Byzantine nodes.
    pub byzantine: Option<ByzantineSpec>,
}

impl FaultSpec {
    /// A mix of crashes only.
    pub fn crashes(crashes: CrashSpec) -> Self {
        FaultSpec {
            crashes: Some(crashes),
            ..FaultSpec::default()
        }
    }
}

fn check_range(path: &str, min: u32, max: u32) -> Result<(), FaultError> {
    if min > max {
        return Err(err(
            format!("{path}.min"),
            format!("min ({min}) is larger than max ({max})"),
        ));
    }
    Ok(())
}

fn check_window<T: PartialOrd + std::fmt::Display>(
    path: String,
    w: &Window<T>,
) -> Result<(), FaultError> {
    if w[0] > w[1] {
        return Err(err(
            path,
            format!("expected [earliest, latest], found {} after {}", w[0], w[1]),
        ));
    }
    Ok(())
}

fn check_pool(path: &str, nodes: &Option<Vec<NodeId>>, n: usize) -> Result<usize, FaultError> {
    match nodes {
        None => Ok(n),
        Some(list) => {
            let mut seen = vec![false; n];
            for (i, &node) in list.iter().enumerate() {
                check_node(format!("{path}.nodes[{i}]"), node, n)?;
                if std::mem::replace(&mut seen[node], true) {
                    return Err(err(
                        format!("{path}.nodes"),
                        format!("node {node} listed twice"),
                    ));
                }
            }
            Ok(list.len())
        }
    }
}

fn pool(nodes: &Option<Vec<NodeId>>, n: usize) -> Vec<NodeId> {
    nodes.clone().unwrap_or_else(|| (0..n).collect())
}

impl FaultSpec {
    /// Checks the spec against a group of `n` nodes: counts that fit, ordered windows, ids.
    pub fn validate(&self, n: usize) -> Result<(), FaultError> {
        if let Some(c) = &self.crashes {
            check_range("crashes", c.min, c.max)?;
            check_window("crashes.between".into(), &c.between)?;
            let eligible = check_pool("crashes", &c.nodes, n)?;
            if c.max as usize > eligible {
                return Err(err(
                    "crashes.max",
                    format!(
                        "{} crashes of distinct nodes asked, but only {eligible} nodes may crash",
                        c.max
                    ),
                ));
            }
            if let Some(w) = &c.recover_after {
                check_window("crashes.recover_after".into(), w)?;
            }
        }
        if let Some(p) = &self.partitions {
            check_range("partitions", p.min, p.max)?;
            check_window("partitions.between".into(), &p.between)?;
            check_window("partitions.lasting".into(), &p.lasting)?;
            if n < 2 && p.max > 0 {
                return Err(err("partitions", "a partition needs at least two nodes"));
            }
        }
        if let Some(o) = &self.omissions {
            check_range("omissions", o.min, o.max)?;
            check_window("omissions.between".into(), &o.between)?;
            check_window("omissions.lasting".into(), &o.lasting)?;
            check_ppm("omissions.send".into(), o.send_ppm)?;
            check_ppm("omissions.receive".into(), o.receive_ppm)?;
        }
        if let Some(b) = &self.byzantine {
            let eligible = check_pool("byzantine", &b.nodes, n)?;
            if b.count as usize > eligible {
                return Err(err(
                    "byzantine.count",
                    format!(
                        "{} Byzantine nodes asked, but only {eligible} may be",
                        b.count
                    ),
                ));
            }
        }
        Ok(())
    }

    /// The plan of one run: this spec drawn from the seed's fault-plan stream, plus the faults
    /// that `fixed` schedules explicitly (its Byzantine nodes are merged in).
    pub fn plan_for(&self, n: usize, seed: u64, fixed: &FaultPlan) -> FaultPlan {
        let mut plan = self.generate(n, &mut crate::entropy::Seeded::new(seed));
        plan.events.extend(fixed.events.iter().cloned());
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
        if let Some(c) = &self.crashes {
            let count = pick_count(choices, c.min, c.max) as usize;
            for node in pick_distinct(choices, pool(&c.nodes, n), count) {
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
                // A random non-trivial bipartition: a side of size 1..n-1.
                let side = 1 + choices.choose(Stream::FaultPlan, (n - 1) as u64) as usize;
                let mut group = pick_distinct(choices, (0..n).collect(), side);
                group.sort_unstable();
                plan.events.push(FaultEvent {
                    at,
                    kind: FaultKind::Partition {
                        groups: vec![group],
                    },
                });
                plan.events.push(FaultEvent {
                    at: at + pick_duration(choices, p.lasting),
                    kind: FaultKind::Heal,
                });
            }
        }
        if let Some(o) = &self.omissions {
            for _ in 0..pick_count(choices, o.min, o.max) {
                let node = choices.choose(Stream::FaultPlan, n as u64) as NodeId;
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
        plan.sort();
        plan
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entropy::Seeded;

    fn spec() -> FaultSpec {
        FaultSpec {
            crashes: Some(CrashSpec {
                min: 1,
                max: 2,
                between: [Time(0), Time(50_000_000)],
                nodes: None,
                recover_after: Some([Duration::from_millis(5), Duration::from_millis(10)]),
            }),
            partitions: Some(PartitionSpec {
                min: 1,
                max: 1,
                between: [Time(0), Time(10)],
                lasting: [Duration(5), Duration(5)],
            }),
            omissions: None,
            byzantine: Some(ByzantineSpec {
                count: 1,
                nodes: Some(vec![4]),
            }),
        }
    }

    #[test]
    fn generation_is_deterministic_and_within_spec() {
        let s = spec();
        s.validate(5).unwrap();
        for seed in 0..200 {
            let a = s.generate(5, &mut Seeded::new(seed));
            let b = s.generate(5, &mut Seeded::new(seed));
            assert_eq!(a, b);
            a.validate(5).unwrap();
            assert_eq!(a.byzantine, vec![4]);
            let crashes: Vec<NodeId> = a
                .events
                .iter()
                .filter_map(|e| match e.kind {
                    FaultKind::Crash { node } => Some(node),
                    _ => None,
                })
                .collect();
            assert!((1..=2).contains(&crashes.len()));
            assert!(crashes.len() < 2 || crashes[0] != crashes[1]);
            assert!(a.events.windows(2).all(|w| w[0].at <= w[1].at));
        }
    }

    #[test]
    fn impossible_specs_are_rejected_with_a_path() {
        let mut s = spec();
        s.crashes.as_mut().unwrap().max = 6;
        assert_eq!(s.validate(5).unwrap_err().path, "crashes.max");
        let mut s = spec();
        s.crashes.as_mut().unwrap().nodes = Some(vec![9]);
        assert_eq!(s.validate(5).unwrap_err().path, "crashes.nodes[0]");
        let plan = FaultPlan {
            byzantine: vec![],
            events: vec![FaultEvent {
                at: Time(1),
                kind: FaultKind::Crash { node: 9 },
            }],
        };
        assert_eq!(plan.validate(5).unwrap_err().path, "events[0].node");
    }

    #[test]
    fn plan_round_trips_through_json() {
        let plan = spec().generate(5, &mut Seeded::new(3));
        let text = serde_json::to_string(&plan).unwrap();
        let back: FaultPlan = serde_json::from_str(&text).unwrap();
        assert_eq!(plan, back);
    }
}
