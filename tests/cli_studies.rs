//! End-to-end tests of sweeps as studies: a grid of scenarios, the fault classes a protocol
//! tolerates, its envelopes, and a swarm of fault mixes.

use std::path::Path;

mod common;
use common::json_doc::assert_documented;
use common::{assert_fits_80, ftsim, json, scenario, scratch, stdout, words};

fn study(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("studies")
        .join(name)
        .display()
        .to_string()
}

fn grid_file() -> String {
    study("grid-flooding-rounds-and-nodes.toml")
}

#[test]
fn a_grid_point_equals_a_one_point_scenario_with_its_values() {
    let dir = scratch("grid");
    let o = ftsim(&["run", "--format", "json", "--seeds", "40", &grid_file()]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let doc = json(&o);
    let points = doc["scenarios"].as_array().unwrap();
    assert_eq!(points.len(), 6, "3 group sizes x 2 round counts");
    // The last key varies fastest: point 4 is nodes = 5, rounds = 3.
    let point = &points[3];
    assert_documented(&point["point"], "point");
    assert_eq!(point["point"]["index"], 4);
    assert_eq!(point["point"]["values"]["nodes"], "5");
    assert_eq!(point["point"]["values"]["params.rounds"], "3");
    assert_eq!(point["name"], "flooding-grid [nodes=5 params.rounds=3]");
    // The same scenario written out at that point, without [sweep].
    let text = std::fs::read_to_string(grid_file()).unwrap();
    let start = text.find("[sweep]").unwrap();
    let end = start + text[start..].find("[params]").unwrap();
    let single = format!("{}{}", &text[..start], &text[end..])
        .replace("nodes = 5", "nodes = 5")
        .replace("rounds = 2", "rounds = 3");
    let file = dir.join("single.toml");
    std::fs::write(&file, single).unwrap();
    let one = json(&ftsim(&[
        "run",
        "--format",
        "json",
        "--seeds",
        "40",
        file.to_str().unwrap(),
    ]));
    let one = &one["scenarios"][0];
    for key in [
        "runs",
        "failed_runs",
        "violations",
        "events",
        "messages",
        "sweep_hash",
        "latency",
    ] {
        assert_eq!(point[key], one[key], "{key}");
    }
    assert!(point["latency"]["p50_ns"].as_u64().unwrap() > 0);
    // Its replay command names the point, and replays it.
    let o = ftsim(&[
        "replay",
        &grid_file(),
        "--point",
        "4",
        "--seed",
        "0",
        "--format",
        "json",
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    // The timeline's last line replays the same point.
    let o = ftsim(&["replay", &grid_file(), "--point", "4", "--seed", "0"]);
    let last = String::from_utf8_lossy(&o.stdout)
        .lines()
        .last()
        .map(str::to_string);
    assert!(
        last.as_deref()
            .is_some_and(|l| l.ends_with("--seed 0 --point 4")),
        "{last:?}"
    );
    let o = ftsim(&["replay", &grid_file(), "--seed", "0"]);
    assert_eq!(o.status.code(), Some(2), "which point is ambiguous");
    // A point the grid does not have, or a point of a file without a grid, is named so.
    let o = ftsim(&["replay", &grid_file(), "--point", "0", "--seed", "0"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(words(&String::from_utf8_lossy(&o.stderr)).contains("--point 0: expected 1 to"));
    let plain = scenario("flooding-f1-one-round.toml");
    let o = ftsim(&["shrink", &plain, "--point", "2", "--seed", "32"]);
    assert_eq!(o.status.code(), Some(2));
    let why = words(&String::from_utf8_lossy(&o.stderr));
    assert!(
        why.contains("has no [sweep] grid (its one scenario is point 1)"),
        "{why}"
    );
}

#[test]
fn a_bad_grid_names_the_file_the_key_and_the_point() {
    let dir = scratch("bad-grid");
    let text = std::fs::read_to_string(grid_file()).unwrap();
    for (from, to, expected) in [
        (
            "nodes = [3, 5, 7]",
            "nodes = 3",
            "key `sweep.nodes`: expected a non-empty list",
        ),
        (
            "nodes = [3, 5, 7]",
            "nodes = [3, 0]",
            "at grid point 3 (nodes=0 params.rounds=2)",
        ),
        (
            "nodes = [3, 5, 7]",
            "\"params.nope\" = [1]",
            "at grid point 1",
        ),
    ] {
        let file = dir.join("bad.toml");
        std::fs::write(&file, text.replace(from, to)).unwrap();
        let o = ftsim(&["check", file.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(2));
        let err = words(&String::from_utf8_lossy(&o.stderr));
        assert!(err.contains(&format!("{}:", file.display())), "{err}");
        assert!(err.contains(expected), "{expected}: {err}");
    }
}

#[test]
fn classify_prints_a_class_per_fault_class_with_evidence() {
    let text = classify(&[&study("classify-two-phase-commit.toml"), "--seeds", "100"]);
    let row = |class: &str| {
        text.lines()
            .find(|l| l.starts_with(&format!("{class} ")))
            .unwrap_or_else(|| panic!("no row {class}: {text}"))
            .to_string()
    };
    assert!(row("none").contains("masking"), "{text}");
    // A coordinator that crashes for good blocks the participants: safe, not live.
    let crash = row("crash-stop");
    assert!(
        crash.contains("fail-safe") && crash.contains("termination, seed "),
        "{crash}"
    );
    for class in ["loss", "crash-recover", "partition"] {
        row(class);
    }
}

/// A run that a budget stops is not live, and the table says which budget stopped it: the
/// evidence column and the envelope's "breaks at" name it (they once showed nothing, and the
/// envelope "f = 0: , seed 0").
#[test]
fn classify_names_the_budget_that_stopped_a_class() {
    let dir = scratch("classify-budget");
    let file = dir.join("two-phase-commit-budget.toml");
    let text = std::fs::read_to_string(study("classify-two-phase-commit.toml")).unwrap();
    std::fs::write(&file, format!("{text}\n[budget]\nmax_events = 12\n")).unwrap();
    let file = file.display().to_string();
    let table = classify(&[&file, "--seeds", "5"]);
    let none = (table.lines())
        .find(|l| l.starts_with("none "))
        .unwrap_or_else(|| panic!("no row none: {table}"));
    assert!(
        none.contains("fail-safe") && none.contains("budget exceeded: 12 events, seed 0"),
        "{table}"
    );
    let text = envelope_of(&["--max-faults", "1", "--seeds", "5"], &file);
    let row = envelope_row(&text, 4);
    assert!(
        row.contains("f = 0: budget exceeded: 12 events, seed 0"),
        "{text}"
    );
}

/// `ftsim classify` with `args`: its table, which must fit 80 columns, after a successful exit.
fn classify(args: &[&str]) -> String {
    let args: Vec<&str> = ["classify"]
        .into_iter()
        .chain(args.iter().copied())
        .collect();
    let o = ftsim(&args);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let text = stdout(&o);
    assert_fits_80(&text);
    text
}

/// `ftsim classify --envelope` with `args` on the study `file`.
fn envelope(args: &[&str], file: &str) -> String {
    envelope_of(args, &study(file))
}

/// `ftsim classify --envelope` with `args` on the scenario at `path`.
fn envelope_of(args: &[&str], path: &str) -> String {
    let args: Vec<&str> = ["--envelope"]
        .into_iter()
        .chain(args.iter().copied())
        .chain([path])
        .collect();
    classify(&args)
}

/// The row of an envelope table for `n` nodes.
fn envelope_row(text: &str, n: usize) -> &str {
    text.lines()
        .find(|l| l.trim_start().starts_with(&format!("{n} ")))
        .unwrap_or_else(|| panic!("no row n = {n}: {text}"))
}

#[test]
fn the_byzantine_envelope_holds_one_traitor_from_four_generals() {
    let text = envelope(
        &["--byzantine", "--max-faults", "1", "--seeds", "300"],
        "envelope-byzantine.toml",
    );
    assert!(envelope_row(&text, 3).contains("f = 1: "), "{text}");
    for n in 4..=7 {
        let row = envelope_row(&text, n);
        assert!(row.split_whitespace().nth(1) == Some("1"), "{text}");
    }
}

#[test]
fn swarm_prints_the_mix_of_the_failing_seed_and_replays_it() {
    let file = scenario("primary-backup-timeout-only-partition.toml");
    let o = ftsim(&[
        "run", "--swarm", "--format", "json", "--seeds", "300", &file,
    ]);
    let doc = json(&o);
    let s = &doc["scenarios"][0];
    assert_eq!(s["swarm"], true);
    let mix = s["swarm_mix"]
        .as_str()
        .unwrap_or_else(|| panic!("no mix: {s}"));
    assert!(mix.contains("partitions"), "{mix}");
    let replay = s["replay"].as_str().unwrap();
    assert!(replay.ends_with(" --swarm"), "{replay}");
    let seed = s["replay_seed"].as_u64().unwrap().to_string();
    let o = ftsim(&[
        "replay", &file, "--seed", &seed, "--swarm", "--format", "json",
    ]);
    assert_eq!(o.status.code(), Some(1), "the swarm seed fails again");
    let text = stdout(&ftsim(&["run", "--swarm", "--seeds", "300", &file]));
    assert!(
        text.contains(&format!("swarm: seed {seed} drew ")),
        "{text}"
    );
}

#[test]
fn the_flooding_envelope_is_rounds_minus_one_crashes() {
    let text = envelope(
        &["--max-faults", "2", "--seeds", "200"],
        "envelope-flooding.toml",
    );
    // Two rounds tolerate one crash at any size; a chain of two breaks agreement once a
    // correct process is left to disagree with (n = 3 leaves only one).
    for n in 4..=7 {
        let row = envelope_row(&text, n);
        assert!(row.contains("  1  f = 2: agreement, seed "), "{text}");
    }
}

/// The commands under "to replay the evidence:", each checked to be one whole line.
fn evidence_commands(text: &str) -> Vec<Vec<String>> {
    let (_, listed) = text
        .split_once("to replay the evidence:\n")
        .unwrap_or_else(|| panic!("no evidence commands: {text}"));
    (listed.lines())
        .map(str::trim_start)
        .take_while(|l| l.starts_with("ftsim replay "))
        .map(|l| {
            let words: Vec<String> = l.split_whitespace().map(str::to_string).collect();
            assert!(words.contains(&"--seed".into()) && words.contains(&"--variant".into()));
            words
        })
        .collect()
}

/// Runs a printed command (its first word is the program) and returns its replay JSON.
fn run_printed(command: &[String]) -> serde_json::Value {
    let mut args: Vec<&str> = command[1..].iter().map(String::as_str).collect();
    args.extend(["--format", "json"]);
    let o = ftsim(&args);
    assert_eq!(o.status.code(), Some(1), "{command:?} fails again");
    json(&o)
}

/// Every seed `classify` names replays, with the command printed for it, to the violation
/// its row names (the seed alone, on the file, once passed: the class is not the file's).
#[test]
fn each_classify_evidence_command_reproduces_its_violation() {
    let text = classify(&[&study("classify-two-phase-commit.toml"), "--seeds", "100"]);
    let commands = evidence_commands(&text);
    assert!(!commands.is_empty(), "{text}");
    for command in commands {
        let variant = &command[command.iter().position(|w| w == "--variant").unwrap() + 1];
        let seed = &command[command.iter().position(|w| w == "--seed").unwrap() + 1];
        let row = (text.lines())
            .find(|l| l.starts_with(&format!("{variant} ")))
            .unwrap_or_else(|| panic!("no row {variant}: {text}"));
        let doc = run_printed(&command);
        let property = doc["violations"][0]["property"].as_str().unwrap();
        assert!(
            row.contains(&format!("{property}, seed {seed}")),
            "{row}: {doc}"
        );
    }
}

#[test]
fn each_envelope_evidence_command_reproduces_its_violation() {
    let text = envelope(
        &["--max-faults", "2", "--seeds", "200"],
        "envelope-flooding.toml",
    );
    let commands = evidence_commands(&text);
    assert_eq!(commands.len(), 4, "n = 4 to 7 break at f = 2: {text}");
    for command in commands {
        let variant = &command[command.iter().position(|w| w == "--variant").unwrap() + 1];
        assert!(variant.ends_with("-crashes2"), "{variant}");
        let doc = run_printed(&command);
        assert_eq!(doc["violations"][0]["property"], "agreement", "{doc}");
    }
    let o = ftsim(&[
        "replay",
        &study("envelope-flooding.toml"),
        "--seed",
        "1",
        "--variant",
        "n4-lost2",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("--variant n4-lost2: expected a fault class")
    );
}
