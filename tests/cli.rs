//! End-to-end tests of the `ftsim` binary, as a user runs it.

use std::process::{Command, Output};

mod common;
use common::{assert_fits_80, ftsim, json, scenario, scratch, stderr, stdout};

#[test]
fn a_passing_scenario_exits_0() {
    let o = ftsim(&[
        "run",
        &scenario("flooding-f1-two-rounds.toml"),
        "--seeds",
        "300",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("every expectation met"));
}

#[test]
fn an_expected_violation_that_is_found_exits_0() {
    let o = ftsim(&[
        "run",
        &scenario("flooding-f1-one-round.toml"),
        "--seeds",
        "300",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("ftsim replay"));
}

#[test]
fn a_wrong_expectation_exits_1_and_says_why() {
    let dir = scratch("wrong-expect");
    let text = std::fs::read_to_string(scenario("lock-server-stateless-two-owners.toml"))
        .unwrap()
        .replace(
            "expect = { violation = \"mutual-exclusion\" }",
            "expect = \"pass\"",
        );
    assert!(text.contains("expect = \"pass\""));
    let file = dir.join("wrong.toml");
    std::fs::write(&file, text).unwrap();
    let o = ftsim(&["run", file.to_str().unwrap(), "--seeds", "300"]);
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("NOT MET"), "{out}");
    assert!(out.contains("expected every run to pass"), "{out}");
}

#[test]
fn a_malformed_file_exits_2_naming_file_and_key() {
    let dir = scratch("malformed");
    let text = std::fs::read_to_string(scenario("flooding-f1-two-rounds.toml"))
        .unwrap()
        .replace(
            "delay = [\"1ms\", \"5ms\"]",
            "delay = [\"1ms\", \"5ms\"]\nloss = 1.5",
        );
    let file = dir.join("bad.toml");
    std::fs::write(&file, text).unwrap();
    for cmd in ["run", "check"] {
        let o = ftsim(&[cmd, file.to_str().unwrap()]);
        assert_eq!(
            o.status.code(),
            Some(2),
            "{cmd}: {}{}",
            stdout(&o),
            stderr(&o)
        );
        let err = stderr(&o);
        assert!(err.contains("bad.toml"), "{err}");
        assert!(err.contains("network.loss"), "{err}");
        assert!(err.contains("between 0 and 1"), "{err}");
        assert!(!err.contains("panicked"), "{err}");
    }
}

#[test]
fn a_missing_file_and_bad_usage_exit_2() {
    let o = ftsim(&["run", "/nonexistent/x.toml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("/nonexistent/x.toml"));
    let o = ftsim(&["run"]);
    assert_eq!(o.status.code(), Some(2));
    let o = ftsim(&["replay", &scenario("flooding-f1-one-round.toml")]);
    assert_eq!(o.status.code(), Some(2), "replay without --seed");
}

#[test]
fn replay_reproduces_the_failing_seed_that_run_reported() {
    let o = ftsim(&[
        "run",
        &scenario("flooding-f1-one-round.toml"),
        "--seeds",
        "300",
        "--format",
        "json",
    ]);
    let doc = json(&o);
    let s = &doc["scenarios"][0];
    let seed = s["replay_seed"].as_u64().expect("a failing seed");
    assert!(s["replay"]
        .as_str()
        .unwrap()
        .ends_with(&format!("--seed {seed}")));

    let replay = |fmt: &str| {
        ftsim(&[
            "replay",
            &scenario("flooding-f1-one-round.toml"),
            "--seed",
            &seed.to_string(),
            "--format",
            fmt,
        ])
    };
    let first = replay("json");
    let second = replay("json");
    assert_eq!(first.status.code(), Some(1), "a violating replay exits 1");
    let (a, b) = (json(&first), json(&second));
    assert_eq!(a["seed"].as_u64(), Some(seed));
    assert_eq!(a["trace_hash"], b["trace_hash"]);
    assert_eq!(a["events"], b["events"]);
    assert_eq!(a["violations"][0]["property"], "agreement");
    assert_eq!(a["violations"], b["violations"]);
    assert!(a["events"].as_array().unwrap().len() > 10);

    let text = replay("text");
    let out = stdout(&text);
    assert!(out.contains("VIOLATION agreement"), "{out}");
    assert!(out.contains("verdict: VIOLATED"), "{out}");
    let hash = a["trace_hash"].as_str().unwrap();
    assert!(out.contains(&format!("trace hash {hash}")), "{out}");
}

#[test]
fn results_are_identical_for_any_number_of_jobs() {
    let run = |jobs: &str| {
        let o = ftsim(&[
            "run",
            &scenario("flooding-f1-one-round.toml"),
            &scenario("flooding-f2-three-rounds.toml"),
            "--seeds",
            "500",
            "--jobs",
            jobs,
            "--format",
            "json",
        ]);
        let mut doc = json(&o);
        for s in doc["scenarios"].as_array_mut().unwrap() {
            s.as_object_mut().unwrap().remove("elapsed_ms");
        }
        doc
    };
    let one = run("1");
    assert_eq!(one, run("2"));
    assert_eq!(one, run("4"));
    for key in [
        "name",
        "file",
        "protocol",
        "runs",
        "failed_runs",
        "violations",
        "first_failing_seed",
        "expect",
        "ok",
    ] {
        assert!(one["scenarios"][0].get(key).is_some(), "missing {key}");
    }
}

#[test]
fn run_with_one_seed_and_check_and_list() {
    let o = ftsim(&[
        "run",
        &scenario("flooding-f1-two-rounds.toml"),
        "--seed",
        "17",
        "--format",
        "json",
    ]);
    assert_eq!(json(&o)["scenarios"][0]["runs"], 1);

    let o = ftsim(&["check", &scenario("")]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("ok: "));

    let o = ftsim(&["list", "flooding"]);
    let out = stdout(&o);
    assert!(out.contains("flooding") && out.contains("rounds = 2") && out.contains("agreement"));
    // Each protocol says what it assumes, and every line fits a terminal.
    assert!(out.contains("crash-stop: at most 1 (rounds − 1)"), "{out}");
    assert!(out.contains("a crash is detected only after the crashed node's last messages"));
    assert_fits_80(&out);
}

#[test]
fn run_with_report_writes_an_index_a_summary_and_diagrams() {
    let dir = scratch("report");
    let o = ftsim(&[
        "run",
        &scenario("flooding-f1-one-round.toml"),
        &scenario("flooding-f1-two-rounds.toml"),
        "--seeds",
        "100",
        "--report",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let said = format!(
        "wrote the report: {} (with summary.json and 1 diagram(s) beside it)",
        dir.join("index.html").display()
    );
    assert!(stderr(&o).contains(&said), "where: {}", stderr(&o));
    let index = std::fs::read_to_string(dir.join("index.html")).unwrap();
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap();
    let seed = summary["scenarios"][0]["replay_seed"].as_u64().unwrap();
    let diagram = format!("flooding-f1-one-round-seed-{seed}.html");
    assert!(index.contains(&format!("href=\"{diagram}\"")), "{index}");
    let page = std::fs::read_to_string(dir.join(&diagram)).unwrap();
    assert!(page.contains("agreement (always)"), "the verdict");
    assert!(
        page.contains(r#""property":"agreement""#),
        "the diagram's model"
    );
    // The passing scenario has no failing seed and so no diagram; the manifest lists the
    // files the report wrote.
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 4);
    let manifest = std::fs::read_to_string(dir.join(".ftsim-report-files")).unwrap();
    assert!(manifest.lines().any(|l| l == diagram), "{manifest}");
}

#[test]
fn hostile_scenario_names_render_as_text() {
    let dir = scratch("hostile");
    let text = std::fs::read_to_string(scenario("flooding-f1-one-round.toml"))
        .unwrap()
        .replace(
            "name = \"flooding-f1-one-round\"",
            "name = \"<script>alert(1)</script>/../x\"",
        );
    let file = dir.join("hostile.toml");
    std::fs::write(&file, text).unwrap();
    let out = dir.join("out");
    let o = ftsim(&[
        "run",
        file.to_str().unwrap(),
        "--seeds",
        "50",
        "--report",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let mut names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert!(
        names
            .iter()
            .any(|n| n.starts_with("script-alert-1-script-x-seed-")),
        "{names:?}"
    );
    for name in names.iter().filter(|n| n.ends_with(".html")) {
        let page = std::fs::read_to_string(out.join(name)).unwrap();
        assert!(!page.contains("<script>alert"), "{name}");
    }
}

#[test]
fn replay_exports_shiviz() {
    let o = ftsim(&[
        "replay",
        &scenario("flooding-f1-one-round.toml"),
        "--seed",
        "4",
        "--format",
        "shiviz",
    ]);
    let out = stdout(&o);
    let mut lines = out.lines();
    assert_eq!(
        lines.next(),
        Some("(?<event>.*)\\n(?<host>\\S*) (?<clock>{.*})")
    );
    assert_eq!(lines.next(), Some(""));
    let rest: Vec<&str> = lines.collect();
    assert!(rest.len() > 40 && rest.len().is_multiple_of(2));
    // Each host's own clock counts its events from 1, one by one.
    let mut own: std::collections::BTreeMap<String, u64> = Default::default();
    for pair in rest.chunks(2) {
        let (host, clock) = pair[1].split_once(' ').unwrap();
        let clock: serde_json::Value = serde_json::from_str(clock).unwrap();
        let mine = clock[host].as_u64().unwrap();
        let last = own.insert(host.to_string(), mine).unwrap_or(0);
        assert_eq!(mine, last + 1, "{host}: {}", pair[0]);
    }
}

#[test]
fn a_closed_stdout_is_not_a_panic() {
    for args in [&["list"][..], &["check", &scenario("")][..]] {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader); // every write to stdout now fails with EPIPE
        let o = Command::new(env!("CARGO_BIN_EXE_ftsim"))
            .args(args)
            .stdout(writer)
            .stderr(std::process::Stdio::piped())
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(0), "{args:?}: {}", stderr(&o));
        assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
    }
}

/// The timeline of flooding seed 4 (n3 crashes in the middle of its broadcast), filtered.
fn flooding_timeline(filters: &[&str]) -> Output {
    let file = scenario("flooding-f1-one-round.toml");
    let mut args = vec!["replay", file.as_str(), "--seed", "4"];
    args.extend_from_slice(filters);
    ftsim(&args)
}

/// The trace lines of a timeline (they start with an event number).
fn entry_lines(out: &str) -> Vec<&str> {
    out.lines()
        .filter(|l| {
            let l = l.trim_start();
            l.starts_with('#') && l[1..].starts_with(|c: char| c.is_ascii_digit())
        })
        .collect()
}

#[test]
fn the_timeline_is_for_people() {
    let o = flooding_timeline(&[]);
    let out = stdout(&o);
    let lines = entry_lines(&out);
    assert!(lines.len() > 40, "{out}");
    // One unit per run, aligned: every time has three decimals in one column.
    assert!(out.contains("fault plan (times in ms):"), "{out}");
    let time_col: Vec<&str> = lines
        .iter()
        .map(|l| l.split_whitespace().nth(1).unwrap())
        .collect();
    assert!(
        time_col
            .iter()
            .all(|t| t.len() == 5 && t.as_bytes()[1] == b'.'),
        "{time_col:?}"
    );
    // The verdict's events can be found: #25 starts a line.
    assert!(out.contains("node 1 decided 19 at event #25 but node 0 decided 13 at event #14"));
    assert!(lines.iter().any(|l| l.starts_with("#25 ")), "{out}");
    // m13 was sent at 0 but was to leave n3 at 1ms, after n3 crashed at 0.838ms.
    let flat = out.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flat.contains("to n1 (m13, leaves 1.000ms)"), "{out}");
    assert!(
        out.contains("m13 n3->n1: sender crashed before sending"),
        "{out}"
    );
    // Wrapped to 80 columns, but for the command lines that cannot be.
    for line in out
        .lines()
        .filter(|l| !l.starts_with("scenario") && !l.starts_with("replay:"))
    {
        assert!(reports::columns::width(line) <= 80, "{line}");
    }
}

#[test]
fn the_timeline_filters_by_node_time_and_count() {
    let all = stdout(&flooding_timeline(&[]));
    let o = flooding_timeline(&["--node", "3"]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        out.contains("showing 21 of 53 trace entries (--node 3)"),
        "{out}"
    );
    for line in entry_lines(&out) {
        assert!(
            line.contains("n3") || line.contains(" * "),
            "not about n3: {line}"
        );
    }
    let window = stdout(&flooding_timeline(&["--from", "2ms", "--to", "3.5ms"]));
    let lines = entry_lines(&window);
    assert_eq!(
        lines.first().unwrap().split_whitespace().nth(1),
        Some("3.060")
    );
    assert_eq!(
        lines.last().unwrap().split_whitespace().nth(1),
        Some("3.440")
    );
    let last = stdout(&flooding_timeline(&["--last", "3"]));
    assert_eq!(
        entry_lines(&last),
        entry_lines(&all)[entry_lines(&all).len() - 3..]
    );
    // The verdict is always there.
    assert!(last.contains("verdict: VIOLATED"));

    let bad_node = flooding_timeline(&["--node", "9"]);
    assert_eq!(bad_node.status.code(), Some(2));
    assert!(
        stderr(&bad_node).contains("--node 9"),
        "{}",
        stderr(&bad_node)
    );
    let bad_time = flooding_timeline(&["--from", "soon"]);
    assert_eq!(bad_time.status.code(), Some(2));
    assert!(
        stderr(&bad_time).contains("expected a duration"),
        "{}",
        stderr(&bad_time)
    );
}
