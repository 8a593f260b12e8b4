//! Maelstrom's unique-ids, g-counter, pn-counter and lin-kv workloads over Python and Go
//! nodes, as a user runs them: each correct node passes every seed inside its model, and each
//! broken twin is caught inside the model, by the property that names its bug.

mod common;

use std::path::Path;

use common::{ftsim, json, scenario, scratch, stdout};
use serde_json::Value;

/// The one scenario of a `run --format json`.
fn run_json(file: &str) -> Value {
    let out = ftsim(&["run", "--format", "json", file]);
    json(&out)["scenarios"][0].clone()
}

fn keys(v: &Value) -> Vec<String> {
    v.as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default()
}

/// `file` passes every seed, and no run stepped outside the workload's model.
fn assert_passes(file: &str) {
    let summary = run_json(file);
    assert_eq!(summary["ok"], true, "{file}: {summary}");
    assert_eq!(summary["failed_runs"], 0, "{file}: {summary}");
    assert_eq!(summary["panics"], 0, "{file}: {summary}");
    assert!(keys(&summary["outside_violations"]).is_empty(), "{summary}");
}

/// `file` fails in at least `at_least` of its runs, by `property` alone, inside the model.
fn assert_caught(file: &str, property: &str, at_least: u64) {
    let summary = run_json(file);
    assert_eq!(summary["panics"], 0, "{file}: {summary}");
    let failed = summary["failed_runs"].as_u64().unwrap();
    assert!(
        failed >= at_least,
        "{file}: {failed} failed runs: {summary}"
    );
    assert_eq!(
        keys(&summary["first_failing_seed_by_invariant"]),
        [property],
        "{file}: {summary}"
    );
    assert!(keys(&summary["outside_violations"]).is_empty(), "{summary}");
}

#[test]
fn unique_ids_hold_across_restarts_only_for_a_node_that_syncs_its_counter() {
    assert_passes(&scenario("maelstrom-unique-ids-python.toml"));
    assert_caught(
        &scenario("maelstrom-unique-ids-python-volatile.toml"),
        "ids-unique",
        100,
    );
}

#[test]
fn counters_converge_for_a_crdt_and_catch_double_counting_and_missing_gossip() {
    assert_passes(&scenario("maelstrom-g-counter-python.toml"));
    assert_passes(&scenario("maelstrom-pn-counter-python.toml"));
    assert_caught(
        &scenario("maelstrom-pn-counter-python-sum-merge.toml"),
        "reads-bounded",
        150,
    );
    // A node that never gossips answers reads with its own adds only: every value it reads
    // is possible, but its last read lacks the others' acknowledged adds.
    let counter = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/external/python/counter.py");
    let text = std::fs::read_to_string(scenario("maelstrom-g-counter-python.toml"))
        .unwrap()
        .replace(
            "python3 ../examples/external/python/counter.py",
            &format!("python3 {} --no-gossip", counter.display()),
        );
    let file = scratch("g-counter-no-gossip").join("no-gossip.toml");
    std::fs::write(&file, text).unwrap();
    assert_caught(
        &file.display().to_string(),
        "final-reads-sum-acknowledged",
        150,
    );
}

#[test]
fn lin_kv_through_the_lin_kv_service_is_linearizable_and_through_seq_kv_or_lww_kv_is_not() {
    // Through crashes too: after a restart, the library's rpc ids start past the earlier
    // life's, so a late answer to a request sent before the crash is not taken for another.
    assert_passes(&scenario("maelstrom-lin-kv-python.toml"));
    assert_caught(
        &scenario("maelstrom-lin-kv-python-seq-kv.toml"),
        "linearizable",
        30,
    );
    assert_caught(
        &scenario("maelstrom-lin-kv-python-lww-kv.toml"),
        "linearizable",
        100,
    );
}

#[test]
fn a_stale_read_is_explained_and_its_seed_replays_with_the_services_named() {
    let file = scenario("maelstrom-lin-kv-python-seq-kv.toml");
    let summary = run_json(&file);
    let seed = summary["first_failing_seed_by_invariant"]["linearizable"]
        .as_u64()
        .unwrap()
        .to_string();
    let out = ftsim(&["replay", &file, "--seed", &seed]);
    let text = stdout(&out);
    assert!(text.contains("not linearizable"), "{text}");
    assert!(text.contains("n6 is seq-kv"), "{text}");
}

#[test]
fn lin_kv_in_go_makes_the_python_proxys_very_runs_and_its_read_cache_is_caught() {
    let go = run_json(&scenario("maelstrom-lin-kv-go.toml"));
    let python = run_json(&scenario("maelstrom-lin-kv-python.toml"));
    assert_eq!(go["ok"], true, "{go}");
    assert_eq!(go["sweep_hash"], python["sweep_hash"]);
    assert_caught(
        &scenario("maelstrom-lin-kv-go-cache.toml"),
        "linearizable",
        100,
    );
}

/// The bundled kafka scenario with the node run with `flag`, in a scratch folder.
fn kafka_with(flag: &str) -> String {
    let kafka = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/external/python/kafka.py");
    let text = std::fs::read_to_string(scenario("maelstrom-kafka-python.toml"))
        .unwrap()
        .replace(
            "python3 ../examples/external/python/kafka.py",
            &format!("python3 {} {flag}", kafka.display()),
        );
    let file = scratch(&format!("kafka{flag}")).join("kafka.toml");
    std::fs::write(&file, text).unwrap();
    file.display().to_string()
}

#[test]
fn kafka_with_one_leader_keeps_its_logs_and_each_broken_twin_is_caught_by_its_rule() {
    assert_passes(&scenario("maelstrom-kafka-python.toml"));
    assert_caught(
        &scenario("maelstrom-kafka-python-local.toml"),
        "offsets-consistent",
        150,
    );
    assert_caught(&kafka_with("--skip-one"), "no-lost-writes", 20);
    assert_caught(&kafka_with("--reversed"), "polls-ordered", 20);
}

#[test]
fn a_workloads_sweep_reports_messages_per_operation_and_a_consensus_sweep_does_not() {
    let echo = scenario("maelstrom-echo-python.toml");
    let summary = run_json(&echo);
    assert_eq!(summary["latency"]["per_operation"], true, "{summary}");
    // An echo is a request and a reply; a request still unanswered at the end has no sample.
    let messages = summary["messages"].as_u64().unwrap() as f64;
    let ops = summary["latency"]["samples"].as_u64().unwrap() as f64;
    assert!((2.0..2.1).contains(&(messages / ops)), "{summary}");
    let text = stdout(&ftsim(&["run", &echo]));
    assert!(text.contains(" messages/op"), "{text}");
    let flooding = stdout(&ftsim(&["run", &scenario("flooding-f1-two-rounds.toml")]));
    assert!(flooding.contains("messages/run"), "{flooding}");
    assert!(!flooding.contains("messages/op"), "{flooding}");
}
