//! End-to-end tests of `ftsim run` as a sweep: output that fits a terminal, the JSON's
//! schema, results that survive an interruption, shards and their merge.

use std::path::Path;
use std::process::{Command, Output};

mod common;
use common::{ftsim, scenario, scratch, stdout};

fn scenarios_dir() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .display()
        .to_string()
}

/// Every line of `text` fits 80 columns.
fn assert_fits_80(text: &str) {
    for line in text.lines() {
        assert!(line.chars().count() <= 80, "wraps at 80 columns: {line:?}");
    }
}

#[test]
fn run_and_list_fit_an_80_column_terminal() {
    let o = ftsim(&["run", &scenarios_dir(), "--seeds", "3"]);
    let text = stdout(&o);
    assert!(text.lines().count() > 62, "{text}");
    assert_fits_80(&text);
    let o = ftsim(&["list"]);
    assert_fits_80(&stdout(&o));
}

/// docs/json.md's tables: object name → (key → type), from each `<!-- object: NAME -->` and
/// the `| \`key\` | type | meaning |` rows under it.
fn documented_objects(
) -> std::collections::BTreeMap<String, std::collections::BTreeMap<String, String>> {
    let doc = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/json.md"))
        .expect("docs/json.md");
    let mut objects = std::collections::BTreeMap::new();
    let mut current: Option<String> = None;
    for line in doc.lines() {
        if let Some(name) = line
            .strip_prefix("<!-- object: ")
            .and_then(|rest| rest.strip_suffix(" -->"))
        {
            current = Some(name.to_string());
            objects.insert(name.to_string(), std::collections::BTreeMap::new());
            continue;
        }
        let Some(name) = &current else { continue };
        if !line.starts_with('|') {
            if !line.trim().is_empty() {
                current = None;
            }
            continue;
        }
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        if let Some(key) = cells[1].strip_prefix('`').and_then(|k| k.strip_suffix('`')) {
            let fields = objects.get_mut(name).unwrap();
            fields.insert(key.to_string(), cells[2].to_string());
        }
    }
    objects
}

/// Whether `value` has the documented type ("integer", "string or null", ...).
fn has_type(value: &serde_json::Value, documented: &str) -> bool {
    documented.split(" or ").any(|t| match t {
        "integer" => value.is_u64() || value.is_i64(),
        "number" => value.is_number(),
        "string" => value.is_string(),
        "boolean" => value.is_boolean(),
        "object" => value.is_object(),
        "array" => value.is_array(),
        "null" => value.is_null(),
        other => panic!("docs/json.md: unknown type {other:?}"),
    })
}

/// `value` is an object with exactly the keys docs/json.md lists under `name`, each of its type.
fn assert_documented(value: &serde_json::Value, name: &str) {
    let objects = documented_objects();
    let fields = objects
        .get(name)
        .unwrap_or_else(|| panic!("docs/json.md documents no object {name:?}"));
    let map = value.as_object().expect("an object");
    let actual: Vec<&String> = map.keys().collect();
    let listed: Vec<&String> = fields.keys().collect();
    assert_eq!(
        actual, listed,
        "{name}: the output's keys and docs/json.md's differ"
    );
    for (key, documented) in fields {
        assert!(
            has_type(&map[key], documented),
            "{name}.{key}: {} is not {documented}",
            map[key]
        );
    }
}

fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", stdout(o)))
}

#[test]
fn the_json_is_what_docs_json_md_says() {
    let files = [
        "flooding-f1-one-round.toml",
        "flooding-f1-two-rounds.toml",
        "byzantine-n3-m1-equivocate.toml",
        "primary-backup-fenced.toml",
    ]
    .map(|f| format!("{}/{f}", scenarios_dir()));
    let mut args = vec!["run", "--format", "json", "--seeds", "20"];
    args.extend(files.iter().map(String::as_str));
    let o = ftsim(&args);
    let doc = json(&o);
    assert_documented(&doc, "sweep");
    assert_eq!(doc["schema"], "ftsim.sweep");
    assert_eq!(doc["schema_version"], 1);
    for scenario in doc["scenarios"].as_array().unwrap() {
        assert_documented(scenario, "scenario");
        assert_documented(&scenario["tally"], "tally");
        assert_documented(&scenario["latency"], "latency");
        assert!(
            scenario["latency"]["samples"].as_u64().unwrap() > 0,
            "{scenario}"
        );
        if !scenario["availability"].is_null() {
            assert_documented(&scenario["availability"], "availability");
        }
    }
    let replicated = &doc["scenarios"][3]["availability"];
    assert!(
        replicated["watched_ns"].as_u64().unwrap() > 0,
        "{replicated}"
    );
    for scenario in doc["scenarios"].as_array().unwrap() {
        assert!(
            scenario["verdict"].as_str().unwrap().starts_with("met: "),
            "{scenario}"
        );
    }
    let mut args = vec!["check", "--format", "json"];
    args.extend(files.iter().map(String::as_str));
    let o = ftsim(&args);
    assert_eq!(o.status.code(), Some(0));
    let doc = json(&o);
    assert_documented(&doc, "check");
    assert_eq!(doc["schema"], "ftsim.check");
    for scenario in doc["scenarios"].as_array().unwrap() {
        assert_documented(scenario, "checked");
    }
}

/// A sweep's JSON without its wall times, the only part that differs between equal sweeps.
fn without_timings(mut doc: serde_json::Value) -> serde_json::Value {
    for s in doc["scenarios"].as_array_mut().unwrap() {
        s.as_object_mut().unwrap().remove("elapsed_ms");
    }
    doc
}

fn three_scenarios() -> Vec<String> {
    [
        "flooding-f1-one-round.toml",
        "flooding-f1-two-rounds.toml",
        "byzantine-n4-m1-equivocate.toml",
    ]
    .map(|f| format!("{}/{f}", scenarios_dir()))
    .to_vec()
}

#[test]
fn a_killed_and_resumed_sweep_equals_an_uninterrupted_one() {
    let dir = scratch("resume");
    let results = dir.join("results.jsonl").display().to_string();
    let files = three_scenarios();
    let run = |extra: &[&str]| {
        let mut args = vec![
            "run",
            "--format",
            "json",
            "--seeds",
            "40",
            "--results",
            &results,
        ];
        args.extend(extra);
        args.extend(files.iter().map(String::as_str));
        ftsim(&args)
    };
    let whole = run(&[]);
    let lines: Vec<String> = std::fs::read_to_string(&results)
        .unwrap()
        .lines()
        .map(String::from)
        .collect();
    assert_eq!(lines.len(), 3, "one line per finished scenario");
    // As a kill leaves it: the first scenario written, the second cut mid-line.
    let cut = format!("{}\n{}", lines[0], &lines[1][..lines[1].len() / 2]);
    std::fs::write(&results, cut).unwrap();
    let resumed = run(&["--resume"]);
    assert_eq!(resumed.status.code(), whole.status.code());
    assert_eq!(
        without_timings(json(&resumed)),
        without_timings(json(&whole))
    );
    // The stored scenario was not run again: its wall time is the stored one.
    assert_eq!(
        json(&resumed)["scenarios"][0]["elapsed_ms"],
        json(&whole)["scenarios"][0]["elapsed_ms"]
    );
    let after = std::fs::read_to_string(&results).unwrap();
    assert_eq!(after.lines().filter(|l| l.ends_with('}')).count(), 3);
}

#[test]
fn ctrl_c_keeps_what_finished_and_exits_130() {
    let dir = scratch("interrupt");
    let text = std::fs::read_to_string(format!("{}/flooding-f1-two-rounds.toml", scenarios_dir()))
        .unwrap();
    let small = dir.join("small.toml");
    let endless = dir.join("endless.toml");
    std::fs::write(&small, text.replace("count = 2000", "count = 5")).unwrap();
    std::fs::write(&endless, text.replace("count = 2000", "count = 100000000")).unwrap();
    let results = dir.join("results.jsonl");
    let child = Command::new(env!("CARGO_BIN_EXE_ftsim"))
        .args(["run", "--jobs", "1", "--results"])
        .arg(&results)
        .arg(&small)
        .arg(&endless)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Wait (at most a minute) for the small scenario's line, then interrupt.
    for _ in 0..600 {
        let written = std::fs::read_to_string(&results).unwrap_or_default();
        if written.lines().count() == 1 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(130), "{}", stdout(&o));
    let text = stdout(&o);
    assert!(text.starts_with("ok      flooding-f1-two-rounds"), "{text}");
    assert!(
        text.ends_with("interrupted: 1 of 2 scenario(s) finished, 0 of them not met\n"),
        "{text}"
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("interrupted: 1 of 2 scenario(s) finished"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(&results).unwrap().lines().count(),
        1
    );
}

#[test]
fn merged_shards_equal_the_unsharded_sweep_for_any_jobs() {
    let dir = scratch("shards");
    let files = three_scenarios();
    let run = |extra: &[&str]| {
        let mut args = vec!["run", "--format", "json", "--seeds", "30"];
        args.extend(extra);
        args.extend(files.iter().map(String::as_str));
        ftsim(&args)
    };
    let whole = run(&["--jobs", "2"]);
    let single = without_timings(json(&whole));
    assert_eq!(without_timings(json(&run(&["--jobs", "1"]))), single);
    for n in [2, 3] {
        let mut parts = Vec::new();
        for k in 1..=n {
            let o = run(&["--jobs", "1", "--shard", &format!("{k}/{n}")]);
            assert_eq!(
                o.status.code(),
                Some(0),
                "a shard leaves the verdict to merge"
            );
            assert_eq!(json(&o)["shard"], format!("{k}/{n}"));
            let part = dir.join(format!("part-{n}-{k}.json"));
            std::fs::write(&part, &o.stdout).unwrap();
            parts.push(part.display().to_string());
        }
        parts.reverse(); // the order of the parts does not matter
        let mut args = vec!["merge", "--format", "json"];
        args.extend(parts.iter().map(String::as_str));
        let merged = ftsim(&args);
        assert_eq!(merged.status.code(), whole.status.code());
        assert_eq!(without_timings(json(&merged)), single, "{n} shards");
        // A missing shard is an error, not a smaller sweep.
        let o = ftsim(&["merge", &parts[0], &parts[1]][..if n == 3 { 3 } else { 2 }]);
        if n == 3 {
            assert_eq!(o.status.code(), Some(2));
        }
    }
}

#[test]
fn shard_auto_reads_a_job_array() {
    let file = format!("{}/flooding-f1-two-rounds.toml", scenarios_dir());
    let o = Command::new(env!("CARGO_BIN_EXE_ftsim"))
        .args([
            "run", "--format", "json", "--seeds", "10", "--shard", "auto", &file,
        ])
        .env("JOB_COMPLETION_INDEX", "1")
        .env("JOB_COMPLETIONS", "2")
        .output()
        .unwrap();
    let doc = json(&o);
    assert_eq!(doc["shard"], "2/2");
    assert_eq!(doc["scenarios"][0]["runs"], 5);
    let o = ftsim(&["run", "--shard", "auto", &file]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn junit_has_the_usual_shape_and_names_seed_invariant_and_replay() {
    let dir = scratch("junit");
    let file = dir.join("wrong.toml");
    let text = std::fs::read_to_string(format!(
        "{}/lock-server-stateless-two-owners.toml",
        scenarios_dir()
    ))
    .unwrap();
    // The scenario expects the violation it shows (seed 25); claiming a pass makes it fail.
    let wrong = text
        .lines()
        .map(|l| {
            if l.starts_with("expect") {
                "expect = \"pass\""
            } else {
                l
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(&file, wrong).unwrap();
    let xml_path = dir.join("junit.xml");
    let good = format!("{}/flooding-f1-two-rounds.toml", scenarios_dir());
    let o = ftsim(&[
        "run",
        "--seeds",
        "60",
        "--junit",
        xml_path.to_str().unwrap(),
        &good,
        file.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("junit.xml"));
    let xml = std::fs::read_to_string(&xml_path).unwrap();
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites "));
    assert!(
        xml.contains("<testsuites name=\"ftsim\" tests=\"2\" failures=\"1\""),
        "{xml}"
    );
    assert!(
        xml.contains("<testsuite name=\"flooding\" tests=\"1\" failures=\"0\""),
        "{xml}"
    );
    assert!(
        xml.contains("<testsuite name=\"lock-server\" tests=\"1\" failures=\"1\""),
        "{xml}"
    );
    assert_eq!(xml.matches("<testcase ").count(), 2);
    assert_eq!(xml.matches("<failure ").count(), 1);
    let failure = &xml[xml.find("<failure ").unwrap()..xml.find("</failure>").unwrap()];
    assert!(failure.contains("seed: "), "{failure}");
    assert!(failure.contains("invariant: mutual-exclusion"), "{failure}");
    assert!(
        failure.contains(&format!("replay: ftsim replay {} --seed ", file.display())),
        "{failure}"
    );
    assert!(xml.trim_end().ends_with("</testsuites>"));
}

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
    let o = ftsim(&["replay", &grid_file(), "--seed", "0"]);
    assert_eq!(o.status.code(), Some(2), "which point is ambiguous");
    // A point the grid does not have, or a point of a file without a grid, is named so.
    let o = ftsim(&["replay", &grid_file(), "--point", "0", "--seed", "0"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--point 0: expected 1 to "));
    let plain = scenario("flooding-f1-one-round.toml");
    let o = ftsim(&["shrink", &plain, "--point", "2", "--seed", "32"]);
    assert_eq!(o.status.code(), Some(2));
    let why = String::from_utf8_lossy(&o.stderr);
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
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(&format!("{}:", file.display())), "{err}");
        assert!(err.contains(expected), "{expected}: {err}");
    }
}

#[test]
fn classify_prints_a_class_per_fault_class_with_evidence() {
    let o = ftsim(&[
        "classify",
        &study("classify-two-phase-commit.toml"),
        "--seeds",
        "100",
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let text = stdout(&o);
    assert_fits_80(&text);
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

#[test]
fn the_byzantine_envelope_holds_one_traitor_from_four_generals() {
    let o = ftsim(&[
        "classify",
        "--envelope",
        "--byzantine",
        "--max-faults",
        "1",
        "--seeds",
        "300",
        &study("envelope-byzantine.toml"),
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let text = stdout(&o);
    assert_fits_80(&text);
    let row = |n: usize| {
        text.lines()
            .find(|l| l.trim_start().starts_with(&format!("{n} ")))
            .unwrap_or_else(|| panic!("no row n = {n}: {text}"))
            .to_string()
    };
    assert!(row(3).contains("f = 1: "), "{text}");
    for n in 4..=7 {
        assert!(row(n).split_whitespace().nth(1) == Some("1"), "{text}");
    }
}

#[test]
fn swarm_prints_the_mix_of_the_failing_seed_and_replays_it() {
    let file = format!(
        "{}/primary-backup-timeout-only-partition.toml",
        scenarios_dir()
    );
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
    let o = ftsim(&[
        "classify",
        "--envelope",
        "--max-faults",
        "2",
        "--seeds",
        "200",
        &study("envelope-flooding.toml"),
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let text = stdout(&o);
    assert_fits_80(&text);
    // Two rounds tolerate one crash at any size; a chain of two breaks agreement once a
    // correct process is left to disagree with (n = 3 leaves only one).
    for n in 4..=7 {
        let row = text
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("{n} ")))
            .unwrap_or_else(|| panic!("no row n = {n}: {text}"));
        assert!(row.contains("  1  f = 2: agreement, seed "), "{text}");
    }
}

#[test]
fn quiet_shows_only_what_was_not_met_and_color_can_be_forced() {
    let good = format!("{}/flooding-f1-two-rounds.toml", scenarios_dir());
    let o = ftsim(&["run", "--quiet", "--seeds", "20", &good, &good]);
    assert_eq!(stdout(&o), "2 scenario(s), every expectation met\n");
    let o = ftsim(&["run", "--seeds", "20", &good]);
    assert!(
        !stdout(&o).contains('\x1b'),
        "NO_COLOR and a pipe: no colour"
    );
    let o = ftsim(&["run", "--color", "always", "--seeds", "20", &good]);
    assert!(stdout(&o).starts_with("\x1b[32mok"), "{}", stdout(&o));
}
