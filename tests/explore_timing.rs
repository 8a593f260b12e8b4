//! `ftsim explore` on protocols whose model bounds message delays: a search has no clock, so
//! each violation it finds is checked for step times within the bound (`bounded`). The
//! impatient election winner (a one-way wait) is caught with a schedule inside the model and
//! its run replays at those times; the correct wait's violations need messages slower than
//! the bound, so they are set aside and the verdict never says the property holds; two
//! generals' lost acknowledgement is found with the messenger in time.

mod common;

use common::{ftsim, ftsim_in, scenario, scratch, stderr, stdout};

/// Explores `name` with `extra`: the exit code and the output, whitespace flattened. Run in
/// a scratch directory: without `--repro`, the counterexample's is written where it runs.
fn explore(name: &str, extra: &[&str]) -> (Option<i32>, String) {
    static DIR: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    let dir = DIR.get_or_init(|| scratch("timing-explore"));
    let file = scenario(name);
    let mut args = vec!["explore", &file];
    args.extend_from_slice(extra);
    let o = ftsim_in(dir, &args);
    let text = format!("{}{}", stdout(&o), stderr(&o));
    (
        o.status.code(),
        text.split_whitespace().collect::<Vec<_>>().join(" "),
    )
}

fn assert_has(out: &str, lines: &[&str]) {
    for line in lines {
        assert!(out.contains(line), "no {line:?} in\n{out}");
    }
}

/// Replays `repro`: the output.
fn replay(repro: &str) -> String {
    let o = ftsim(&["replay", "--repro", repro]);
    format!("{}{}", stdout(&o), stderr(&o))
}

#[test]
fn an_impatient_winner_is_caught_within_the_bound_and_replays_at_its_times() {
    let dir = scratch("timing-one-way");
    let repro = dir.join("cx.repro.json");
    let repro_arg = repro.to_str().unwrap();
    let (code, out) = explore(
        "explore-election-bully-n2-one-way-wait.toml",
        &["--repro", repro_arg],
    );
    assert_eq!(code, Some(0), "{out}");
    assert_has(
        &out,
        &[
            "the model delivers every message within 5 ms",
            // The wait ending over the election message itself needs it slower than 5 ms.
            "set aside: 1 violation(s) that no timing within the bound allows",
            "within the bound: the violation happens with its steps at (step@ms) 1@5 2@5",
            "violation of one-leader-per-epoch after 2 steps",
            "node 1 receives Election { epoch: 1 } from node 0",
            "node 0: timer AnswerWait { epoch: 1 } fires",
            "expect violation one-leader-per-epoch: met",
            "as a run (its steps at the times above, within the bound on delays): \
             one-leader-per-epoch breaks at 5ms",
        ],
    );
    let replayed = replay(repro_arg);
    assert!(
        replayed.contains("one-leader-per-epoch (always), event #4 at 5ms"),
        "{replayed}"
    );
    assert!(replayed.contains("as recorded"), "{replayed}");
}

#[test]
fn the_round_trip_wait_sets_asynchrony_aside_and_never_claims_to_hold() {
    for threads in ["1", "2"] {
        let (code, out) = explore(
            "explore-election-bully-n2-round-trip.toml",
            &["--max-depth", "8", "--threads", threads],
        );
        assert_eq!(code, Some(1), "a limit is not a pass: {out}");
        assert_has(
            &out,
            &[
                "3385 unique, depth 8",
                "set aside: 332 violation(s) that no timing within the bound allows",
                "stopped by --max-depth 8: no violation within the bound on delays",
                "expect pass: NOT MET",
            ],
        );
        assert!(!out.contains("violation of"), "{out}");
        assert!(!out.contains("complete"), "{out}");
    }
}

#[test]
fn depth_first_sets_the_asynchronous_violations_aside_too() {
    // Depth-first reaches other states first: it must set aside, never report, all the same.
    let (code, out) = explore(
        "explore-election-bully-n2-round-trip.toml",
        &["--max-depth", "6", "--order", "dfs"],
    );
    assert_eq!(code, Some(1), "{out}");
    assert!(!out.contains("violation of"), "{out}");
    assert!(out.contains("set aside:"), "{out}");
}

#[test]
fn two_generals_lose_the_last_messenger_with_the_first_in_time() {
    let dir = scratch("timing-two-generals");
    let repro = dir.join("cx.repro.json");
    let repro_arg = repro.to_str().unwrap();
    let (code, out) = explore("explore-two-generals-r1.toml", &["--repro", repro_arg]);
    assert_eq!(code, Some(0), "{out}");
    assert_has(
        &out,
        &[
            "the model delivers every message within 50 ms",
            "within the bound: the violation happens with its steps at (step@ms) 1@50 2@100 \
             3@100",
            "violation of coordinated after 3 steps",
            "node 1 receives Messenger { n: 1 } from node 0",
            "general 1 attacks, but general 0 holds back",
            "expect violation coordinated: met",
            "coordinated breaks at 100ms",
        ],
    );
    let replayed = replay(repro_arg);
    assert!(
        replayed.contains("coordinated (always), event #5 at 100ms"),
        "{replayed}"
    );
    assert!(replayed.contains("as recorded"), "{replayed}");
}

#[test]
fn random_runs_report_only_violations_within_the_bound() {
    let (code, out) = explore(
        "explore-election-bully-n2-one-way-wait.toml",
        &["--strategy", "random", "--runs", "200", "--seed", "1"],
    );
    assert_eq!(code, Some(0), "{out}");
    assert_has(
        &out,
        &[
            "within the bound: the violation happens with its steps at",
            "expect violation one-leader-per-epoch: met",
            "within the bound on delays): one-leader-per-epoch breaks at",
        ],
    );
}
