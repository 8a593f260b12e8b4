//! `ftsim merge part*.json`: the sweep JSON of every shard of one sweep (`run --shard K/N
//! --format json`) combined into the summary one machine would have printed. Each scenario's
//! shard tallies are added (an order-independent fold) and judged again, so the result is
//! identical to an unsharded run apart from wall times.

use std::path::{Path, PathBuf};

use ftsim_api::sweep::{self, ScenarioSummary, Tally, SCHEMA_VERSION};
use serde::Deserialize;

use super::error::{CliError, Status};
use super::output::{color_wanted, out, outln};
use super::run::sweep_json;
use super::{App, Format};

/// The parts of a sweep document merge reads.
#[derive(Deserialize)]
struct Part {
    schema: String,
    schema_version: u32,
    shard: Option<String>,
    scenarios: Vec<ScenarioSummary>,
}

fn bad(path: &Path, why: impl std::fmt::Display) -> CliError {
    CliError::Usage(format!("{}: {why}", path.display()))
}

fn read_part(path: &Path) -> Result<Part, CliError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| bad(path, format!("cannot read the file: {e}")))?;
    let part: Part = serde_json::from_str(&text).map_err(|e| {
        bad(
            path,
            format!("not the JSON of `ftsim run --format json` ({e})"),
        )
    })?;
    if part.schema != "ftsim.sweep" || part.schema_version != SCHEMA_VERSION {
        return Err(bad(
            path,
            format!(
                "schema {} version {}, expected ftsim.sweep version {SCHEMA_VERSION}",
                part.schema, part.schema_version
            ),
        ));
    }
    Ok(part)
}

/// Every shard of one sweep, each once: "K/N" from 1/N to N/N (or a single unsharded part).
fn check_shards(paths: &[PathBuf], parts: &[Part]) -> Result<(), CliError> {
    let shards: Vec<Option<&str>> = parts.iter().map(|p| p.shard.as_deref()).collect();
    if shards.iter().all(Option::is_none) && parts.len() == 1 {
        return Ok(());
    }
    let n = parts.len();
    let mut expected: Vec<String> = (1..=n).map(|k| format!("{k}/{n}")).collect();
    for (path, shard) in paths.iter().zip(&shards) {
        let Some(at) = shard.and_then(|s| expected.iter().position(|e| e == s)) else {
            return Err(bad(
                path,
                format!(
                    "shard {shard:?} is not one of the {n} shards still expected: {expected:?}"
                ),
            ));
        };
        expected.remove(at);
    }
    Ok(())
}

/// The same scenario, at the same place, in every part.
fn same_scenarios(paths: &[PathBuf], parts: &[Part]) -> Result<(), CliError> {
    let key = |s: &ScenarioSummary| (s.file.clone(), s.name.clone(), s.seed_start, s.seeds);
    let first: Vec<_> = parts[0].scenarios.iter().map(key).collect();
    for (path, part) in paths.iter().zip(parts).skip(1) {
        if part.scenarios.iter().map(key).collect::<Vec<_>>() != first {
            return Err(bad(
                path,
                format!(
                    "its scenarios (files, names, seeds) differ from {}'s",
                    paths[0].display()
                ),
            ));
        }
    }
    Ok(())
}

pub fn cmd_merge(app: &App, paths: &[PathBuf], format: Format) -> Result<Status, CliError> {
    let parts = paths
        .iter()
        .map(|p| read_part(p))
        .collect::<Result<Vec<_>, _>>()?;
    check_shards(paths, &parts)?;
    same_scenarios(paths, &parts)?;
    let summaries: Vec<ScenarioSummary> = (0..parts[0].scenarios.len())
        .map(|i| {
            let pieces = parts.iter().map(|p| &p.scenarios[i]);
            let tally = pieces
                .clone()
                .map(|s| s.tally.clone())
                .fold(Tally::default(), Tally::merge);
            let elapsed_ms = pieces.map(|s| s.elapsed_ms).sum();
            let facts = parts[0].scenarios[i].facts();
            let mut summary = sweep::summarize_facts(&facts, tally, elapsed_ms, &app.program);
            // The shortest run overall is the shortest of its shard: that part drew its mix.
            summary.swarm_mix = parts
                .iter()
                .map(|p| &p.scenarios[i])
                .find(|s| s.replay_seed.is_some() && s.replay_seed == summary.replay_seed)
                .and_then(|s| s.swarm_mix.clone());
            summary
        })
        .collect();
    let all_ok = summaries.iter().all(|s| s.ok);
    match format {
        Format::Json => outln(&sweep_json(&summaries, all_ok)),
        Format::Text => {
            let color = color_wanted(std::io::IsTerminal::is_terminal(&std::io::stdout()));
            out(&reports::table::render_table(&summaries, color));
        }
    }
    Ok(if all_ok { Status::Met } else { Status::NotMet })
}
