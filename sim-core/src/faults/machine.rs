//! Faults of the machines themselves, as real systems have them: a node that crashes and
//! comes back again and again (intermittent), clocks that are off and drift, nodes that run
//! slow for a while. Specs here are drawn after the network's and the crash specs, so adding
//! one to a scenario leaves the draws of the others as they were.

use serde::{Deserialize, Serialize};

use super::pick::{pick_count, pick_distinct, pick_duration, pick_time, pool};
use super::{
    check_node, err, FaultError, FaultEvent, FaultKind, FaultPlan, Window, MAX_DRIFT_PPM,
    MAX_SLOW_PCT,
};
use crate::entropy::{Choices, Draw, Stream};
use crate::time::{Duration, Time};
use crate::NodeId;

/// One node that crashes and recovers again and again.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IntermittentSpec {
    /// The nodes it may be (default: all); one of them is drawn.
    #[serde(default)]
    pub nodes: Option<Vec<NodeId>>,
    /// How many crash-recover cycles (drawn from this range).
    pub times: [u32; 2],
    /// When the first crash may come.
    pub between: Window<Time>,
    /// How long each outage lasts.
    pub down: Window<Duration>,
    /// How long the node stays up between outages.
    pub up: Window<Duration>,
}

/// Clocks that are off: some nodes' clocks jump at the start and drift.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClockSpec {
    /// The nodes whose clocks may be off (default: all).
    #[serde(default)]
    pub nodes: Option<Vec<NodeId>>,
    /// How many of them are off (default: all of them).
    #[serde(default)]
    pub count: Option<u32>,
    /// How far ahead each starts, in nanoseconds (negative: behind), drawn from this range.
    pub offset_ns: [i64; 2],
    /// How much faster each runs, in parts per million (negative: slower), from this range.
    pub drift_ppm: [i32; 2],
}

/// Nodes that run slow for a while.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlowSpec {
    /// The fewest slow windows in a run.
    #[serde(default)]
    pub min: u32,
    /// The most slow windows in a run.
    pub max: u32,
    /// The nodes that may be slow (default: all).
    #[serde(default)]
    pub nodes: Option<Vec<NodeId>>,
    /// When each window may start.
    pub between: Window<Time>,
    /// How long each lasts.
    pub lasting: Window<Duration>,
    /// How slow, in percent of normal time (400: four times slower), drawn from this range.
    pub factor_pct: [u32; 2],
}

fn ordered<T: PartialOrd + std::fmt::Debug>(path: &str, w: &[T; 2]) -> Result<(), FaultError> {
    if w[0] > w[1] {
        return Err(err(
            path,
            format!(
                "expected [lowest, highest], found {:?} after {:?}",
                w[0], w[1]
            ),
        ));
    }
    Ok(())
}

fn check_pool(path: &str, nodes: &Option<Vec<NodeId>>, n: usize) -> Result<(), FaultError> {
    for (i, &node) in nodes.iter().flatten().enumerate() {
        check_node(format!("{path}.nodes[{i}]"), node, n)?;
    }
    if nodes.as_ref().is_some_and(|v| v.is_empty()) {
        return Err(err(format!("{path}.nodes"), "expected at least one node"));
    }
    Ok(())
}

impl IntermittentSpec {
    pub(super) fn validate(&self, n: usize) -> Result<(), FaultError> {
        check_pool("intermittent", &self.nodes, n)?;
        ordered("intermittent.times", &self.times)?;
        ordered("intermittent.between", &self.between)?;
        ordered("intermittent.down", &self.down)?;
        ordered("intermittent.up", &self.up)
    }

    pub(super) fn generate(&self, n: usize, choices: &mut dyn Choices, plan: &mut FaultPlan) {
        let node = pick_distinct(choices, pool(&self.nodes, n), 1)[0];
        let mut at = pick_time(choices, self.between);
        for _ in 0..pick_count(choices, self.times[0], self.times[1]) {
            plan.events.push(FaultEvent {
                at,
                kind: FaultKind::Crash { node },
            });
            at += pick_duration(choices, self.down);
            plan.events.push(FaultEvent {
                at,
                kind: FaultKind::Recover { node },
            });
            at += pick_duration(choices, self.up);
        }
    }
}

impl ClockSpec {
    pub(super) fn validate(&self, n: usize) -> Result<(), FaultError> {
        check_pool("clocks", &self.nodes, n)?;
        ordered("clocks.offset", &self.offset_ns)?;
        ordered("clocks.drift", &self.drift_ppm)?;
        if self.drift_ppm.iter().any(|d| d.abs() > MAX_DRIFT_PPM) {
            return Err(err("clocks.drift", "expected drifts between -0.5 and 0.5"));
        }
        let pool = self.nodes.as_ref().map_or(n, |v| v.len());
        match self.count {
            Some(c) if c as usize > pool => Err(err(
                "clocks.count",
                format!("{c} clocks asked off, but only {pool} nodes may be"),
            )),
            _ => Ok(()),
        }
    }

    pub(super) fn generate(&self, n: usize, choices: &mut dyn Choices, plan: &mut FaultPlan) {
        let candidates = pool(&self.nodes, n);
        let count = self.count.map_or(candidates.len(), |c| c as usize);
        let mut chosen = pick_distinct(choices, candidates, count);
        chosen.sort_unstable();
        for node in chosen {
            let offset_ns = pick_signed(choices, self.offset_ns[0], self.offset_ns[1]);
            let drift_ppm =
                pick_signed(choices, self.drift_ppm[0].into(), self.drift_ppm[1].into());
            plan.events.push(FaultEvent {
                at: Time::ZERO,
                kind: FaultKind::ClockSkew {
                    node,
                    offset_ns,
                    drift_ppm: drift_ppm as i32,
                },
            });
        }
    }
}

impl SlowSpec {
    pub(super) fn validate(&self, n: usize) -> Result<(), FaultError> {
        check_pool("slow", &self.nodes, n)?;
        if self.min > self.max {
            return Err(err("slow.min", "min is larger than max"));
        }
        ordered("slow.between", &self.between)?;
        ordered("slow.lasting", &self.lasting)?;
        ordered("slow.factor", &self.factor_pct)?;
        if self.factor_pct[0] == 0 || self.factor_pct[1] > MAX_SLOW_PCT {
            return Err(err("slow.factor", "expected factors from 1 to 1000"));
        }
        Ok(())
    }

    pub(super) fn generate(&self, n: usize, choices: &mut dyn Choices, plan: &mut FaultPlan) {
        let candidates = pool(&self.nodes, n);
        for _ in 0..pick_count(choices, self.min, self.max) {
            let node = candidates
                [choices.choose(Stream::FaultPlan, Draw::Pick, candidates.len() as u64) as usize];
            let at = pick_time(choices, self.between);
            let factor_pct = pick_count(choices, self.factor_pct[0], self.factor_pct[1]);
            plan.events.push(FaultEvent {
                at,
                kind: FaultKind::SlowStart { node, factor_pct },
            });
            plan.events.push(FaultEvent {
                at: at + pick_duration(choices, self.lasting),
                kind: FaultKind::SlowEnd { node },
            });
        }
    }
}

/// A number drawn uniformly from `lo..=hi`.
fn pick_signed(choices: &mut dyn Choices, lo: i64, hi: i64) -> i64 {
    let span = (hi as i128 - lo as i128) as u64;
    (lo as i128 + choices.choose(Stream::FaultPlan, Draw::Pick, span.saturating_add(1)) as i128)
        as i64
}
