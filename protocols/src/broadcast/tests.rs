use ftsim_api::properties::delivery::{Agreement, NoCreation, NoDuplication, Validity};
use ftsim_api::sim_core::faults::CrashSpec;
use ftsim_api::{Duration, FaultSpec, Outcome, Property, Time, World};
use ftsim_runner::Harness;

use super::*;

fn harness(nodes: usize, mode: Mode, link: Link) -> Harness<Broadcast> {
    Harness::new(&Broadcast)
        .params(BroadcastParams {
            mode,
            link,
            ..BroadcastParams::default()
        })
        .nodes(nodes)
}

/// Every link loses this many messages per million.
fn lossy(nodes: usize, mode: Mode, link: Link, loss_ppm: u32) -> Harness<Broadcast> {
    let mut h = harness(nodes, mode, link);
    h.spec_mut().network.default.loss_ppm = loss_ppm;
    h
}

/// Five processes, sends leaving 1ms apart, and node 0 (the sender) crashing in its first
/// 25ms: a crash can cut a broadcast.
fn sender_crash(mode: Mode) -> Harness<Broadcast> {
    harness(5, mode, Link::ExactlyOnce)
        .send_gap(Duration::from_millis(1))
        .faults(FaultSpec::crashes(CrashSpec {
            nodes: Some(vec![0]),
            ..CrashSpec::exactly(1, [Time::ZERO, Time::from_millis(25)])
        }))
}

#[test]
fn happy_path_everyone_delivers_everything_once() {
    for (mode, link) in [
        (Mode::BestEffort, Link::AtMostOnce),
        (Mode::EagerReliable, Link::ExactlyOnce),
    ] {
        let r = Harness::new(&Broadcast)
            .params(BroadcastParams {
                mode,
                link,
                senders: Senders::All,
                ..BroadcastParams::default()
            })
            .nodes(4)
            .run_seed(0);
        assert_eq!(r.outcome, Outcome::Ok, "{mode}/{link}: {:?}", r.violations);
        // 4 senders x 5 messages, each delivered at 3 peers.
        assert!(r.stats.messages_delivered >= 4 * 5 * 3, "{mode}/{link}");
    }
}

#[test]
fn best_effort_with_a_sender_crash_breaks_agreement_and_eager_does_not() {
    let beb = sender_crash(Mode::BestEffort).seeds(0..200);
    beb.expect_violation("agreement");
    let found = beb.run().violations;
    assert!(
        !found.contains_key("no-duplication") && !found.contains_key("no-creation"),
        "{found:?}"
    );
    sender_crash(Mode::EagerReliable).seeds(0..200).check();
}

#[test]
fn loss_without_retransmission_breaks_validity() {
    // At-most-once links assume a network that loses nothing: outside that, validity breaks.
    let h = lossy(4, Mode::BestEffort, Link::AtMostOnce, 100_000).seeds(0..50);
    h.expect_outside("validity");
    let found = h.run().outside_violations;
    assert!(found["validity"] > 10, "{found:?}");
    lossy(4, Mode::BestEffort, Link::ExactlyOnce, 100_000)
        .seeds(0..50)
        .check();
}

#[test]
fn at_least_once_without_dedup_duplicates() {
    let h = lossy(4, Mode::BestEffort, Link::AtLeastOnce, 200_000).seeds(0..50);
    h.expect_violation("no-duplication");
    let found = h.run().violations;
    assert!(found["no-duplication"] > 10, "{found:?}");
    assert!(!found.contains_key("validity"), "{found:?}");
}

#[test]
fn invariants_judge_hand_built_histories() {
    let states: Vec<Node> = (0..3)
        .map(|_| Node::new(BroadcastParams::default(), 3))
        .collect();
    let up = [true; 3];
    let never = [false; 3];
    let crashed0 = [true, false, false];
    let w = World::new(Time::ZERO, &states, &up, &never, &never);
    let wc = World::new(Time::ZERO, &states, &up, &crashed0, &never);
    let m = (0, 0);
    let obs = |p: &mut dyn Property<Node>, w: &World<'_, Node>, node, o| p.observe(w, node, &o);

    let mut dup = NoDuplication::default();
    assert!(obs(&mut dup, &w, 1, Obs::Deliver(m)).is_ok());
    assert!(obs(&mut dup, &w, 2, Obs::Deliver(m)).is_ok());
    assert!(obs(&mut dup, &w, 1, Obs::Deliver(m)).is_err());

    let mut creation = NoCreation::default();
    assert!(obs(&mut creation, &w, 1, Obs::Deliver((2, 7))).is_err());
    assert!(obs(&mut creation, &w, 0, Obs::Broadcast(m)).is_ok());
    assert!(obs(&mut creation, &w, 1, Obs::Deliver(m)).is_ok());

    // Node 0 broadcasts, only node 1 delivers: validity fails while 0 is correct, holds
    // once 0 crashed; agreement fails either way (correct node 1 delivered, 2 did not).
    let history = [
        (0, Obs::Broadcast(m)),
        (0, Obs::Deliver(m)),
        (1, Obs::Deliver(m)),
    ];
    let mut validity = Validity::default();
    let mut agreement = Agreement::regular();
    for (node, o) in &history {
        obs(&mut validity, &w, *node, o.clone()).unwrap();
        obs(&mut agreement, &w, *node, o.clone()).unwrap();
    }
    let err = Property::<Node>::finish(&mut validity, &w).unwrap_err();
    assert!(err.message.contains("never reached node 2"), "{err}");
    assert!(Property::<Node>::finish(&mut validity, &wc).is_ok());
    assert!(Property::<Node>::finish(&mut agreement, &wc).is_err());
    obs(&mut agreement, &w, 2, Obs::Deliver(m)).unwrap();
    assert!(Property::<Node>::finish(&mut agreement, &wc).is_ok());
}

#[test]
fn bundled_scenarios_meet_their_expectations() {
    for file in [
        "broadcast-at-least-once-duplicates",
        "broadcast-best-effort-sender-crash",
        "broadcast-eager-reliable-crashes-loss",
        "broadcast-no-retransmission-loss",
    ] {
        ftsim_runner::check_scenario(format!("../scenarios/{file}.toml"), crate::all());
    }
}
