//! `ftsim list`: every protocol with its parameters, properties, adversaries and detector.

use ftsim_api::{DetectorModel, ProtocolInfo};
use reports::columns::wrap;

use super::app::App;
use super::error::{CliError, Status};
use super::output::outln;

/// List protocols, their parameters with defaults, and their invariants
#[derive(clap::Args)]
pub struct ListArgs {}

/// `ftsim list`: every protocol of the catalogue, described.
pub fn main(_args: ListArgs, app: &App) -> Result<Status, CliError> {
    for info in app.catalog.infos() {
        describe(info);
    }
    Ok(Status::Met)
}

/// One protocol, every line within 80 columns: what it is, its parameters, properties,
/// adversaries, the assumptions it declares and the detector it needs.
fn describe(info: &ProtocolInfo) {
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
    outln("");
}
