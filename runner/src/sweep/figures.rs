//! A protocol's metric over a sweep (see [`ftsim_api::metrics`]): latency samples folded into a
//! log-linear histogram and availability into two sums, both order-independent, so shards and
//! `--jobs` give identical figures; then the figures a summary reports (median and 99th
//! percentile, share of time available).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sim_core::Measured;

use ftsim_api::metrics::MetricsInfo;

/// Sub-buckets per power of two: a bucket is at most 1/16 (6.25%) wide relative to its values.
const SUB_BUCKETS: u64 = 16;

/// The bucket of a value: exact below 16, else (power of two, sixteenth within it).
fn bucket_of(v: u64) -> u32 {
    if v < SUB_BUCKETS {
        return v as u32;
    }
    let exp = 63 - v.leading_zeros(); // >= 4
    let sub = (v >> (exp - 4)) - SUB_BUCKETS; // 0..16
    (exp - 3) * SUB_BUCKETS as u32 + sub as u32
}

/// The largest value in a bucket, what a percentile reports (an upper bound within 6.25%).
fn bucket_max(bucket: u32) -> u64 {
    let b = u64::from(bucket);
    if b < SUB_BUCKETS {
        return b;
    }
    let exp = b / SUB_BUCKETS + 3;
    let sub = b % SUB_BUCKETS;
    if exp - 4 >= 64 {
        return u64::MAX; // past the last bucket (a merged part may name any)
    }
    let max = (u128::from(SUB_BUCKETS + sub + 1) << (exp - 4)) - 1;
    u64::try_from(max).unwrap_or(u64::MAX)
}

/// What a sweep measured, folded in any order.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetricTally {
    /// Latency samples per histogram bucket (see `bucket_of`), in nanoseconds of virtual time.
    pub latency_buckets: BTreeMap<u32, u64>,
    /// Virtual time the service answered within its grace, all runs together (ns).
    pub available_ns: u64,
    /// Virtual time the service was watched, all runs together (ns).
    pub watched_ns: u64,
}

impl MetricTally {
    /// Adds one run's measurements.
    pub fn add(&mut self, m: &Measured) {
        for &ns in &m.latencies_ns {
            *self.latency_buckets.entry(bucket_of(ns)).or_insert(0) += 1;
        }
        self.available_ns = self.available_ns.saturating_add(m.available_ns);
        self.watched_ns = self.watched_ns.saturating_add(m.watched_ns);
    }

    /// Adds another tally (commutative and associative).
    pub fn merge(&mut self, other: MetricTally) {
        for (b, n) in other.latency_buckets {
            let samples = self.latency_buckets.entry(b).or_insert(0);
            *samples = samples.saturating_add(n);
        }
        self.available_ns = self.available_ns.saturating_add(other.available_ns);
        self.watched_ns = self.watched_ns.saturating_add(other.watched_ns);
    }

    /// The latency samples in all (saturating: a merged part may claim any number).
    fn samples(&self) -> u64 {
        (self.latency_buckets.values()).fold(0, |sum: u64, &n| sum.saturating_add(n))
    }

    /// What no sweep measures (a part of a sweep edited or corrupted): a latency bucket past
    /// the last one, or more time available than watched.
    pub(crate) fn contradiction(&self) -> Option<String> {
        let last = bucket_of(u64::MAX);
        if let Some((&bucket, _)) = self.latency_buckets.range(last + 1..).next() {
            return Some(format!("latency bucket {bucket} (the last is {last})"));
        }
        (self.available_ns > self.watched_ns).then(|| {
            format!(
                "{} ns available of {} ns watched",
                self.available_ns, self.watched_ns
            )
        })
    }

    /// The smallest bucket bound below which at least `per_mille` / 1000 of the samples lie.
    fn percentile_ns(&self, per_mille: u64) -> Option<u64> {
        let total = self.samples();
        if total == 0 {
            return None;
        }
        let rank = (total.saturating_mul(per_mille)).div_ceil(1000).max(1);
        let mut seen = 0;
        for (&b, &n) in &self.latency_buckets {
            seen = n.saturating_add(seen);
            if seen >= rank {
                return Some(bucket_max(b));
            }
        }
        None
    }
}

/// A latency as a summary reports it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LatencyFigures {
    /// What it measures: "time to decide".
    pub name: String,
    /// Samples over all runs.
    pub samples: u64,
    /// The median, in ns of virtual time (a histogram bucket's upper bound: within 6.25%).
    pub p50_ns: Option<u64>,
    /// The 99th percentile, likewise.
    pub p99_ns: Option<u64>,
    /// Whether each sample is one operation completed, so that messages per operation mean
    /// something (the run's messages over the samples).
    #[serde(default)]
    pub per_operation: bool,
}

impl LatencyFigures {
    /// The messages per operation, of `messages` in all, where each sample is an operation.
    pub fn messages_per_operation(&self, messages: u64) -> Option<f64> {
        (self.per_operation && self.samples > 0).then(|| messages as f64 / self.samples as f64)
    }
}

/// Availability as a summary reports it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AvailabilityFigures {
    /// What it measures: "writes answered".
    pub name: String,
    /// Virtual time the service answered within its grace, all runs together (ns).
    pub available_ns: u64,
    /// Virtual time it was watched, all runs together (ns).
    pub watched_ns: u64,
}

impl AvailabilityFigures {
    /// The share of watched time the service was available, in percent.
    pub fn percent(&self) -> f64 {
        if self.watched_ns == 0 {
            return 100.0;
        }
        self.available_ns as f64 * 100.0 / self.watched_ns as f64
    }
}

/// The figures of a tally, for the metric the protocol declares (`info`).
pub fn figures(
    info: &MetricNames,
    t: &MetricTally,
) -> (Option<LatencyFigures>, Option<AvailabilityFigures>) {
    let latency = info.latency.as_ref().map(|name| LatencyFigures {
        name: name.clone(),
        samples: t.samples(),
        p50_ns: t.percentile_ns(500),
        p99_ns: t.percentile_ns(990),
        per_operation: info.latency_per_operation,
    });
    let availability = info.availability.as_ref().map(|name| AvailabilityFigures {
        name: name.clone(),
        available_ns: t.available_ns,
        watched_ns: t.watched_ns,
    });
    (latency, availability)
}

/// The names of a protocol's figures, as a summary keeps them (owned, for `merge`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MetricNames {
    /// The latency's name, if the protocol measures one.
    pub latency: Option<String>,
    /// Whether each latency sample is one operation completed.
    pub latency_per_operation: bool,
    /// The availability's name, if the protocol is a service that measures one.
    pub availability: Option<String>,
}

impl From<MetricsInfo> for MetricNames {
    fn from(info: MetricsInfo) -> Self {
        MetricNames {
            latency: info.latency.map(|m| m.name.to_string()),
            latency_per_operation: info.latency_per_operation,
            availability: info.availability.map(|m| m.name.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_ordered_and_tight() {
        let mut last = 0;
        for v in (0..5000u64).chain([1 << 20, 3 << 30, u64::MAX / 3, u64::MAX]) {
            let b = bucket_of(v);
            assert!(b >= last, "bucket order at {v}");
            last = b;
            let max = bucket_max(b);
            assert!(max >= v, "{v} above its bucket's bound {max}");
            assert!(max - v <= v / 15, "{v}: bound {max} too loose");
        }
    }

    #[test]
    fn percentiles_of_a_known_spread() {
        let mut t = MetricTally::default();
        let samples: Vec<u64> = (1..=1000).map(|i| i * 1000).collect();
        t.add(&Measured {
            latencies_ns: samples,
            ..Measured::default()
        });
        let p50 = t.percentile_ns(500).unwrap();
        let p99 = t.percentile_ns(990).unwrap();
        assert!((500_000..=500_000 + 500_000 / 15).contains(&p50), "{p50}");
        assert!((990_000..=990_000 + 990_000 / 15).contains(&p99), "{p99}");
    }
}
