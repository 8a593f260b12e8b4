//! `[[faults.schedule]]`: explicit faults added to every seed's plan. Each entry is one action
//! (a crash, a recovery, a partition, a skewed clock…) with the keys that go with it; an entry
//! is checked on its own, so an error names its index, and then the schedule as a whole is
//! checked for sense (no recovery of a node that never crashed, no crash of a node already
//! down).

use sim_core::faults::{Trigger, TriggeredCrash, MAX_DRIFT_PPM};
use sim_core::{FaultEvent, FaultKind, FaultPlan, FaultSpec, NodeId, Time};

use super::error::{ScenarioError, Source};
use super::raw::RawScheduled;
use super::values::{probability, signed_duration_ns};

/// The explicit schedule of a scenario.
pub(crate) fn schedule_of(
    c: &Source,
    entries: &[RawScheduled],
    spec: &FaultSpec,
    n: usize,
    end: Time,
) -> Result<FaultPlan, ScenarioError> {
    let mut plan = FaultPlan::default();
    let mut origin = Vec::new();
    for (i, entry) in entries.iter().enumerate() {
        let key = Key(i);
        match entry_of(c, &key, entry, n, end)? {
            Entry::Byzantine(node) => plan.byzantine.push(node),
            Entry::Triggered(t) => plan.triggered.push(t),
            Entry::Events(events) => {
                origin.extend(std::iter::repeat_n(i, events.len()));
                plan.events.extend(events);
            }
        }
    }
    check_sequence(c, &plan, &origin, spec)?;
    Ok(plan)
}

/// The key path of schedule entry `i`.
struct Key(usize);

impl Key {
    fn entry(&self) -> String {
        format!("faults.schedule[{}]", self.0)
    }
    fn at(&self, field: &str) -> String {
        format!("faults.schedule[{}].{field}", self.0)
    }
}

/// What one entry adds to the plan.
enum Entry {
    Byzantine(NodeId),
    Triggered(TriggeredCrash),
    Events(Vec<FaultEvent>),
}

const ONE_ACTION: &str = "expected exactly one of `crash = <node>`, `recover = <node>`, \
    `partition = [[nodes], ...]`, `isolate = <node>`, `one_way = { from = [...], to = [...] }`, \
    `heal = true`, `omission = <node>`, `skew = <node>`, `slow = <node>`, `byzantine = <node>`";

/// The actions an entry may name, and which of its other keys go with each.
fn actions(s: &RawScheduled) -> [(&'static str, bool); 10] {
    [
        ("crash", s.crash.is_some()),
        ("recover", s.recover.is_some()),
        ("partition", s.partition.is_some()),
        ("isolate", s.isolate.is_some()),
        ("one_way", s.one_way.is_some()),
        ("heal", s.heal.is_some()),
        ("omission", s.omission.is_some()),
        ("skew", s.skew.is_some()),
        ("slow", s.slow.is_some()),
        ("byzantine", s.byzantine.is_some()),
    ]
}

/// Each modifier key, whether the entry has it, and the actions it goes with.
fn modifiers(s: &RawScheduled) -> [(&'static str, bool, &'static [&'static str]); 14] {
    const CRASH: &[&str] = &["crash"];
    [
        ("until", s.until.is_some(), &["omission", "slow"]),
        ("send", s.send.is_some(), &["omission"]),
        ("receive", s.receive.is_some(), &["omission"]),
        ("offset", s.offset.is_some(), &["skew"]),
        ("drift", s.drift.is_some(), &["skew"]),
        ("factor", s.factor.is_some(), &["slow"]),
        ("after_sends", s.after_sends.is_some(), CRASH),
        ("in_broadcast", s.in_broadcast.is_some(), CRASH),
        ("sent", s.sent.is_some(), CRASH),
        ("on_delivery", s.on_delivery.is_some(), CRASH),
        ("on_message", s.on_message.is_some(), CRASH),
        ("on_observation", s.on_observation.is_some(), CRASH),
        ("nth", s.nth.is_some(), CRASH),
        ("recover_after", s.recover_after.is_some(), CRASH),
    ]
}

fn entry_of(
    c: &Source,
    key: &Key,
    s: &RawScheduled,
    n: usize,
    end: Time,
) -> Result<Entry, ScenarioError> {
    let named: Vec<&str> = actions(s)
        .iter()
        .filter(|(_, present)| *present)
        .map(|(name, _)| *name)
        .collect();
    let [action] = named[..] else {
        return Err(c.err(key.entry(), ONE_ACTION));
    };
    for (modifier, present, goes_with) in modifiers(s) {
        if present && !goes_with.contains(&action) {
            return Err(c.err(
                key.at(modifier),
                format!(
                    "`{modifier}` goes with {}, not `{action}`",
                    goes_with.join(" or ")
                ),
            ));
        }
    }
    let single_nodes = [
        ("crash", s.crash),
        ("recover", s.recover),
        ("isolate", s.isolate),
        ("skew", s.skew),
        ("slow", s.slow),
        ("omission", s.omission),
    ];
    for (field, node) in single_nodes {
        if let Some(node) = node {
            check_node(c, &key.at(field), node, n)?;
        }
    }
    if let (Some(node), Some(trigger)) = (s.crash, trigger_of(c, key, s)?) {
        if s.at.is_some() {
            return Err(c.err(
                key.at("at"),
                "a triggered crash has no `at`: its trigger says when",
            ));
        }
        return Ok(Entry::Triggered(TriggeredCrash {
            node,
            when: trigger,
            recover_after: s.recover_after,
        }));
    }
    if s.recover_after.is_some() {
        return Err(c.err(
            key.at("recover_after"),
            "`recover_after` goes with a triggered crash; a timed one is followed by `recover`",
        ));
    }
    let at = s.at.ok_or_else(|| {
        c.err(
            key.at("at"),
            "missing: when the fault happens, such as \"10ms\"",
        )
    })?;
    if at >= end {
        return Err(c.err(
            key.at("at"),
            format!("faults must happen in the fault phase, before `duration` ({end}); found {at}"),
        ));
    }
    if let Some(node) = s.byzantine {
        check_node(c, &key.at("byzantine"), node, n)?;
        if at != Time::ZERO {
            return Err(c.err(
                key.at("at"),
                "a node is Byzantine for the whole run: expected at = \"0ms\"",
            ));
        }
        return Ok(Entry::Byzantine(node));
    }
    let events = events_of(c, key, s, at)?;
    // Checked on its own, so an error names this entry (some entries are two plan events).
    let mine = FaultPlan {
        events,
        ..FaultPlan::default()
    };
    mine.validate(n)
        .map_err(|e| c.err(key.entry(), e.message))?;
    Ok(Entry::Events(mine.events))
}

fn check_node(c: &Source, key: &str, node: NodeId, n: usize) -> Result<(), ScenarioError> {
    if node >= n {
        return Err(c.err(
            key,
            format!(
                "node {node} does not exist: expected a node id from 0 to {}",
                n - 1
            ),
        ));
    }
    Ok(())
}

/// The trigger of a crash entry, if it has one.
fn trigger_of(c: &Source, key: &Key, s: &RawScheduled) -> Result<Option<Trigger>, ScenarioError> {
    let nth = s.nth.unwrap_or(1);
    let mut found = Vec::new();
    if let Some(count) = s.after_sends {
        found.push(Trigger::Sends { count });
    }
    if let Some(b) = s.in_broadcast {
        let sent = s.sent.ok_or_else(|| {
            c.err(
                key.at("sent"),
                "missing: how many of the broadcast's messages to live nodes leave first",
            )
        })?;
        found.push(Trigger::Broadcast { nth: b, sent });
    }
    if let Some(d) = s.on_delivery {
        found.push(Trigger::Delivery { nth: d });
    }
    if let Some(kind) = &s.on_message {
        found.push(Trigger::Message {
            kind: kind.clone(),
            nth,
        });
    }
    if let Some(kind) = &s.on_observation {
        found.push(Trigger::Observation {
            kind: kind.clone(),
            nth,
        });
    }
    if s.sent.is_some() && s.in_broadcast.is_none() {
        return Err(c.err(key.at("sent"), "`sent` goes with `in_broadcast`"));
    }
    if s.nth.is_some() && s.on_message.is_none() && s.on_observation.is_none() {
        return Err(c.err(
            key.at("nth"),
            "`nth` goes with `on_message` or `on_observation`",
        ));
    }
    match found.len() {
        0 => Ok(None),
        1 => {
            let t = found.remove(0);
            match t.problem() {
                Some(problem) => Err(c.err(key.entry(), problem)),
                None => Ok(Some(t)),
            }
        }
        _ => Err(c.err(
            key.entry(),
            "expected at most one trigger: `after_sends`, `in_broadcast`, `on_delivery`, \
             `on_message` or `on_observation`",
        )),
    }
}

/// The plan events of a timed entry.
fn events_of(
    c: &Source,
    key: &Key,
    s: &RawScheduled,
    at: Time,
) -> Result<Vec<FaultEvent>, ScenarioError> {
    let one = |kind| Ok(vec![FaultEvent { at, kind }]);
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
    if let Some(node) = s.isolate {
        return one(FaultKind::Partition {
            groups: vec![vec![node]],
        });
    }
    if let Some(w) = &s.one_way {
        return one(FaultKind::OneWay {
            from: w.from.clone(),
            to: w.to.clone(),
        });
    }
    if let Some(heal) = s.heal {
        return match heal {
            true => one(FaultKind::Heal),
            false => Err(c.err(key.at("heal"), "expected `heal = true`")),
        };
    }
    if let Some(node) = s.skew {
        return one(skew_of(c, key, s, node)?);
    }
    let until = s.until.ok_or_else(|| {
        c.err(
            key.at("until"),
            "missing: the time the window ends, such as \"30ms\"",
        )
    })?;
    if until <= at {
        return Err(c.err(
            key.at("until"),
            format!("expected a time after `at` ({at}), found {until}"),
        ));
    }
    let (start, end) = match (s.omission, s.slow) {
        (Some(node), _) => omission_of(c, key, s, node)?,
        (_, Some(node)) => slow_of(c, key, s, node)?,
        _ => return Err(c.err(key.entry(), ONE_ACTION)),
    };
    Ok(vec![
        FaultEvent { at, kind: start },
        FaultEvent {
            at: until,
            kind: end,
        },
    ])
}

fn skew_of(
    c: &Source,
    key: &Key,
    s: &RawScheduled,
    node: NodeId,
) -> Result<FaultKind, ScenarioError> {
    let offset_ns = match &s.offset {
        Some(text) => signed_duration_ns(c, &key.at("offset"), text)?,
        None => 0,
    };
    let drift = s.drift.unwrap_or(0.0);
    let limit = MAX_DRIFT_PPM as f64 / 1e6;
    if !(-limit..=limit).contains(&drift) {
        return Err(c.err(
            key.at("drift"),
            format!("expected a drift between -{limit} and {limit} (0.01: 1% fast), found {drift}"),
        ));
    }
    Ok(FaultKind::ClockSkew {
        node,
        offset_ns,
        drift_ppm: (drift * 1e6).round() as i32,
    })
}

fn omission_of(
    c: &Source,
    key: &Key,
    s: &RawScheduled,
    node: NodeId,
) -> Result<(FaultKind, FaultKind), ScenarioError> {
    let send_ppm = probability(c, &key.at("send"), s.send.unwrap_or(1.0))?;
    let receive_ppm = probability(c, &key.at("receive"), s.receive.unwrap_or(0.0))?;
    Ok((
        FaultKind::OmissionStart {
            node,
            send_ppm,
            receive_ppm,
        },
        FaultKind::OmissionEnd { node },
    ))
}

fn slow_of(
    c: &Source,
    key: &Key,
    s: &RawScheduled,
    node: NodeId,
) -> Result<(FaultKind, FaultKind), ScenarioError> {
    let factor = s.factor.ok_or_else(|| {
        c.err(
            key.at("factor"),
            "missing: how many times slower, such as 4.0",
        )
    })?;
    if !(1.0..=1000.0).contains(&factor) {
        return Err(c.err(
            key.at("factor"),
            format!("expected a factor from 1 to 1000 (4.0: four times slower), found {factor}"),
        ));
    }
    Ok((
        FaultKind::SlowStart {
            node,
            factor_pct: (factor * 100.0).round() as u32,
        },
        FaultKind::SlowEnd { node },
    ))
}

/// The schedule as a whole makes sense: a node is crashed only while up and recovered only
/// while down (a random crash spec that may crash it counts as a possible crash).
fn check_sequence(
    c: &Source,
    plan: &FaultPlan,
    origin: &[usize],
    spec: &FaultSpec,
) -> Result<(), ScenarioError> {
    let mut order: Vec<usize> = (0..plan.events.len()).collect();
    order.sort_by_key(|&i| plan.events[i].at);
    let mut down: Vec<(NodeId, usize)> = Vec::new();
    let may_crash = |node: NodeId| {
        plan.triggered.iter().any(|t| t.node == node)
            || spec
                .crashes
                .iter()
                .any(|s| s.nodes.as_ref().is_none_or(|p| p.contains(&node)))
            || spec.intermittent.is_some()
    };
    for i in order {
        let Key(entry) = Key(origin[i]);
        match plan.events[i].kind {
            FaultKind::Crash { node } => {
                if let Some(&(_, by)) = down.iter().find(|(n, _)| *n == node) {
                    return Err(c.err(
                        Key(entry).at("crash"),
                        format!(
                            "node {node} is already down then (crashed by faults.schedule[{by}]): \
                             expected a `recover` first"
                        ),
                    ));
                }
                down.push((node, entry));
            }
            FaultKind::Recover { node } => {
                let was_down = down.iter().position(|(n, _)| *n == node);
                match was_down {
                    Some(p) => {
                        down.remove(p);
                    }
                    None if may_crash(node) => {}
                    None => {
                        return Err(c.err(
                            Key(entry).at("recover"),
                            format!(
                                "node {node} never crashed before: a recovery needs an earlier \
                                 crash in the schedule or a crash spec that can crash it"
                            ),
                        ))
                    }
                }
            }
            _ => {}
        }
    }
    Ok(())
}
