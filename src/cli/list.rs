//! `ftsim list`: every protocol with its parameters, properties, adversaries and detector.

use ftsim_api::{DetectorModel, ProtocolInfo};

use super::error::{CliError, Status};
use super::output::outln;
use super::App;

pub fn cmd_list(app: &App) -> Result<Status, CliError> {
    for info in app.catalog.infos() {
        describe(info);
    }
    Ok(Status::Met)
}

fn describe(info: &ProtocolInfo) {
    outln(&format!("{}\n  {}", info.name, info.summary));
    if !info.params.is_empty() {
        outln("  parameters:");
        for param in &info.params {
            outln(&format!(
                "    {} = {}  ({}; {})",
                param.name,
                param.default,
                param.help,
                param.kind.expected()
            ));
        }
    }
    outln("  properties (default: every always/eventually one checked, every sometimes one required):");
    for p in &info.properties {
        outln(&format!(
            "    {:<24} {:<10} {}",
            p.name,
            p.kind.to_string(),
            p.help
        ));
    }
    if !info.adversaries.is_empty() {
        let names: Vec<&str> = info.adversaries.iter().map(|a| a.name).collect();
        outln(&format!("  adversaries: {}", names.join(", ")));
    }
    outln(&format!(
        "  assumes (with the defaults and {} nodes):",
        ftsim_api::protocol::DEFAULT_NODES
    ));
    for line in info.model.describe() {
        outln(&format!("    {line}"));
    }
    match info.detector {
        Some(DetectorModel::Perfect { delay }) => outln(&format!(
            "  needs a failure detector (default: perfect, {delay} detection delay)"
        )),
        Some(_) => outln("  needs a failure detector"),
        None => {}
    }
    outln("");
}
