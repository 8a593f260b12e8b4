use ftsim_api::properties::{cites_events, observe_history};
use ftsim_api::sim_core::faults::{CrashSpec, StorageFaults, Trigger, TriggeredCrash};
use ftsim_api::{
    DelayDist, Duration, FaultEvent, FaultKind, FaultPlan, FaultSpec, NodeSet, Outcome, Property,
    Time, World,
};
use ftsim_runner::Harness;

use super::*;

fn params(views: Views, state_transfer: bool) -> MembershipParams {
    MembershipParams {
        views,
        state_transfer,
        ..MembershipParams::default()
    }
}

/// Five processes, delays of 1 to 5ms, a 1ms send gap (a crash can cut a fan-out), 400ms of
/// faults and 400ms to settle.
fn group(p: MembershipParams) -> Harness<GroupMembership> {
    Harness::new(&GroupMembership)
        .params(p)
        .nodes(5)
        .delay(DelayDist::Uniform {
            min: Duration::from_millis(1),
            max: Duration::from_millis(5),
        })
        .send_gap(Duration::from_millis(1))
        .duration(Duration::from_millis(400))
        .settle(Duration::from_millis(400))
        .seeds(0..300)
}

fn at(ms: u64, kind: FaultKind) -> FaultEvent {
    FaultEvent {
        at: Time::from_millis(ms),
        kind,
    }
}

/// Nodes 3 and 4 crash together at 150ms and come back together at 200ms.
fn two_rejoin() -> FaultPlan {
    FaultPlan {
        events: vec![
            at(150, FaultKind::Crash { node: 3 }),
            at(150, FaultKind::Crash { node: 4 }),
            at(200, FaultKind::Recover { node: 3 }),
            at(200, FaultKind::Recover { node: 4 }),
        ],
        ..FaultPlan::default()
    }
}

fn random_crash_recover(max: u32) -> FaultSpec {
    FaultSpec {
        crashes: vec![CrashSpec {
            min: 0,
            max,
            between: [Time::ZERO, Time::from_millis(350)],
            recover_after: Some([Duration::from_millis(1), Duration::from_millis(80)]),
            ..CrashSpec::default()
        }],
        storage: StorageFaults::LoseUnsynced,
        ..FaultSpec::default()
    }
}

#[test]
fn without_faults_everyone_delivers_everything_in_the_founding_view() {
    let h = group(MembershipParams::default());
    for seed in 0..20 {
        let mut e = h.engine(seed);
        assert_eq!(e.run().outcome, Outcome::Ok, "seed {seed}");
        let states = e.states();
        for p in states {
            assert_eq!(p.view().map(|v| v.id), Some(1), "seed {seed}");
            assert_eq!(p.state().messages, 20, "seed {seed}");
            assert_eq!(p.state(), states[0].state(), "seed {seed}");
        }
    }
}

#[test]
fn rejoins_with_the_groups_state_under_crash_recover_and_storage_faults() {
    let h = group(MembershipParams::default())
        .faults(random_crash_recover(2))
        .schedule(two_rejoin());
    assert!(ftsim_runner::Simulation::may_step_outside(h.simulation().as_ref()).is_empty());
    h.sometimes(&["rejoined-with-state"]).check();
}

#[test]
fn a_flush_hands_survivors_what_a_crashed_coordinator_sent_only_some() {
    // Node 0 coordinates; its tenth message is the second of its third entry's fan-out.
    let plan = FaultPlan {
        triggered: vec![TriggeredCrash {
            node: 0,
            when: Trigger::Sends { count: 10 },
            recover_after: Some(Duration::from_millis(30)),
        }],
        ..FaultPlan::default()
    };
    group(MembershipParams::default())
        .schedule(plan)
        .sometimes(&["rejoined-with-state", "flush-repaired"])
        .check();
}

#[test]
fn a_coordinator_back_before_its_crash_is_detected_is_replaced_by_its_join() {
    // Down for 3ms, under the detector's 10ms: nobody is ever told of the crash.
    let plan = FaultPlan {
        events: vec![
            at(30, FaultKind::Crash { node: 0 }),
            at(33, FaultKind::Recover { node: 0 }),
        ],
        ..FaultPlan::default()
    };
    let h = group(MembershipParams::default()).schedule(plan);
    for seed in 0..20 {
        let mut e = h.engine(seed);
        assert_eq!(e.run().outcome, Outcome::Ok, "seed {seed}");
        let view = e.states()[1].view().expect("node 1 in a view").clone();
        assert_eq!(view.coordinator(NodeSet::EMPTY), Some(1), "seed {seed}");
        assert_eq!(view.member(0).map(|m| m.inc), Some(1), "seed {seed}");
        assert!(e.states().iter().all(|p| p.view() == Some(&view)));
    }
}

#[test]
fn rejoining_without_a_state_transfer_is_caught() {
    group(params(Views::Coordinator, false))
        .schedule(two_rejoin())
        .seeds(0..20)
        .expect_violation("joined-state");
}

#[test]
fn views_installed_locally_are_caught_in_different_orders() {
    group(params(Views::Local, true))
        .schedule(two_rejoin())
        .seeds(0..20)
        .expect_violation("views-agree");
}

fn view(id: ViewId, nodes: &[NodeId]) -> View {
    View {
        id,
        members: nodes
            .iter()
            .map(|&node| Member {
                node,
                inc: 0,
                since: 0,
            })
            .collect(),
    }
}

fn members(n: usize) -> Vec<GroupMember> {
    (0..n)
        .map(|_| GroupMember::new(process_settings()))
        .collect()
}

fn process_settings() -> Settings {
    Settings {
        views: Views::Coordinator,
        state_transfer: true,
        messages: 0,
        join_retry: Duration::from_millis(20),
    }
}

fn install(view: ViewId, nodes: &[NodeId], prev: Option<ViewId>, messages: usize) -> Obs {
    Obs::Install {
        view,
        members: nodes.iter().copied().collect(),
        prev,
        state: Digest {
            messages,
            hash: messages as u64,
        },
        inc: 0,
    }
}

fn id(from: NodeId, seq: u32) -> MsgId {
    MsgId { from, inc: 0, seq }
}

#[test]
fn views_agree_names_both_installs_and_ignores_a_crashed_installer() {
    let states = members(3);
    let (up, never) = ([true; 3], [false; 3]);
    let w = World::new(Time::ZERO, &states, &up, &never, &never);
    let h = [
        (0, install(2, &[0, 1, 2], Some(1), 0)),
        (1, install(2, &[0, 1], Some(1), 0)),
    ];
    let mut p = ViewsAgree::default();
    let err = observe_history(&w, &mut p, &h).unwrap_err();
    assert!(err.message.contains("installed view 2 as {0, 1}"), "{err}");
    assert_eq!(err.evidence, [1, 2]);
    // Out of order at one process.
    let h = [
        (0, install(3, &[0, 1], Some(1), 0)),
        (0, install(2, &[0, 1], Some(3), 0)),
    ];
    let err = observe_history(&w, &mut ViewsAgree::default(), &h).unwrap_err();
    assert!(err.message.contains("out of order"), "{err}");
    // An installer that is down took its view with it.
    let down = [false, true, true];
    let w = World::new(Time::ZERO, &states, &down, &never, &never);
    let h = [
        (0, install(2, &[0, 1, 2], Some(1), 0)),
        (1, install(2, &[1, 2], Some(1), 0)),
    ];
    assert!(observe_history(&w, &mut ViewsAgree::default(), &h).is_ok());
}

#[test]
fn view_synchrony_names_the_delivery_one_survivor_lacks() {
    let states = members(3);
    let (up, never) = ([true; 3], [false; 3]);
    let w = World::new(Time::ZERO, &states, &up, &never, &never);
    let h = [
        (0, install(1, &[0, 1, 2], None, 0)),
        (1, install(1, &[0, 1, 2], None, 0)),
        (
            0,
            Obs::Deliver {
                id: id(2, 0),
                view: 1,
            },
        ),
        (0, install(2, &[0, 1], Some(1), 1)),
        (1, install(2, &[0, 1], Some(1), 0)),
    ];
    let mut p = ViewSynchrony::default();
    let err = observe_history(&w, &mut p, &h).unwrap_err();
    assert!(err.message.contains("without delivering 2.0#0"), "{err}");
    assert!(cites_events(&err.message, &[3, 4, 5]), "{err}");
    assert_eq!(err.evidence, [4, 5, 3]);
}

#[test]
fn joined_state_and_delivered_once_name_their_events() {
    let states = members(3);
    let (up, never) = ([true; 3], [false; 3]);
    let w = World::new(Time::ZERO, &states, &up, &never, &never);
    let h = [
        (0, install(3, &[0, 1, 2], Some(2), 4)),
        (2, install(3, &[0, 1, 2], None, 0)),
    ];
    let mut p = joined_state();
    let err = observe_history(&w, &mut p, &h).unwrap_err();
    assert!(
        err.message.contains("state of 0 message(s), but node 0"),
        "{err}"
    );
    assert_eq!(err.evidence, [1, 2]);
    // Twice in one incarnation is caught; again after a recovery is not.
    let h = [
        (
            1,
            Obs::Deliver {
                id: id(0, 0),
                view: 1,
            },
        ),
        (1, Obs::Recovered { inc: 1 }),
        (
            1,
            Obs::Deliver {
                id: id(0, 0),
                view: 2,
            },
        ),
        (
            1,
            Obs::Deliver {
                id: id(0, 0),
                view: 2,
            },
        ),
    ];
    let mut p = DeliveredOnce::default();
    let err = observe_history(&w, &mut p, &h).unwrap_err();
    assert!(
        err.message.contains("twice, at event #3 and at event #4"),
        "{err}"
    );
}

#[test]
fn the_liveness_properties_name_the_stray_processes() {
    let mut states = members(3);
    states[0].view = Some(view(2, &[0, 1, 2]));
    states[1].view = Some(view(2, &[0, 1, 2]));
    let (up, never) = ([true; 3], [false; 3]);
    let last = [3, 5, 8];
    let w = World::new(Time::ZERO, &states, &up, &never, &never).with_last_events(&last);
    let err = ViewsConverge.finish(&w).unwrap_err();
    assert!(err.message.contains("node 2 is in None"), "{err}");
    assert_eq!(err.evidence, [8]);
    let mut p = AllDelivered::default();
    let h = [(0, Obs::Multicast { id: id(0, 0) })];
    observe_history(&w, &mut p, &h).unwrap();
    let err = p.finish(&w).unwrap_err();
    assert!(
        err.message
            .contains("node 0 lacks 0.0#0, multicast at event #1"),
        "{err}"
    );
    assert_eq!(err.evidence, [1, 3, 5, 8]);
}

#[test]
fn validate_refuses_groups_a_node_set_cannot_hold() {
    let p = MembershipParams::default();
    assert!(GroupMembership.validate(&p, 64).is_ok());
    assert_eq!(GroupMembership.validate(&p, 65).unwrap_err().key, "nodes");
}

#[test]
fn bundled_scenarios_meet_their_expectations() {
    for name in [
        "membership-rejoin",
        "membership-coordinator-crashes",
        "membership-intermittent",
        "membership-no-state-transfer",
        "membership-local-views",
    ] {
        ftsim_runner::check_scenario(format!("../scenarios/{name}.toml"), crate::all());
    }
}
