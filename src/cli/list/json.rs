//! `ftsim list --format json`: each protocol's declaration as JSON (docs/json.md), for tools
//! and for the guide's catalogue pages.

use ftsim_api::metrics::MetricInfo;
use ftsim_api::{ParamValue, ProtocolInfo};
use serde_json::{json, Value};

/// The `ftsim.list` document: one object per protocol, in the order given.
pub(super) fn declarations(infos: &[&ProtocolInfo]) -> String {
    let protocols: Vec<Value> = infos.iter().map(|info| declaration(info)).collect();
    serde_json::to_string_pretty(&json!({
        "schema": "ftsim.list",
        "schema_version": 1,
        "protocols": protocols,
    }))
    .unwrap_or_default()
}

/// One protocol's declaration: the same facts as `ftsim list NAME` prints.
fn declaration(info: &ProtocolInfo) -> Value {
    let params: Vec<Value> = (info.params.iter())
        .map(|p| {
            json!({
                "name": p.name,
                "default": default_value(&p.default),
                "expected": p.kind.expected(),
                "help": p.help,
            })
        })
        .collect();
    let properties: Vec<Value> = (info.properties.iter())
        .map(|p| json!({ "name": p.name, "kind": p.kind.to_string(), "help": p.help }))
        .collect();
    let adversaries: Vec<Value> = (info.adversaries.iter())
        .map(|a| json!({ "name": a.name, "help": a.help }))
        .collect();
    let tolerates: Vec<Value> = (info.model.tolerated().into_iter())
        .map(|(class, bound)| {
            json!({
                "fault": class.name(),
                "at_most": bound.map(|b| b.max),
                "rule": bound.map(|b| b.rule.as_str()),
            })
        })
        .collect();
    json!({
        "name": info.name,
        "summary": info.summary,
        "params": params,
        "properties": properties,
        "adversaries": adversaries,
        "tolerates": tolerates,
        "assumes": info.model.describe(),
        "detector": info.detector,
        "latency": info.metrics.latency.map(metric),
        "latency_per_operation": info.metrics.latency_per_operation,
        "availability": info.metrics.availability.map(metric),
    })
}

/// A default as the scenario file would write it.
fn default_value(value: &ParamValue) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

fn metric(info: MetricInfo) -> Value {
    json!({ "name": info.name, "help": info.help })
}
