use ftsim_api::properties::mutex::MutualExclusion;
use ftsim_api::properties::{cites_events, observe_history};
use ftsim_api::sim_core::faults::CrashSpec;
use ftsim_api::{FaultSpec, Outcome, Property, Time, TraceKind, World};
use ftsim_runner::Harness;

use super::*;

/// One server and four clients on reliable FIFO links.
fn harness(server: ServerVariant, queue: QueueOrder) -> Harness<LockServer> {
    let mut h = Harness::new(&LockServer)
        .params(LockServerParams {
            server,
            queue,
            ..LockServerParams::default()
        })
        .nodes(5);
    h.spec_mut().network.default.fifo = true;
    h
}

/// One to `max` crashes of `nodes` between 5ms and 50ms, each recovering 1-8ms later.
fn crashes(nodes: Vec<NodeId>, max: u32) -> FaultSpec {
    FaultSpec::crashes(CrashSpec {
        min: 1,
        max,
        between: [Time::from_millis(5), Time::from_millis(50)],
        nodes: Some(nodes),
        recover_after: Some([Duration::from_millis(1), Duration::from_millis(8)]),
        ..CrashSpec::default()
    })
}

#[test]
fn without_faults_every_client_gets_the_lock_in_turn() {
    let r = harness(ServerVariant::Stateful, QueueOrder::Fifo).replay(0);
    assert_eq!(r.outcome, Outcome::Ok, "{:?}", r.violations);
    let enters = r
        .trace
        .as_ref()
        .unwrap()
        .iter()
        .filter(|e| matches!(&e.kind, TraceKind::Observe { obs } if obs == "Enter"))
        .count();
    assert_eq!(enters, 4 * 3);
}

#[test]
fn stateful_and_reconnect_window_survive_crashes() {
    for server in [ServerVariant::Stateful, ServerVariant::ReconnectWindow] {
        harness(server, QueueOrder::Fifo)
            .named(&format!("lock-server {server}"))
            .faults(crashes(vec![0, 1, 2, 3, 4], 2))
            .seeds(0..300)
            .check();
    }
}

#[test]
fn a_stateless_server_granting_at_once_is_caught_with_two_owners() {
    harness(ServerVariant::Stateless, QueueOrder::Fifo)
        .faults(crashes(vec![0], 1))
        .seeds(0..300)
        .expect_violation("mutual-exclusion");
}

#[test]
fn a_lowest_id_server_breaks_fifo_order_only() {
    let h = harness(ServerVariant::Stateful, QueueOrder::LowestId);
    h.expect_violation("fifo-grants");
    let v = h.run().violations;
    assert!(!v.contains_key("mutual-exclusion"), "{v:?}");
}

/// Four nodes (a server and three clients) and two views of them: all up, and node 2 down.
fn judge<R>(f: impl FnOnce(&World<'_, LockProcess>, &World<'_, LockProcess>) -> R) -> R {
    let states: Vec<LockProcess> = (0..4)
        .map(|i| LockProcess::new(i, LockServerParams::default()))
        .collect();
    let up = [true; 4];
    let down2 = [true, true, false, true];
    let never = [false; 4];
    let w = World::new(Time::ZERO, &states, &up, &never, &never);
    let w_down2 = World::new(Time::ZERO, &states, &down2, &never, &never);
    f(&w, &w_down2)
}

#[test]
fn mutual_exclusion_judges_hand_built_histories() {
    judge(|w, w_down2| {
        let mut me = MutualExclusion::default();
        let mut see = |w: &World<'_, LockProcess>, n, o: Obs| {
            Property::<LockProcess>::observe(&mut me, w, n, &o)
        };
        for (n, o) in [(1, Obs::Enter), (1, Obs::Exit), (2, Obs::Enter)] {
            assert!(see(w, n, o).is_ok());
        }
        assert_eq!(
            see(w, 3, Obs::Enter).unwrap_err().message,
            format!(
                "node 3 entered the critical section at event #0 while node 2 was in it (since \
                 event #0 at {})",
                Time::ZERO
            )
        );
        // Node 2 crashed inside: it is no longer in the critical section.
        assert!(see(w_down2, 3, Obs::Enter).is_ok());
        // Nodes 2 and 3 are inside (2 is up again); once both restart, node 1 may enter.
        assert!(see(w, 1, Obs::Enter).is_err());
        assert!(see(w, 3, Obs::Restarted).is_ok());
        assert!(see(w, 2, Obs::Restarted).is_ok());
        assert!(see(w, 1, Obs::Enter).is_ok());
    });
}

#[test]
fn fifo_grants_and_progress_judge_hand_built_histories() {
    judge(|w, w_down2| {
        let arrived = |c| Obs::Arrived { client: c };
        let mut fifo = FifoGrants::default();
        for (n, o) in [
            (0, arrived(2)),
            (0, arrived(1)),
            (2, Obs::Enter),
            (0, arrived(3)),
        ] {
            assert!(fifo.observe(w, n, &o).is_ok());
        }
        let err = fifo.observe(w, 3, &Obs::Enter).unwrap_err();
        assert!(
            err.message
                .contains("node 3 was granted the lock at event #0 before node 1"),
            "{err}"
        );
        assert!(fifo.observe(w, 1, &Obs::Enter).is_ok());
        assert!(fifo.observe(w, 3, &Obs::Enter).is_ok());

        let mut granted = EveryRequestGranted::default();
        for (n, o) in [(1, Obs::Request), (2, Obs::Request), (1, Obs::Enter)] {
            granted.observe(w, n, &o).unwrap();
        }
        let err = granted.finish(w).unwrap_err();
        assert!(err.message.starts_with("node 2 still waiting"), "{err}");
        assert!(granted.finish(w_down2).is_ok());
    });
}

#[test]
fn fifo_grants_names_both_arrivals_and_the_grant() {
    judge(|w, _| {
        let arrived = |c| Obs::Arrived { client: c };
        let h = [(0, arrived(1)), (0, arrived(3)), (3, Obs::Enter)];
        let mut fifo = FifoGrants::default();
        let err = observe_history(w, &mut fifo, &h).unwrap_err();
        assert_eq!(err.evidence, [1, 2, 3]);
        assert!(cites_events(&err.message, &[1, 2, 3]), "{err}");
    });
}

#[test]
fn every_request_granted_names_the_request_and_last_step_of_the_starved() {
    judge(|w, _| {
        let h = [(1, Obs::Request), (2, Obs::Request), (1, Obs::Enter)];
        let mut granted = EveryRequestGranted::default();
        observe_history(w, &mut granted, &h).unwrap();
        let last = [4, 3, 9, 0];
        let err = granted.finish(&w.with_last_events(&last)).unwrap_err();
        assert_eq!(err.evidence, [2, 9]);
        assert_eq!(
            err.message,
            format!(
                "node 2 still waiting for the lock at {}: node 2 requested it at event #2, last \
                 step event #9",
                Time::ZERO
            )
        );
    });
}

#[test]
fn reboot_while_held_needs_a_live_client_inside() {
    judge(|w, w_down2| {
        let mut p = RebootWhileHeld::default();
        p.observe(w, 1, &Obs::Enter).unwrap();
        p.observe(w, 1, &Obs::Exit).unwrap();
        p.observe(w, 2, &Obs::Enter).unwrap();
        p.observe(w_down2, 0, &Obs::Rebooted).unwrap();
        assert!(p.finish(w).is_err());
        p.observe(w, 0, &Obs::Rebooted).unwrap();
        assert!(p.finish(w).is_ok());
    });
}

#[test]
fn a_group_needs_a_server_and_a_client() {
    let p = LockServerParams::default();
    let e = LockServer.validate(&p, 1).unwrap_err();
    assert_eq!(e.key, "nodes");
    assert_eq!(
        e.message,
        "the lock server needs a server and at least one client: expected 2 nodes or more"
    );
    assert!(LockServer.validate(&p, 2).is_ok());
}

#[test]
fn bundled_scenarios_meet_their_expectations() {
    for file in [
        "lock-server-lowest-id-unfair",
        "lock-server-reconnect-window",
        "lock-server-stateful",
        "lock-server-stateless-two-owners",
    ] {
        ftsim_runner::check_scenario(format!("../scenarios/{file}.toml"), crate::all());
    }
}
