//! What the command-line tests share: running the built `ftsim`, reading its output, the
//! bundled scenarios' paths and a scratch directory per test.

// Each test binary includes this module and uses only part of it.
#![allow(dead_code)]

pub mod cdp;
pub mod debug_server;
pub mod guide_pages;
pub mod json_doc;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs the built `ftsim` with `args`, colour off, wrapping prose as on an 80-column terminal
/// (`COLUMNS=80`: its output is piped here, which would not be wrapped at all).
pub fn ftsim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ftsim"))
        .args(args)
        .env("NO_COLOR", "1")
        .env("COLUMNS", "80")
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
        .env("COLUMNS", "80")
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

/// Every line of `text` fits 80 columns, but a command to paste, which is never wrapped.
pub fn assert_fits_80(text: &str) {
    let command = |line: &str| {
        let line = line.trim_start();
        line.starts_with("ftsim ") || line.starts_with("replay: ftsim ")
    };
    for line in text.lines().filter(|l| !command(l)) {
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

/// Runs the built `ftsim` with `args` (stdout to /dev/null) and returns its exit code and its
/// peak resident memory in KiB, from `wait4` on that child alone (other tests' children run
/// meanwhile).
#[cfg(unix)]
pub fn peak_kib(args: &[&str]) -> (i32, i64) {
    let (code, kib, _) = measured_with(args, false);
    (code, kib)
}

/// Runs the built `ftsim` with `args` and returns its exit code, its peak resident memory in
/// KiB (from `wait4` on that child alone) and its stdout.
#[cfg(unix)]
pub fn measured(args: &[&str]) -> (i32, i64, String) {
    measured_with(args, true)
}

/// [`measured`], its stdout read (`capture`) or thrown away (`/dev/null`, as fast as the
/// child writes).
#[cfg(unix)]
#[expect(
    clippy::zombie_processes,
    reason = "the child is reaped by wait4, which std's Child::wait cannot be mixed with"
)]
fn measured_with(args: &[&str], capture: bool) -> (i32, i64, String) {
    use std::io::Read;
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_ftsim"))
        .args(args)
        .env("NO_COLOR", "1")
        .env("COLUMNS", "80")
        .stdout(if capture {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut text = String::new();
    if let Some(mut out) = child.stdout.take() {
        out.read_to_string(&mut text).unwrap();
    }
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value; wait4 fills it for this child's pid.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: the pid is our own child, not yet waited for; the pointers are to live locals.
    let pid = unsafe { libc::wait4(child.id() as libc::pid_t, &mut status, 0, &mut usage) };
    assert_eq!(pid, child.id() as libc::pid_t);
    (libc::WEXITSTATUS(status), usage.ru_maxrss, text)
}
