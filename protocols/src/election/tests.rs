use ftsim_api::properties::{cites_events, observe_history};
use ftsim_api::sim_core::faults::{CrashSpec, StorageFaults, Trigger, TriggeredCrash};
use ftsim_api::{
    DelayDist, Duration, FaultEvent, FaultKind, FaultPlan, FaultSpec, Outcome, Property, Time,
    World,
};
use ftsim_runner::{Harness, Simulation};

use super::*;

fn params(variant: Variant, wait: Wait, recovery: Recovery) -> ElectionParams {
    ElectionParams {
        variant,
        wait,
        recovery,
        ..ElectionParams::default()
    }
}

/// Five nodes, delays of 1 to `max_ms` (the declared bound is 5ms), 300ms of faults.
fn election(p: ElectionParams, max_ms: u64) -> Harness<CoordinatorElection> {
    Harness::new(&CoordinatorElection)
        .params(p)
        .nodes(5)
        .delay(DelayDist::Uniform {
            min: Duration::from_millis(1),
            max: Duration::from_millis(max_ms),
        })
        .duration(Duration::from_millis(400))
        .settle(Duration::from_millis(300))
        .seeds(0..300)
}

/// Node 4, the first leader, crashes at 20ms and is back at 150ms, after the others elected
/// without it.
fn leader_away() -> FaultPlan {
    FaultPlan {
        events: vec![
            FaultEvent {
                at: Time::from_millis(20),
                kind: FaultKind::Crash { node: 4 },
            },
            FaultEvent {
                at: Time::from_millis(150),
                kind: FaultKind::Recover { node: 4 },
            },
        ],
        ..FaultPlan::default()
    }
}

/// Up to two crashes of any node, recovering or not, and a crash of the first leader the
/// moment it wins.
fn crashes(recover: bool) -> (FaultSpec, FaultPlan) {
    let spec = FaultSpec {
        crashes: vec![CrashSpec {
            min: 0,
            max: 2,
            between: [Time::ZERO, Time::from_millis(350)],
            recover_after: recover.then_some([Duration::from_millis(1), Duration::from_millis(80)]),
            ..CrashSpec::default()
        }],
        storage: if recover {
            StorageFaults::LoseUnsynced
        } else {
            StorageFaults::None
        },
        ..FaultSpec::default()
    };
    let plan = FaultPlan {
        triggered: vec![TriggeredCrash {
            node: 4,
            when: Trigger::Observation {
                kind: "Leader".into(),
                nth: 1,
            },
            recover_after: recover.then_some(Duration::from_millis(90)),
        }],
        ..FaultPlan::default()
    };
    (spec, plan)
}

const BOTH: [Variant; 2] = [Variant::Bully, Variant::Ring];

#[test]
fn without_faults_the_highest_id_leads_and_everyone_follows_it() {
    for variant in BOTH {
        let h = election(params(variant, Wait::RoundTrip, Recovery::Rejoin), 5);
        for seed in 0..20 {
            let mut e = h.engine(seed);
            assert_eq!(e.run().outcome, Outcome::Ok, "{variant} seed {seed}");
            for (i, node) in e.states().iter().enumerate() {
                assert_eq!(node.leader(i), Some(4), "{variant} seed {seed} node {i}");
            }
            assert_eq!(e.states()[4].leading(), Some(1), "{variant} seed {seed}");
        }
    }
}

#[test]
fn both_variants_elect_one_leader_per_epoch_under_crashes() {
    for variant in BOTH {
        let (spec, plan) = crashes(false);
        election(params(variant, Wait::RoundTrip, Recovery::Rejoin), 5)
            .faults(spec)
            .schedule(plan)
            .sometimes(&["leader-replaced"])
            .check();
    }
}

#[test]
fn both_variants_hold_under_crash_recover_and_storage_faults() {
    for variant in BOTH {
        let (spec, plan) = crashes(true);
        let h = election(params(variant, Wait::RoundTrip, Recovery::Rejoin), 5)
            .faults(spec)
            .schedule(plan);
        assert!(h.simulation().may_step_outside().is_empty());
        h.check();
    }
}

#[test]
fn an_impatient_winner_is_caught_inside_the_model() {
    for variant in BOTH {
        let (spec, plan) = crashes(false);
        let h = election(params(variant, Wait::OneWay, Recovery::Rejoin), 5)
            .faults(spec)
            .schedule(plan);
        assert!(h.simulation().may_step_outside().is_empty());
        h.expect_violation("one-leader-per-epoch");
    }
}

#[test]
fn messages_slower_than_the_declared_bound_are_outside_the_model() {
    for variant in BOTH {
        election(params(variant, Wait::RoundTrip, Recovery::Rejoin), 15)
            .expect_outside("one-leader-per-epoch");
    }
}

#[test]
fn a_bully_that_stands_at_once_after_a_recovery_is_caught_with_two_leaders() {
    let h = election(
        params(Variant::Bully, Wait::RoundTrip, Recovery::StableOnly),
        5,
    )
    .schedule(leader_away())
    .seeds(0..20);
    h.expect_violation("one-leader-per-epoch");
    // The twin that catches up first passes the same faults.
    election(params(Variant::Bully, Wait::RoundTrip, Recovery::Rejoin), 5)
        .schedule(leader_away())
        .sometimes(&["leader-replaced", "recovered-won"])
        .check();
}

#[test]
fn a_bully_that_forgets_its_epoch_is_caught_winning_an_epoch_already_passed() {
    let h = election(
        params(Variant::Bully, Wait::RoundTrip, Recovery::Volatile),
        5,
    )
    .schedule(leader_away())
    .seeds(0..20);
    h.expect_violation("no-missed-epoch");
}

#[test]
fn the_ring_token_catches_up_but_cannot_remember_for_the_node() {
    // A recovered node's token must pass every live node, and each drops a token of an epoch
    // it has left: the group's newer epochs never lose to a stale one, so standing at once
    // is safe on a ring.
    election(
        params(Variant::Ring, Wait::RoundTrip, Recovery::StableOnly),
        5,
    )
    .schedule(leader_away())
    .sometimes(&["leader-replaced", "recovered-won"])
    .check();
    // But a node that forgot its epoch can stand again in one it took part in before its
    // crash (when the others have not left it yet), and win it.
    election(
        params(Variant::Ring, Wait::RoundTrip, Recovery::Volatile),
        5,
    )
    .schedule(leader_away())
    .expect_violation("no-missed-epoch");
}

#[test]
fn the_epoch_in_stable_storage_is_the_newest_seen_and_survives_storage_faults() {
    let (spec, plan) = crashes(true);
    let h = election(params(Variant::Bully, Wait::RoundTrip, Recovery::Rejoin), 5)
        .faults(spec)
        .schedule(plan);
    for seed in 0..50 {
        let mut e = h.engine(seed);
        assert_eq!(e.run().outcome, Outcome::Ok, "seed {seed}");
        for (i, node) in e.states().iter().enumerate() {
            assert_eq!(e.stable()[i].epoch, node.epoch(), "seed {seed} node {i}");
        }
    }
}

fn node(role: Role) -> ElectionNode {
    let mut n = ElectionNode::new(
        Variant::Bully,
        Recovery::Rejoin,
        ElectionParams::default().timings(3),
    );
    n.role = role;
    n
}

#[test]
fn one_leader_per_epoch_names_both_wins_and_ignores_ended_leaderships() {
    let states = [
        node(Role::Leader { epoch: 2 }),
        node(Role::Follower {
            leader: 2,
            epoch: 2,
        }),
        node(Role::Leader { epoch: 2 }),
    ];
    let (up, never) = ([true; 3], [false; 3]);
    let w = World::new(Time::ZERO, &states, &up, &never, &never);
    let mut p = one_leader_per_epoch();
    let h = [
        (1, Obs::Leader { epoch: 2 }), // node 1 no longer leads: no conflict
        (0, Obs::Leader { epoch: 2 }),
        (2, Obs::Leader { epoch: 2 }),
    ];
    let err = observe_history(&w, &mut p, &h).unwrap_err();
    assert_eq!(
        err.message,
        "node 2 won epoch 2, which live node 0 still leads (events #2 and #3)"
    );
    assert_eq!(err.evidence, [2, 3]);
}

#[test]
fn no_missed_epoch_names_the_recovery_the_win_and_what_was_missed() {
    let states = [
        node(Role::Leader { epoch: 3 }),
        node(Role::Follower {
            leader: 0,
            epoch: 3,
        }),
        node(Role::Leader { epoch: 2 }),
    ];
    let (up, never) = ([true; 3], [false; 3]);
    let w = World::new(Time::ZERO, &states, &up, &never, &never);
    // Node 2 had followed epoch 2, forgot it, and wins epoch 2 again.
    let mut p = NoMissedEpoch::default();
    let h = [
        (
            2,
            Obs::Follow {
                leader: 0,
                epoch: 2,
            },
        ),
        (2, Obs::Recovered { epoch: 0 }),
        (2, Obs::Leader { epoch: 2 }),
    ];
    let err = observe_history(&w, &mut p, &h).unwrap_err();
    assert!(err.message.contains("had reached epoch 2"), "{err}");
    assert!(cites_events(&err.message, &[1, 2, 3]), "{err}");
    assert_eq!(err.evidence, [1, 2, 3]);
    // Node 2 wins epoch 2 after recovering while node 0 leads epoch 3.
    let mut p = NoMissedEpoch::default();
    let h = [
        (0, Obs::Leader { epoch: 3 }),
        (2, Obs::Recovered { epoch: 1 }),
        (2, Obs::Leader { epoch: 2 }),
    ];
    let err = observe_history(&w, &mut p, &h).unwrap_err();
    assert!(
        err.message.contains("live node 0 leads the newer epoch 3"),
        "{err}"
    );
    assert_eq!(err.evidence, [1, 2, 3]);
    // A node that never crashed is not judged; a fresh epoch after a recovery is fine.
    let mut p = NoMissedEpoch::default();
    let h = [
        (0, Obs::Leader { epoch: 3 }),
        (2, Obs::Leader { epoch: 2 }),
        (1, Obs::Recovered { epoch: 3 }),
        (1, Obs::Leader { epoch: 4 }),
    ];
    assert!(observe_history(&w, &mut p, &h).is_ok());
}

#[test]
fn follows_highest_live_names_the_stray_nodes() {
    let states = [
        node(Role::Follower {
            leader: 2,
            epoch: 1,
        }),
        node(Role::Candidate {
            epoch: 2,
            answered: true,
            own_token: false,
        }),
        node(Role::Leader { epoch: 1 }),
    ];
    let (up, never) = ([true; 3], [false; 3]);
    let last = [4, 7, 9];
    let w = World::new(Time::ZERO, &states, &up, &never, &never).with_last_events(&last);
    let err = FollowsHighestLive.finish(&w).unwrap_err();
    assert!(err.message.contains("node 1 is Candidate"), "{err}");
    assert_eq!(err.evidence, [7]);
    // With node 1 down, everyone up follows node 2.
    let up = [true, false, true];
    let w = World::new(Time::ZERO, &states, &up, &never, &never);
    assert!(FollowsHighestLive.finish(&w).is_ok());
}

#[test]
fn validate_refuses_a_leader_timeout_a_heartbeat_can_miss() {
    let p = ElectionParams {
        heartbeat: Duration::from_millis(10),
        delay_max: Duration::from_millis(5),
        leader_timeout: Duration::from_millis(15),
        ..ElectionParams::default()
    };
    let err = CoordinatorElection.validate(&p, 5).unwrap_err();
    assert_eq!(err.key, "params.leader_timeout");
    assert!(err.to_string().contains("(15ms), found 15ms"), "{err}");
    let ok = ElectionParams {
        leader_timeout: Duration::from_millis(16),
        ..p
    };
    assert!(CoordinatorElection.validate(&ok, 5).is_ok());
}

#[test]
fn bundled_scenarios_meet_their_expectations() {
    for name in [
        "election-bully-crashes",
        "election-ring-crashes",
        "election-bully-crash-recover",
        "election-ring-crash-recover",
        "election-bully-one-way-wait",
        "election-ring-one-way-wait",
        "election-bully-late-messages",
        "election-bully-stable-only",
        "election-bully-volatile",
    ] {
        ftsim_runner::check_scenario(format!("../scenarios/{name}.toml"), crate::all());
    }
}
