//! End-to-end tests of `ftsim run` as a sweep: output that fits a terminal, the JSON's
//! schema, results that survive an interruption, shards and their merge.

use std::path::Path;
use std::process::{Command, Output};

fn ftsim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ftsim"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("ftsim runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

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
