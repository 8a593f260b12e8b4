//! The protocol registry: every protocol family describes itself (parameters, invariants) and
//! runs one seed given a [`RunSpec`]. This is where a protocol's process type is erased, once
//! per run: the engine stays statically dispatched inside `run`.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use sim_core::{
    Adversary, DetectorModel, FaultPlan, NetworkModel, Process, Property, PropertyKind, RunConfig,
    RunReport, Setup,
};

/// A parameter value as written in a scenario file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ParamValue {
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
}

impl fmt::Display for ParamValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParamValue::Bool(b) => write!(f, "{b}"),
            ParamValue::Int(i) => write!(f, "{i}"),
            ParamValue::Float(x) => write!(f, "{x}"),
            ParamValue::Str(s) => write!(f, "{s:?}"),
        }
    }
}

/// What values a parameter accepts.
#[derive(Clone, Debug, PartialEq)]
pub enum ParamKind {
    Int { min: i64, max: i64 },
    Bool,
    Choice(&'static [&'static str]),
}

/// A documented protocol parameter.
#[derive(Clone, Debug)]
pub struct ParamInfo {
    pub name: &'static str,
    pub kind: ParamKind,
    pub default: ParamValue,
    pub help: &'static str,
}

impl ParamInfo {
    pub fn int(name: &'static str, min: i64, max: i64, default: i64, help: &'static str) -> Self {
        ParamInfo {
            name,
            kind: ParamKind::Int { min, max },
            default: ParamValue::Int(default),
            help,
        }
    }
    pub fn boolean(name: &'static str, default: bool, help: &'static str) -> Self {
        ParamInfo {
            name,
            kind: ParamKind::Bool,
            default: ParamValue::Bool(default),
            help,
        }
    }
    pub fn choice(
        name: &'static str,
        choices: &'static [&'static str],
        default: &'static str,
        help: &'static str,
    ) -> Self {
        ParamInfo {
            name,
            kind: ParamKind::Choice(choices),
            default: ParamValue::Str(default.to_string()),
            help,
        }
    }

    /// "an integer from 1 to 20", "true or false", "one of \"a\", \"b\"".
    pub fn expected(&self) -> String {
        match &self.kind {
            ParamKind::Int { min, max } => format!("an integer from {min} to {max}"),
            ParamKind::Bool => "true or false".to_string(),
            ParamKind::Choice(c) => format!(
                "one of {}",
                c.iter()
                    .map(|s| format!("\"{s}\""))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }

    fn accepts(&self, v: &ParamValue) -> bool {
        match (&self.kind, v) {
            (ParamKind::Int { min, max }, ParamValue::Int(i)) => (*min..=*max).contains(i),
            (ParamKind::Bool, ParamValue::Bool(_)) => true,
            (ParamKind::Choice(c), ParamValue::Str(s)) => c.contains(&s.as_str()),
            _ => false,
        }
    }
}

/// A documented property of a protocol.
#[derive(Clone, Debug)]
pub struct InvariantInfo {
    pub name: &'static str,
    pub kind: PropertyKind,
    pub help: &'static str,
}

/// How a protocol family presents itself in `ftsim list` and in validation.
#[derive(Clone, Debug)]
pub struct ProtocolInfo {
    pub name: &'static str,
    pub summary: &'static str,
    pub params: Vec<ParamInfo>,
    pub invariants: Vec<InvariantInfo>,
    /// Adversaries available for Byzantine nodes (the first is the default).
    pub adversaries: Vec<&'static str>,
    /// The failure detector the protocol needs, if any (a scenario without one is rejected).
    pub needs_detector: bool,
}

/// Validated parameters: every known parameter has a value (given or default).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Params(BTreeMap<String, ParamValue>);

/// Why a scenario's protocol settings are unusable. `key` is relative to the scenario root.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{key}: {message}")]
pub struct SpecError {
    pub key: String,
    pub message: String,
}

impl SpecError {
    pub fn new(key: impl Into<String>, message: impl Into<String>) -> Self {
        SpecError {
            key: key.into(),
            message: message.into(),
        }
    }
}

impl Params {
    /// Checks given values against the protocol's parameter list and fills in defaults.
    pub fn resolve(
        info: &ProtocolInfo,
        given: &BTreeMap<String, ParamValue>,
    ) -> Result<Params, SpecError> {
        for (key, value) in given {
            let Some(p) = info.params.iter().find(|p| p.name == key) else {
                let known: Vec<&str> = info.params.iter().map(|p| p.name).collect();
                return Err(SpecError::new(
                    format!("params.{key}"),
                    if known.is_empty() {
                        format!("protocol \"{}\" takes no parameters", info.name)
                    } else {
                        format!(
                            "unknown parameter for protocol \"{}\": expected one of {}",
                            info.name,
                            known.join(", ")
                        )
                    },
                ));
            };
            if !p.accepts(value) {
                return Err(SpecError::new(
                    format!("params.{key}"),
                    format!("expected {}, found {value}", p.expected()),
                ));
            }
        }
        Ok(Params(
            info.params
                .iter()
                .map(|p| {
                    let v = given
                        .get(p.name)
                        .cloned()
                        .unwrap_or_else(|| p.default.clone());
                    (p.name.to_string(), v)
                })
                .collect(),
        ))
    }

    /// An integer parameter (validated by `resolve`, so present and in range).
    pub fn int(&self, name: &str) -> i64 {
        match self.0.get(name) {
            Some(ParamValue::Int(i)) => *i,
            other => panic!("parameter {name} is not a resolved integer: {other:?}"),
        }
    }

    pub fn boolean(&self, name: &str) -> bool {
        match self.0.get(name) {
            Some(ParamValue::Bool(b)) => *b,
            other => panic!("parameter {name} is not a resolved boolean: {other:?}"),
        }
    }

    pub fn choice(&self, name: &str) -> &str {
        match self.0.get(name) {
            Some(ParamValue::Str(s)) => s,
            other => panic!("parameter {name} is not a resolved choice: {other:?}"),
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = (&String, &ParamValue)> {
        self.0.iter()
    }
}

/// Rejects group sizes above `max` for protocols that keep node sets in fixed-width masks.
pub fn at_most_nodes(protocol: &str, max: usize, n: usize) -> Result<(), SpecError> {
    if n > max {
        return Err(SpecError::new(
            "nodes",
            format!("{protocol} supports at most {max} nodes, found {n}"),
        ));
    }
    Ok(())
}

/// Everything one run of a protocol needs.
#[derive(Clone, Debug)]
pub struct RunSpec {
    pub n: usize,
    pub params: Params,
    pub network: NetworkModel,
    pub detector: DetectorModel,
    pub plan: FaultPlan,
    pub config: RunConfig,
    /// The safety and liveness properties to check.
    pub invariants: Vec<String>,
    /// The reachability properties to track.
    pub sometimes: Vec<String>,
    /// The adversary for Byzantine nodes.
    pub adversary: String,
    pub seed: u64,
}

/// A protocol family.
pub trait Protocol: Sync {
    fn info(&self) -> ProtocolInfo;

    /// Protocol-specific checks beyond parameter types (e.g. a bound relating a parameter to
    /// the group size). Runs after `Params::resolve`.
    fn check(&self, params: &Params, n: usize) -> Result<(), SpecError> {
        let _ = (params, n);
        Ok(())
    }

    /// Runs one seed.
    fn run(&self, spec: &RunSpec) -> RunReport;
}

/// A property a protocol offers, with the constructor for a fresh instance per run.
pub struct PropertyDef<P: Process> {
    pub name: &'static str,
    pub kind: PropertyKind,
    pub help: &'static str,
    pub make: fn() -> Box<dyn Property<P>>,
}

/// The `InvariantInfo` list of a set of property definitions.
pub fn describe<P: Process>(defs: &[PropertyDef<P>]) -> Vec<InvariantInfo> {
    defs.iter()
        .map(|d| InvariantInfo {
            name: d.name,
            kind: d.kind,
            help: d.help,
        })
        .collect()
}

/// Builds the engine setup for one run from a spec: the properties the spec selects, and the
/// adversary factory for its Byzantine nodes.
pub fn setup<P: Process + 'static>(
    spec: &RunSpec,
    defs: &[PropertyDef<P>],
    factory: impl Fn(sim_core::NodeId, usize) -> P + 'static,
    adversary: Option<sim_core::engine::AdversaryFactory<P>>,
) -> Setup<P> {
    let properties = defs
        .iter()
        .filter(|d| {
            spec.invariants.iter().any(|i| i == d.name)
                || spec.sometimes.iter().any(|s| s == d.name)
        })
        .map(|d| (d.make)())
        .collect();
    Setup {
        n: spec.n,
        network: spec.network.clone(),
        detector: spec.detector,
        plan: spec.plan.clone(),
        config: spec.config,
        factory: Box::new(factory),
        properties,
        adversary,
    }
}

/// Boxes an adversary constructor as a factory for the engine.
pub fn adversary_factory<P: Process, A: Adversary<P> + 'static>(
    make: impl Fn(sim_core::NodeId) -> A + 'static,
) -> sim_core::engine::AdversaryFactory<P> {
    Box::new(move |node| Box::new(make(node)))
}
