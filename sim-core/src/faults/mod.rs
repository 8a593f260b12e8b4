//! The fault plan: an explicit, serialisable list of timed fault events. A run never invents a
//! fault on its own; random fault specs (`spec.rs`) are turned into a plan from the seed
//! *before* the run (`generate.rs`), so the plan can be printed, edited, minimised and
//! replayed by itself.

mod generate;
mod kind;
mod machine;
mod pick;
mod spec;
mod trigger;

use serde::{Deserialize, Serialize};

use crate::entropy::PPM;
use crate::time::Time;
use crate::NodeId;

pub use kind::{FaultKind, WindowEnd};
pub use machine::{ClockSpec, IntermittentSpec, SlowSpec};
pub use spec::{ByzantineSpec, CrashSpec, FaultSpec, OmissionSpec, PartitionShape, PartitionSpec};
pub use trigger::{kind_of, ChainLink, CrashChain, Trigger, TriggeredCrash};

/// What stable storage loses at a crash.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StorageFaults {
    /// Every write is durable once its handler returns.
    #[default]
    None,
    /// Writes not followed by `Ctx::sync` are lost at a crash.
    LoseUnsynced,
    /// At a crash, only some of the writes since the last sync survive: those of the first
    /// handlers, in order, up to a random one (the rest were torn off).
    Torn,
}

/// The largest drift a clock may have, in parts per million either way.
pub const MAX_DRIFT_PPM: i32 = 500_000;

/// The largest slowdown, in percent.
pub const MAX_SLOW_PCT: u32 = 100_000;

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
    /// Crashes fired by what a node does (during the fault phase), not by the clock.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub triggered: Vec<TriggeredCrash>,
    /// Chains of partial broadcasts (during the fault phase).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub chains: Vec<CrashChain>,
    /// What stable storage loses at a crash.
    #[serde(default, skip_serializing_if = "is_durable")]
    pub storage: StorageFaults,
}

fn is_durable(s: &StorageFaults) -> bool {
    *s == StorageFaults::None
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
            e.kind
                .validate(n, &|field| format!("events[{i}].{field}"))?;
        }
        for (i, t) in self.triggered.iter().enumerate() {
            check_node(format!("triggered[{i}].node"), t.node, n)?;
            if let Some(problem) = t.when.problem() {
                return Err(err(format!("triggered[{i}]"), problem));
            }
        }
        for (i, c) in self.chains.iter().enumerate() {
            check_node(format!("chains[{i}].start.node"), c.start.node, n)?;
            if let Some(problem) = c.start.when.problem() {
                return Err(err(format!("chains[{i}].start"), problem));
            }
        }
        Ok(())
    }
}

/// A closed range of times or durations, written `["10ms", "50ms"]` in scenario files.
pub type Window<T> = [T; 2];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entropy::Seeded;
    use crate::time::Duration;

    fn spec() -> FaultSpec {
        FaultSpec {
            crashes: vec![CrashSpec {
                min: 1,
                max: 2,
                between: [Time(0), Time(50_000_000)],
                nodes: None,
                recover_after: Some([Duration::from_millis(5), Duration::from_millis(10)]),
                ..CrashSpec::default()
            }],
            partitions: Some(PartitionSpec {
                min: 1,
                max: 1,
                between: [Time(0), Time(10)],
                lasting: [Duration(5), Duration(5)],
                ..PartitionSpec::default()
            }),
            omissions: None,
            byzantine: Some(ByzantineSpec {
                count: 1,
                nodes: Some(vec![4]),
            }),
            ..FaultSpec::default()
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
        s.crashes[0].max = 6;
        assert_eq!(s.validate(5).unwrap_err().path, "crashes.max");
        let mut s = spec();
        s.crashes[0].nodes = Some(vec![9]);
        assert_eq!(s.validate(5).unwrap_err().path, "crashes.nodes[0]");
        let plan = FaultPlan {
            events: vec![FaultEvent {
                at: Time(1),
                kind: FaultKind::Crash { node: 9 },
            }],
            ..FaultPlan::default()
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
