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
    let detector = match info.detector {
        Some(DetectorModel::Perfect { delay }) => Some(format!(
            "needs a failure detector (default: perfect, {delay} detection delay)"
        )),
        Some(_) => Some("needs a failure detector".to_string()),
        None => None,
    };
    if let Some(detector) = detector {
        outln(&wrap("  ", &detector, 4));
    }
    let metrics = &info.metrics;
    for (what, metric) in [
        ("latency", metrics.latency),
        ("availability", metrics.availability),
    ] {
        if let Some(metric) = metric {
            let text = format!("{what}: {} ({})", metric.name, metric.help);
            outln(&wrap("  measures ", &text, 4));
        }
    }
}
