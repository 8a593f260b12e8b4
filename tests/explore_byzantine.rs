//! `ftsim explore` with Byzantine nodes: the traitors' placement is the search's first step
//! (one branch per placement), and everything a traitor's adversary draws is a branch, so an
//! adversary that may send anything ("mix") is searched as every traitor at once. OM(m)'s
//! rounds are timed, and the search keeps time (`zone`): the known result, exactly. It breaks
//! at n = 3m (shortest counterexample first, replayed as a run) and holds at n = 3m + 1.

mod common;

use common::{assert_has, explore_then_replay, flat, ftsim, scenario, scratch};

#[test]
fn om1_with_three_generals_breaks_validity_in_seven_steps_and_replays_as_recorded() {
    explore_then_replay(
        "explore-byzantine-n3-m1-mix.toml",
        0,
        &[
            "violation of validity after 7 steps (no shorter path breaks a property)",
            "1. the nodes start, node 2 Byzantine (adversary \"mix\") (drew 1 of 0..2)",
            "5. node 2: timer EndOfRound(1) fires (drew 1 of 0..4)",
            "lieutenant 1 decided 0",
            "but the loyal commander 0 ordered 1",
            "expect outside validity: met",
        ],
        &[
            "drop m3 n2->n1: adversary",
            "VIOLATION validity",
            "outside the protocol's assumptions: node 2 Byzantine",
            "as recorded",
        ],
    );
}

#[test]
fn the_traitors_stay_within_their_pool() {
    // Only node 1 may be the traitor: the counterexample is the mirror image, node 2 fooled.
    let dir = scratch("pool");
    let base = std::fs::read_to_string(scenario("explore-byzantine-n3-m1-mix.toml")).unwrap();
    let file = dir.join("pool.toml");
    let toml = base.replace(
        "byzantine = { count = 1 }",
        "byzantine = { count = 1, nodes = [1] }",
    );
    std::fs::write(&file, toml).unwrap();
    let repro = dir.join("pool.repro.json");
    let o = ftsim(&[
        "explore",
        file.to_str().unwrap(),
        "--repro",
        repro.to_str().unwrap(),
    ]);
    let out = flat(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert_has(
        &out,
        &[
            "the nodes start, node 1 Byzantine",
            "lieutenant 2 decided 0",
            "violation of validity after 8 steps",
        ],
    );
    assert!(!out.contains("node 2 Byzantine"), "{out}");
}

#[test]
fn om1_with_four_generals_holds_whatever_the_traitor_sends() {
    for threads in ["1", "2"] {
        let file = scenario("explore-byzantine-n4-m1-mix.toml");
        let o = ftsim(&["explore", &file, "--threads", threads]);
        let out = flat(&o);
        assert_eq!(o.status.code(), Some(0), "{out}");
        assert_has(
            &out,
            &[
                "37053 unique, depth 16",
                "complete: no checked property fails in any reachable state",
                "expect pass: met",
            ],
        );
        assert!(!out.contains("set aside"), "{out}");
    }
}

#[test]
fn a_traitor_and_a_crash_together_break_om1_outside_its_model() {
    // Both kinds in one search: the traitor's placement and sends, and the crash, are
    // branches. Two faulty generals are one more than OM(1) tolerates in all, though neither
    // kind alone exceeds its bound: the search and the replayed run both say outside.
    explore_then_replay(
        "explore-byzantine-n4-m1-crash.toml",
        0,
        &[
            "violation of validity after 10 steps (no shorter path breaks a property)",
            "node 0 crashes before its last 3 message(s) left",
            "but the loyal commander 0 ordered 1",
            "expect outside validity: met",
        ],
        &[
            "VIOLATION validity",
            "outside the protocol's assumptions: node 0 crashed and node 2 Byzantine: 2 \
             faulty nodes; byzantine tolerates at most 1 in all",
            "as recorded",
        ],
    );
}

#[test]
fn two_colluding_traitors_break_om1_with_four_generals() {
    // One traitor more than OM(1) tolerates; the adversary remembers the order it relayed
    // (its memory is part of the state). The shortest: a loyal commander, validity broken.
    explore_then_replay(
        "byzantine-n4-m1-two-colluding-traitors.toml",
        1,
        &[
            "violation of validity after 14 steps",
            "the nodes start, nodes 2 and 3 Byzantine (adversary \"collude\")",
            "but the loyal commander 0 ordered 0",
        ],
        &["VIOLATION validity", "as recorded"],
    );
}
