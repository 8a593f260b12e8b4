//! One protocol's whole declaration in words (`ftsim list NAME`): what it is, its parameters,
//! properties, adversaries, the model it assumes, its detector and the figures it measures.

use ftsim_api::{DetectorModel, ProtocolInfo};
use reports::columns::wrap;

use crate::cli::output::outln;

/// One protocol, every line within 80 columns: what it is, its parameters, properties,
/// adversaries, the assumptions it declares and the detector it needs.
pub(super) fn describe(info: &ProtocolInfo) {
    outln(info.name);
    outln(&wrap("  ", info.summary, 2));
    if !info.params.is_empty() {
        outln("  parameters:");
        for param in &info.params {
            let text = format!(
                "{} = {}  ({}; {})",
                param.name,
                param.default,
                param.help,
                param.kind.expected()
            );
            outln(&wrap("    ", &text, 6));
        }
    }
    outln("  properties (by default every always and eventually one is checked, and every");
    outln("  sometimes one must be reached):");
    for p in &info.properties {
        outln(&format!("    {} ({})", p.name, p.kind));
        outln(&wrap("      ", p.help, 6));
    }
    if !info.adversaries.is_empty() {
        let names: Vec<&str> = info.adversaries.iter().map(|a| a.name).collect();
        outln(&wrap("  adversaries: ", &names.join(", "), 4));
    }
    outln(&format!(
        "  assumes (with the defaults and {} nodes):",
        ftsim_api::protocol::DEFAULT_NODES
    ));
    for line in info.model.describe() {
        outln(&wrap("    ", &line, 6));
    }
    if let Some(detector) = detector_words(info) {
        outln(&wrap("  ", &detector, 4));
    }
    for line in measures(info) {
        outln(&wrap("  measures ", &line, 4));
    }
}

/// The detector the protocol needs, in words ("needs a failure detector (default: perfect,
/// 6ms detection delay)"), if it needs one: `list NAME` and the protocol reference say it so.
pub(super) fn detector_words(info: &ProtocolInfo) -> Option<String> {
    match info.detector {
        Some(DetectorModel::Perfect { delay }) => Some(format!(
            "needs a failure detector (default: perfect, {delay} detection delay)"
        )),
        Some(_) => Some("needs a failure detector".to_string()),
        None => None,
    }
}

/// Each figure the protocol measures: "latency: time to decide (from ... to ...)".
pub(super) fn measures(info: &ProtocolInfo) -> Vec<String> {
    let metrics = &info.metrics;
    [
        ("latency", metrics.latency),
        ("availability", metrics.availability),
    ]
    .into_iter()
    .filter_map(|(what, metric)| metric.map(|m| format!("{what}: {} ({})", m.name, m.help)))
    .collect()
}
