//! Stored sweep results that no sweep writes: `ftsim merge` parts with a tally that
//! contradicts its own seeds, parts whose runs do not add up to the scenario's seeds, counts
//! near 2^64 that a sweep could write (their sums saturate, never overflow), and a `--results`
//! line that `--resume` must not trust. Merging true shards is in `cli_sweep.rs`.

use std::path::{Path, PathBuf};

use serde_json::Value;

mod common;
use common::{ftsim, scenario, scratch, stderr, stdout, words};

const HUGE: u64 = u64::MAX;

/// A change to a part's tally.
type Edit = fn(&mut Value);

/// Shards 1/2 and 2/2 of a 40-seed sweep, as JSON.
fn two_shards() -> [Value; 2] {
    let file = scenario("flooding-f1-one-round.toml");
    [1, 2].map(|k| {
        let shard = format!("{k}/2");
        let args = [
            "run", &file, "--seeds", "40", "--shard", &shard, "--format", "json",
        ];
        let o = ftsim(&args);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        serde_json::from_slice(&o.stdout).expect("JSON")
    })
}

/// The first scenario's tally of a part.
fn tally(part: &mut Value) -> &mut Value {
    &mut part["scenarios"][0]["tally"]
}

/// Writes both parts under `dir` and merges them.
fn merge(dir: &Path, parts: &[Value; 2]) -> (std::process::Output, PathBuf) {
    let paths = [1, 2].map(|k| dir.join(format!("part-{k}.json")));
    for (path, part) in paths.iter().zip(parts) {
        std::fs::write(path, part.to_string()).unwrap();
    }
    let o = ftsim(&[
        "merge",
        "--format",
        "json",
        paths[0].to_str().unwrap(),
        paths[1].to_str().unwrap(),
    ]);
    (o, paths[0].clone())
}

/// Exit code 2, nothing printed, and stderr saying `what`.
fn refused(o: &std::process::Output, what: &str) {
    assert_eq!(o.status.code(), Some(2), "{}{}", stdout(o), stderr(o));
    assert!(stdout(o).is_empty(), "merged anyway:\n{}", stdout(o));
    assert!(words(&stderr(o)).contains(what), "{}", stderr(o));
}

#[test]
fn a_part_whose_tally_contradicts_its_seeds_is_refused_naming_it() {
    let dir = scratch("merge-contradiction");
    let shards = two_shards();
    let edits: [(Edit, &str); 5] = [
        (|t| t["runs"] = HUGE.into(), "runs of 40 seeds"),
        (
            |t| t["violations"] = serde_json::json!({"agreement": 5}),
            "5 runs violating \"agreement\", of 0 failed runs",
        ),
        (|t| t["panics"] = 21.into(), "21 runs panicked, of 20 runs"),
        (
            |t| t["first_outside_seed_by_invariant"]["agreement"] = 999.into(),
            "seed 999, not one of its seeds (0 to 39)",
        ),
        (
            |t| t["metrics"]["latency_buckets"] = serde_json::json!({"4294967295": 1}),
            "latency bucket 4294967295 (the last is 975)",
        ),
    ];
    for (edit, what) in edits {
        let mut parts = shards.clone();
        edit(tally(&mut parts[0]));
        let (o, first) = merge(&dir, &parts);
        let named = format!(
            "{}: scenario flooding-f1-one-round: its tally counts ",
            first.display()
        );
        refused(&o, &named);
        refused(&o, what);
    }
}

#[test]
fn parts_whose_runs_do_not_add_up_to_the_seeds_are_refused() {
    let dir = scratch("merge-short");
    let mut parts = two_shards();
    let runs = tally(&mut parts[0])["runs"].as_u64().unwrap();
    tally(&mut parts[0])["runs"] = (runs - 1).into();
    let (o, _) = merge(&dir, &parts);
    refused(&o, "the parts ran 39 of its 40 seeds");
}

/// Counts a sweep could write, however large, add up without overflow (a debug build
/// panicked on them) and merge into a summary.
#[test]
fn counts_near_two_to_the_64_saturate_when_merged() {
    let dir = scratch("merge-huge");
    let mut parts = two_shards();
    for part in &mut parts {
        let t = tally(part);
        t["events"] = HUGE.into();
        t["messages"] = HUGE.into();
        t["metrics"]["latency_buckets"] = serde_json::json!({"300": HUGE, "975": HUGE});
    }
    let (o, _) = merge(&dir, &parts);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let doc: Value = serde_json::from_slice(&o.stdout).expect("JSON");
    let merged = &doc["scenarios"][0];
    assert_eq!(merged["events"], HUGE);
    assert_eq!(merged["latency"]["samples"], HUGE);
    assert!(merged["latency"]["p99_ns"].is_u64(), "{merged}");
}

/// `run --format json` of a bundled scenario over 10 seeds, with `extra` flags: the exit code,
/// the JSON and what it printed to stderr (in words).
fn sweep_of_ten(extra: &[&str]) -> (Option<i32>, Value, String) {
    let file = scenario("flooding-f1-one-round.toml");
    let args = [
        &["run", &file, "--seeds", "10", "--format", "json"][..],
        extra,
    ]
    .concat();
    let o = ftsim(&args);
    let json = serde_json::from_slice::<Value>(&o.stdout).expect("JSON");
    (o.status.code(), json, words(&stderr(&o)))
}

/// A `--results` line whose tally contradicts its seeds is not taken on `--resume`: its
/// scenario runs again.
#[test]
fn resume_runs_again_a_scenario_whose_stored_tally_contradicts_its_seeds() {
    let dir = scratch("resume-contradiction");
    let results = dir.join("results.jsonl");
    let results = results.to_str().unwrap();
    let run = |extra: &[&str]| sweep_of_ten(extra);
    run(&["--results", results]);
    let mut line: Value = serde_json::from_str(&std::fs::read_to_string(results).unwrap()).unwrap();
    line["summary"]["tally"]["runs"] = 11.into();
    line["summary"]["runs"] = 11.into();
    std::fs::write(results, format!("{line}\n")).unwrap();
    let (_, resumed, said) = run(&["--results", results, "--resume"]);
    assert_eq!(
        resumed["scenarios"][0]["runs"], 10,
        "the stored 11 runs were taken"
    );
    // The line it will not take is not counted as done.
    assert!(said.contains("0 of 1 scenario(s) already there"), "{said}");
}

/// A `--results` line whose seeds were edited along with its runs, so that its tally agrees
/// with its own seeds but not with the scenario's, runs again; a line whose verdict alone was
/// edited is judged again from its tally.
#[test]
fn resume_judges_a_stored_tally_against_the_seeds_asked_for_not_the_line() {
    let dir = scratch("resume-seeds");
    let results = dir.join("results.jsonl");
    let results = results.to_str().unwrap();
    let run = sweep_of_ten;
    let (_, first, _) = run(&["--results", results]);
    let stored: Value = serde_json::from_str(&std::fs::read_to_string(results).unwrap()).unwrap();
    let huge = 1_000_000_000_000_000_000_u64;
    let mut line = stored.clone();
    for field in ["seeds", "runs"] {
        line["summary"][field] = huge.into();
    }
    line["summary"]["tally"]["runs"] = huge.into();
    std::fs::write(results, format!("{line}\n")).unwrap();
    let (code, resumed, _) = run(&["--results", results, "--resume"]);
    assert_eq!(code, Some(0));
    assert_eq!(
        resumed["scenarios"][0]["runs"], 10,
        "the edited line was taken"
    );
    assert_eq!(resumed["scenarios"][0]["seeds"], 10);

    let mut line = stored;
    line["summary"]["ok"] = false.into();
    line["summary"]["verdict"] = "edited".into();
    line["summary"]["elapsed_ms"] = 123_456.into();
    std::fs::write(results, format!("{line}\n")).unwrap();
    let (code, resumed, said) = run(&["--results", results, "--resume"]);
    assert_eq!(code, Some(0), "the stored verdict was believed");
    assert!(said.contains("1 of 1 scenario(s) already there"), "{said}");
    let summary = &resumed["scenarios"][0];
    assert_eq!(summary["ok"], true);
    assert_eq!(summary["verdict"], first["scenarios"][0]["verdict"]);
    assert_eq!(summary["elapsed_ms"], 123_456, "the line was run again");
    // A flag that changes what a sweep counts makes another key: the line is not taken.
    let (_, swarmed, said) = run(&["--results", results, "--resume", "--swarm"]);
    assert_ne!(swarmed["scenarios"][0]["elapsed_ms"], 123_456, "{swarmed}");
    assert!(said.contains("0 of 1 scenario(s) already there"), "{said}");
}

/// A shard given twice, or a part that was no shard, is refused in words: the shard as the
/// file gives it, and the shards still expected.
#[test]
fn a_repeated_or_unsharded_part_is_named_in_words() {
    let dir = scratch("merge-repeated");
    let [first, _] = two_shards();
    let (o, _) = merge(&dir, &[first.clone(), first.clone()]);
    refused(
        &o,
        "its shard is \"1/2\", not one of the 1 shard(s) still expected: 2/2",
    );
    let mut unsharded = first.clone();
    unsharded["shard"] = Value::Null;
    let (o, _) = merge(&dir, &[first, unsharded]);
    refused(&o, "its shard is none (an unsharded run), not one of");
}
