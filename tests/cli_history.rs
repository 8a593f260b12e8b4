//! `ftsim history` as a user runs it: verdicts and exit codes on the example files, the JSON
//! document as docs/json.md describes it, bad input named, and a run's client history written
//! by `ftsim replay --history` and checked again with the command the replay prints.

mod common;

use common::json_doc::assert_documented;
use common::{assert_fits_80, ftsim, json, scenario, scratch, stderr, stdout, words};

fn example(name: &str) -> String {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples/histories")
        .join(name)
        .display()
        .to_string()
}

#[test]
fn a_jepsen_history_that_is_not_linearizable_exits_1_naming_its_culprit() {
    let file = example("cas-register-bad.edn");
    let o = ftsim(&["history", &file, "--model", "cas-register"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let text = words(&stdout(&o));
    assert!(text.contains("not linearizable"), "{text}");
    assert!(
        text.contains("read → 7 by process 6 (lines 37 to 39)"),
        "{text}"
    );
    assert!(
        text.contains("Pinned by") || text.contains("could only be"),
        "{text}"
    );
    assert_fits_80(&stdout(&o));

    let o = ftsim(&[
        "history",
        &file,
        "--model",
        "cas-register",
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let doc = json(&o);
    assert_documented(&doc, "history");
    assert_eq!(doc["verdict"], "not-linearizable");
    let refutation = &doc["refutation"];
    assert_documented(refutation, "history_refutation");
    assert_documented(&refutation["culprit"], "history_op");
    assert_eq!(refutation["culprit"]["what"], "read → 7");
    assert_eq!(refutation["culprit"]["invoke_line"], 37);
    for op in refutation["concurrent"].as_array().unwrap() {
        assert_documented(op, "history_op");
    }
}

#[test]
fn a_linearizable_history_exits_0_and_an_undecided_one_3_naming_the_limit() {
    let file = example("kv-ok.jsonl");
    let o = ftsim(&["history", &file, "--model", "kv", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let doc = json(&o);
    assert_documented(&doc, "history");
    assert_eq!(doc["verdict"], "linearizable");
    assert!(doc["refutation"].is_null() && doc["undecided"].is_null());

    let o = ftsim(&["history", &file, "--model", "kv", "--max-steps", "1"]);
    assert_eq!(o.status.code(), Some(3), "{}", stdout(&o));
    assert!(stdout(&o).contains("raise --max-steps"), "{}", stdout(&o));
    let o = ftsim(&[
        "history",
        &file,
        "--model",
        "kv",
        "--max-steps",
        "1",
        "--format",
        "json",
    ]);
    let doc = json(&o);
    assert_eq!(doc["verdict"], "undecided");
    assert_documented(&doc["undecided"], "history_undecided");
    assert_eq!(doc["undecided"]["limit"], "steps");
}

#[test]
fn bad_input_exits_2_naming_the_file_the_line_or_the_flag() {
    let dir = scratch("history-bad-input");
    let bad = dir.join("bad.edn");
    std::fs::write(
        &bad,
        "{:type :invoke, :f :read, :process 0}\n{:type :ok :f}\n",
    )
    .unwrap();
    let o = ftsim(&["history", bad.to_str().unwrap(), "--model", "register"]);
    assert_eq!(o.status.code(), Some(2));
    let said = words(&stderr(&o));
    assert!(said.contains("bad.edn:2:"), "{said}");

    let file = example("kv-ok.jsonl");
    let o = ftsim(&["history", &file, "--model", "counter", "--initial", "\"a\""]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--initial"), "{}", stderr(&o));
    let o = ftsim(&["history", &file, "--model", "stack"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("register"), "{}", stderr(&o));
}

/// Replays `seed` of the bundled scenario `name` writing its client history to a scratch file,
/// and runs the check the replay printed: its exit code and stdout.
fn replay_then_check(name: &str, seed: &str) -> (i32, String) {
    let dir = scratch(&format!("history-replay-{name}-{seed}"));
    let file = dir.join("clients.jsonl");
    let o = ftsim(&[
        "replay",
        &scenario(name),
        "--seed",
        seed,
        "--history",
        file.to_str().unwrap(),
    ]);
    let said = stderr(&o);
    assert!(said.contains("wrote the clients' history"), "{said}");
    let command = said
        .lines()
        .find_map(|l| l.trim_start().strip_prefix("ftsim history "))
        .unwrap_or_else(|| panic!("no command to check it: {said}"));
    let args: Vec<&str> = std::iter::once("history")
        .chain(command.split(' '))
        .collect();
    let o = ftsim(&args);
    (o.status.code().unwrap_or(-1), stdout(&o))
}

#[test]
fn a_runs_client_history_keeps_its_verdict_when_checked_on_its_own() {
    // The run's violation (the read of 0 after another client read 3001) is the file's.
    let (code, out) = replay_then_check("quorum-no-write-back.toml", "155");
    assert_eq!(code, 1, "{out}");
    assert!(words(&out).contains("read → 0 by process 5"), "{out}");
    assert!(out.contains("register, 9 operations"), "{out}");
    // A key-value map and a log, refuted as in their runs.
    let (code, out) = replay_then_check("rsm-broadcast-linearizable.toml", "189");
    assert_eq!(code, 1, "{out}");
    let (code, out) = replay_then_check("primary-backup-timeout-only-linearizable.toml", "223");
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("log,"), "{out}");
    // A correct protocol's run is linearizable in the file too.
    let (code, out) = replay_then_check("quorum-abd.toml", "3");
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("linearizable"), "{out}");
}

#[test]
fn a_protocol_that_keeps_no_client_history_is_said_to_and_no_file_is_left() {
    let dir = scratch("history-replay-none");
    let file = dir.join("clients.jsonl");
    let o = ftsim(&[
        "replay",
        &scenario("broadcast-best-effort-sender-crash.toml"),
        "--seed",
        "1",
        "--history",
        file.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("keeps no clients' history"),
        "{}",
        stderr(&o)
    );
    assert!(!file.exists());
}

#[test]
fn the_verdict_alone_names_the_refuted_key_and_agrees_with_the_explained_one() {
    let dir = scratch("history-verdict-only");
    let file = dir.join("kv.txt");
    std::fs::write(
        &file,
        "0 invoke write [x 1]\n0 ok write [x 1]\n2 invoke write [y 1]\n2 ok write [y 1]\n\
         1 invoke read [x nil]\n1 ok read [x 2]\n",
    )
    .unwrap();
    let file = file.to_str().unwrap();
    let o = ftsim(&["history", file, "--model", "kv", "--verdict-only"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        words(&stdout(&o)).contains("on key \"x\""),
        "{}",
        stdout(&o)
    );
    let only = ftsim(&[
        "history",
        file,
        "--model",
        "kv",
        "--verdict-only",
        "--format",
        "json",
    ]);
    let only = json(&only);
    assert_documented(&only, "history");
    assert!(only["refutation"].is_null());
    let explained = json(&ftsim(&[
        "history", file, "--model", "kv", "--format", "json",
    ]));
    assert_eq!(only["refuted_key"], explained["refuted_key"]);
    assert_eq!(explained["refutation"]["key"], explained["refuted_key"]);
    // Linearizable either way.
    let ok = example("kv-ok.jsonl");
    let o = ftsim(&["history", &ok, "--model", "kv", "--verdict-only"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
}
