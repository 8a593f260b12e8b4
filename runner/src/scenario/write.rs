//! Writes a scenario file from a prepared simulation: the inverse of parsing, so a run built in
//! code (the test harness) can be replayed from the command line, and a file written here reads
//! back to the same spec (a test checks the round trip).

use sim_core::faults::{
    ClockSpec, CrashSpec, OmissionSpec, SlowSpec, StorageFaults, Trigger, TriggeredCrash,
};
use sim_core::{DelayDist, Duration, FaultKind, FaultPlan, LinkModel, NetworkModel, NodeId, PPM};
use toml::{Table, Value};

use super::Expect;
use crate::seeds::Seeds;
use crate::simulation::Simulation;
use ftsim_api::params::ParamValue;

/// What a written scenario says besides its simulation.
pub struct Header<'a> {
    /// The scenario's name.
    pub name: &'a str,
    /// What it shows (empty: no `description` key).
    pub description: &'a str,
    /// The seeds a sweep runs.
    pub seeds: Seeds,
    /// What the sweep must find.
    pub expect: &'a Expect,
}

/// The scenario file of a simulation, with every default written out.
pub fn to_toml(header: &Header<'_>, sim: &dyn Simulation) -> String {
    let spec = sim.spec();
    let mut root = Table::new();
    root.insert("name".into(), header.name.into());
    if !header.description.is_empty() {
        root.insert("description".into(), header.description.into());
    }
    root.insert("protocol".into(), sim.protocol().into());
    root.insert("nodes".into(), Value::Integer(spec.nodes as i64));
    let mut seeds = Table::new();
    seeds.insert("start".into(), int(header.seeds.start));
    seeds.insert("count".into(), int(header.seeds.count));
    root.insert("seeds".into(), seeds.into());
    root.insert("duration".into(), spec.config.duration.to_string().into());
    root.insert("settle".into(), spec.config.settle.to_string().into());
    root.insert("max_events".into(), int(spec.config.max_events));
    root.insert("budget".into(), budget_table(&spec.config.budgets).into());
    root.insert("expect".into(), expect_value(header.expect));
    for (key, list) in [
        ("invariants", &spec.invariants),
        ("sometimes", &spec.sometimes),
    ] {
        if let Some(list) = list {
            root.insert(
                key.into(),
                list.iter().map(|s| s.as_str()).collect::<Vec<_>>().into(),
            );
        }
    }
    if let Some(a) = &spec.adversary {
        root.insert("adversary".into(), a.as_str().into());
    }
    root.insert("params".into(), params_table(sim).into());
    root.insert("network".into(), network_table(&spec.network).into());
    if let Some(d) = spec
        .detector
        .filter(|d| *d != sim_core::DetectorModel::None)
    {
        if let Ok(v) = Value::try_from(d) {
            root.insert("detector".into(), v);
        }
    }
    root.insert(
        "faults".into(),
        faults_table(&spec.faults, &spec.schedule).into(),
    );
    toml::to_string(&root).unwrap_or_default()
}

/// The `[budget]` table (the event budget stays at the top level, as `max_events`).
fn budget_table(budgets: &sim_core::Budgets) -> Table {
    let mut t = Table::new();
    if let Some(max) = budgets.max_time {
        t.insert("max_time".into(), max.to_string().into());
    }
    t.insert("max_in_flight".into(), int(budgets.max_in_flight));
    t.insert(
        "max_memory_mib".into(),
        int(budgets.max_memory_bytes.div_ceil(1 << 20)),
    );
    t
}

fn int(x: u64) -> Value {
    Value::Integer(i64::try_from(x).unwrap_or(i64::MAX))
}

fn probability(ppm: u32) -> Value {
    Value::Float(ppm as f64 / PPM as f64)
}

fn expect_value(e: &Expect) -> Value {
    let key = match e {
        Expect::Pass => return "pass".into(),
        Expect::Violation(_) => "violation",
        Expect::Outside(_) => "outside",
    };
    let mut t = Table::new();
    t.insert(key.into(), e.property().unwrap_or_default().into());
    t.into()
}

fn params_table(sim: &dyn Simulation) -> Table {
    sim.params()
        .into_iter()
        .map(|(k, v)| {
            let v = match v {
                ParamValue::Bool(b) => Value::Boolean(b),
                ParamValue::Int(i) => Value::Integer(i),
                ParamValue::Float(x) => Value::Float(x),
                ParamValue::Str(s) => Value::String(s),
            };
            (k, v)
        })
        .collect()
}

fn delay_value(d: &DelayDist) -> Value {
    match d {
        DelayDist::Constant(x) => x.to_string().into(),
        DelayDist::Uniform { min, max } => vec![min.to_string(), max.to_string()].into(),
        DelayDist::Exponential { min, mean } => {
            let mut t = Table::new();
            t.insert("min".into(), min.to_string().into());
            t.insert("mean".into(), mean.to_string().into());
            t.into()
        }
    }
}

fn link_keys(t: &mut Table, link: &LinkModel) {
    t.insert("delay".into(), delay_value(&link.delay));
    t.insert("loss".into(), probability(link.loss_ppm));
    t.insert("duplicate".into(), probability(link.duplicate_ppm));
    t.insert("fifo".into(), link.fifo.into());
}

fn network_table(net: &NetworkModel) -> Table {
    let mut t = Table::new();
    link_keys(&mut t, &net.default);
    t.insert("send_gap".into(), net.send_gap.to_string().into());
    if net.heals {
        t.insert("heals".into(), true.into());
    }
    let links: Vec<Value> = net
        .links
        .iter()
        .map(|l| {
            let mut lt = Table::new();
            lt.insert("from".into(), Value::Integer(l.from as i64));
            lt.insert("to".into(), Value::Integer(l.to as i64));
            link_keys(&mut lt, &l.model);
            lt.into()
        })
        .collect();
    if !links.is_empty() {
        t.insert("link".into(), links.into());
    }
    t
}

fn faults_table(spec: &sim_core::FaultSpec, schedule: &FaultPlan) -> Table {
    let mut t = Table::new();
    let mut put = |key: &str, v: Result<Value, toml::ser::Error>| {
        if let Ok(v) = v {
            t.insert(key.into(), v);
        }
    };
    let crashes: Vec<Value> = spec.crashes.iter().map(crashes_value).collect();
    match crashes.len() {
        0 => {}
        1 => put("crashes", Ok(crashes[0].clone())),
        _ => put("crashes", Ok(Value::Array(crashes))),
    }
    if let Some(p) = &spec.partitions {
        put("partitions", Value::try_from(p));
    }
    if let Some(o) = &spec.omissions {
        put("omissions", Ok(omissions_value(o)));
    }
    if let Some(b) = &spec.byzantine {
        put("byzantine", Value::try_from(b));
    }
    if let Some(i) = &spec.intermittent {
        put("intermittent", Value::try_from(i));
    }
    if let Some(k) = &spec.clocks {
        put("clocks", Ok(clocks_value(k)));
    }
    if let Some(s) = &spec.slow {
        put("slow", Ok(slow_value(s)));
    }
    if spec.storage != StorageFaults::None {
        put("storage", Value::try_from(spec.storage));
    }
    let entries = schedule_entries(schedule);
    if !entries.is_empty() {
        t.insert("schedule".into(), entries.into());
    }
    t
}

fn crashes_value(c: &CrashSpec) -> Value {
    let window = |w: [String; 2]| Value::from(w.to_vec());
    let mut t = Table::new();
    t.insert("min".into(), Value::Integer(c.min.into()));
    t.insert("max".into(), Value::Integer(c.max.into()));
    t.insert(
        "between".into(),
        window([c.between[0].to_string(), c.between[1].to_string()]),
    );
    if let Some(nodes) = &c.nodes {
        let ids: Vec<Value> = nodes.iter().map(|&n| Value::Integer(n as i64)).collect();
        t.insert("nodes".into(), ids.into());
    }
    if let Some(w) = c.recover_after {
        t.insert(
            "recover_after".into(),
            window([w[0].to_string(), w[1].to_string()]),
        );
    }
    if c.mid_broadcast_ppm > 0 {
        t.insert("mid_broadcast".into(), probability(c.mid_broadcast_ppm));
    }
    if c.chain {
        t.insert("chain".into(), true.into());
    }
    if let Some([a, b]) = c.broadcasts {
        t.insert(
            "broadcasts".into(),
            vec![Value::Integer(a.into()), Value::Integer(b.into())].into(),
        );
    }
    t.into()
}

fn clocks_value(k: &ClockSpec) -> Value {
    let mut t = Table::new();
    if let Some(nodes) = &k.nodes {
        t.insert("nodes".into(), nodes_list(nodes));
    }
    if let Some(count) = k.count {
        t.insert("count".into(), int(u64::from(count)));
    }
    t.insert(
        "offset".into(),
        k.offset_ns
            .map(|ns| Value::from(signed(ns)))
            .to_vec()
            .into(),
    );
    t.insert(
        "drift".into(),
        k.drift_ppm
            .map(|d| Value::Float(d as f64 / 1e6))
            .to_vec()
            .into(),
    );
    t.into()
}

fn slow_value(s: &SlowSpec) -> Value {
    let mut t = Table::new();
    t.insert("min".into(), int(u64::from(s.min)));
    t.insert("max".into(), int(u64::from(s.max)));
    if let Some(nodes) = &s.nodes {
        t.insert("nodes".into(), nodes_list(nodes));
    }
    t.insert(
        "between".into(),
        s.between
            .map(|x| Value::from(x.to_string()))
            .to_vec()
            .into(),
    );
    t.insert(
        "lasting".into(),
        s.lasting
            .map(|x| Value::from(x.to_string()))
            .to_vec()
            .into(),
    );
    t.insert(
        "factor".into(),
        s.factor_pct
            .map(|f| Value::Float(f as f64 / 100.0))
            .to_vec()
            .into(),
    );
    t.into()
}

fn omissions_value(o: &OmissionSpec) -> Value {
    let mut t = Table::new();
    t.insert("min".into(), Value::Integer(o.min.into()));
    t.insert("max".into(), Value::Integer(o.max.into()));
    t.insert(
        "between".into(),
        vec![o.between[0].to_string(), o.between[1].to_string()].into(),
    );
    t.insert(
        "lasting".into(),
        vec![o.lasting[0].to_string(), o.lasting[1].to_string()].into(),
    );
    if let Some(nodes) = &o.nodes {
        t.insert("nodes".into(), nodes_list(nodes));
    }
    t.insert("send".into(), probability(o.send_ppm));
    t.insert("receive".into(), probability(o.receive_ppm));
    t.into()
}

/// The `[[faults.schedule]]` entries of a plan: one per event, a window's start and end (an
/// omission, a slow node) folded into one entry with `until`.
fn schedule_entries(plan: &FaultPlan) -> Vec<Value> {
    let mut out = Vec::new();
    for &node in &plan.byzantine {
        out.push(entry("0ms".into(), "byzantine", int(node as u64)));
    }
    for t in &plan.triggered {
        out.push(triggered_entry(t));
    }
    for (i, e) in plan.events.iter().enumerate() {
        let at = e.at.to_string();
        // When the window this event opens closes (an omission or a slow node's).
        let until = || {
            let end = e.kind.window_end();
            plan.events[i + 1..]
                .iter()
                .find(|later| end.is_some() && later.kind.ends() == end)
                .map(|later| later.at.to_string())
        };
        let v = match &e.kind {
            FaultKind::Crash { node } => entry(at, "crash", int(*node as u64)),
            FaultKind::Recover { node } => entry(at, "recover", int(*node as u64)),
            FaultKind::Heal => entry(at, "heal", true.into()),
            FaultKind::Partition { groups } => entry(at, "partition", nodes_lists(groups)),
            FaultKind::OneWay { from, to } => {
                let mut w = Table::new();
                w.insert("from".into(), nodes_list(from));
                w.insert("to".into(), nodes_list(to));
                entry(at, "one_way", w.into())
            }
            FaultKind::ClockSkew {
                node,
                offset_ns,
                drift_ppm,
            } => with(
                entry(at, "skew", int(*node as u64)),
                [
                    ("offset", signed(*offset_ns).into()),
                    ("drift", Value::Float(*drift_ppm as f64 / 1e6)),
                ],
            ),
            FaultKind::OmissionStart {
                node,
                send_ppm,
                receive_ppm,
            } => {
                let n = *node;
                let Some(until) = until() else {
                    continue;
                };
                with(
                    entry(at, "omission", int(n as u64)),
                    [
                        ("until", until.into()),
                        ("send", probability(*send_ppm)),
                        ("receive", probability(*receive_ppm)),
                    ],
                )
            }
            FaultKind::SlowStart { node, factor_pct } => {
                let n = *node;
                let Some(until) = until() else {
                    continue;
                };
                with(
                    entry(at, "slow", int(n as u64)),
                    [
                        ("until", until.into()),
                        ("factor", Value::Float(*factor_pct as f64 / 100.0)),
                    ],
                )
            }
            FaultKind::OmissionEnd { .. } | FaultKind::SlowEnd { .. } => continue,
        };
        out.push(v);
    }
    out
}

/// A triggered crash as a schedule entry: `crash = <node>` with its trigger's keys.
fn triggered_entry(t: &TriggeredCrash) -> Value {
    let mut e = Table::new();
    e.insert("crash".into(), int(t.node as u64));
    let keys: Vec<(&str, Value)> = match &t.when {
        Trigger::Sends { count } => vec![("after_sends", int(*count))],
        Trigger::Broadcast { nth, sent } => vec![
            ("in_broadcast", int(u64::from(*nth))),
            ("sent", int(u64::from(*sent))),
        ],
        Trigger::Delivery { nth } => vec![("on_delivery", int(*nth))],
        Trigger::Message { kind, nth } => {
            vec![
                ("on_message", kind.as_str().into()),
                ("nth", int(u64::from(*nth))),
            ]
        }
        Trigger::Observation { kind, nth } => vec![
            ("on_observation", kind.as_str().into()),
            ("nth", int(u64::from(*nth))),
        ],
    };
    for (k, v) in keys {
        e.insert(k.into(), v);
    }
    if let Some(d) = t.recover_after {
        e.insert("recover_after".into(), d.to_string().into());
    }
    e.into()
}

fn with<const N: usize>(entry: Value, keys: [(&str, Value); N]) -> Value {
    let Value::Table(mut t) = entry else {
        return entry;
    };
    for (k, v) in keys {
        t.insert(k.into(), v);
    }
    t.into()
}

fn nodes_list(nodes: &[NodeId]) -> Value {
    nodes
        .iter()
        .map(|&n| int(n as u64))
        .collect::<Vec<_>>()
        .into()
}

fn nodes_lists(groups: &[Vec<NodeId>]) -> Value {
    groups
        .iter()
        .map(|g| nodes_list(g))
        .collect::<Vec<_>>()
        .into()
}

/// A signed duration as scenario files write it ("-3ms").
fn signed(ns: i64) -> String {
    let magnitude = Duration(ns.unsigned_abs()).to_string();
    if ns < 0 {
        format!("-{magnitude}")
    } else {
        magnitude
    }
}

fn entry(at: String, action: &str, value: Value) -> Value {
    let mut t = Table::new();
    t.insert("at".into(), at.into());
    t.insert(action.into(), value);
    t.into()
}
