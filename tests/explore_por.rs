//! `ftsim explore --por`: partial-order reduction by sleep sets skips transitions, never
//! states. On every bundled explore-* scenario and on TwoPhase with 4 and 5 RMs (TLC's 1,568
//! and 8,832 states, correct and with its known bug), breadth- and depth-first, it must give
//! the same unique states, depth and verdict as the search without it, a counterexample of the
//! same length breadth-first, and never more states generated (fewer in total); every thread
//! count the same report; and it is refused with symmetry or a sampling strategy.

mod common;

use common::{ftsim, ftsim_in, scenario, scenarios_dir, scratch, stderr, stdout};

/// `ftsim explore file extra`: the exit code and the whole output, run in a scratch directory
/// (a counterexample's repro is written where it runs).
fn explore(file: &str, extra: &[&str]) -> (Option<i32>, String) {
    static DIR: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    let dir = DIR.get_or_init(|| scratch("explore-por"));
    let mut args = vec!["explore", file];
    args.extend_from_slice(extra);
    let o = ftsim_in(dir, &args);
    (o.status.code(), format!("{}{}", stdout(&o), stderr(&o)))
}

/// What a search reports, from its output.
#[derive(Debug, PartialEq, Eq)]
struct Figures {
    generated: u64,
    unique: u64,
    depth: u64,
    /// From the verdict on, without the counterexample's steps: which property failed after
    /// how many steps (or none), and whether the expectation was met.
    verdict: String,
}

fn figures(out: &str) -> Figures {
    let flat = out.split_whitespace().collect::<Vec<_>>().join(" ");
    let (before, after) = flat
        .split_once(" states generated, ")
        .unwrap_or_else(|| panic!("no statistics in\n{out}"));
    let number = |s: &str| {
        s.parse::<u64>()
            .unwrap_or_else(|_| panic!("{s:?} in {out}"))
    };
    let generated = number(before.rsplit(' ').next().unwrap());
    let (unique, rest) = after.split_once(" unique, depth ").unwrap();
    let depth = rest.split(';').next().unwrap();
    let verdict = (out.lines())
        .filter(|l| {
            l.contains("violation of") || l.contains("complete:") || l.contains("stopped by")
        })
        .chain(out.lines().filter(|l| l.contains("expect ")))
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(" / ");
    Figures {
        generated,
        unique: number(unique),
        depth: number(depth),
        verdict,
    }
}

/// Runs `file` with `extra`, with and without `--por`: same exit code, states, depth and
/// verdict (so the same counterexample length), no more transitions. Returns both figures.
fn same_states_fewer_transitions(file: &str, extra: &[&str]) -> (Figures, Figures) {
    let (code, plain_out) = explore(file, extra);
    let mut reduced_args = extra.to_vec();
    reduced_args.push("--por");
    let (code_por, reduced_out) = explore(file, &reduced_args);
    assert_eq!(
        code, code_por,
        "{file} {extra:?}:\n{plain_out}\n{reduced_out}"
    );
    let header = reduced_out.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        header.contains("partial-order reduction (sleep sets)"),
        "{header}"
    );
    let (plain, reduced) = (figures(&plain_out), figures(&reduced_out));
    let context = format!("{file} {extra:?}:\n{plain_out}\nwith --por:\n{reduced_out}");
    assert_eq!(
        (plain.unique, plain.depth, &plain.verdict),
        (reduced.unique, reduced.depth, &reduced.verdict),
        "{context}"
    );
    assert!(reduced.generated <= plain.generated, "{context}");
    (plain, reduced)
}

/// Every bundled explore-* scenario (those added later too), breadth- and depth-first. A
/// search too big for a debug build here (plain breadth-first does not complete within
/// 60,000 states, 3,000 for external nodes, whose every state costs a program's step) is
/// compared breadth-first to the last level those states completed instead: sleep sets keep
/// every state at its depth, so a depth bound cuts both searches at the same states.
#[test]
fn sleep_sets_keep_every_state_depth_and_verdict_of_every_bundled_explore_scenario() {
    let mut files: Vec<String> = std::fs::read_dir(scenarios_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("explore-") && n.ends_with(".toml"))
        .collect();
    files.sort();
    assert!(files.len() >= 7, "{files:?}");
    let (mut plain_total, mut reduced_total) = (0, 0);
    for name in files {
        let file = scenario(&name);
        let external = std::fs::read_to_string(&file)
            .unwrap()
            .contains("\nnode = ");
        let max_states = if external { "3000" } else { "60000" };
        let (_, probe) = explore(&file, &["--max-states", max_states]);
        let flat = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
        if flat(&probe).contains("--strategy decisions searches any protocol's runs") {
            // A protocol with no state search (lease): its scenarios are for the search over
            // the engine's runs (tests/explore_decisions.rs).
            continue;
        }
        if flat(&probe).contains("the search keeps time") {
            // A model bounding delays: `--por` is refused, naming why.
            let (code, refused) = explore(&file, &["--por"]);
            assert_eq!(code, Some(2), "{refused}");
            assert!(flat(&refused).contains("keeps time"), "{refused}");
            continue;
        }
        // Depth-bounded too: where messages pile up without end (election's), an unbounded
        // depth-first path makes states ever larger and the probe runs out of memory.
        let (_, probe_dfs) = explore(
            &file,
            &[
                "--max-states",
                max_states,
                "--order",
                "dfs",
                "--max-depth",
                "200",
            ],
        );
        let complete_depth = figures(&probe).depth.saturating_sub(1).max(1).to_string();
        let mut orders: Vec<Vec<&str>> = if probe.contains("stopped by --max-states") {
            vec![vec!["--max-depth", &complete_depth]]
        } else {
            vec![vec![]]
        };
        // Depth-first only where it ends within the probe's states and depth: heartbeats or
        // retries make some spaces infinite, where breadth-first still finds the violation but
        // depth-first might never come back (or dive until memory runs out).
        // A probe that never came near its depth bound searched what an unbounded one would.
        if !probe_dfs.contains("stopped by --max-") && figures(&probe_dfs).depth < 200 {
            orders.push(vec!["--order", "dfs"]);
        }
        for extra in &orders {
            let (plain, reduced) = same_states_fewer_transitions(&file, extra);
            plain_total += plain.generated;
            reduced_total += reduced.generated;
        }
    }
    assert!(
        reduced_total < plain_total,
        "{reduced_total} vs {plain_total}"
    );
}

/// The bundled TwoPhase scenario with `rms` RMs, correct or with its known bug.
fn two_phase(rms: usize, early_commit: bool) -> String {
    common::two_phase_scenario("por", rms, early_commit)
}

#[test]
fn two_phase_keeps_tlcs_counts_with_fewer_transitions() {
    for (rms, tlc) in [(4, 1_568), (5, 8_832)] {
        for order in [&[][..], &["--order", "dfs"][..]] {
            let (plain, reduced) = same_states_fewer_transitions(&two_phase(rms, false), order);
            assert_eq!(reduced.unique, tlc, "{rms} RMs {order:?}");
            assert!(
                reduced.generated < plain.generated,
                "{rms} RMs {order:?}: {reduced:?}"
            );
        }
        let (_, buggy) = same_states_fewer_transitions(&two_phase(rms, true), &[]);
        assert!(
            buggy.verdict.contains("violation of consistent after"),
            "{buggy:?}"
        );
    }
}

/// Runs `file` with `--por` and `extra` at 1, 2 and 4 threads: the same report each time.
fn same_for_every_thread_count(file: &str, extra: &[&str]) {
    let mut first: Option<(Option<i32>, Figures, String)> = None;
    for threads in ["1", "2", "4"] {
        let mut args = vec!["--por", "--threads", threads];
        args.extend_from_slice(extra);
        let (code, out) = explore(file, &args);
        let got = figures(&out);
        let steps: String = (out.lines())
            .skip_while(|l| !l.contains("violation of"))
            .collect();
        match &first {
            None => first = Some((code, got, steps)),
            Some((code1, want, steps1)) => {
                assert_eq!((code, &got), (*code1, want), "{file} {args:?}:\n{out}");
                assert_eq!(&steps, steps1, "{file} {args:?}: another counterexample");
            }
        }
    }
}

#[test]
fn sleep_sets_give_the_same_search_on_every_thread_count() {
    for name in [
        "explore-flooding-n3-f1-rounds-1.toml",
        "explore-flooding-n3-f1-rounds-2.toml",
        "explore-paxos-3-break-promise.toml",
        "explore-paxos-3-ignore-accepted.toml",
    ] {
        same_for_every_thread_count(&scenario(name), &[]);
    }
    same_for_every_thread_count(
        &scenario("explore-paxos-3.toml"),
        &["--max-states", "20000"],
    );
    same_for_every_thread_count(&two_phase(4, false), &[]);
    same_for_every_thread_count(&two_phase(4, true), &[]);
}

#[test]
fn sleep_sets_are_refused_with_symmetry_or_sampling() {
    let file = scenario("explore-two-phase-tla-3.toml");
    for (extra, message) in [
        (&["--por", "--symmetry"][..], "cannot be combined with"),
        (&["--por", "--strategy", "pct"][..], "--por applies"),
        (&["--por", "--strategy", "random"][..], "--por applies"),
    ] {
        let (code, out) = explore(&file, extra);
        assert_eq!(code, Some(2), "{extra:?}:\n{out}");
        assert!(out.contains(message), "{extra:?}: no {message:?} in\n{out}");
    }
    let help = stdout(&ftsim(&["help", "explore"]));
    let help = help.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(help.contains("--por"), "{help}");
    assert!(
        help.contains("liveness (lasso) search stays unreduced"),
        "{help}"
    );
}
