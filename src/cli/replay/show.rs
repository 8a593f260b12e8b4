//! How a replayed run is shown: its trace streamed (`trace_sinks.rs`) into the timeline, the
//! JSON document or the ShiViz log asked for, and into the HTML diagram's window; then what
//! comes after the entries (the verdict, the replay command, the run's fields).

use std::io::IsTerminal;
use std::path::Path;

use ftsim_api::sim_core::TraceSink;
use ftsim_api::RunReport;

use crate::cli::error::{CliError, Status};
use crate::cli::files;
use crate::cli::output::{color_wanted, out, outln, wrapped};
use crate::cli::trace_sinks::{
    diagram_window, shared, take_back, Chunked, Collected, JsonEvents, Tee,
};

use super::args::ReplayFormat;

/// Where the replayed run comes from, for its headers and diagram.
pub struct Shown {
    /// "scenario NAME (FILE)" or "repro FILE: scenario NAME (FILE), seed S".
    pub title: String,
    pub description: String,
    pub name: String,
    /// The file to name in the diagram and JSON: the scenario's, or the repro's.
    pub file: String,
    pub protocol: String,
    pub nodes: usize,
    /// Each node's name in the protocol's text, for the diagram's lanes.
    pub labels: Vec<Option<String>>,
    pub replay: String,
    /// For a repro: whether this is its recorded run, in a line.
    pub verdict: Option<String>,
    /// Fields a repro adds to the JSON output.
    pub extra: Option<serde_json::Value>,
}

/// What the replay prints and writes.
pub struct Output<'a> {
    pub format: ReplayFormat,
    pub html: Option<&'a Path>,
    /// `--history`: where to write the clients' history.
    pub history: Option<&'a Path>,
    /// The program's name, for the commands printed.
    pub program: &'a str,
    pub filter: reports::timeline::Filter,
}

/// Writes the space-time diagram and says where (on stderr: stdout may be the JSON document).
fn write_diagram(path: &Path, html: &str) -> Result<(), CliError> {
    files::write_output(path, html.as_bytes())?;
    eprintln!("wrote the diagram: {}", path.display());
    Ok(())
}

fn status(report: &RunReport) -> Status {
    if report.outcome.is_ok() {
        Status::Met
    } else {
        Status::NotMet
    }
}

fn meta(shown: &Shown) -> reports::html::Meta<'_> {
    reports::html::Meta {
        scenario: &shown.name,
        description: &shown.description,
        file: &shown.file,
        protocol: &shown.protocol,
        nodes: shown.nodes,
        labels: &shown.labels,
        replay: &shown.replay,
    }
}

/// Runs `run` with its trace streamed to the output asked for (and to the diagram's window,
/// sized by `events`, the run's length), then prints what comes after the entries (`run`
/// may add to `shown` what it learnt).
pub fn stream(
    shown: &mut Shown,
    output: Output<'_>,
    events: impl FnOnce() -> u64,
    run: impl FnOnce(Box<dyn TraceSink>, &mut Shown) -> RunReport,
) -> Result<Status, CliError> {
    let Output {
        format,
        html,
        history,
        program,
        filter,
    } = output;
    let mut sinks = Vec::new();
    let window = html.map(|_| {
        let (window, sink) = diagram_window(events());
        sinks.push(sink);
        window
    });
    let mut timeline = None;
    let mut json = None;
    let mut collected = None;
    match format {
        ReplayFormat::Text => {
            print_title(shown);
            let options = reports::timeline::Options {
                color: color_wanted(std::io::stdout().is_terminal()),
                filter,
            };
            let mut chunks = Chunked::default();
            let write: reports::timeline::Output = Box::new(move |text: &str| chunks.push(text));
            let (rc, sink) = shared(reports::timeline::Streamer::new(options, write));
            timeline = Some(rc);
            sinks.push(sink);
        }
        ReplayFormat::Json => {
            let (rc, sink) = shared(JsonEvents::default());
            json = Some(rc);
            sinks.push(sink);
        }
        ReplayFormat::Shiviz => {
            let (rc, sink) = shared(Collected::default());
            collected = Some(rc);
            sinks.push(sink);
        }
    }
    let mut report = run(Box::new(Tee(sinks)), shown);
    if let (Some(path), Some(window)) = (html, window.and_then(take_back)) {
        write_diagram(path, &window.render(report.clone(), &meta(shown)))?;
    }
    if let Some(mut timeline) = timeline.and_then(take_back) {
        timeline.finish(&report);
        drop(timeline);
        if let Some(verdict) = &shown.verdict {
            outln(verdict);
        }
        outln(&format!("replay: {}", shown.replay));
    }
    if let Some(json) = json.and_then(take_back) {
        json.finish(&json_fields(shown, &report));
    }
    if let Some(collected) = collected.and_then(take_back) {
        report.trace = Some(collected.events);
        out(&shiviz(&report, shown.nodes));
    }
    if let Some(path) = history {
        super::client_history::write(path, &report, &shown.protocol, program)?;
    }
    Ok(status(&report))
}

fn print_title(shown: &Shown) {
    out(&wrapped("", &shown.title));
    if !shown.description.is_empty() {
        outln(&reports::columns::wrap("", &shown.description, 0));
    }
    if let Some(names) = names_in_words(&shown.labels) {
        out(&wrapped("", &names));
    }
}

/// The most node names the title lists.
const NAMES_SHOWN: usize = 12;

/// "nodes: n3 is c1, n4 is c2, n5 is lin-kv": the names the protocol gives its nodes, which
/// the trace's lines (n0, n1, …) do not show; `None` if it names none.
fn names_in_words(labels: &[Option<String>]) -> Option<String> {
    let named: Vec<String> = labels
        .iter()
        .enumerate()
        .filter_map(|(node, label)| {
            let label = label.as_deref()?;
            (label != format!("n{node}")).then(|| format!("n{node} is {label}"))
        })
        .collect();
    if named.is_empty() {
        return None;
    }
    let mut text = format!(
        "nodes: {}",
        named[..named.len().min(NAMES_SHOWN)].join(", ")
    );
    if named.len() > NAMES_SHOWN {
        text.push_str(&format!(" and {} more", named.len() - NAMES_SHOWN));
    }
    Some(text)
}

/// The ShiViz log. Above the vector clocks' node limit the trace has none, and the log's
/// clocks are empty: stderr says so rather than leave a log ShiViz cannot order.
fn shiviz(report: &RunReport, nodes: usize) -> String {
    let limit = ftsim_api::sim_core::engine::MAX_CLOCK_NODES;
    if nodes > limit {
        eprint!(
            "{}",
            wrapped(
                "warning: ",
                &format!(
                    "{nodes} nodes: traces of groups above {limit} nodes carry no vector \
                     clocks, so this ShiViz log's clocks are empty (ShiViz cannot order it)"
                )
            )
        );
    }
    reports::shiviz::export(report)
}

/// The replay's JSON document without its `events`.
fn json_fields(shown: &Shown, report: &RunReport) -> serde_json::Value {
    let mut doc = serde_json::json!({
        "scenario": shown.name,
        "file": shown.file,
        "seed": report.seed,
        "trace_hash": format!("{:016x}", report.trace_hash),
        "outcome": report.outcome,
        "violations": report.violations,
        "stats": report.stats,
        "plan": report.plan,
    });
    if let (Some(extra), Some(map)) = (&shown.extra, doc.as_object_mut()) {
        map.insert("repro".into(), extra.clone());
    }
    doc
}
