//! Golden-file tests of what people read: the text timeline and the model the space-time
//! diagram's script draws (events, marks, messages, partitions, the violation's rings, the
//! causal highlight, states) for one small fixed run (flooding consensus, 1 round, seed 4: an
//! agreement violation). A deliberate change to either is refreshed with
//! `UPDATE_EXPECT=1 cargo test`.

use std::path::{Path, PathBuf};
use std::process::Command;

mod common;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn ftsim(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_ftsim"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .env("COLUMNS", "80")
        .output()
        .expect("ftsim runs");
    String::from_utf8(out.stdout).expect("utf-8")
}

fn check(name: &str, actual: &str) {
    let path: PathBuf = root().join("tests/golden").join(name);
    if std::env::var_os("UPDATE_EXPECT").is_some() {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("{} is missing: run with UPDATE_EXPECT=1", path.display()));
    if expected != actual {
        let (line, (want, got)) = expected
            .lines()
            .zip(actual.lines())
            .enumerate()
            .find(|(_, (a, b))| a != b)
            .unwrap_or((
                expected.lines().count().min(actual.lines().count()),
                ("<end>", "<end>"),
            ));
        panic!(
            "{name} differs from the golden file at line {}:\n  golden: {want}\n  actual: {got}\n\
             If the change is intended, refresh with UPDATE_EXPECT=1 cargo test --test golden",
            line + 1
        );
    }
}

#[test]
fn text_timeline() {
    let out = ftsim(&[
        "replay",
        "scenarios/flooding-f1-one-round.toml",
        "--seed",
        "4",
    ]);
    check("flooding-f1-one-round-seed-4.txt", &out);
}

#[test]
fn diagram_model() {
    let dir = common::scratch("diagram-model");
    let html = dir.join("d.html");
    ftsim(&[
        "replay",
        "scenarios/flooding-f1-one-round.toml",
        "--seed",
        "4",
        "--html",
        html.to_str().unwrap(),
    ]);
    let page = std::fs::read_to_string(&html).unwrap();
    let open = r#"<script type="application/json" id="model">"#;
    let start = page.find(open).expect("an embedded model") + open.len();
    let end = start + page[start..].find("</script>").expect("a closed model");
    let model: serde_json::Value = serde_json::from_str(&page[start..end]).expect("JSON");
    check(
        "flooding-f1-one-round-seed-4.model.json",
        &(serde_json::to_string_pretty(&model).unwrap() + "\n"),
    );
}
