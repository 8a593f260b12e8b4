//! `ftsim explore` branching on the processes' random draws: transactions' clients draw the
//! order they lock their items in, and a search takes every order. Arbitrary order is caught
//! deadlocked (a termination violation, the shortest run) and its counterexample replays with
//! the same draws; ordered locking holds in every reachable state, no-wait to a stated depth
//! (retries make its space infinite); every thread count gives the same report.

mod common;

use common::{ftsim, scenario, scratch, stderr, stdout};

fn text(o: &std::process::Output) -> String {
    format!("{}{}", stdout(o), stderr(o))
}

/// Explores `name` with `extra`: the exit code and the output.
fn explore(name: &str, extra: &[&str]) -> (Option<i32>, String) {
    let file = scenario(name);
    let mut args = vec!["explore", &file];
    args.extend_from_slice(extra);
    let o = ftsim(&args);
    (o.status.code(), text(&o))
}

#[test]
fn arbitrary_lock_order_deadlocks_in_eight_steps_and_replays_with_its_draws() {
    let dir = scratch("draws-arbitrary");
    let repro = dir.join("cx.repro.json");
    let repro_arg = repro.to_str().unwrap();
    let (code, out) = explore(
        "explore-transactions-arbitrary.toml",
        &["--repro", repro_arg],
    );
    assert_eq!(code, Some(0), "{out}");
    let flat = out.split_whitespace().collect::<Vec<_>>().join(" ");
    for line in [
        "595 unique, depth 22",
        "violation of termination: after 8 steps a run can stop with it unmet",
        "node 2: timer Begin fires (drew 0 of 0..2)",
        "node 3: timer Begin fires (drew 1 of 0..2)",
        "deadlock, a wait-for cycle",
        "draws branched on",
        "expect violation termination: met",
        "termination breaks at",
    ] {
        assert!(flat.contains(line), "no {line:?} in\n{out}");
    }
    let o = ftsim(&["replay", "--repro", repro_arg]);
    let replayed = text(&o);
    assert!(
        replayed.contains("deadlock, a wait-for cycle"),
        "{replayed}"
    );
    assert!(replayed.contains("as recorded"), "{replayed}");
}

#[test]
fn without_branching_on_draws_both_clients_would_lock_alike() {
    // The deadlock needs the two clients to draw different orders: the counterexample's two
    // Begin steps draw different outcomes, which a search answering every draw with its first
    // outcome could never take.
    let (_, out) = explore("explore-transactions-arbitrary.toml", &["--max-depth", "1"]);
    let flat = out.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flat.contains("draws branched on: 4"), "{out}");
    assert!(
        flat.contains("5 states generated, 5 unique, depth 1"),
        "{out}"
    );
}

#[test]
fn ordered_locking_holds_in_every_reachable_state() {
    let (code, out) = explore("explore-transactions-ordered.toml", &[]);
    assert_eq!(code, Some(0), "{out}");
    let flat = out.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flat.contains("164 unique, depth 22"), "{out}");
    assert!(
        flat.contains("complete: no checked property fails"),
        "{out}"
    );
    assert!(
        !flat.contains("not checked"),
        "every property followed:\n{out}"
    );
}

#[test]
fn no_wait_holds_to_a_stated_depth() {
    let (code, out) = explore("explore-transactions-no-wait.toml", &["--max-depth", "16"]);
    assert_eq!(code, Some(1), "a bound is no pass:\n{out}");
    let flat = out.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flat.contains("4215 unique, depth 16"), "{out}");
    assert!(
        flat.contains("stopped by --max-depth 16: no violation"),
        "{out}"
    );
}

#[test]
fn draws_branch_the_same_on_every_thread_count() {
    let figures = |threads: &str| {
        let (code, out) = explore(
            "explore-transactions-no-wait.toml",
            &["--max-depth", "12", "--threads", threads],
        );
        let flat = out.split_whitespace().collect::<Vec<_>>().join(" ");
        let stats = flat.find(" states generated, ").map(|at| {
            let start = flat[..at].rfind(' ').map_or(0, |s| s + 1);
            let end = at + flat[at..].find(';').unwrap_or(0);
            flat[start..end].to_string()
        });
        let draws = flat
            .split_once("draws branched on: ")
            .map(|(_, r)| r.split(' ').next().unwrap_or("").to_string());
        (code, stats, draws)
    };
    let one = figures("1");
    assert!(one.1.is_some() && one.2.is_some(), "{one:?}");
    assert_eq!(one, figures("2"));
    assert_eq!(one, figures("3"));
}
