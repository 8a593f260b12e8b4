//! `ftsim merge part*.json`: the sweep JSON of every shard of one sweep (`run --shard K/N
//! --format json`) combined into the summary one machine would have printed. Each scenario's
//! shard tallies are added (an order-independent fold) and judged again, so the result is
//! identical to an unsharded run apart from wall times.

use std::path::{Path, PathBuf};

use ftsim_runner::sweep::{self, ScenarioSummary, Tally, SCHEMA_VERSION};
use serde::Deserialize;

use super::app::App;
use super::error::{CliError, Status};
use super::output::{color_wanted, out, outln, Format, FormatFlag};
use super::sweep_json::sweep_json;

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
    let text = ftsim_runner::input::read_text(path, ftsim_runner::input::RECORD_BYTES_MAX)
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
            // Quoted and escaped as Rust does (a control character is shown, not sent), and
            // clipped: the text comes from a file.
            let this = shard.map_or("none (an unsharded run)".to_string(), |s| {
                let quoted = format!("{s:?}");
                match quoted.char_indices().nth(40) {
                    Some((end, _)) => format!("{}…", &quoted[..end]),
                    None => quoted,
                }
            });
            return Err(bad(
                path,
                format!(
                    "its shard is {this}, not one of the {} shard(s) still expected: {}",
                    expected.len(),
                    expected.join(", ")
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

/// Every part's tally could come from its scenario's seeds: a part edited or corrupted is
/// refused, naming it and the scenario, rather than merged into a verdict.
fn credible_tallies(paths: &[PathBuf], parts: &[Part]) -> Result<(), CliError> {
    for (path, part) in paths.iter().zip(parts) {
        for s in &part.scenarios {
            if let Some(why) = s.tally.contradiction(s.seeds_swept()) {
                return Err(bad(
                    path,
                    format!("scenario {}: its tally counts {why}", s.name),
                ));
            }
        }
    }
    Ok(())
}

/// Scenario `i` of every part, its tallies added and judged again; all its seeds must have
/// run, each in one shard.
fn merged(app: &App, parts: &[Part], i: usize) -> Result<ScenarioSummary, CliError> {
    let pieces = parts.iter().map(|p| &p.scenarios[i]);
    let tally = (pieces.clone())
        .map(|s| s.tally.clone())
        .fold(Tally::default(), Tally::merge);
    let first = &parts[0].scenarios[i];
    if tally.runs != first.seeds {
        return Err(CliError::Usage(format!(
            "scenario {}: the parts ran {} of its {} seeds, which every sweep runs once \
             (parts of different sweeps?)",
            first.name, tally.runs, first.seeds
        )));
    }
    let elapsed_ms = pieces.fold(0, |sum: u64, s| sum.saturating_add(s.elapsed_ms));
    let mut summary = sweep::summarize_facts(&first.facts(), tally, elapsed_ms, &app.program);
    // The shortest run overall is the shortest of its shard: that part drew its mix.
    summary.swarm_mix = parts
        .iter()
        .map(|p| &p.scenarios[i])
        .find(|s| s.replay_seed.is_some() && s.replay_seed == summary.replay_seed)
        .and_then(|s| s.swarm_mix.clone());
    Ok(summary)
}

/// Merge a sweep's shards (their JSON) into one machine's summary
#[derive(clap::Args)]
#[command(long_about = LONG_ABOUT)]
pub struct MergeArgs {
    /// The shards' JSON files
    #[arg(required = true)]
    pub parts: Vec<PathBuf>,
    #[command(flatten)]
    pub output: FormatFlag,
}

/// `ftsim help merge`.
const LONG_ABOUT: &str = "Combine the --format json output of every shard of one sweep (`ftsim \
    run --shard K/N --format json`, K from 1 to N) into the summary one machine would \
    have printed: each scenario's tallies are added and judged again, identical to an \
    unsharded run apart from wall times. Exits like `run`: 0 every expectation met, 1 \
    not, 2 if a part is missing, repeated, or from another sweep.";

/// `ftsim merge`: the parts read and checked to be every shard of one sweep, then merged.
pub fn main(args: MergeArgs, app: &App) -> Result<Status, CliError> {
    let paths = &args.parts;
    let parts = paths
        .iter()
        .map(|p| read_part(p))
        .collect::<Result<Vec<_>, _>>()?;
    check_shards(paths, &parts)?;
    same_scenarios(paths, &parts)?;
    credible_tallies(paths, &parts)?;
    let summaries: Vec<ScenarioSummary> = (0..parts[0].scenarios.len())
        .map(|i| merged(app, &parts, i))
        .collect::<Result<_, _>>()?;
    let all_ok = summaries.iter().all(|s| s.ok);
    match args.output.format {
        Format::Json => outln(&sweep_json(&summaries, all_ok)),
        Format::Text => {
            let color = color_wanted(std::io::IsTerminal::is_terminal(&std::io::stdout()));
            out(&reports::table::render_table(&summaries, color));
        }
    }
    Ok(if all_ok { Status::Met } else { Status::NotMet })
}
