//! `ftsim explore` on protocols whose model bounds message delays: the search keeps time (a
//! zone of clock constraints per state, `zone`), taking only steps some timing within the
//! bound allows, and checks each violation's step times again (`bounded`). The impatient
//! election winner (a one-way wait) is caught with a schedule inside the model and its run
//! replays at those times; the correct wait holds in every state the bound allows; two
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
            // The wait ending over the election message itself needs it slower than 5 ms: a
            // search keeping time never takes that step.
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
fn the_round_trip_wait_holds_in_every_state_the_bound_allows() {
    // The search keeps time: a wait ending before the answer could arrive is never taken, so
    // epochs stop growing and the search completes (asynchronously it could only be cut).
    for threads in ["1", "2"] {
        let (code, out) = explore(
            "explore-election-bully-n2-round-trip.toml",
            &["--threads", threads],
        );
        assert_eq!(code, Some(0), "{out}");
        assert_has(
            &out,
            &[
                "68 unique, depth 11",
                "the search keeps time",
                "complete: no checked property fails in any reachable state",
                "expect pass: met",
            ],
        );
        assert!(!out.contains("set aside"), "{out}");
    }
}

#[test]
fn depth_first_keeps_time_too() {
    let (code, out) = explore(
        "explore-election-bully-n2-round-trip.toml",
        &["--order", "dfs"],
    );
    assert_eq!(code, Some(0), "{out}");
    assert!(!out.contains("violation of"), "{out}");
    assert!(!out.contains("set aside"), "{out}");
    assert!(out.contains("complete"), "{out}");
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
