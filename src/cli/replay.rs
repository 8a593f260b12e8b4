//! `ftsim replay`: one seed again, with full tracing, as a timeline, JSON, a ShiViz log and,
//! on request, an HTML space-time diagram.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use ftsim_api::sweep::replay_command;
use ftsim_api::RunOptions;

use super::error::{CliError, Status};
use super::load::load_all;
use super::output::{color_wanted, out, outln};
use super::report::diagram;
use super::{App, ReplayFormat};

/// What `replay` was asked for besides the scenario and seed.
pub struct ReplayArgs<'a> {
    pub format: ReplayFormat,
    pub html: Option<&'a Path>,
    /// Which entries the text timeline shows.
    pub filter: reports::timeline::Filter,
}

pub fn cmd_replay(
    app: &App,
    file: &Path,
    seed: u64,
    args: ReplayArgs<'_>,
) -> Result<Status, CliError> {
    let ReplayArgs {
        format,
        html,
        filter,
    } = args;
    let scenario = load_all(app, &[file.to_path_buf()])?.remove(0);
    let traced = RunOptions {
        trace: true,
        plan: None,
    };
    let report = scenario.simulation.run(seed, traced);
    if let Some(path) = html {
        std::fs::write(path, diagram(app, &scenario, &report)).map_err(|error| CliError::Io {
            path: PathBuf::from(path),
            error,
        })?;
    }
    match format {
        ReplayFormat::Shiviz => out(&reports::shiviz::export(&report)),
        ReplayFormat::Json => {
            let doc = serde_json::json!({
                "scenario": scenario.name,
                "file": scenario.file.display().to_string(),
                "seed": report.seed,
                "trace_hash": format!("{:016x}", report.trace_hash),
                "outcome": report.outcome,
                "violations": report.violations,
                "stats": report.stats,
                "plan": report.plan,
                "events": report.trace.as_deref().unwrap_or(&[]),
            });
            outln(&serde_json::to_string_pretty(&doc).unwrap_or_default());
        }
        ReplayFormat::Text => {
            outln(&format!(
                "scenario {} ({})",
                scenario.name,
                scenario.file.display()
            ));
            if !scenario.description.is_empty() {
                outln(&reports::timeline::wrap("", &scenario.description, 0));
            }
            if let Some(&n) = filter
                .nodes
                .iter()
                .find(|&&n| n >= scenario.simulation.spec().nodes)
            {
                return Err(CliError::Usage(format!(
                    "--node {n}: {} has nodes 0 to {}",
                    scenario.file.display(),
                    scenario.simulation.spec().nodes - 1
                )));
            }
            let options = reports::timeline::Options {
                color: color_wanted(std::io::stdout().is_terminal()),
                filter,
            };
            out(&reports::timeline::render(&report, &options));
            outln(&format!(
                "replay: {}",
                replay_command(&app.program, &scenario.file, seed)
            ));
        }
    }
    Ok(if report.outcome.is_ok() {
        Status::Met
    } else {
        Status::NotMet
    })
}
