//! Random fault specs: how many faults of each kind, on which nodes, in which time windows.
//! A spec is validated against the group size before any run; `generate.rs` draws a plan from it.

use serde::{Deserialize, Serialize};

use super::machine::{ClockSpec, IntermittentSpec, SlowSpec};
use super::{check_node, check_ppm, err, FaultError, StorageFaults, Window};
use crate::time::{Duration, Time};
use crate::NodeId;

/// followed by a recovery after a delay drawn from `recover_after` if it is given.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
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
    /// The chance, in parts per million, that a crash is fired in the middle of one of the
    /// node's broadcasts (see [`Trigger::Broadcast`](super::Trigger)) instead of at a time
    /// drawn from `between`.
    #[serde(default)]
    pub mid_broadcast_ppm: u32,
    /// Which of the node's broadcasts a mid-broadcast crash cuts (default: one of the first
    /// three).
    #[serde(default)]
    pub broadcasts: Option<Window<u32>>,
    /// Mid-broadcast crashes form a chain (see [`CrashChain`](super::CrashChain)): the first
    /// cuts a random node's broadcast after one message to a live node; each next one is the
    /// first node that message's value reached, cut the same way in its next broadcast, and
    /// the last is cut after a random number of messages. Needs `mid_broadcast` = 1.
    #[serde(default)]
    pub chain: bool,
}

impl CrashSpec {
    fn validate(&self, path: &str, n: usize) -> Result<(), FaultError> {
        let at = |key: &str| format!("{path}.{key}");
        check_range(path, self.min, self.max)?;
        check_window(at("between"), &self.between)?;
        let eligible = check_pool(path, &self.nodes, n)?;
        if self.max as usize > eligible {
            return Err(err(
                at("max"),
                format!(
                    "{} crashes of distinct nodes asked, but only {eligible} nodes may crash",
                    self.max
                ),
            ));
        }
        if let Some(w) = &self.recover_after {
            check_window(at("recover_after"), w)?;
        }
        check_ppm(at("mid_broadcast"), self.mid_broadcast_ppm)?;
        if self.chain && self.mid_broadcast_ppm != crate::entropy::PPM {
            return Err(err(
                at("chain"),
                "a chain is made of mid-broadcast crashes: expected mid_broadcast = 1.0",
            ));
        }
        if let Some(w) = &self.broadcasts {
            check_window(at("broadcasts"), w)?;
            if w[0] == 0 {
                return Err(err(at("broadcasts"), "broadcasts count from 1"));
            }
        }
        Ok(())
    }

    /// Exactly `count` crashes of distinct nodes (any node may crash) at times drawn from
    /// `between`, without recovery.
    pub fn exactly(count: u32, between: Window<Time>) -> Self {
        CrashSpec {
            min: count,
            max: count,
            between,
            ..CrashSpec::default()
        }
    }
}

/// Random partitions, each healed after `lasting`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
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
    /// What a partition looks like.
    #[serde(default)]
    pub shape: PartitionShape,
    /// The nodes a partition may cut off (default: all).
    #[serde(default)]
    pub nodes: Option<Vec<NodeId>>,
}

/// The shape of a random partition; the side cut off is drawn from the spec's nodes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PartitionShape {
    /// Any split in two: a side of 1 to n - 1 nodes against the rest.
    #[default]
    Random,
    /// One node cut off from the rest, both ways.
    Isolate,
    /// A minority (fewer than half) cut off from the majority.
    Minority,
    /// A side that cannot reach the rest, which still reaches it (one way).
    OneWay,
}

/// Random omission windows on random nodes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
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
    /// The nodes that may lose messages (default: all).
    #[serde(default)]
    pub nodes: Option<Vec<NodeId>>,
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

/// A random fault mix; [`FaultSpec::generate`] turns it into a [`FaultPlan`](super::FaultPlan) for
/// one seed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultSpec {
    /// Random crashes (and recoveries): several specs for several kinds of node (say, a
    /// crash-stop coordinator and crash-recover participants); a node crashes under one only.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub crashes: Vec<CrashSpec>,
    #[serde(default)]
    /// Random partitions.
    pub partitions: Option<PartitionSpec>,
    #[serde(default)]
    /// Random omission windows.
    pub omissions: Option<OmissionSpec>,
    #[serde(default)]
    /// Random Byzantine nodes.
    pub byzantine: Option<ByzantineSpec>,
    /// A node that crashes and recovers again and again.
    #[serde(default)]
    pub intermittent: Option<IntermittentSpec>,
    /// Clocks that are off and drift.
    #[serde(default)]
    pub clocks: Option<ClockSpec>,
    /// Nodes that run slow for a while.
    #[serde(default)]
    pub slow: Option<SlowSpec>,
    /// What stable storage loses at a crash.
    #[serde(default)]
    pub storage: StorageFaults,
}

impl FaultSpec {
    /// A mix of crashes only.
    pub fn crashes(crashes: CrashSpec) -> Self {
        FaultSpec {
            crashes: vec![crashes],
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

impl FaultSpec {
    /// Checks the spec against a group of `n` nodes: counts that fit, ordered windows, ids.
    pub fn validate(&self, n: usize) -> Result<(), FaultError> {
        for (i, c) in self.crashes.iter().enumerate() {
            let path = if self.crashes.len() == 1 {
                "crashes".to_string()
            } else {
                format!("crashes[{i}]")
            };
            c.validate(&path, n)?;
        }
        if let Some(p) = &self.partitions {
            check_range("partitions", p.min, p.max)?;
            check_window("partitions.between".into(), &p.between)?;
            check_window("partitions.lasting".into(), &p.lasting)?;
            let eligible = check_pool("partitions", &p.nodes, n)?;
            if n < 2 && p.max > 0 {
                return Err(err("partitions", "a partition needs at least two nodes"));
            }
            if p.nodes.is_some() && eligible == n && p.max > 0 {
                return Err(err(
                    "partitions.nodes",
                    "the side cut off is drawn from these nodes: leave some out, or drop the list",
                ));
            }
        }
        if let Some(o) = &self.omissions {
            check_range("omissions", o.min, o.max)?;
            check_window("omissions.between".into(), &o.between)?;
            check_window("omissions.lasting".into(), &o.lasting)?;
            check_pool("omissions", &o.nodes, n)?;
            check_ppm("omissions.send".into(), o.send_ppm)?;
            check_ppm("omissions.receive".into(), o.receive_ppm)?;
        }
        if let Some(i) = &self.intermittent {
            i.validate(n)?;
        }
        if let Some(c) = &self.clocks {
            c.validate(n)?;
        }
        if let Some(s) = &self.slow {
            s.validate(n)?;
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
}
