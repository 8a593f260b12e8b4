//! End-to-end tests of `ftsim shrink`, `ftsim replay --repro`, `ftsim diff` and
//! `ftsim run --shrink`, as a user runs them.

use std::path::Path;

mod common;
#[cfg(unix)]
use common::peak_kib;
use common::{assert_fits_80, ftsim, scenario, scratch, stderr, stdout, words};

/// Shrinks seed 4 of flooding-f1-one-round into `dir`; returns the repro's path.
fn shrink_flooding(dir: &Path) -> String {
    let out = dir.join("f1.repro.json").display().to_string();
    let o = ftsim(&[
        "shrink",
        &scenario("flooding-f1-one-round.toml"),
        "--seed",
        "4",
        "-o",
        &out,
    ]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    out
}

fn edit(path: &str, to: &Path, from: &str, into: &str) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{from}");
    std::fs::write(to, text.replace(from, into)).unwrap();
    to.display().to_string()
}

#[test]
fn shrink_prints_before_and_after_and_writes_a_repro() {
    let dir = scratch("shrink");
    let out = dir.join("f1.repro.json").display().to_string();
    let o = ftsim(&[
        "shrink",
        &scenario("flooding-f1-one-round.toml"),
        "--seed",
        "4",
        "-o",
        &out,
    ]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    let text = stdout(&o);
    assert!(text.contains("violates \"agreement\""), "{text}");
    for row in ["nodes", "faults", "messages", "events", "virtual time"] {
        assert!(text.lines().any(|l| l.starts_with(row)), "{row}: {text}");
    }
    assert!(text.contains(&format!("wrote {out}")), "{text}");
    assert!(text.contains("ftsim replay --repro"), "{text}");
    assert_fits_80(&text);
    let repro: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(repro["format"], "ftsim-repro");
    assert_eq!(repro["failure"]["property"], "agreement");
    assert!(repro["scenario"]["text"]
        .as_str()
        .unwrap()
        .contains("protocol = \"flooding\""));
    // Deterministic: the same input gives the same file.
    let again = dir.join("again.json").display().to_string();
    let o = ftsim(&[
        "shrink",
        &scenario("flooding-f1-one-round.toml"),
        "--seed",
        "4",
        "-o",
        &again,
    ]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        std::fs::read_to_string(&again).unwrap()
    );
}

#[test]
fn a_passing_seed_is_refused_with_exit_2() {
    let out = scratch("passing").join("never-written.json");
    let o = ftsim(&[
        "shrink",
        &scenario("flooding-f1-two-rounds.toml"),
        "--seed",
        "0",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}{}", stdout(&o), stderr(&o));
    assert!(words(&stderr(&o)).contains("passes"), "{}", stderr(&o));
    assert!(!out.exists(), "a repro of a passing seed");
}

#[test]
fn a_repro_replays_with_its_recorded_hash() {
    let dir = scratch("replay");
    let repro = shrink_flooding(&dir);
    let o = ftsim(&["replay", "--repro", &repro]);
    assert_eq!(o.status.code(), Some(1), "the run violates agreement");
    assert!(stderr(&o).is_empty(), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(text.contains("the repro's run: trace hash"), "{text}");
    assert!(text.contains("VIOLATION agreement"), "{text}");
    let o = ftsim(&["replay", "--repro", &repro, "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(doc["repro"]["is_recorded_run"], true);
    assert_eq!(doc["trace_hash"], doc["repro"]["recorded_trace_hash"]);
    let html = dir.join("run.html");
    let o = ftsim(&[
        "replay",
        "--repro",
        &repro,
        "--html",
        html.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(std::fs::read_to_string(&html).unwrap().contains("<svg"));
}

#[test]
fn a_shrunk_plan_shows_its_triggered_crash_and_storage_faults() {
    let dir = scratch("untimed");
    let out = dir.join("paxos.repro.json").display().to_string();
    let file = scenario("paxos-unsynced-acceptor.toml");
    let o = ftsim(&["shrink", &file, "--seed", "34", "-o", &out]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    let text = stdout(&o);
    assert!(text.contains("  triggered: crash n2 "), "{text}");
    assert!(
        text.contains("  storage: a crash loses the writes"),
        "{text}"
    );
    // The replay's fault plan says the same, a filter keeps it, and every line fits.
    let o = ftsim(&["replay", "--repro", &out, "--node", "2", "--last", "5"]);
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
    let text = stdout(&o);
    assert!(text.contains("the repro's run: trace hash"), "{text}");
    assert!(text.contains("  triggered: crash n2 "), "{text}");
    assert!(text.contains("showing 5 of"), "{text}");
    let dir_name = dir.display().to_string();
    assert!(
        text.lines()
            .filter(|l| !l.contains(&dir_name))
            .all(|l| reports::columns::width(l) <= 80),
        "{text}"
    );
    let o = ftsim(&["replay", "--repro", &out, "--node", "3"]);
    assert_eq!(
        o.status.code(),
        Some(2),
        "the shrunk group has nodes 0 to 2"
    );
    assert!(words(&stderr(&o)).contains("--node 3"), "{}", stderr(&o));
}

#[test]
fn a_changed_run_is_reported_with_where_it_left_its_recording() {
    let dir = scratch("changed");
    let repro = shrink_flooding(&dir);
    // Two rounds instead of one: what a fix to the protocol would do.
    let changed = edit(
        &repro,
        &dir.join("changed.json"),
        "rounds = 1",
        "rounds = 2",
    );
    let o = ftsim(&["replay", "--repro", &changed]);
    assert_eq!(o.status.code(), Some(0), "two rounds tolerate one crash");
    let err = stderr(&o);
    assert!(err.contains("warning: trace hash differs"), "{err}");
    assert!(err.contains("left its recording at decision"), "{err}");
    assert!(err.contains("no longer happens"), "{err}");
    assert!(stdout(&o).contains("NOT the repro's run"));

    let o = ftsim(&["diff", &changed]);
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
    let text = stdout(&o);
    assert!(text.contains("the runs part at trace entry"), "{text}");
    assert!(
        text.contains("both runs:") && text.contains("this build:"),
        "{text}"
    );
    assert!(
        text.contains("round: 2"),
        "the new run's second round: {text}"
    );
    assert!(text.contains("recorded: violates agreement"), "{text}");
    assert!(text.contains("this build: passes"), "{text}");
    let dir_name = dir.display().to_string();
    assert!(
        text.lines()
            .filter(|l| !l.contains(&dir_name))
            .all(|l| reports::columns::width(l) <= 80),
        "{text}"
    );

    let o = ftsim(&["diff", &repro]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).contains("the runs are the same"));
    let o = ftsim(&["diff", &repro, &changed]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "both recorded traces are the same"
    );

    // The same trace under another recorded hash: an edited file, not the same run.
    let text = std::fs::read_to_string(&repro).unwrap();
    let key = "\"trace_hash\": \"";
    let at = text.find(key).unwrap() + key.len();
    let recorded = format!("{key}{}\"", &text[at..at + 16]);
    let other = format!("{key}0123456789abcdef\"");
    let rehashed = edit(&repro, &dir.join("rehashed.json"), &recorded, &other);
    let o = ftsim(&["diff", &repro, &rehashed]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(
        stdout(&o).contains("the traces are the same, but their trace hashes differ"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn repros_that_cannot_replay_say_why() {
    let dir = scratch("refused");
    let repro = shrink_flooding(&dir);
    let old = edit(
        &repro,
        &dir.join("old.json"),
        "\"trace_format\": 1",
        "\"trace_format\": 0",
    );
    let o = ftsim(&["replay", "--repro", &old]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        words(&stderr(&o)).contains("recorded with trace format 0"),
        "{}",
        stderr(&o)
    );
    let o = ftsim(&["diff", &old]);
    assert_eq!(o.status.code(), Some(2));

    let other = edit(&repro, &dir.join("other.json"), "\"flooding\"", "\"bully\"");
    let o = ftsim(&["replay", "--repro", &other]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        words(&stderr(&o)).contains("protocol \"bully\" is not in this build's catalogue"),
        "{}",
        stderr(&o)
    );

    let bad = edit(
        &repro,
        &dir.join("bad.json"),
        "\"seed\": 4",
        "\"seed\": \"four\"",
    );
    let o = ftsim(&["replay", "--repro", &bad]);
    assert_eq!(o.status.code(), Some(2));
    assert!(words(&stderr(&o)).contains("key `seed`"), "{}", stderr(&o));
}

#[test]
fn run_shrink_writes_a_repro_per_scenario_next_to_the_report() {
    let dir = scratch("run-shrink");
    let report = dir.join("report");
    let files = [
        scenario("flooding-f1-one-round.toml"),
        scenario("flooding-f1-two-rounds.toml"),
    ];
    let mut repros = Vec::new();
    for jobs in ["1", "2"] {
        let o = ftsim(&[
            "run",
            &files[0],
            &files[1],
            "--seeds",
            "100",
            "--jobs",
            jobs,
            "--shrink",
            "--report",
            report.to_str().unwrap(),
        ]);
        assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
        assert!(
            // The seed worth replaying is the shortest run: seed 32 (23 events), not seed 4.
            words(&stderr(&o)).contains("shrunk flooding-f1-one-round seed 32"),
            "{}",
            stderr(&o)
        );
        let written = report.join("flooding-f1-one-round-seed-32.repro.json");
        repros.push(std::fs::read_to_string(written).unwrap());
        let names: Vec<String> = std::fs::read_dir(&report)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".repro.json"))
            .collect();
        assert_eq!(
            names.len(),
            1,
            "the passing scenario has no repro: {names:?}"
        );
    }
    assert_eq!(repros[0], repros[1], "the same repro for any --jobs");
}

/// `run --shrink` takes the shrink's budget: a shrink of two candidate runs says it spent the
/// whole budget, and a budget of none is refused before any seed runs.
#[test]
fn run_shrink_takes_the_shrinks_budget() {
    let dir = scratch("run-shrink-budget");
    let report = dir.join("report");
    let file = scenario("flooding-f1-one-round.toml");
    let with = |runs: &str| {
        let report = report.to_str().unwrap();
        let args = [
            "run", &file, "--seeds", "100", "--shrink", "--report", report,
        ];
        ftsim(&[&args[..], &["--shrink-max-runs", runs]].concat())
    };
    let o = with("2");
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    let text = stderr(&o);
    assert!(
        text.contains("shrunk flooding-f1-one-round seed 32 (2 runs of"),
        "{text}"
    );
    assert!(text.contains("the whole budget"), "{text}");
    let o = with("0");
    assert_eq!(o.status.code(), Some(2));
    assert!(
        words(&stderr(&o)).contains("--shrink-max-runs must be at least 1"),
        "{}",
        stderr(&o)
    );
    assert!(stdout(&o).is_empty(), "no seed ran: {}", stdout(&o));
    let o = ftsim(&["run", &file, "--shrink-max-events", "5"]);
    assert_eq!(o.status.code(), Some(2), "only with --shrink");
}

/// A short failing run of a large group whose trace would be heavy (under a thousand events,
/// but 60,000 sends, each entry with a vector clock of 60 counters: about 75 MB): its repro
/// leaves the trace out (it was kept once, as 45 MB of JSON at 50,000 sends, taking 365 MB to
/// write) and still replays exactly.
#[test]
fn a_short_run_of_a_large_group_leaves_its_heavy_trace_out() {
    let dir = scratch("heavy-trace");
    let file = dir.join("storm.toml");
    std::fs::write(
        &file,
        "name = \"storm\"\nprotocol = \"broadcast\"\nnodes = 60\n\
         seeds = { start = 0, count = 1 }\nexpect = \"pass\"\n\n[budget]\n\
         max_in_flight = 60_000\n\n[params]\nmode = \"eager-reliable\"\n\
         link = \"exactly-once\"\nsenders = \"all\"\n",
    )
    .unwrap();
    let out = dir.join("storm.repro.json");
    let file = file.display().to_string();
    let args = ["shrink", &file, "--seed", "0", "--max-runs", "1", "-o"];
    let o = ftsim(&[&args[..], &[out.to_str().unwrap()]].concat());
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    let text = words(&stdout(&o));
    assert!(
        text.contains("messages would take more than 64 MiB"),
        "{text}"
    );
    let bytes = std::fs::metadata(&out).unwrap().len();
    assert!(bytes < 16 << 20, "a repro of {bytes} bytes");
    let repro: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(repro["trace_left_out"], true);
    assert!(
        repro["stats"]["events"].as_u64().unwrap() < 2_000,
        "{}",
        repro["stats"]
    );
    let hash = repro["trace_hash"].as_str().unwrap().to_string();
    let o = ftsim(&["replay", "--repro", out.to_str().unwrap(), "--last", "3"]);
    assert_eq!(o.status.code(), Some(1), "the run exceeds its budget");
    assert!(stdout(&o).contains(&format!("trace hash {hash} as recorded")));
}

/// A failing run too long for its trace to be kept (120,000 events, stopped by its event
/// budget): the shrink stops at its budget of events and says so, the repro leaves the trace
/// out and says so (version 3), and it still replays exactly and diffs by its hash.
#[test]
fn a_long_runs_repro_leaves_its_trace_out_and_still_replays_and_diffs() {
    let dir = scratch("long-run");
    let file = dir.join("long.toml");
    std::fs::write(
        &file,
        "name = \"long-broadcast\"\nprotocol = \"broadcast\"\nnodes = 30\n\
         seeds = { start = 0, count = 1 }\nexpect = \"pass\"\n\n[budget]\n\
         max_events = 120_000\n\n[params]\nmode = \"eager-reliable\"\n\
         link = \"exactly-once\"\nmessages = 10\nsenders = \"all\"\n",
    )
    .unwrap();
    let out = dir.join("long.repro.json").display().to_string();
    let file = file.display().to_string();
    let o = ftsim(&[
        "shrink",
        &file,
        "--seed",
        "0",
        "--max-events",
        "300000",
        "-o",
        &out,
    ]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    let text = stdout(&o);
    assert!(text.contains("exceeds a budget; shrunk in 3 runs of 360,000 events, the"));
    assert!(words(&text).contains("the trace is left out of the repro file: its 120,000 events"));
    assert_fits_80(&text);
    let repro: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(repro["repro_version"], 3);
    assert_eq!(repro["trace_left_out"], true);
    assert_eq!(repro["trace"], serde_json::json!([]));
    let hash = repro["trace_hash"].as_str().unwrap().to_string();

    let o = ftsim(&["replay", "--repro", &out, "--last", "5"]);
    assert_eq!(o.status.code(), Some(1), "the run exceeds its budget");
    let text = stdout(&o);
    assert!(text.contains(&format!("trace hash {hash} as recorded")));
    assert!(text.contains("showed 5 of "), "{text}");
    let o = ftsim(&["diff", &out]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    let text = stdout(&o);
    assert!(
        text.contains("compared by their trace hashes only"),
        "{text}"
    );
    assert!(text.contains(&format!(
        "the runs are the same: 120000 events, trace hash {hash}"
    )));
    // Another recorded hash: the runs differ, and where is not known.
    let edited = edit(&out, &dir.join("edited.json"), &hash, "0123456789abcdef");
    let o = ftsim(&["diff", &out, &edited]);
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("the runs differ (where is not known without both traces)"));
}

/// `diff` of a repro against this build holds the recorded trace and a few entries of the new
/// run, never the new run's whole trace: a repro edited to a 150-node broadcast (about a
/// quarter of a million events, hundreds of thousands of trace entries) is diffed in at most
/// 64 MiB more than its streamed replay takes (the run itself, whose messages in flight and
/// decisions it holds either way).
#[cfg(unix)]
#[test]
fn diff_streams_the_new_run_in_bounded_memory() {
    let dir = scratch("diff-memory");
    let file = scenario("broadcast-at-least-once-duplicates.toml");
    let repro = dir.join("small.json");
    let written = repro.display().to_string();
    let o = ftsim(&[
        "shrink",
        &file,
        "--seed",
        "12",
        "--max-runs",
        "1",
        "-o",
        &written,
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let mut doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&repro).unwrap()).unwrap();
    let text = doc["scenario"]["text"].as_str().unwrap().to_string();
    let grown = text
        .replacen("nodes = 3\n", "nodes = 150\n", 1)
        .replace("link = \"at-least-once\"", "link = \"exactly-once\"")
        .replace("senders = \"one\"", "senders = \"all\"");
    assert!(
        grown.contains("nodes = 150") && grown.contains("exactly-once"),
        "{text}"
    );
    doc["scenario"]["text"] = grown.into();
    doc["params"]["link"] = "exactly-once".into();
    doc["params"]["senders"] = "all".into();
    let big = dir.join("big.json");
    std::fs::write(&big, doc.to_string()).unwrap();
    let big = big.display().to_string();
    let (code, replay) = peak_kib(&["replay", "--repro", &big, "--format", "json"]);
    assert!(code <= 1, "replay exited {code}");
    let (code, diff) = peak_kib(&["diff", &big]);
    assert_eq!(code, 1, "the runs differ");
    assert!(
        diff <= replay + 64 * 1024,
        "diff peaked at {diff} KiB, the replay at {replay} KiB"
    );
}
