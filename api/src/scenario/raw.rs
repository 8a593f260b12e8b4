//! The shapes of a scenario file as serde reads it: tables with exactly the keys the format
//! allows (unknown keys are errors naming them). Values are checked and converted afterwards,
//! with errors in the words of the scenario format.

use std::collections::BTreeMap;

use serde::Deserialize;
use sim_core::faults::{ByzantineSpec, CrashSpec, PartitionSpec};
use sim_core::{DetectorModel, Duration, Time};

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
    pub detector: Option<DetectorModel>,
    #[serde(default)]
    pub faults: RawFaults,
    #[serde(default)]
    pub adversary: Option<String>,
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
    pub crashes: Option<CrashSpec>,
    #[serde(default)]
    pub partitions: Option<PartitionSpec>,
    #[serde(default)]
    pub omissions: Option<RawOmissions>,
    #[serde(default)]
    pub byzantine: Option<ByzantineSpec>,
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
    pub send: f64,
    #[serde(default)]
    pub receive: f64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawScheduled {
    pub at: Time,
    #[serde(default)]
    pub crash: Option<usize>,
    #[serde(default)]
    pub recover: Option<usize>,
    #[serde(default)]
    pub partition: Option<Vec<Vec<usize>>>,
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
    pub byzantine: Option<usize>,
}
