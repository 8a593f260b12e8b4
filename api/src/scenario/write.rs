//! Writes a scenario file from a prepared simulation: the inverse of parsing, so a run built in
//! code (the test harness) can be replayed from the command line, and a file written here reads
//! back to the same spec (a test checks the round trip).

use sim_core::faults::OmissionSpec;
use sim_core::{DelayDist, FaultKind, FaultPlan, LinkModel, NetworkModel, PPM};
use toml::{Table, Value};

use super::Expect;
use crate::params::ParamValue;
use crate::simulation::Simulation;
use crate::sweep::Seeds;

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
    if let Some(c) = &spec.crashes {
        put("crashes", Value::try_from(c));
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
    let entries = schedule_entries(schedule);
    if !entries.is_empty() {
        t.insert("schedule".into(), entries.into());
    }
    t
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
    t.insert("send".into(), probability(o.send_ppm));
    t.insert("receive".into(), probability(o.receive_ppm));
    t.into()
}

/// The `[[faults.schedule]]` entries of a plan: one per event, an omission window's start and
/// end folded into one entry with `until`.
fn schedule_entries(plan: &FaultPlan) -> Vec<Value> {
    let mut out = Vec::new();
    for &node in &plan.byzantine {
        out.push(entry(
            "0ms".into(),
            "byzantine",
            Value::Integer(node as i64),
        ));
    }
    for (i, e) in plan.events.iter().enumerate() {
        let at = e.at.to_string();
        let v = match &e.kind {
            FaultKind::Crash { node } => entry(at, "crash", Value::Integer(*node as i64)),
            FaultKind::Recover { node } => entry(at, "recover", Value::Integer(*node as i64)),
            FaultKind::Heal => entry(at, "heal", true.into()),
            FaultKind::Partition { groups } => {
                let groups: Vec<Value> = groups
                    .iter()
                    .map(|g| {
                        g.iter()
                            .map(|&n| Value::Integer(n as i64))
                            .collect::<Vec<_>>()
                            .into()
                    })
                    .collect();
                entry(at, "partition", groups.into())
            }
            FaultKind::OmissionStart {
                node,
                send_ppm,
                receive_ppm,
            } => {
                let until = plan.events[i + 1..]
                    .iter()
                    .find_map(|later| match later.kind {
                        FaultKind::OmissionEnd { node: n } if n == *node => Some(later.at),
                        _ => None,
                    });
                let Some(until) = until else { continue };
                let mut t = match entry(at, "omission", Value::Integer(*node as i64)) {
                    Value::Table(t) => t,
                    _ => continue,
                };
                t.insert("until".into(), until.to_string().into());
                t.insert("send".into(), probability(*send_ppm));
                t.insert("receive".into(), probability(*receive_ppm));
                t.into()
            }
            FaultKind::OmissionEnd { .. } => continue,
        };
        out.push(v);
    }
    out
}

fn entry(at: String, action: &str, value: Value) -> Value {
    let mut t = Table::new();
    t.insert("at".into(), at.into());
    t.insert(action.into(), value);
    t.into()
}
