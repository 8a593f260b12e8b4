//! The `[faults]` section: the random mix drawn per seed (crashes, partitions, omissions,
//! Byzantine nodes) and the explicit schedule added to every seed. Each schedule entry is
//! checked on its own, so an error names its index.

use sim_core::faults::OmissionSpec;
use sim_core::{Duration, FaultEvent, FaultKind, FaultPlan, FaultSpec, Time};

use super::error::{ScenarioError, Source};
use super::raw::{RawFaults, RawScheduled};
use super::values::probability;

/// The random fault mix and the explicit schedule of a scenario.
pub(crate) fn faults_of(
    c: &Source,
    raw: &RawFaults,
    n: usize,
    duration: Duration,
) -> Result<(FaultSpec, FaultPlan), ScenarioError> {
    let spec = spec_of(c, raw, n, duration)?;
    let mut schedule = FaultPlan::default();
    for (i, entry) in raw.schedule.iter().enumerate() {
        let end = Time::ZERO + duration;
        match entry_of(c, i, entry, n, end)? {
            Entry::Byzantine(node) => schedule.byzantine.push(node),
            Entry::Events(events) => schedule.events.extend(events),
        }
    }
    Ok((spec, schedule))
}

fn spec_of(
    c: &Source,
    raw: &RawFaults,
    n: usize,
    duration: Duration,
) -> Result<FaultSpec, ScenarioError> {
    let omissions = match &raw.omissions {
        None => None,
        Some(o) => Some(OmissionSpec {
            min: o.min,
            max: o.max,
            between: o.between,
            lasting: o.lasting,
            send_ppm: probability(c, "faults.omissions.send", o.send)?,
            receive_ppm: probability(c, "faults.omissions.receive", o.receive)?,
        }),
    };
    let spec = FaultSpec {
        crashes: raw.crashes.clone(),
        partitions: raw.partitions.clone(),
        omissions,
        byzantine: raw.byzantine.clone(),
    };
    spec.validate(n)
        .map_err(|e| c.err(format!("faults.{}", e.path), e.message))?;
    let windows = [
        ("crashes", spec.crashes.as_ref().map(|s| s.between)),
        ("partitions", spec.partitions.as_ref().map(|s| s.between)),
        ("omissions", spec.omissions.as_ref().map(|s| s.between)),
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
    if let (Some(cr), Some(b)) = (&spec.crashes, &spec.byzantine) {
        let crash_pool = cr.nodes.as_ref().map_or(n, |v| v.len());
        if cr.max as usize + b.count as usize > n && crash_pool == n && b.nodes.is_none() {
            return Err(c.err(
                "faults.crashes.max",
                format!(
                    "{} crashes and {} Byzantine nodes need more than {n} nodes",
                    cr.max, b.count
                ),
            ));
        }
    }
    Ok(spec)
}

/// What one schedule entry adds to every seed's plan.
enum Entry {
    Byzantine(usize),
    Events(Vec<FaultEvent>),
}

const ONE_ACTION: &str = "expected exactly one of `crash = <node>`, `recover = <node>`, \
    `partition = [[nodes], ...]`, `heal = true`, `omission = <node>` (with `until`, `send`, \
    `receive`), `byzantine = <node>`";

fn entry_of(
    c: &Source,
    i: usize,
    s: &RawScheduled,
    n: usize,
    end: Time,
) -> Result<Entry, ScenarioError> {
    let key = |f: &str| format!("faults.schedule[{i}].{f}");
    if s.at >= end {
        return Err(c.err(
            key("at"),
            format!(
                "faults must happen in the fault phase, before `duration` ({}); found {}",
                end, s.at
            ),
        ));
    }
    let actions = [
        s.crash.is_some(),
        s.recover.is_some(),
        s.partition.is_some(),
        s.heal.is_some(),
        s.omission.is_some(),
        s.byzantine.is_some(),
    ];
    if actions.iter().filter(|&&a| a).count() != 1 {
        return Err(c.err(format!("faults.schedule[{i}]"), ONE_ACTION));
    }
    if s.until.is_some() && s.omission.is_none() {
        return Err(c.err(key("until"), "`until` only goes with `omission`"));
    }
    if let Some(node) = s.byzantine {
        return byzantine_entry(c, &key, s.at, node, n);
    }
    let events = match events_of(c, &key, s)? {
        Some(events) => events,
        None => return Err(c.err(key("heal"), "expected `heal = true`")),
    };
    // Checked on its own, so an error names this entry (an omission is two plan events).
    let mine = FaultPlan {
        byzantine: Vec::new(),
        events,
    };
    mine.validate(n)
        .map_err(|e| c.err(format!("faults.schedule[{i}]"), e.message))?;
    Ok(Entry::Events(mine.events))
}

fn byzantine_entry(
    c: &Source,
    key: &dyn Fn(&str) -> String,
    at: Time,
    node: usize,
    n: usize,
) -> Result<Entry, ScenarioError> {
    if node >= n {
        return Err(c.err(
            key("byzantine"),
            format!(
                "node {node} does not exist: expected a node id from 0 to {}",
                n - 1
            ),
        ));
    }
    if at != Time::ZERO {
        return Err(c.err(
            key("at"),
            "a node is Byzantine for the whole run: expected at = \"0ms\"",
        ));
    }
    Ok(Entry::Byzantine(node))
}

/// The plan events of a crash, recovery, partition, heal or omission entry (`None`: a
/// `heal = false`, which means nothing).
fn events_of(
    c: &Source,
    key: &dyn Fn(&str) -> String,
    s: &RawScheduled,
) -> Result<Option<Vec<FaultEvent>>, ScenarioError> {
    let at = s.at;
    let one = |kind| Ok(Some(vec![FaultEvent { at, kind }]));
    if let Some(node) = s.crash {
        return one(FaultKind::Crash { node });
    }
    if let Some(node) = s.recover {
        return one(FaultKind::Recover { node });
    }
    if let Some(groups) = &s.partition {
        return one(FaultKind::Partition {
            groups: groups.clone(),
        });
    }
    if let Some(heal) = s.heal {
        return if heal { one(FaultKind::Heal) } else { Ok(None) };
    }
    let node = s.omission.unwrap_or_default();
    let until = s.until.ok_or_else(|| {
        c.err(
            key("until"),
            "an omission window needs `until`, the time it ends",
        )
    })?;
    if until <= at {
        return Err(c.err(
            key("until"),
            format!("expected a time after `at` ({at}), found {until}"),
        ));
    }
    let send_ppm = probability(c, &key("send"), s.send.unwrap_or(1.0))?;
    let receive_ppm = probability(c, &key("receive"), s.receive.unwrap_or(0.0))?;
    Ok(Some(vec![
        FaultEvent {
            at,
            kind: FaultKind::OmissionStart {
                node,
                send_ppm,
                receive_ppm,
            },
        },
        FaultEvent {
            at: until,
            kind: FaultKind::OmissionEnd { node },
        },
    ]))
}
