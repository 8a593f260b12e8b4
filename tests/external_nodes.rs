//! Protocols in other languages, as a user runs them: the bundled scenarios whose nodes are
//! Python, JavaScript and Go programs, their verdicts against the Rust versions' (FloodSet and
//! two-phase commit), replay across `--jobs`, shrinking, nodes that misbehave, and no node
//! left running after ftsim.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use common::{flat, ftsim, ftsim_in, json, scenario, scratch, stderr, stdout};
use serde_json::Value;

/// The one scenario of a `run --format json`.
fn run_json(args: &[&str]) -> Value {
    let out = ftsim(&[&["run", "--format", "json"], args].concat());
    json(&out)["scenarios"][0].clone()
}

/// What a sweep concluded: met or not, and which invariants failed inside and outside the
/// model.
fn verdict(summary: &Value) -> (bool, Vec<String>, Vec<String>) {
    let keys = |v: &Value| -> Vec<String> {
        v.as_object()
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default()
    };
    (
        summary["ok"].as_bool().unwrap(),
        keys(&summary["first_failing_seed_by_invariant"]),
        keys(&summary["outside_violations"]),
    )
}

/// The Rust scenario `rust` and its Python twin `python` reach the same verdict: met, with the
/// same invariants failing inside and outside the model, over as many runs.
fn assert_same_verdicts(rust: &str, python: &str) {
    let rust = run_json(&[&scenario(rust)]);
    let python = run_json(&[&scenario(python)]);
    assert_eq!(rust["runs"], python["runs"], "{python}");
    assert_eq!(verdict(&rust), verdict(&python), "{rust}\n{python}");
    assert!(verdict(&python).0, "{python}");
}

#[test]
fn floodset_in_python_gets_the_verdicts_of_floodset_in_rust() {
    for case in [
        "f1-one-round",
        "f1-two-rounds",
        "f2-two-rounds",
        "f2-three-rounds",
        "late-detection",
    ] {
        assert_same_verdicts(
            &format!("flooding-{case}.toml"),
            &format!("external-floodset-python-{case}.toml"),
        );
    }
}

#[test]
fn two_phase_commit_in_python_gets_the_verdicts_of_two_phase_commit_in_rust() {
    for case in [
        "crash-recover",
        "intermittent",
        "coordinator-crash-blocks",
        "forgetful-participant",
        "forgetful-intermittent",
    ] {
        assert_same_verdicts(
            &format!("two-phase-commit-{case}.toml"),
            &format!("external-2pc-py-{case}.toml"),
        );
    }
}

#[test]
fn the_python_javascript_and_go_examples_meet_their_expectations() {
    for name in [
        "maelstrom-echo-python.toml",
        "maelstrom-broadcast-python.toml",
        "maelstrom-broadcast-python-no-retry.toml",
        "maelstrom-echo-js.toml",
        "maelstrom-broadcast-js.toml",
        "maelstrom-echo-go.toml",
        "maelstrom-broadcast-go.toml",
    ] {
        let summary = run_json(&[&scenario(name)]);
        assert_eq!(summary["ok"], true, "{name}: {summary}");
        assert_eq!(summary["panics"], 0, "{name}: {summary}");
    }
    // The naive broadcast is caught, not merely run.
    let naive = run_json(&[&scenario("maelstrom-broadcast-python-no-retry.toml")]);
    assert!(naive["failed_runs"].as_u64().unwrap() > 100, "{naive}");
}

#[test]
fn a_seed_of_external_nodes_replays_bit_identically_on_any_number_of_threads() {
    let file = scenario("maelstrom-broadcast-python.toml");
    let one = run_json(&[&file, "--jobs", "1", "--check-determinism"]);
    let two = run_json(&[&file, "--jobs", "2"]);
    assert_eq!(one["nondeterministic_runs"], 0);
    assert_eq!(one["sweep_hash"], two["sweep_hash"]);
    let trace_hash = |out: &std::process::Output| {
        let text = stdout(out);
        let at = text.rfind("trace hash ").expect("a trace hash");
        text[at..].split_whitespace().nth(2).unwrap().to_string()
    };
    let first = ftsim(&["replay", &file, "--seed", "7"]);
    let second = ftsim(&["replay", &file, "--seed", "7"]);
    assert_eq!(trace_hash(&first), trace_hash(&second));
}

/// The bundled Python echo scenario with its node run as `python3 SCRIPT ARGS` (`script`
/// relative to the checkout) and `(from, to)` edits, written in a scratch folder for `test`.
fn echo_scenario(test: &str, script: &str, args: &str, edits: &[(&str, &str)]) -> String {
    let node = Path::new(env!("CARGO_MANIFEST_DIR")).join(script);
    let mut text = std::fs::read_to_string(scenario("maelstrom-echo-python.toml"))
        .unwrap()
        .replace(
            "python3 ../examples/external/python/echo.py",
            format!("python3 {} {args}", node.display()).trim_end(),
        );
    for (from, to) in edits {
        text = text.replace(from, to);
    }
    let file = scratch(test).join("echo.toml");
    std::fs::write(&file, text).unwrap();
    file.display().to_string()
}

#[test]
fn a_python_node_that_iterates_a_set_of_strings_replays_in_another_ftsim() {
    let script = "tests/external/set_order.py";
    let file = echo_scenario("set-order", script, "", &[("nodes = 5", "nodes = 8")]);
    // Each run is another ftsim, so other Python processes with their own string hashes.
    let hashes: Vec<Value> = (0..3)
        .map(|_| run_json(&[&file, "--jobs", "1"])["sweep_hash"].clone())
        .collect();
    assert_eq!(hashes[0], hashes[1]);
    assert_eq!(hashes[0], hashes[2]);
}

#[test]
fn a_failing_seed_of_external_nodes_shrinks_to_a_smaller_run_with_the_same_violation() {
    let dir = scratch("external-shrink");
    let file = scenario("maelstrom-broadcast-python-no-retry.toml");
    let out = ftsim_in(&dir, &["shrink", &file, "--seed", "10"]);
    let text = flat(&out);
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains("violates \"acknowledged-read-everywhere\""),
        "{text}"
    );
    let table = stdout(&out);
    let row = table.lines().find(|l| l.starts_with("events ")).unwrap();
    let events: Vec<u64> = row
        .split_whitespace()
        .skip(1)
        .map(|n| n.parse().unwrap())
        .collect();
    assert!(events[1] < events[0], "{text}");
    let repro = dir.join("maelstrom-broadcast-python-no-retry-seed-10.repro.json");
    let replay = ftsim(&["replay", "--repro", &repro.display().to_string()]);
    let replayed = flat(&replay);
    assert!(replayed.contains("as recorded"), "{replayed}");
    assert!(
        replayed.contains("acknowledged-read-everywhere"),
        "{replayed}"
    );
}

/// An echo scenario whose node misbehaves as `mode` says in about a third of the seeds.
fn misbehaving(mode: &str) -> String {
    let dir = scratch(&format!("misbehave-{mode}"));
    let node = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/external/misbehave.py");
    let text = format!(
        "name = \"misbehave-{mode}\"\ndescription = \"a node that misbehaves\"\n\
         protocol = \"maelstrom-echo\"\nnodes = 3\nseeds = {{ start = 0, count = 12 }}\n\
         duration = \"200ms\"\nsettle = \"100ms\"\nexpect = \"pass\"\n\n[params]\n\
         node = \"python3 {} {mode}\"\nclients = 1\nops = 10\ninterval = \"2ms\"\n\
         step_timeout = \"500ms\"\nnode_memory_max_mb = 200\n",
        node.display()
    );
    let file = dir.join("misbehave.toml");
    std::fs::write(&file, text).unwrap();
    file.display().to_string()
}

#[test]
fn a_misbehaving_node_fails_its_seed_with_a_report_and_the_sweep_goes_on() {
    for (mode, said) in [
        ("hang", "did not end its step within 0.5 s"),
        ("exit", "exited (exit status: 3)"),
        ("garbage", "printed a line that is not JSON"),
        ("flood", "printed more than 100000 lines in one step"),
        ("grow", "MiB of memory, above its limit of 200 MiB"),
        ("no-init", "did not answer init with init_ok"),
    ] {
        let summary = run_json(&[&misbehaving(mode)]);
        let panics = summary["panics"].as_u64().unwrap();
        assert_eq!(summary["runs"], 12, "{mode}: every seed ran");
        assert!(panics > 0 && panics < 12, "{mode}: {panics} panics");
        assert_eq!(summary["failed_runs"].as_u64().unwrap(), panics, "{mode}");
        let report = summary["tally"]["first_panic"][1].as_str().unwrap();
        assert!(report.contains("external node n0"), "{mode}: {report}");
        assert!(report.contains(said), "{mode}: {report}");
        assert!(report.contains("handling {\"src\":"), "{mode}: {report}");
        if mode != "no-init" {
            assert!(report.contains("misbehaving now: "), "{mode}: {report}");
        }
    }
}

/// The processes whose command line holds `marker`.
fn processes_with(marker: &str) -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) else {
            continue;
        };
        let text = String::from_utf8_lossy(&cmdline).replace('\0', " ");
        if text.contains(marker) {
            found.push(text);
        }
    }
    found
}

#[test]
fn no_node_outlives_ftsim_after_ctrl_c_or_a_kill() {
    for signal in [libc::SIGINT, libc::SIGKILL] {
        let marker = format!("outlive-marker-{}-{signal}", std::process::id());
        let script = "examples/external/python/echo.py";
        let edits = [("count = 200", "count = 1000000")];
        let file = echo_scenario(&format!("outlive-{signal}"), script, &marker, &edits);
        let mut child = Command::new(env!("CARGO_BIN_EXE_ftsim"))
            .args(["run", &file])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let started = (0..200).any(|_| {
            std::thread::sleep(Duration::from_millis(50));
            !processes_with(&marker).is_empty()
        });
        assert!(started, "the nodes never started");
        // SAFETY: kill on a child this test started and has not reaped.
        unsafe { libc::kill(child.id() as i32, signal) };
        child.wait().unwrap();
        let gone = (0..100).any(|_| {
            std::thread::sleep(Duration::from_millis(20));
            processes_with(&marker).is_empty()
        });
        assert!(gone, "left running: {:?}", processes_with(&marker));
    }
}

#[test]
fn a_plain_maelstrom_node_runs_and_replays_without_the_extension() {
    for name in [
        "maelstrom-echo-plain.toml",
        "maelstrom-broadcast-plain.toml",
    ] {
        let summary = run_json(&[&scenario(name), "--seeds", "12", "--check-determinism"]);
        assert_eq!(summary["ok"], true, "{name}: {summary}");
        assert_eq!(summary["failed_runs"], 0, "{name}: {summary}");
        assert_eq!(summary["nondeterministic_runs"], 0, "{name}: {summary}");
    }
}

#[test]
fn a_plain_node_with_threads_of_its_own_runs_and_is_reported_once() {
    let script = "tests/external/plain_threads.py";
    let plain = [("ops = 20", "ops = 5\nspeaks = \"maelstrom\"")];
    for (mode, warning) in [
        ("sleeper", "runs 2 threads"),
        ("ticker", "printed between steps"),
    ] {
        let file = echo_scenario(&format!("plain-{mode}"), script, mode, &plain);
        let out = ftsim(&["run", &file, "--seeds", "6", "--jobs", "1"]);
        let said = stderr(&out);
        assert_eq!(said.matches(warning).count(), 1, "{mode}: {said}");
        if mode == "sleeper" {
            // A thread that only sleeps changes nothing: its runs pass.
            assert!(out.status.success(), "{}", flat(&out));
        }
    }
}
