//! Scenario files: TOML parsed strictly (unknown keys and wrong types are errors naming the key
//! path), then validated against the protocol and the group size into a [`Scenario`] that can
//! produce the [`RunSpec`] of any seed. Nothing runs until a whole file has been validated.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use protocols::{ParamValue, Params, Protocol, RunSpec, SpecError};
use serde::Deserialize;
use sim_core::faults::{ByzantineSpec, CrashSpec, OmissionSpec, PartitionSpec};
use sim_core::network::LinkOverride;
use sim_core::{
    DelayDist, DetectorModel, Duration, FaultEvent, FaultKind, FaultPlan, FaultSpec, LinkModel,
    NetworkModel, PropertyKind, RunConfig, Time, PPM,
};

/// A scenario file that cannot be used, with where and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioError {
    pub file: PathBuf,
    /// The key path ("network.loss", "faults.schedule[2].crash"), if the problem has one.
    pub key: Option<String>,
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if let Some(key) = &self.key {
            write!(f, ": key `{key}`")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for ScenarioError {}

/// What a scenario expects of its sweep.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expect {
    /// Every run passes every checked property (and every `sometimes` property is reached).
    Pass,
    /// Some run violates this property.
    Violation(String),
}

impl Expect {
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Expect::Pass => serde_json::json!("pass"),
            Expect::Violation(v) => serde_json::json!({ "violation": v }),
        }
    }
}

/// A validated scenario.
pub struct Scenario {
    pub file: PathBuf,
    pub name: String,
    pub description: String,
    pub protocol: &'static dyn Protocol,
    pub seed_start: u64,
    pub seed_count: u64,
    pub expect: Expect,
    /// The spec of every run, except `seed` and `plan`.
    pub base: RunSpec,
    pub faults: FaultSpec,
    /// The explicit schedule (and Byzantine nodes) added to every seed's random faults.
    pub fixed: FaultPlan,
}

impl Scenario {
    /// The fault plan of one seed: the random spec drawn from the seed's fault-plan stream,
    /// plus the explicit schedule.
    pub fn plan(&self, seed: u64) -> FaultPlan {
        self.faults.plan_for(self.base.n, seed, &self.fixed)
    }

    /// The full spec of one seed.
    pub fn spec(&self, seed: u64, trace: bool) -> RunSpec {
        let mut spec = self.base.clone();
        spec.seed = seed;
        spec.plan = self.plan(seed);
        spec.config.trace = trace;
        spec
    }
}

fn default_duration() -> Duration {
    Duration::from_millis(100)
}

fn default_settle() -> Duration {
    Duration::from_millis(100)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScenario {
    name: String,
    #[serde(default)]
    description: String,
    protocol: String,
    nodes: i64,
    seeds: RawSeeds,
    #[serde(default = "default_duration")]
    duration: Duration,
    #[serde(default = "default_settle")]
    settle: Duration,
    #[serde(default)]
    max_events: Option<u64>,
    expect: toml::Value,
    #[serde(default)]
    invariants: Option<Vec<String>>,
    #[serde(default)]
    sometimes: Vec<String>,
    #[serde(default)]
    params: BTreeMap<String, toml::Value>,
    #[serde(default)]
    network: RawNetwork,
    #[serde(default)]
    detector: Option<DetectorModel>,
    #[serde(default)]
    faults: RawFaults,
    #[serde(default)]
    adversary: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSeeds {
    #[serde(default)]
    start: u64,
    count: u64,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawNetwork {
    #[serde(default)]
    delay: Option<toml::Value>,
    #[serde(default)]
    loss: Option<f64>,
    #[serde(default)]
    duplicate: Option<f64>,
    #[serde(default)]
    fifo: Option<bool>,
    #[serde(default)]
    send_gap: Option<Duration>,
    #[serde(default)]
    link: Vec<RawLink>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLink {
    from: usize,
    to: usize,
    #[serde(default)]
    delay: Option<toml::Value>,
    #[serde(default)]
    loss: Option<f64>,
    #[serde(default)]
    duplicate: Option<f64>,
    #[serde(default)]
    fifo: Option<bool>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawFaults {
    #[serde(default)]
    crashes: Option<CrashSpec>,
    #[serde(default)]
    partitions: Option<PartitionSpec>,
    #[serde(default)]
    omissions: Option<RawOmissions>,
    #[serde(default)]
    byzantine: Option<ByzantineSpec>,
    #[serde(default)]
    schedule: Vec<RawScheduled>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOmissions {
    #[serde(default)]
    min: u32,
    max: u32,
    between: [Time; 2],
    lasting: [Duration; 2],
    #[serde(default)]
    send: f64,
    #[serde(default)]
    receive: f64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScheduled {
    at: Time,
    #[serde(default)]
    crash: Option<usize>,
    #[serde(default)]
    recover: Option<usize>,
    #[serde(default)]
    partition: Option<Vec<Vec<usize>>>,
    #[serde(default)]
    heal: Option<bool>,
    #[serde(default)]
    omission: Option<usize>,
    #[serde(default)]
    send: Option<f64>,
    #[serde(default)]
    receive: Option<f64>,
    #[serde(default)]
    until: Option<Time>,
    #[serde(default)]
    byzantine: Option<usize>,
}

struct Ctx<'a> {
    file: &'a Path,
    text: &'a str,
}

impl Ctx<'_> {
    fn err(&self, key: impl Into<String>, message: impl Into<String>) -> ScenarioError {
        let key = key.into();
        ScenarioError {
            file: self.file.to_path_buf(),
            line: self.line_of(&key),
            key: Some(key),
            message: message.into(),
        }
    }

    /// The line of the first key of a path ("network.loss" → the line defining `loss` under
    /// `[network]`, or a line starting with `network`), best effort, for people's editors.
    fn line_of(&self, key: &str) -> Option<usize> {
        let parts: Vec<&str> = key
            .split('.')
            .map(|p| p.split('[').next().unwrap_or(p))
            .collect();
        let last = *parts.last()?;
        let mut section = String::new();
        for (i, raw) in self.text.lines().enumerate() {
            let line = raw.trim();
            if line.starts_with('[') {
                section = line.trim_matches(|c| c == '[' || c == ']').to_string();
                continue;
            }
            let Some((k, _)) = line.split_once('=') else {
                continue;
            };
            let k = k.trim();
            let full = if section.is_empty() {
                k.to_string()
            } else {
                format!("{section}.{k}")
            };
            if full == parts.join(".") || (parts.len() == 1 && k == last) {
                return Some(i + 1);
            }
            if parts.len() > 1 && full == parts[..parts.len() - 1].join(".") {
                return Some(i + 1);
            }
        }
        None
    }
}

fn probability(c: &Ctx, key: &str, p: f64) -> Result<u32, ScenarioError> {
    if !(0.0..=1.0).contains(&p) || p.is_nan() {
        return Err(c.err(
            key,
            format!("expected a probability between 0 and 1, found {p}"),
        ));
    }
    Ok((p * PPM as f64).round() as u32)
}

fn duration_of(c: &Ctx, key: &str, v: &toml::Value) -> Result<Duration, ScenarioError> {
    match v {
        toml::Value::String(s) => s
            .parse()
            .map_err(|e: sim_core::time::ParseDurationError| c.err(key, e.to_string())),
        other => Err(c.err(
            key,
            format!("expected a duration such as \"10ms\", found {other}"),
        )),
    }
}

/// `"2ms"` (constant), `["1ms", "5ms"]` (uniform) or `{ min = "1ms", mean = "2ms" }`
/// (exponential tail above a minimum).
fn delay_of(c: &Ctx, key: &str, v: &toml::Value) -> Result<DelayDist, ScenarioError> {
    const EXPECTED: &str = "expected a delay: \"2ms\" (constant), [\"1ms\", \"5ms\"] (uniform) \
                            or { min = \"1ms\", mean = \"2ms\" } (exponential above a minimum)";
    match v {
        toml::Value::String(_) => Ok(DelayDist::Constant(duration_of(c, key, v)?)),
        toml::Value::Array(a) if a.len() == 2 => {
            let min = duration_of(c, &format!("{key}[0]"), &a[0])?;
            let max = duration_of(c, &format!("{key}[1]"), &a[1])?;
            if min > max {
                return Err(c.err(key, format!("the minimum {min} is above the maximum {max}")));
            }
            Ok(DelayDist::Uniform { min, max })
        }
        toml::Value::Table(t) => {
            for k in t.keys() {
                if k != "min" && k != "mean" {
                    return Err(c.err(format!("{key}.{k}"), format!("unknown key; {EXPECTED}")));
                }
            }
            let get = |k: &str| {
                t.get(k)
                    .ok_or_else(|| c.err(format!("{key}.{k}"), format!("missing; {EXPECTED}")))
            };
            let min = duration_of(c, &format!("{key}.min"), get("min")?)?;
            let mean = duration_of(c, &format!("{key}.mean"), get("mean")?)?;
            if mean == Duration::ZERO {
                return Err(c.err(format!("{key}.mean"), "the mean must be above zero"));
            }
            Ok(DelayDist::Exponential { min, mean })
        }
        other => Err(c.err(key, format!("{EXPECTED}, found {other}"))),
    }
}

fn param_of(c: &Ctx, key: &str, v: &toml::Value) -> Result<ParamValue, ScenarioError> {
    Ok(match v {
        toml::Value::Boolean(b) => ParamValue::Bool(*b),
        toml::Value::Integer(i) => ParamValue::Int(*i),
        toml::Value::Float(f) => ParamValue::Float(*f),
        toml::Value::String(s) => ParamValue::Str(s.clone()),
        other => {
            return Err(c.err(
                key,
                format!("expected a number, a boolean or a string, found {other}"),
            ))
        }
    })
}

fn spec_err(c: &Ctx, e: SpecError) -> ScenarioError {
    c.err(e.key, e.message)
}

fn fault_err(c: &Ctx, prefix: &str, e: sim_core::faults::FaultError) -> ScenarioError {
    c.err(format!("{prefix}.{}", e.path), e.message)
}

/// Reads and validates one scenario file.
pub fn load(file: &Path) -> Result<Scenario, ScenarioError> {
    let text = std::fs::read_to_string(file).map_err(|e| ScenarioError {
        file: file.to_path_buf(),
        key: None,
        line: None,
        message: format!("cannot read the file: {e}"),
    })?;
    parse(file, &text)
}

/// Validates scenario text (`file` names it in errors).
pub fn parse(file: &Path, text: &str) -> Result<Scenario, ScenarioError> {
    let c = Ctx { file, text };
    let raw: RawScenario = deserialize(&c)?;
    let protocol = protocols::find(&raw.protocol).ok_or_else(|| {
        let known: Vec<String> = protocols::all()
            .iter()
            .map(|p| p.info().name.to_string())
            .collect();
        c.err(
            "protocol",
            format!(
                "unknown protocol \"{}\": expected one of {}",
                raw.protocol,
                known.join(", ")
            ),
        )
    })?;
    let info = protocol.info();

    if raw.nodes < 1 || raw.nodes > 1024 {
        return Err(c.err(
            "nodes",
            format!("expected a node count from 1 to 1024, found {}", raw.nodes),
        ));
    }
    let n = raw.nodes as usize;
    if raw.seeds.count == 0 {
        return Err(c.err("seeds.count", "expected at least one seed"));
    }
    if raw.seeds.start.checked_add(raw.seeds.count).is_none() {
        return Err(c.err("seeds", "start + count overflows a 64-bit seed"));
    }
    if raw.duration == Duration::ZERO {
        return Err(c.err("duration", "expected a fault phase longer than zero"));
    }
    let max_events = raw.max_events.unwrap_or(1_000_000);
    if max_events == 0 {
        return Err(c.err("max_events", "expected at least one event"));
    }

    let mut given = BTreeMap::new();
    for (k, v) in &raw.params {
        given.insert(k.clone(), param_of(&c, &format!("params.{k}"), v)?);
    }
    let params = Params::resolve(&info, &given).map_err(|e| spec_err(&c, e))?;
    protocol.check(&params, n).map_err(|e| spec_err(&c, e))?;

    let network = network_of(&c, &raw.network, n)?;

    let detector = match raw.detector {
        Some(d) => d,
        None if info.needs_detector => DetectorModel::Perfect {
            delay: Duration::from_millis(2),
        },
        None => DetectorModel::None,
    };
    if info.needs_detector && detector == DetectorModel::None {
        return Err(c.err(
            "detector.kind",
            format!("protocol \"{}\" needs a failure detector: expected \"perfect\" or \"eventually_perfect\"", info.name),
        ));
    }

    // Properties: `invariants` selects safety/liveness ones (default: all of them);
    // `sometimes` selects reachability ones (default: none).
    let find_prop = |key: &str, name: &str| {
        info.invariants
            .iter()
            .find(|i| i.name == name)
            .ok_or_else(|| {
                let known: Vec<&str> = info.invariants.iter().map(|i| i.name).collect();
                c.err(
                    key,
                    format!(
                        "unknown property \"{name}\" of protocol \"{}\": expected one of {}",
                        info.name,
                        known.join(", ")
                    ),
                )
            })
    };
    let invariants: Vec<String> = match &raw.invariants {
        None => info
            .invariants
            .iter()
            .filter(|i| i.kind != PropertyKind::Sometimes)
            .map(|i| i.name.to_string())
            .collect(),
        Some(list) => {
            for (i, name) in list.iter().enumerate() {
                let key = format!("invariants[{i}]");
                if find_prop(&key, name)?.kind == PropertyKind::Sometimes {
                    return Err(c.err(
                        key,
                        format!("\"{name}\" is a `sometimes` property: list it under `sometimes`"),
                    ));
                }
            }
            list.clone()
        }
    };
    for (i, name) in raw.sometimes.iter().enumerate() {
        let key = format!("sometimes[{i}]");
        if find_prop(&key, name)?.kind != PropertyKind::Sometimes {
            return Err(c.err(
                key,
                format!("\"{name}\" is not a `sometimes` property: list it under `invariants`"),
            ));
        }
    }

    let expect = match &raw.expect {
        toml::Value::String(s) if s == "pass" => Expect::Pass,
        toml::Value::Table(t) if t.len() == 1 && t.contains_key("violation") => {
            match &t["violation"] {
                toml::Value::String(name) => {
                    if !invariants.contains(name) {
                        return Err(c.err(
                        "expect.violation",
                        format!("\"{name}\" is not among the checked invariants: expected one of {}", invariants.join(", ")),
                    ));
                    }
                    Expect::Violation(name.clone())
                }
                other => {
                    return Err(c.err(
                        "expect.violation",
                        format!("expected an invariant name, found {other}"),
                    ))
                }
            }
        }
        other => {
            return Err(c.err(
                "expect",
                format!("expected \"pass\" or {{ violation = \"<invariant>\" }}, found {other}"),
            ))
        }
    };

    let (faults, fixed) = faults_of(&c, &raw.faults, n, raw.duration)?;
    let any_byzantine =
        faults.byzantine.as_ref().is_some_and(|b| b.count > 0) || !fixed.byzantine.is_empty();
    let adversary = match (&raw.adversary, info.adversaries.first()) {
        (Some(a), _) if info.adversaries.contains(&a.as_str()) => a.clone(),
        (Some(a), _) => {
            return Err(c.err(
                "adversary",
                if info.adversaries.is_empty() {
                    format!(
                        "protocol \"{}\" has no Byzantine adversaries (found \"{a}\")",
                        info.name
                    )
                } else {
                    format!(
                        "unknown adversary \"{a}\": expected one of {}",
                        info.adversaries.join(", ")
                    )
                },
            ))
        }
        (None, Some(first)) => first.to_string(),
        (None, None) => "silent".to_string(),
    };
    if any_byzantine && info.adversaries.is_empty() {
        return Err(c.err(
            "faults.byzantine",
            format!("protocol \"{}\" has no Byzantine adversaries; its Byzantine nodes would only be silent (use crashes instead)", info.name),
        ));
    }

    Ok(Scenario {
        file: file.to_path_buf(),
        name: raw.name,
        description: raw.description,
        protocol,
        seed_start: raw.seeds.start,
        seed_count: raw.seeds.count,
        expect,
        base: RunSpec {
            n,
            params,
            network,
            detector,
            plan: FaultPlan::default(),
            config: RunConfig {
                duration: raw.duration,
                settle: raw.settle,
                max_events,
                trace: false,
            },
            invariants,
            sometimes: raw.sometimes,
            adversary,
            seed: 0,
        },
        faults,
        fixed,
    })
}

fn deserialize<T: serde::de::DeserializeOwned>(c: &Ctx) -> Result<T, ScenarioError> {
    let line_at = |span: Option<std::ops::Range<usize>>| {
        span.map(|s| {
            c.text.as_bytes()[..s.start.min(c.text.len())]
                .iter()
                .filter(|&&b| b == b'\n')
                .count()
                + 1
        })
    };
    let de = toml::Deserializer::parse(c.text).map_err(|e| ScenarioError {
        file: c.file.to_path_buf(),
        key: None,
        line: line_at(e.span()),
        message: format!("not valid TOML: {}", e.message()),
    })?;
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        ScenarioError {
            file: c.file.to_path_buf(),
            key: (path != ".").then_some(path),
            line: line_at(inner.span()),
            message: inner.message().to_string(),
        }
    })
}

fn link_of(
    c: &Ctx,
    key: &str,
    base: LinkModel,
    delay: &Option<toml::Value>,
    loss: Option<f64>,
    dup: Option<f64>,
    fifo: Option<bool>,
) -> Result<LinkModel, ScenarioError> {
    Ok(LinkModel {
        delay: match delay {
            Some(v) => delay_of(c, &format!("{key}delay"), v)?,
            None => base.delay,
        },
        loss_ppm: match loss {
            Some(p) => probability(c, &format!("{key}loss"), p)?,
            None => base.loss_ppm,
        },
        duplicate_ppm: match dup {
            Some(p) => probability(c, &format!("{key}duplicate"), p)?,
            None => base.duplicate_ppm,
        },
        fifo: fifo.unwrap_or(base.fifo),
    })
}

fn network_of(c: &Ctx, raw: &RawNetwork, n: usize) -> Result<NetworkModel, ScenarioError> {
    let default = link_of(
        c,
        "network.",
        LinkModel::default(),
        &raw.delay,
        raw.loss,
        raw.duplicate,
        raw.fifo,
    )?;
    let mut links = Vec::new();
    for (i, l) in raw.link.iter().enumerate() {
        let key = format!("network.link[{i}].");
        for (field, node) in [("from", l.from), ("to", l.to)] {
            if node >= n {
                return Err(c.err(
                    format!("{key}{field}"),
                    format!(
                        "node {node} does not exist: expected a node id from 0 to {}",
                        n - 1
                    ),
                ));
            }
        }
        links.push(LinkOverride {
            from: l.from,
            to: l.to,
            model: link_of(c, &key, default, &l.delay, l.loss, l.duplicate, l.fifo)?,
        });
    }
    Ok(NetworkModel {
        default,
        links,
        send_gap: raw.send_gap.unwrap_or(Duration::ZERO),
    })
}

type Faults = (FaultSpec, FaultPlan);

fn faults_of(
    c: &Ctx,
    raw: &RawFaults,
    n: usize,
    duration: Duration,
) -> Result<Faults, ScenarioError> {
    let end = Time::ZERO + duration;
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
    spec.validate(n).map_err(|e| fault_err(c, "faults", e))?;
    let windows = [
        ("crashes", spec.crashes.as_ref().map(|s| s.between)),
        ("partitions", spec.partitions.as_ref().map(|s| s.between)),
        ("omissions", spec.omissions.as_ref().map(|s| s.between)),
    ];
    for (name, w) in windows {
        if let Some(w) = w {
            if w[1] >= end {
                return Err(c.err(
                    format!("faults.{name}.between"),
                    format!("faults must happen in the fault phase, before `duration` ({duration}); found {}", w[1]),
                ));
            }
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

    let mut events = Vec::new();
    let mut byzantine = Vec::new();
    for (i, s) in raw.schedule.iter().enumerate() {
        let key = |f: &str| format!("faults.schedule[{i}].{f}");
        let first = events.len();
        if s.at >= end {
            return Err(c.err(key("at"), format!("faults must happen in the fault phase, before `duration` ({duration}); found {}", s.at)));
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
            return Err(c.err(
                format!("faults.schedule[{i}]"),
                "expected exactly one of `crash = <node>`, `recover = <node>`, `partition = [[nodes], ...]`, `heal = true`, `omission = <node>` (with `until`, `send`, `receive`), `byzantine = <node>`",
            ));
        }
        let kind = if let Some(node) = s.crash {
            FaultKind::Crash { node }
        } else if let Some(node) = s.recover {
            FaultKind::Recover { node }
        } else if let Some(groups) = &s.partition {
            FaultKind::Partition {
                groups: groups.clone(),
            }
        } else if let Some(h) = s.heal {
            if !h {
                return Err(c.err(key("heal"), "expected `heal = true`"));
            }
            FaultKind::Heal
        } else if let Some(node) = s.byzantine {
            if node >= n {
                return Err(c.err(
                    key("byzantine"),
                    format!(
                        "node {node} does not exist: expected a node id from 0 to {}",
                        n - 1
                    ),
                ));
            }
            if s.at != Time::ZERO {
                return Err(c.err(
                    key("at"),
                    "a node is Byzantine for the whole run: expected at = \"0ms\"",
                ));
            }
            byzantine.push(node);
            continue;
        } else {
            let node = s.omission.unwrap_or_default();
            let until = s.until.ok_or_else(|| {
                c.err(
                    key("until"),
                    "an omission window needs `until`, the time it ends",
                )
            })?;
            if until <= s.at {
                return Err(c.err(
                    key("until"),
                    format!("expected a time after `at` ({}), found {until}", s.at),
                ));
            }
            let send_ppm = probability(c, &key("send"), s.send.unwrap_or(1.0))?;
            let receive_ppm = probability(c, &key("receive"), s.receive.unwrap_or(0.0))?;
            events.push(FaultEvent {
                at: s.at,
                kind: FaultKind::OmissionStart {
                    node,
                    send_ppm,
                    receive_ppm,
                },
            });
            FaultKind::OmissionEnd { node }
        };
        let at = match (&kind, s.until) {
            (FaultKind::OmissionEnd { .. }, Some(u)) => u,
            _ => s.at,
        };
        if !matches!(kind, FaultKind::OmissionEnd { .. }) && s.until.is_some() {
            return Err(c.err(key("until"), "`until` only goes with `omission`"));
        }
        events.push(FaultEvent { at, kind });
        // Check this entry's events on their own, so an error names this schedule entry
        // (an omission entry becomes two plan events).
        let mine = FaultPlan {
            byzantine: Vec::new(),
            events: events[first..].to_vec(),
        };
        mine.validate(n)
            .map_err(|e| c.err(format!("faults.schedule[{i}]"), e.message))?;
    }
    Ok((spec, FaultPlan { byzantine, events }))
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
name = "t"
protocol = "flooding"
nodes = 5
seeds = { count = 10 }
expect = "pass"
[params]
rounds = 2
[network]
delay = ["1ms", "5ms"]
loss = 0.0
[faults]
crashes = { max = 1, between = ["0ms", "20ms"] }
[[faults.schedule]]
at = "10ms"
crash = 3
"#;

    fn err_of(text: &str) -> ScenarioError {
        match parse(Path::new("x.toml"), text) {
            Ok(_) => panic!("accepted:\n{text}"),
            Err(e) => e,
        }
    }

    #[test]
    fn a_good_file_loads() {
        let s = parse(Path::new("x.toml"), GOOD).unwrap();
        assert_eq!(s.base.n, 5);
        assert_eq!(s.seed_count, 10);
        assert_eq!(s.expect, Expect::Pass);
        assert_eq!(
            s.base.invariants,
            vec!["agreement", "validity", "integrity", "termination"]
        );
        let plan = s.plan(3);
        assert!(plan
            .events
            .iter()
            .any(|e| e.kind == FaultKind::Crash { node: 3 }));
        assert_eq!(plan, s.plan(3));
    }

    #[test]
    fn bad_files_name_the_key() {
        let cases: &[(&str, &str, &str)] = &[
            ("nodes = 5", "nodes = 0", "nodes"),
            ("loss = 0.0", "loss = 1.5", "network.loss"),
            ("crash = 3", "crash = 9", "faults.schedule"),
            ("max = 1,", "max = 6,", "faults.crashes.max"),
            ("rounds = 2", "rounds = \"two\"", "params.rounds"),
            ("rounds = 2", "roundz = 2", "params.roundz"),
            (
                "expect = \"pass\"",
                "expect = { violation = \"agremeent\" }",
                "expect.violation",
            ),
            (
                "protocol = \"flooding\"",
                "protocol = \"flood\"",
                "protocol",
            ),
            ("nodes = 5", "nodes = 5\nnodez = 5", "nodez"),
            (
                "delay = [\"1ms\", \"5ms\"]",
                "delay = [\"1ms\", \"5 parsecs\"]",
                "network.delay[1]",
            ),
            ("at = \"10ms\"", "at = \"500ms\"", "faults.schedule[0].at"),
            (
                "seeds = { count = 10 }",
                "seeds = { count = \"ten\" }",
                "seeds.count",
            ),
        ];
        for (from, to, key) in cases {
            assert!(GOOD.contains(from), "{from}");
            let e = err_of(&GOOD.replacen(from, to, 1));
            let shown = e.to_string();
            assert!(
                e.key.as_deref().is_some_and(|k| k.starts_with(key)),
                "{to:?}: expected key {key}, got {shown}"
            );
            assert!(shown.starts_with("x.toml"), "{shown}");
        }
    }

    #[test]
    fn errors_say_what_was_expected() {
        let e = err_of(&GOOD.replacen("crash = 3", "crash = 9", 1));
        assert!(e.message.contains("expected a node id from 0 to 4"), "{e}");
        let e = err_of(&GOOD.replacen("loss = 0.0", "loss = 1.5", 1));
        assert!(e.message.contains("between 0 and 1"), "{e}");
        let e = err_of(&GOOD.replacen("nodes = 5", "nodes = 5\nnodez = 5", 1));
        assert!(e.message.contains("unknown field `nodez`"), "{e}");
        assert_eq!(e.line, Some(5), "{e}");
    }
}
