//! `ftsim check`: validates scenario files without running them.

use std::path::PathBuf;

use super::error::{CliError, Status};
use super::load::load_all;
use super::output::outln;
use super::App;

pub fn cmd_check(app: &App, files: &[PathBuf]) -> Result<Status, CliError> {
    for s in load_all(app, files)? {
        outln(&format!(
            "ok: {} ({}, {} on {} nodes, {} seeds)",
            s.file.display(),
            s.name,
            s.simulation.protocol(),
            s.simulation.spec().nodes,
            s.seeds.count
        ));
        for why in s.simulation.may_step_outside() {
            outln(&format!(
                "  may step outside the protocol's assumptions: {why}"
            ));
        }
    }
    Ok(Status::Met)
}
