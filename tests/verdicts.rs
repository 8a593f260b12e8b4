//! Verdicts that rest on the model, end to end: a detector weaker than the protocol needs,
//! roles a protocol never faults, liveness judged against a run that ended too early, and
//! `classify` within the model.

mod common;
use common::{assert_fits_80, ftsim, json, scenario, scratch, stdout};

/// A scenario file made from a bundled one with `edits` (old, new) applied, each of which
/// must change it.
fn edited(test: &str, bundled: &str, edits: &[(&str, &str)]) -> String {
    let mut text = std::fs::read_to_string(scenario(bundled)).unwrap();
    for (old, new) in edits {
        let changed = text.replacen(old, new, 1);
        assert_ne!(changed, text, "{old:?} is not in {bundled}");
        text = changed;
    }
    let file = scratch(test).join(bundled);
    std::fs::write(&file, text).unwrap();
    file.display().to_string()
}

/// The one scenario of `run --format json` over `file` with `seeds` seeds.
fn sweep(file: &str, seeds: &str) -> serde_json::Value {
    let o = ftsim(&["run", "--format", "json", "--seeds", seeds, file]);
    json(&o)["scenarios"][0].clone()
}

/// Asynchronous flooding needs a perfect detector. Under an eventually perfect one that
/// suspects live processes, its agreement failures are outside its model, with the reason;
/// `check` says so before any run; under the perfect detector the same sweep passes.
#[test]
fn flooding_async_under_an_eventually_perfect_detector_is_outside_its_model() {
    let file = scenario("flooding-async-eventually-perfect.toml");
    let o = ftsim(&["check", &file]);
    assert!(
        stdout(&o).contains("flooding-async needs a perfect detector (P)"),
        "{}",
        stdout(&o)
    );
    let s = sweep(&file, "600");
    assert_eq!(s["violations"], serde_json::json!({}), "{s}");
    assert!(
        s["outside_violations"]["agreement"].as_u64().unwrap() > 0,
        "{s}"
    );
    let reason = s["first_outside_reason"].as_str().unwrap();
    assert!(reason.contains("suspected a live node"), "{reason}");
    assert!(
        s["faults_fired"]["false suspicion (fired)"]
            .as_u64()
            .unwrap()
            > 0
    );
    let perfect = edited(
        "flooding-async-perfect",
        "flooding-async-eventually-perfect.toml",
        &[
            ("kind = \"eventually_perfect\"", "kind = \"perfect\""),
            ("stabilize_at = \"5ms\"\nmistakes = 10\n", ""),
            ("expect = { outside = \"agreement\" }", "expect = \"pass\""),
        ],
    );
    let s = sweep(&perfect, "600");
    assert_eq!(s["failed_runs"], 0, "{s}");
    assert_eq!(s["outside_runs"], 0, "{s}");
    assert_eq!(s["ok"], true, "{s}");
}

/// False suspicions planned that never fire (the run ends before the detector's mistakes are
/// due) leave a passing sweep vacuous: not met.
#[test]
fn detector_mistakes_planned_but_never_fired_are_not_met() {
    let file = edited(
        "mistakes-never-fired",
        "flooding-async-eventually-perfect.toml",
        &[
            ("stabilize_at = \"5ms\"", "stabilize_at = \"10s\""),
            ("expect = { outside = \"agreement\" }", "expect = \"pass\""),
            ("duration = \"100ms\"", "duration = \"2ms\""),
            ("settle = \"400ms\"", "settle = \"1ms\""),
            (
                "between = [\"0ms\", \"30ms\"]",
                "between = [\"0ms\", \"1ms\"]",
            ),
        ],
    );
    let s = sweep(&file, "50");
    assert_eq!(
        s["faults_fired"]["false suspicion (fired)"],
        serde_json::Value::Null
    );
    let verdict = s["verdict"].as_str().unwrap();
    assert!(
        verdict.contains("not one of the 500 false suspicions planned fired in 50 runs"),
        "{verdict}"
    );
    assert_eq!(s["ok"], false);
}

/// rsm's clients are never faulted: a scenario that names one among the nodes that may crash
/// is flagged by `check`, naming the key and the role.
#[test]
fn a_fault_aimed_at_a_never_faulted_role_is_flagged() {
    let file = edited(
        "rsm-client-crash",
        "rsm-multi-paxos.toml",
        &[("nodes = [0, 1, 2]", "nodes = [0, 4]")],
    );
    let o = ftsim(&["check", &file]);
    let text = stdout(&o).split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        text.contains(
            "faults.crashes.nodes may fault node 4 (the clients), which rsm never faults"
        ),
        "{text}"
    );
    assert_eq!(o.status.code(), Some(0));
}

/// A liveness failure in a run that ended before the protocol could finish what it started
/// is the run ending too early, not a stuck protocol: `check` warns that `settle` is shorter
/// than what rsm declares it needs, and the sweep counts those failures outside the model,
/// naming when the operation began.
#[test]
fn a_run_that_ended_too_early_is_not_a_liveness_violation() {
    let file = edited(
        "rsm-short-settle",
        "rsm-total-order.toml",
        &[
            ("duration = \"150ms\"", "duration = \"40ms\""),
            ("settle = \"400ms\"", "settle = \"10ms\""),
        ],
    );
    let o = ftsim(&["check", &file]);
    let text = stdout(&o).split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        text.contains("settle (10ms) is shorter than the 80ms rsm needs"),
        "{text}"
    );
    let s = sweep(&file, "200");
    assert_eq!(s["violations"], serde_json::json!({}), "{s}");
    assert!(
        s["outside_violations"]["operations-return"]
            .as_u64()
            .unwrap()
            > 0,
        "{s}"
    );
    let reason = s["first_outside_reason"].as_str().unwrap();
    assert!(reason.contains("the run ended too early"), "{reason}");
    let bundled = sweep(&scenario("rsm-total-order.toml"), "200");
    assert_eq!(bundled["outside_runs"], 0, "{bundled}");
    assert_eq!(bundled["failed_runs"], 0, "{bundled}");
}

/// `classify` shows a fault class outside the protocol's model as such, with the class the
/// protocol has there apart: two-phase commit claims liveness only when crashed nodes recover.
#[test]
fn classify_shows_a_class_outside_the_model_apart() {
    let study = format!(
        "{}/studies/classify-two-phase-commit.toml",
        env!("CARGO_MANIFEST_DIR")
    );
    let o = ftsim(&["classify", &study, "--seeds", "60"]);
    let text = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{text}");
    assert_fits_80(&text);
    let row = |class: &str| {
        (text.lines())
            .find(|l| l.starts_with(&format!("{class} ")))
            .unwrap_or_else(|| panic!("no row {class}: {text}"))
            .to_string()
    };
    let crash = row("crash-stop");
    assert!(
        crash.contains("outside") && crash.contains("fail-safe"),
        "{crash}"
    );
    assert!(row("none").contains(" in "), "{text}");
    let notes = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        notes.contains(
            "crash-stop: fail-safe there, outside what two-phase-commit claims: faults.crashes \
             lets crashed nodes stay down"
        ),
        "{notes}"
    );
}

/// A class classify cannot run on a scenario (partitions of one node; recoveries within a
/// 1 ns fault phase) is a row that says so, with the keys classify set, not an error naming
/// a key or a line the file does not have.
#[test]
fn classify_names_what_it_set_when_a_class_cannot_run() {
    let file = edited(
        "classify-one-node",
        "flooding-f1-two-rounds.toml",
        &[
            ("nodes = 5", "nodes = 1"),
            ("duration = \"50ms\"", "duration = \"1ns\""),
        ],
    );
    let o = ftsim(&["classify", &file, "--seeds", "5"]);
    let text = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{text}{}", common::stderr(&o));
    assert_fits_80(&text);
    let partition = (text.lines())
        .find(|l| l.starts_with("partition "))
        .unwrap_or_default();
    assert!(partition.contains("cannot run here"), "{text}");
    let notes = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        notes.contains("partition: cannot run on this scenario: classify sets faults.partitions"),
        "{notes}"
    );
    assert!(!notes.contains(".toml:"), "no line of a file: {notes}");
}
