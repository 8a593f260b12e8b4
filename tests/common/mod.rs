//! What the command-line tests share: running the built `ftsim`, reading its output, the
//! bundled scenarios' paths and a scratch directory per test.

// Each test binary includes this module and uses only part of it.
#![allow(dead_code)]

pub mod json_doc;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs the built `ftsim` with `args`, colour off.
pub fn ftsim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ftsim"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("ftsim runs")
}

/// Runs the built `ftsim` with `args` in `dir`, colour off: for commands that write files
/// where they run by default (`explore` writes its counterexample's repro there), so that a
/// test never leaves them in the checkout.
pub fn ftsim_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ftsim"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("ftsim runs")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The JSON document a command printed on stdout.
pub fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}\n{}", stdout(o), stderr(o)))
}

/// Every line of `text` fits 80 columns.
pub fn assert_fits_80(text: &str) {
    for line in text.lines() {
        let columns = reports::columns::width(line);
        assert!(columns <= 80, "wraps at 80 columns ({columns}): {line:?}");
    }
}

/// The path of the bundled scenario file `name`.
pub fn scenario(name: &str) -> String {
    scenarios_dir().join(name).display().to_string()
}

/// The bundled scenarios' folder.
pub fn scenarios_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios")
}

/// A fresh directory for one test's files, named after this checkout (two checkouts may run
/// their tests at once), the test binary and the test. The names hold no process id, so each
/// run of a test replaces its last run's files: runs of the suite do not pile up in the
/// temporary directory. Tests running at once take different names.
pub fn scratch(test: &str) -> PathBuf {
    let dir = temp_path(test);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A path in the temporary directory for `name`, of this checkout and test binary: `ftsim-`,
/// five hex digits of a hash of the checkout's path (short, so that the commands a test
/// prints with its paths still fit 80 columns), the binary's name and `name`.
fn temp_path(name: &str) -> PathBuf {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    env!("CARGO_MANIFEST_DIR").hash(&mut h);
    let checkout = h.finish() & 0xf_ffff;
    let binary = env!("CARGO_CRATE_NAME");
    std::env::temp_dir().join(format!("ftsim-{checkout:05x}-{binary}-{name}"))
}

/// The bundled TwoPhase scenario with `rms` RMs, correct or with its known bug (the TM
/// commits early), written to a scratch directory named after `test`.
pub fn two_phase_scenario(test: &str, rms: usize, early_commit: bool) -> String {
    let base = std::fs::read_to_string(scenario("explore-two-phase-tla-3.toml")).unwrap();
    let mut text = base.replace("nodes = 4", &format!("nodes = {}", rms + 1));
    if early_commit {
        text = text
            .replace(
                "expect = \"pass\"",
                "expect = { violation = \"consistent\" }",
            )
            .replace("[network]", "[params]\nearly_commit = true\n\n[network]");
    }
    let name = format!("{test}-two-phase-{rms}-{early_commit}");
    // Tests running at once may ask for the same file: the directory is not cleared, and the
    // text (the same for every caller) is written whole, renamed into place.
    let dir = temp_path(&name);
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(format!("{name}.toml"));
    let part = dir.join(format!("{name}.{:?}.part", std::thread::current().id()));
    std::fs::write(&part, text).unwrap();
    std::fs::rename(&part, &file).unwrap();
    file.display().to_string()
}

/// stdout and stderr, with the 80-column wrapping undone (a phrase may span a line break).
pub fn flat(o: &Output) -> String {
    let text = format!("{}{}", stdout(o), stderr(o));
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `text` with its 80-column wrapping undone: its words, one space apart.
pub fn words(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Asserts that `out` (see [`flat`]) holds every phrase.
pub fn assert_has(out: &str, phrases: &[&str]) {
    for phrase in phrases {
        assert!(out.contains(phrase), "no {phrase:?} in\n{out}");
    }
}

/// Explores the bundled scenario `name`, expecting exit `code` and the `found` phrases, then
/// replays the counterexample's repro, expecting the `replayed` phrases.
pub fn explore_then_replay(name: &str, code: i32, found: &[&str], replayed: &[&str]) {
    let repro = scratch(name).join("cx.repro.json");
    let repro_arg = repro.to_str().unwrap();
    let o = ftsim(&["explore", &scenario(name), "--repro", repro_arg]);
    let out = flat(&o);
    assert_eq!(o.status.code(), Some(code), "{out}");
    assert_has(&out, found);
    let o = ftsim(&["replay", "--repro", repro_arg]);
    assert_has(&flat(&o), replayed);
}
