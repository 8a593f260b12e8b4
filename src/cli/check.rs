//! `ftsim check`: validates scenario files without running them; a line per file, or one JSON
//! document (`ftsim.check`, docs/json.md).

use std::path::PathBuf;

use ftsim_runner::sweep::SCHEMA_VERSION;
use ftsim_runner::Scenario;

use super::app::App;
use super::error::{CliError, Status};
use super::output::{out, outln, wrapped, Format, FormatFlag};
use super::scenarios::load::load_all;

/// Validate scenario files without running them
#[derive(clap::Args)]
pub struct CheckArgs {
    /// Scenario files, or directories of *.toml files
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    #[command(flatten)]
    pub output: FormatFlag,
}

/// `ftsim check`: every file loaded and validated; a line for each, or one JSON document.
pub fn main(args: CheckArgs, app: &App) -> Result<Status, CliError> {
    let scenarios = load_all(app, &args.files)?;
    match args.output.format {
        Format::Text => scenarios.iter().for_each(print_text),
        Format::Json => {
            let doc = serde_json::json!({
                "schema": "ftsim.check",
                "schema_version": SCHEMA_VERSION,
                "ok": true,
                "scenarios": scenarios.iter().map(checked_json).collect::<Vec<_>>(),
            });
            outln(&serde_json::to_string_pretty(&doc).unwrap_or_default());
        }
    }
    Ok(Status::Met)
}

fn print_text(s: &Scenario) {
    let checked = format!(
        "{} ({}, {} on {} nodes, {} seeds)",
        s.file.display(),
        s.name,
        s.simulation.protocol(),
        s.simulation.spec().nodes,
        s.seeds.count
    );
    out(&wrapped("ok: ", &checked));
    for why in s.simulation.may_step_outside() {
        let line = format!("may step outside the protocol's assumptions: {why}");
        out(&wrapped("  ", &line));
    }
}

/// One checked scenario as docs/json.md lists it.
fn checked_json(s: &Scenario) -> serde_json::Value {
    serde_json::json!({
        "file": s.file.display().to_string(),
        "name": s.name,
        "protocol": s.simulation.protocol(),
        "nodes": s.simulation.spec().nodes,
        "seed_start": s.seeds.start,
        "seeds": s.seeds.count,
        "expect": s.expect,
        "may_step_outside": s.simulation.may_step_outside(),
    })
}
