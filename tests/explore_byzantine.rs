//! `ftsim explore` with Byzantine nodes: the traitors' placement is the search's first step
//! (one branch per placement), and everything a traitor's adversary draws is a branch, so an
//! adversary that may send anything ("mix") is searched as every traitor at once. The known
//! result of OM(m): it breaks at n = 3m, shortest counterexample first, replayed as a run.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn ftsim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ftsim"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("ftsim runs")
}

fn scenario(name: &str) -> String {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    dir.join(name).display().to_string()
}

/// stdout and stderr, with the 80-column wrapping undone (a phrase may span a line break).
fn flat(o: &Output) -> String {
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ftsim-byz-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn assert_has(out: &str, phrases: &[&str]) {
    for phrase in phrases {
        assert!(out.contains(phrase), "no {phrase:?} in\n{out}");
    }
}

#[test]
fn om1_with_three_generals_breaks_validity_in_eight_steps_and_replays_as_recorded() {
    let dir = scratch("n3");
    let repro = dir.join("cx.repro.json");
    let repro_arg = repro.to_str().unwrap();
    let file = scenario("explore-byzantine-n3-m1-mix.toml");
    let o = ftsim(&["explore", &file, "--repro", repro_arg]);
    let out = flat(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert_has(
        &out,
        &[
            "violation of validity after 8 steps (no shorter path breaks a property)",
            "1. the nodes start, node 1 Byzantine (adversary \"mix\") (drew 1 of 0..2)",
            "lieutenant 2 decided 0",
            "but the loyal commander 0 ordered 1",
            "expect outside validity: met",
        ],
    );
    let o = ftsim(&["replay", "--repro", repro_arg]);
    let replayed = flat(&o);
    assert_has(
        &replayed,
        &[
            "drop m2 n1->n2: adversary",
            "VIOLATION validity",
            "outside the protocol's assumptions: node 1 Byzantine",
            "as recorded",
        ],
    );
}
