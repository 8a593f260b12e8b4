//! `replay` streams a seed's run: its JSON is the document a collected run gives, entry for
//! entry; a long run's timeline is printed as it happens and ends with its verdict; a long
//! run's diagram is a window with a note of what it left out.

mod common;

use std::path::Path;

use common::{ftsim, scenario, scratch, stdout};
use ftsim::runner::RunOptions;

/// An eager broadcast over 40 nodes: about 50,000 trace entries.
const LONG_RUN: &str = r#"name = "long-broadcast"
protocol = "broadcast"
nodes = 40
seeds = { start = 0, count = 1 }
duration = "40ms"
settle = "150ms"
expect = "pass"

[params]
mode = "eager-reliable"
link = "exactly-once"
messages = 5

[network]
delay = ["1ms", "5ms"]
"#;

#[test]
fn streamed_json_holds_the_events_of_the_collected_run() {
    let file = scenario("flooding-f1-one-round.toml");
    let out = ftsim(&["replay", &file, "--seed", "4", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("one JSON document");
    let catalog = ftsim::catalog(&[]).unwrap();
    let loaded = ftsim::runner::scenario::load(Path::new(&file), &catalog).unwrap();
    let report = loaded.simulation.run(4, RunOptions::traced());
    let events = serde_json::to_value(report.trace.unwrap()).unwrap();
    assert_eq!(doc["events"], events);
    assert_eq!(doc["trace_hash"], format!("{:016x}", report.trace_hash));
    assert_eq!(
        doc["outcome"],
        serde_json::to_value(&report.outcome).unwrap()
    );
}

#[test]
fn a_long_run_prints_as_it_goes_and_its_diagram_is_a_window() {
    let dir = scratch("long-run");
    let file = dir.join("long.toml");
    std::fs::write(&file, LONG_RUN).unwrap();
    let html = dir.join("long.html");
    let out = ftsim(&[
        "replay",
        file.to_str().unwrap(),
        "--seed",
        "0",
        "--html",
        html.to_str().unwrap(),
    ]);
    let text = stdout(&out);
    assert!(
        text.contains("a long run: more than 20000 trace entries"),
        "{text:.2000}"
    );
    let lines = text.lines().count();
    assert!(lines > 20_000, "{lines} lines");
    assert!(text.lines().all(|l| reports::columns::width(l) <= 80));
    let tail: Vec<&str> = text.lines().rev().take(4).collect();
    assert!(
        tail.iter().any(|l| l.starts_with("verdict: ok")),
        "{tail:?}"
    );
    assert!(tail.iter().any(|l| l.starts_with("replay: ")), "{tail:?}");
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains(&format!("wrote the diagram: {}", html.display())),
        "{said}"
    );
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.len() <= reports::html::MAX_PAGE_BYTES);
    assert!(page.contains("This diagram shows the last "), "no note");
    assert!(page.contains(" are left out "), "no note");
    // The JSON of the same run: every entry, streamed.
    let json = ftsim(&[
        "replay",
        file.to_str().unwrap(),
        "--seed",
        "0",
        "--format",
        "json",
    ]);
    let doc: serde_json::Value = serde_json::from_str(&stdout(&json)).expect("one document");
    assert!(doc["events"].as_array().unwrap().len() > 20_000);
}

#[test]
fn a_long_failing_runs_report_has_a_windowed_diagram() {
    let dir = scratch("long-report");
    let file = dir.join("long.toml");
    let over_budget = LONG_RUN.replace("[params]", "[budget]\nmax_events = 15_000\n\n[params]");
    std::fs::write(&file, over_budget).unwrap();
    let report = dir.join("report");
    let out = ftsim(&[
        "run",
        file.to_str().unwrap(),
        "--report",
        report.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(stdout(&out).contains("budget exceeded: 15,000 events"));
    let page = std::fs::read_to_string(report.join("long-broadcast-seed-0.html")).unwrap();
    assert!(page.len() <= reports::html::MAX_PAGE_BYTES);
    assert!(page.contains("This diagram shows the last "), "no note");
    // The processes' states are in the page (`unacked` is a field of a broadcast node's).
    assert!(page.contains("unacked"), "no process states in the page");
}

/// Independent checkpoints with message logging keep a log in stable storage that grows all
/// run long; a replay wrote the whole of it at every write, so its output grew with the log's
/// size times the writes. Each stable-storage text is now clipped at
/// `STABLE_TEXT_BYTES_MAX`, saying so: the output grows with the run's events alone.
#[test]
fn a_replay_prints_a_growing_stable_state_clipped() {
    let dir = scratch("stable-clipped");
    let text =
        std::fs::read_to_string(scenario("checkpoint-independent-logged-consistent.toml")).unwrap();
    let long = text.replacen("settle = \"150ms\"", "settle = \"3s\"", 1);
    assert_ne!(long, text);
    let file = dir.join("long-settle.toml");
    std::fs::write(&file, long).unwrap();
    let o = ftsim(&[
        "replay",
        &file.display().to_string(),
        "--seed",
        "0",
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", common::stderr(&o));
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let events = doc["events"].as_array().unwrap();
    let stable_texts: Vec<&str> = (events.iter())
        .filter(|e| e["type"] == "persist")
        .filter_map(|e| e["stable"].as_str())
        .collect();
    assert!(stable_texts.len() > 100, "{} writes", stable_texts.len());
    let limit = ftsim::api::sim_core::STABLE_TEXT_BYTES_MAX;
    assert!(stable_texts.iter().all(|t| t.len() <= limit));
    assert!(
        stable_texts
            .iter()
            .any(|t| t.ends_with(ftsim::api::sim_core::CLIPPED)),
        "the log outgrows the bound in a 3 s settle"
    );
}
