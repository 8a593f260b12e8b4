//! The shapes of a scenario file as serde reads it: tables with exactly the keys the format
//! allows (unknown keys are errors naming them). Values are checked and converted afterwards,
//! with errors in the words of the scenario format.

use std::collections::BTreeMap;

use serde::Deserialize;
use sim_core::faults::{ByzantineSpec, IntermittentSpec, PartitionSpec, StorageFaults};
use sim_core::{Duration, Time};

fn default_duration() -> Duration {
    Duration::from_millis(100)
}

fn default_settle() -> Duration {
    Duration::from_millis(100)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawScenario {
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub protocol: String,
    pub nodes: i64,
    pub seeds: RawSeeds,
    #[serde(default = "default_duration")]
    pub duration: Duration,
    #[serde(default = "default_settle")]
    pub settle: Duration,
    #[serde(default)]
    pub max_events: Option<u64>,
    #[serde(default)]
    pub budget: Option<RawBudget>,
    pub expect: toml::Value,
    #[serde(default)]
    pub invariants: Option<Vec<String>>,
    #[serde(default)]
    pub sometimes: Option<Vec<String>>,
    #[serde(default)]
    pub params: BTreeMap<String, toml::Value>,
    #[serde(default)]
    pub network: RawNetwork,
    #[serde(default)]
    pub detector: Option<RawDetector>,
    #[serde(default)]
    pub faults: RawFaults,
    #[serde(default)]
    pub adversary: Option<String>,
}

/// `[detector]`: `kind` and the keys that go with it (read here rather than as the engine's
/// enum, so an error names the key: `detector.delay`, not `detector`).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawDetector {
    pub kind: String,
    #[serde(default)]
    pub delay: Option<Duration>,
    #[serde(default)]
    pub stabilize_at: Option<Time>,
    #[serde(default)]
    pub mistakes: Option<u32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSeeds {
    #[serde(default)]
    pub start: u64,
    pub count: u64,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawNetwork {
    #[serde(default)]
    pub delay: Option<toml::Value>,
    #[serde(default)]
    pub loss: Option<f64>,
    #[serde(default)]
    pub duplicate: Option<f64>,
    #[serde(default)]
    pub fifo: Option<bool>,
    #[serde(default)]
    pub send_gap: Option<Duration>,
    #[serde(default)]
    pub heals: Option<bool>,
    #[serde(default)]
    pub link: Vec<RawLink>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawLink {
    pub from: usize,
    pub to: usize,
    #[serde(default)]
    pub delay: Option<toml::Value>,
    #[serde(default)]
    pub loss: Option<f64>,
    #[serde(default)]
    pub duplicate: Option<f64>,
    #[serde(default)]
    pub fifo: Option<bool>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawFaults {
    #[serde(default)]
    pub crashes: Option<toml::Value>,
    #[serde(default)]
    pub partitions: Option<PartitionSpec>,
    #[serde(default)]
    pub omissions: Option<RawOmissions>,
    #[serde(default)]
    pub byzantine: Option<ByzantineSpec>,
    #[serde(default)]
    pub intermittent: Option<IntermittentSpec>,
    #[serde(default)]
    pub clocks: Option<RawClocks>,
    #[serde(default)]
    pub slow: Option<RawSlow>,
    #[serde(default)]
    pub storage: Option<StorageFaults>,
    #[serde(default)]
    pub schedule: Vec<RawScheduled>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawOmissions {
    #[serde(default)]
    pub min: u32,
    pub max: u32,
    pub between: [Time; 2],
    pub lasting: [Duration; 2],
    #[serde(default)]
    pub nodes: Option<Vec<usize>>,
    #[serde(default)]
    pub send: f64,
    #[serde(default)]
    pub receive: f64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawScheduled {
    #[serde(default)]
    pub at: Option<Time>,
    #[serde(default)]
    pub crash: Option<usize>,
    #[serde(default)]
    pub recover: Option<usize>,
    #[serde(default)]
    pub partition: Option<Vec<Vec<usize>>>,
    #[serde(default)]
    pub isolate: Option<usize>,
    #[serde(default)]
    pub one_way: Option<RawOneWay>,
    #[serde(default)]
    pub heal: Option<bool>,
    #[serde(default)]
    pub omission: Option<usize>,
    #[serde(default)]
    pub send: Option<f64>,
    #[serde(default)]
    pub receive: Option<f64>,
    #[serde(default)]
    pub until: Option<Time>,
    #[serde(default)]
    pub skew: Option<usize>,
    #[serde(default)]
    pub offset: Option<String>,
    #[serde(default)]
    pub drift: Option<f64>,
    #[serde(default)]
    pub slow: Option<usize>,
    #[serde(default)]
    pub factor: Option<f64>,
    #[serde(default)]
    pub byzantine: Option<usize>,
    #[serde(default)]
    pub after_sends: Option<u64>,
    #[serde(default)]
    pub in_broadcast: Option<u32>,
    #[serde(default)]
    pub sent: Option<u32>,
    #[serde(default)]
    pub on_delivery: Option<u64>,
    #[serde(default)]
    pub on_message: Option<String>,
    #[serde(default)]
    pub on_observation: Option<String>,
    #[serde(default)]
    pub nth: Option<u32>,
    #[serde(default)]
    pub recover_after: Option<Duration>,
}

/// `one_way = { from = [...], to = [...] }`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawOneWay {
    pub from: Vec<usize>,
    pub to: Vec<usize>,
}

/// `clocks = { offset = ["-2ms", "2ms"], drift = [-0.01, 0.01] }`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawClocks {
    #[serde(default)]
    pub nodes: Option<Vec<usize>>,
    #[serde(default)]
    pub count: Option<u32>,
    #[serde(default)]
    pub offset: Option<[String; 2]>,
    #[serde(default)]
    pub drift: Option<[f64; 2]>,
}

/// `slow = { max = 1, between = [...], lasting = [...], factor = [2.0, 10.0] }`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSlow {
    #[serde(default)]
    pub min: u32,
    pub max: u32,
    #[serde(default)]
    pub nodes: Option<Vec<usize>>,
    pub between: [Time; 2],
    pub lasting: [Duration; 2],
    pub factor: [f64; 2],
}

/// One `crashes` table (`[faults.crashes]`, or each of `[[faults.crashes]]`).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCrashes {
    #[serde(default)]
    pub min: u32,
    pub max: u32,
    #[serde(default)]
    pub between: Option<[Time; 2]>,
    #[serde(default)]
    pub nodes: Option<Vec<usize>>,
    #[serde(default)]
    pub recover_after: Option<[Duration; 2]>,
    #[serde(default)]
    pub mid_broadcast: f64,
    #[serde(default)]
    pub broadcasts: Option<[u32; 2]>,
    #[serde(default)]
    pub chain: bool,
}

/// The `[budget]` table as written.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawBudget {
    #[serde(default)]
    pub max_events: Option<u64>,
    #[serde(default)]
    pub max_time: Option<Duration>,
    #[serde(default)]
    pub max_in_flight: Option<u64>,
    #[serde(default)]
    pub max_memory_mib: Option<u64>,
}
