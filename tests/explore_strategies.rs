//! `ftsim explore --strategy pct|random` and `--order dfs` end to end: the sampling strategies
//! catch every bundled known-buggy explore scenario within the scenario's seeds (a liveness
//! one where a run can stop with its `eventually` property unmet included), sample the
//! same runs for the same command, never report a violation of a correct protocol; depth-first
//! search visits the same states as breadth-first; breadth-first search with `--threads`
//! visits the same states, to the same depth, with the same verdict and counterexample, for
//! every thread count, with and without symmetry reduction; options that do not fit the
//! strategy are bad usage.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};

use common::{ftsim, ftsim_in, scenario, scratch, stderr, stdout};

/// TwoPhase with its known bug (the TM commits once any RM prepared). Not a bundled scenario:
/// under the engine's fixed timer delays no seed reaches the bad interleaving, so `ftsim run`
/// could not meet its expectation; a search does.
const EARLY_COMMIT: &str = "two-phase-tla-early-commit-3.toml";

/// The path of bundled scenario `name`, or of the early-commit TwoPhase written from the
/// bundled correct one.
fn scenario_file(name: &str) -> String {
    if name != EARLY_COMMIT {
        return scenario(name);
    }
    let base = std::fs::read_to_string(scenario("explore-two-phase-tla-3.toml")).unwrap();
    let buggy = base
        .replace(
            "name = \"explore-two-phase-tla-3\"",
            "name = \"early-commit\"",
        )
        .replace(
            "expect = \"pass\"",
            "expect = { violation = \"consistent\" }",
        )
        .replace("[network]", "[params]\nearly_commit = true\n\n[network]");
    // One directory per call: tests run in parallel and `scratch` empties its directory.
    static CALLS: AtomicUsize = AtomicUsize::new(0);
    let call = CALLS.fetch_add(1, Ordering::Relaxed);
    let file = scratch(&format!("early-commit-{call}")).join(name);
    std::fs::write(&file, buggy).unwrap();
    file.display().to_string()
}

/// Runs `ftsim explore` on a bundled scenario with `extra`, returning the exit code and the
/// whole output.
fn explore(name: &str, extra: &[&str]) -> (Option<i32>, String) {
    let file = scenario_file(name);
    let mut args = vec!["explore", file.as_str()];
    args.extend_from_slice(extra);
    let o = ftsim_in(&explore_dir(), &args);
    (o.status.code(), format!("{}{}", stdout(&o), stderr(&o)))
}

/// Where this binary's searches run: they write their counterexamples' repros there.
fn explore_dir() -> std::path::PathBuf {
    static DIR: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    DIR.get_or_init(|| scratch("explore")).clone()
}

/// `out` with its lines joined (a sentence may wrap at 80 columns).
fn flat(out: &str) -> String {
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The output from the verdict on (the statistics before it carry timings).
fn verdict(out: &str) -> &str {
    let at = out
        .find("  violation of")
        .or_else(|| out.find("  no violation"))
        .or_else(|| out.find("  complete:"))
        .or_else(|| out.find("  stopped by"))
        .unwrap_or_else(|| panic!("no verdict in\n{out}"));
    &out[at..]
}

const BUGGY: [&str; 3] = [
    "explore-flooding-n3-f1-rounds-1.toml",
    "explore-flooding-n4-f1-rounds-1.toml",
    EARLY_COMMIT,
];

#[test]
fn pct_catches_every_known_buggy_explore_scenario() {
    for name in BUGGY {
        let (code, out) = explore(name, &["--strategy", "pct"]);
        assert_eq!(code, Some(0), "{name}:\n{out}");
        assert!(out.contains("in run "), "{name}:\n{out}");
        assert!(
            flat(&out).contains("a sampled path, not necessarily"),
            "{out}"
        );
        assert!(out.contains(": met"), "{name}:\n{out}");
    }
}

#[test]
fn random_walks_catch_every_known_buggy_explore_scenario() {
    for name in BUGGY {
        let (code, out) = explore(name, &["--strategy", "random", "--max-depth", "40"]);
        assert_eq!(code, Some(0), "{name}:\n{out}");
        assert!(out.contains("violation of"), "{name}:\n{out}");
        assert!(out.contains(": met"), "{name}:\n{out}");
    }
}

/// 2PC whose coordinator may crash for good: a participant that voted yes blocks. Before
/// samples judged `eventually` properties, every run reached that state and none said so.
#[test]
fn sampling_catches_a_run_that_can_stop_with_termination_unmet() {
    for strategy in ["pct", "random"] {
        let name = "explore-twophase-coordinator-crash-blocks.toml";
        let (code, out) = explore(name, &["--strategy", strategy]);
        let flat = flat(&out);
        assert_eq!(code, Some(0), "{strategy}:\n{out}");
        assert!(
            flat.contains("violation of termination in run ")
                && flat.contains("a run can stop with it unmet"),
            "{strategy}:\n{out}"
        );
        assert!(flat.contains("node 0 crashes"), "{strategy}:\n{out}");
        assert!(
            flat.contains("termination: node 1 never decided"),
            "{strategy}:\n{out}"
        );
        assert!(out.contains("expect outside termination: met"), "{out}");
    }
}

#[test]
fn the_same_command_samples_the_same_runs_and_another_seed_others() {
    for strategy in ["pct", "random"] {
        let args = ["--strategy", strategy, "--max-depth", "40"];
        let (_, first) = explore(BUGGY[1], &args);
        let (_, again) = explore(BUGGY[1], &args);
        assert_eq!(verdict(&first), verdict(&again), "{strategy}");
        let mut reseeded = args.to_vec();
        reseeded.extend(["--seed", "1000"]);
        let (code, other) = explore(BUGGY[1], &reseeded);
        assert_eq!(code, Some(0), "{strategy}:\n{other}");
        assert_ne!(
            verdict(&first),
            verdict(&other),
            "{strategy}: seed 1000 ran the same"
        );
    }
}

#[test]
fn sampling_a_correct_protocol_finds_nothing_and_proves_nothing() {
    for name in [
        "explore-flooding-n3-f1-rounds-2.toml",
        "explore-two-phase-tla-3.toml",
        // Termination is followed: no run may stop with a node up and undecided.
        "explore-twophase-crash-recover.toml",
    ] {
        for strategy in ["pct", "random"] {
            let args = ["--strategy", strategy, "--runs", "300", "--max-depth", "60"];
            let (code, out) = explore(name, &args);
            assert_eq!(code, Some(1), "{name} {strategy}:\n{out}");
            assert!(out.contains("300 runs, "), "{name} {strategy}:\n{out}");
            assert!(flat(&out).contains("no violation in 300 runs"), "{out}");
            assert!(out.contains("expect pass: NOT MET"), "{name}:\n{out}");
        }
    }
}

#[test]
fn depth_first_visits_the_same_states_as_breadth_first() {
    for (name, unique) in [
        ("explore-two-phase-tla-3.toml", " 288 unique"),
        ("explore-flooding-n3-f1-rounds-2.toml", " 4858 unique"),
    ] {
        let (code, out) = explore(name, &["--order", "dfs"]);
        assert_eq!(code, Some(0), "{name}:\n{out}");
        assert!(out.contains("exhaustive, depth-first"), "{name}:\n{out}");
        assert!(out.contains(unique), "{name}:\n{out}");
        assert!(out.contains("complete: no checked property fails"), "{out}");
    }
}

#[test]
fn depth_first_catches_the_known_bugs_without_promising_a_shortest_path() {
    for name in BUGGY {
        let (code, out) = explore(name, &["--order", "dfs"]);
        assert_eq!(code, Some(0), "{name}:\n{out}");
        assert!(
            flat(&out).contains("(depth-first: not necessarily a shortest"),
            "{out}"
        );
    }
}

#[test]
fn options_that_do_not_fit_the_strategy_are_bad_usage() {
    for (extra, message) in [
        (
            &["--strategy", "pct", "--order", "dfs"][..],
            "--order applies",
        ),
        (&["--runs", "5"][..], "--runs and --seed apply"),
        (&["--strategy", "random", "--depth", "2"][..], "--depth"),
        (
            &["--strategy", "pct", "--depth", "0"][..],
            "0 is not in 1..=1000",
        ),
        (&["--strategy", "pct", "--runs", "0"][..], "at least 1"),
        (
            &["--strategy", "pct", "--symmetry"][..],
            "exhaustive search only",
        ),
        (
            &["--order", "dfs", "--threads", "2"][..],
            "--threads applies",
        ),
        (
            &["--strategy", "pct", "--threads", "2"][..],
            "--threads applies",
        ),
        (&["--threads", "0"][..], "--threads"),
    ] {
        let (code, out) = explore("explore-two-phase-tla-3.toml", extra);
        assert_eq!(code, Some(2), "{extra:?}:\n{out}");
        assert!(out.contains(message), "{extra:?}: no {message:?} in\n{out}");
    }
}

#[test]
fn the_help_states_pcts_guarantee() {
    let o = ftsim(&["help", "explore"]);
    let help = stdout(&o);
    assert!(help.contains("1/(n*k^(d-1))"), "{help}");
    assert!(help.contains("--depth"), "{help}");
}

/// The bundled TwoPhase scenario with `rms` RMs, correct or with its known bug.
fn two_phase(rms: usize, early_commit: bool) -> String {
    common::two_phase_scenario("strategies", rms, early_commit)
}

/// `ftsim explore file extra`: the exit code and the whole output.
fn explore_file(file: &str, extra: &[&str]) -> (Option<i32>, String) {
    let mut args = vec!["explore", file];
    args.extend_from_slice(extra);
    let o = ftsim_in(&explore_dir(), &args);
    (o.status.code(), format!("{}{}", stdout(&o), stderr(&o)))
}

/// What must not depend on the thread count: states generated, unique states and depth (the
/// statistics without their timings), then the verdict with its counterexample.
fn outcome(out: &str) -> String {
    let flat = flat(out);
    let (before, after) = flat
        .split_once(" states generated")
        .unwrap_or_else(|| panic!("no statistics in\n{out}"));
    let generated = before.rsplit(' ').next().unwrap();
    let counts = after.split(';').next().unwrap();
    format!("{generated} states generated{counts}\n{}", verdict(out))
}

/// The verdict's kind (which property fails, or none) and whether `expect` was met: what
/// symmetry reduction must not change.
fn verdict_kind(out: &str) -> String {
    let v = verdict(out);
    let first = v.lines().next().unwrap().trim();
    let kind = first.split(" after ").next().unwrap();
    let expect = v.lines().find(|l| l.contains("expect")).unwrap_or("");
    format!("{kind} / {}", expect.trim())
}

/// Runs `file` at 1, 2 and 4 threads, twice each, with `extra`; every run must give the same
/// outcome (and exit code), which is returned with the output of the first.
fn same_for_every_thread_count(file: &str, extra: &[&str]) -> (Option<i32>, String) {
    let mut first: Option<(Option<i32>, String, String)> = None;
    for threads in ["1", "2", "4", "1", "2", "4"] {
        let mut args = extra.to_vec();
        args.extend(["--threads", threads]);
        let (code, out) = explore_file(file, &args);
        let got = outcome(&out);
        match &first {
            None => first = Some((code, got, out)),
            Some((code1, want, out1)) => {
                assert_eq!(
                    code, *code1,
                    "{file} {args:?}:\n{out}\nvs 1 thread:\n{out1}"
                );
                assert_eq!(&got, want, "{file} {args:?}:\n{out}\nvs 1 thread:\n{out1}");
            }
        }
    }
    let (code, _, out) = first.unwrap();
    (code, out)
}

#[test]
fn two_phase_with_4_rms_is_the_same_on_every_thread_count_and_under_symmetry() {
    for early_commit in [false, true] {
        let file = two_phase(4, early_commit);
        let (code, plain) = same_for_every_thread_count(&file, &[]);
        let (code_sym, reduced) = same_for_every_thread_count(&file, &["--symmetry"]);
        assert_eq!(code, Some(0), "{plain}");
        assert_eq!(code_sym, Some(0), "{reduced}");
        assert_eq!(verdict_kind(&plain), verdict_kind(&reduced));
        if !early_commit {
            // TLC's distinct states for TwoPhase with 4 RMs; with symmetry, one per orbit.
            assert!(plain.contains(" 1568 unique"), "{plain}");
            assert!(!reduced.contains(" 1568 unique"), "{reduced}");
        }
        let (_, threaded) = explore_file(&file, &["--threads", "2"]);
        assert!(threaded.contains(", 2 threads"), "{threaded}");
    }
}

#[test]
fn flooding_and_paxos_searches_are_the_same_on_every_thread_count() {
    for (name, extra) in [
        ("explore-flooding-n3-f1-rounds-1.toml", &[][..]),
        ("explore-flooding-n3-f1-rounds-2.toml", &[][..]),
        ("explore-flooding-n4-f1-rounds-1.toml", &[][..]),
        ("explore-paxos-3-break-promise.toml", &[][..]),
        ("explore-paxos-3-ignore-accepted.toml", &[][..]),
        // The correct Paxos has 301,099 states: a prefix of its search, cut by a limit that
        // every thread count must reach at the same state.
        ("explore-paxos-3.toml", &["--max-states", "20000"][..]),
    ] {
        let (code, out) = same_for_every_thread_count(&scenario(name), extra);
        let expected = if name == "explore-paxos-3.toml" { 1 } else { 0 };
        assert_eq!(code, Some(expected), "{name}:\n{out}");
    }
}
