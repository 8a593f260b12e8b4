//! `ftsim run --report DIR`: an index page of every scenario, the sweep's JSON, and a
//! space-time diagram of the seed worth replaying of each failing scenario.

use std::path::Path;

use ftsim_runner::sweep::ScenarioSummary;
use ftsim_runner::{RunOptions, Scenario};

use crate::cli::error::CliError;
use crate::cli::files::ReportDir;
use crate::cli::sweep_json::sweep_json;
use crate::cli::trace_sinks::{diagram_window, take_back};

/// The HTML diagram of one seed of a scenario: its run streamed into the bounded window
/// `replay --html` draws (the last entries, a page of at most `MAX_PAGE_BYTES`, a note of what
/// was left out). The trace collected whole made the report of a failing 100-node broadcast
/// (1.2 million events) grow past 24 GB.
pub fn diagram(scenario: &Scenario, seed: u64, replay: &str) -> String {
    let file = scenario.file.display().to_string();
    let labels = scenario.simulation.node_labels();
    let meta = reports::html::Meta {
        scenario: &scenario.name,
        description: &scenario.description,
        file: &file,
        protocol: scenario.simulation.protocol(),
        nodes: scenario.simulation.spec().nodes,
        labels: &labels,
        replay,
    };
    let events = scenario
        .simulation
        .run(seed, RunOptions::default())
        .stats
        .events;
    let (window, sink) = diagram_window(events);
    let run = scenario
        .simulation
        .run_streamed(seed, RunOptions::default(), sink);
    take_back(window).unwrap_or_default().render(run, &meta)
}

/// The index page while a report is being written: what a reader finds if the write was cut
/// short (Ctrl-C, a full disk) instead of diagrams without an index.
const PLACEHOLDER: &str = "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<title>ftsim report (incomplete)</title></head><body><h1>ftsim report (incomplete)</h1>\
<p>This report was being written when it was interrupted: the files next to this page may be \
from an earlier run. Run <code>ftsim run ... --report</code> again to write it whole.</p>\
</body></html>\n";

/// Writes index.html, summary.json and a diagram per failing scenario into `dir`, each file
/// atomically; index.html is a placeholder until the end, and files an earlier report wrote
/// there that this one does not are removed (see [`ReportDir`]). Returns how many diagrams it
/// wrote.
pub fn write_report(
    dir: &Path,
    scenarios: &[Scenario],
    summaries: &[ScenarioSummary],
    all_ok: bool,
) -> Result<usize, CliError> {
    let mut out = ReportDir::start(dir, PLACEHOLDER)?;
    let mut diagrams = Vec::new();
    let mut used = std::collections::BTreeSet::new();
    for (s, summary) in scenarios.iter().zip(summaries) {
        let Some(seed) = summary.replay_seed else {
            diagrams.push(None);
            continue;
        };
        // Sanitised and made unique: two scenarios may share a name.
        let stem = reports::html::file_stem(&s.name);
        let mut name = format!("{stem}-seed-{seed}.html");
        let mut k = 2;
        while !used.insert(name.clone()) {
            name = format!("{stem}-{k}-seed-{seed}.html");
            k += 1;
        }
        let replay = summary.replay.as_deref().unwrap_or_default();
        out.write(&name, &diagram(s, seed, replay))?;
        diagrams.push(Some(name));
    }
    let rows: Vec<reports::html::IndexRow<'_>> = summaries
        .iter()
        .zip(diagrams)
        .map(|(summary, diagram)| reports::html::IndexRow { summary, diagram })
        .collect();
    let diagrams = rows.iter().filter(|r| r.diagram.is_some()).count();
    out.write("summary.json", &(sweep_json(summaries, all_ok) + "\n"))?;
    out.finish(&reports::html::render_index(&rows))?;
    Ok(diagrams)
}
