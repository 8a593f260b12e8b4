//! The `[faults]` section's random mix, drawn per seed: crashes (several specs allowed, timed,
//! mid-broadcast or chained), partitions of several shapes, omissions, Byzantine nodes, an
//! intermittent node, clocks off, slow nodes, storage faults. The explicit schedule is in
//! `schedule.rs`.

use sim_core::faults::{ClockSpec, CrashSpec, OmissionSpec, SlowSpec};
use sim_core::{Duration, FaultPlan, FaultSpec, Time, PPM};

use super::error::{ScenarioError, Source};
use super::limits;
use super::raw::{RawClocks, RawCrashes, RawFaults, RawSlow};
use super::schedule::schedule_of;
use super::values::{probability, signed_duration_ns};
use super::words::{rewrite, shown};

/// The random fault mix and the explicit schedule of a scenario.
pub(crate) fn faults_of(
    c: &Source,
    raw: &RawFaults,
    n: usize,
    duration: Duration,
) -> Result<(FaultSpec, FaultPlan), ScenarioError> {
    let spec = spec_of(c, raw, n, duration)?;
    let schedule = schedule_of(c, &raw.schedule, &spec, n, Time::ZERO + duration)?;
    Ok((spec, schedule))
}

fn spec_of(
    c: &Source,
    raw: &RawFaults,
    n: usize,
    duration: Duration,
) -> Result<FaultSpec, ScenarioError> {
    let spec = FaultSpec {
        crashes: match &raw.crashes {
            Some(value) => crashes_of(c, value)?,
            None => Vec::new(),
        },
        partitions: raw.partitions.clone(),
        omissions: match &raw.omissions {
            None => None,
            Some(o) => Some(OmissionSpec {
                min: o.min,
                max: o.max,
                between: o.between,
                lasting: o.lasting,
                nodes: o.nodes.clone(),
                send_ppm: probability(c, "faults.omissions.send", o.send)?,
                receive_ppm: probability(c, "faults.omissions.receive", o.receive)?,
            }),
        },
        byzantine: raw.byzantine.clone(),
        intermittent: raw.intermittent.clone(),
        clocks: raw.clocks.as_ref().map(|k| clocks_of(c, k)).transpose()?,
        slow: raw.slow.as_ref().map(|s| slow_of(c, s)).transpose()?,
        storage: raw.storage.unwrap_or_default(),
    };
    spec.validate(n)
        .map_err(|e| c.err(format!("faults.{}", e.path), e.message))?;
    within_fault_phase(c, &spec, duration)?;
    enough_nodes(c, &spec, n)?;
    Ok(spec)
}

/// Random faults start before `duration`, when the fault phase ends.
fn within_fault_phase(
    c: &Source,
    spec: &FaultSpec,
    duration: Duration,
) -> Result<(), ScenarioError> {
    let windows = [
        (
            "crashes",
            spec.crashes.iter().map(|s| s.between).max_by_key(|w| w[1]),
        ),
        ("partitions", spec.partitions.as_ref().map(|s| s.between)),
        ("omissions", spec.omissions.as_ref().map(|s| s.between)),
        (
            "intermittent",
            spec.intermittent.as_ref().map(|s| s.between),
        ),
        ("slow", spec.slow.as_ref().map(|s| s.between)),
    ];
    for (name, window) in windows {
        if let Some(w) = window.filter(|w| w[1] >= Time::ZERO + duration) {
            return Err(c.err(
                format!("faults.{name}.between"),
                format!(
                    "faults must happen in the fault phase, before `duration` ({duration}); \
                     found {}",
                    w[1]
                ),
            ));
        }
    }
    Ok(())
}

/// Crashed and Byzantine nodes drawn from the whole group must fit in it. Each count fits on
/// its own (the spec's validation checked it), so the error is on the Byzantine count, which
/// the crashes leave too few nodes for, and names the crash key too.
fn enough_nodes(c: &Source, spec: &FaultSpec, n: usize) -> Result<(), ScenarioError> {
    let crashes: usize = spec.crashes.iter().map(|s| s.max as usize).sum();
    let whole_group = spec.crashes.iter().all(|s| s.nodes.is_none());
    if let Some(b) = spec.byzantine.as_ref().filter(|b| b.nodes.is_none()) {
        if crashes + b.count as usize > n && whole_group {
            let crash_key = match spec.crashes.len() {
                1 => "faults.crashes.max",
                _ => "faults.crashes[..].max",
            };
            return Err(c.err(
                "faults.byzantine.count",
                format!(
                    "{} Byzantine nodes and {crashes} crashes (`{crash_key}`) need more than \
                     {n} nodes: expected `faults.byzantine.count` at most {}",
                    b.count,
                    n.saturating_sub(crashes)
                ),
            ));
        }
    }
    Ok(())
}

fn clocks_of(c: &Source, raw: &RawClocks) -> Result<ClockSpec, ScenarioError> {
    let offset_ns = match &raw.offset {
        Some([lo, hi]) => [
            signed_duration_ns(c, "faults.clocks.offset[0]", lo)?,
            signed_duration_ns(c, "faults.clocks.offset[1]", hi)?,
        ],
        None => [0, 0],
    };
    let drift = raw.drift.unwrap_or([0.0, 0.0]);
    for (i, d) in drift.iter().enumerate() {
        if !(-0.5..=0.5).contains(d) {
            return Err(c.err(
                format!("faults.clocks.drift[{i}]"),
                format!("expected a drift between -0.5 and 0.5 (0.01: 1% fast), found {d}"),
            ));
        }
    }
    Ok(ClockSpec {
        nodes: raw.nodes.clone(),
        count: raw.count,
        offset_ns,
        drift_ppm: drift.map(|d| (d * 1e6).round() as i32),
    })
}

fn slow_of(c: &Source, raw: &RawSlow) -> Result<SlowSpec, ScenarioError> {
    for (i, f) in raw.factor.iter().enumerate() {
        if !(1.0..=1000.0).contains(f) {
            return Err(c.err(
                format!("faults.slow.factor[{i}]"),
                format!("expected a factor from 1 to 1000 (4.0: four times slower), found {f}"),
            ));
        }
    }
    Ok(SlowSpec {
        min: raw.min,
        max: raw.max,
        nodes: raw.nodes.clone(),
        between: raw.between,
        lasting: raw.lasting,
        factor_pct: raw.factor.map(|f| (f * 100.0).round() as u32),
    })
}

/// `crashes = { ... }` or `[[faults.crashes]]` tables: one crash spec each.
fn crashes_of(c: &Source, value: &toml::Value) -> Result<Vec<CrashSpec>, ScenarioError> {
    match value {
        toml::Value::Table(_) => Ok(vec![crash_spec_of(c, "faults.crashes", value)?]),
        toml::Value::Array(tables) => tables
            .iter()
            .enumerate()
            .map(|(i, t)| crash_spec_of(c, &format!("faults.crashes[{i}]"), t))
            .collect(),
        other => Err(c.err(
            "faults.crashes",
            format!(
                "expected a table such as {{ max = 1, between = [\"0ms\", \"10ms\"] }}, or \
                 [[faults.crashes]] tables; found {}",
                shown(other)
            ),
        )),
    }
}

fn crash_spec_of(c: &Source, key: &str, value: &toml::Value) -> Result<CrashSpec, ScenarioError> {
    let raw: RawCrashes = serde_path_to_error::deserialize(value.clone()).map_err(|e| {
        let path = e.path().to_string();
        let at = if path == "." {
            key.to_string()
        } else {
            format!("{key}.{path}")
        };
        let (at, message) = rewrite(Some(at), e.into_inner().message());
        c.err(at.unwrap_or_else(|| key.to_string()), message)
    })?;
    if let Some(w) = raw.between {
        limits::window(c, &format!("{key}.between"), w)?;
    }
    if let Some(w) = raw.recover_after {
        limits::window(c, &format!("{key}.recover_after"), w)?;
    }
    let mid_broadcast_ppm = probability(c, &format!("{key}.mid_broadcast"), raw.mid_broadcast)?;
    let between = match raw.between {
        Some(w) => w,
        None if mid_broadcast_ppm == PPM => [Time::ZERO; 2],
        None => {
            return Err(c.err(
                format!("{key}.between"),
                "missing: the window crash times are drawn from, such as [\"0ms\", \"20ms\"] \
                 (it may be left out only with mid_broadcast = 1.0)",
            ))
        }
    };
    Ok(CrashSpec {
        min: raw.min,
        max: raw.max,
        between,
        nodes: raw.nodes,
        recover_after: raw.recover_after,
        mid_broadcast_ppm,
        broadcasts: raw.broadcasts,
        chain: raw.chain,
    })
}
