use ftsim_api::properties::observe_history;
use ftsim_api::{DelayDist, NetworkModel, Property, Time, World};
use ftsim_runner::Harness;

use super::*;

/// Delays of 1 to 5ms, `loss` in parts per million, a 100ms deadline.
fn generals(rounds: u32, copies: u32, loss: u32) -> Harness<TwoGenerals> {
    let mut network = NetworkModel::default();
    network.default.delay = DelayDist::Uniform {
        min: Duration::from_millis(1),
        max: Duration::from_millis(5),
    };
    network.default.loss_ppm = loss;
    Harness::new(&TwoGenerals)
        .params(TwoGeneralsParams {
            rounds,
            copies,
            ..TwoGeneralsParams::default()
        })
        .nodes(2)
        .network(network)
        .duration(Duration::from_millis(200))
        .settle(Duration::ZERO)
        .seeds(0..300)
}

#[test]
fn without_loss_both_attack_in_every_run() {
    for rounds in [0, 1, 4] {
        generals(rounds, 1, 0).check();
    }
}

#[test]
fn every_bounded_chain_is_caught_over_a_lossy_link() {
    for rounds in 0..4 {
        for copies in 1..=3 {
            generals(rounds, copies, 500_000).expect_violation("coordinated");
        }
    }
}

#[test]
fn the_split_is_the_last_messenger_lost() {
    let h = generals(3, 1, 300_000);
    let seed = h.expect_violation("coordinated");
    let mut e = h.engine(seed);
    e.run();
    // The last messenger (4) goes to general 0: it holds back, its sender attacks.
    assert_eq!(addressee(4), 0);
    assert_eq!(e.states()[0].decided(), Some(false));
    assert_eq!(e.states()[1].decided(), Some(true));
}

fn world_states() -> [General; 2] {
    [0, 1].map(|_| General::new(1, 1, Duration::from_millis(100)))
}

#[test]
fn coordinated_names_both_decisions() {
    let states = world_states();
    let (up, never) = ([true; 2], [false; 2]);
    let w = World::new(Time::ZERO, &states, &up, &never, &never);
    let mut p = coordinated();
    let h = [
        (0, Obs::Decide { attack: true }),
        (1, Obs::Decide { attack: false }),
    ];
    let err = observe_history(&w, &mut p, &h).unwrap_err();
    assert_eq!(
        err.message,
        "general 1 holds back, but general 0 attacks (events #1 and #2)"
    );
    assert_eq!(err.evidence, [1, 2]);
}

#[test]
fn validity_asks_for_an_attack_only_when_the_chain_arrived() {
    let states = world_states();
    let (up, never) = ([true; 2], [false; 2]);
    let w = World::new(Time::ZERO, &states, &up, &never, &never);
    let held = [
        (1, Obs::Receive { n: 1, last: 2 }),
        (0, Obs::Receive { n: 2, last: 2 }),
        (0, Obs::Decide { attack: false }),
        (1, Obs::Decide { attack: false }),
    ];
    let mut p = AttackIfDelivered::default();
    observe_history(&w, &mut p, &held).unwrap();
    let err = p.finish(&w).unwrap_err();
    assert!(err.message.contains("the last at event #2"), "{err}");
    assert!(
        err.message.contains("general 0 held back at event #3"),
        "{err}"
    );
    assert_eq!(err.evidence, [2, 3, 4]);
    // The chain broke: holding back is allowed.
    let mut p = AttackIfDelivered::default();
    observe_history(
        &w,
        &mut p,
        &[held[0].clone(), held[2].clone(), held[3].clone()],
    )
    .unwrap();
    assert!(p.finish(&w).is_ok());
}

#[test]
fn validate_wants_two_generals() {
    let p = TwoGeneralsParams::default();
    assert!(TwoGenerals.validate(&p, 2).is_ok());
    assert_eq!(TwoGenerals.validate(&p, 3).unwrap_err().key, "nodes");
}

#[test]
fn bundled_scenarios_meet_their_expectations() {
    for name in [
        "two-generals-lossy",
        "two-generals-many-rounds",
        "two-generals-no-loss",
    ] {
        ftsim_runner::check_scenario(format!("../scenarios/{name}.toml"), crate::all());
    }
}
