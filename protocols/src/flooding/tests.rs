use ftsim_api::properties::consensus::{Agreement, Integrity, Obliged, Termination, Validity};
use ftsim_api::sim_core::faults::CrashSpec;
use ftsim_api::{
    DelayDist, DetectorModel, Duration, FaultSpec, Harness, Outcome, Property, Simulation, Time,
    TraceKind, World,
};

use super::*;

/// Five processes whose broadcasts take 1ms per message, so a crash can cut one.
fn harness(rounds: u32, crashes: u32) -> Harness<FloodingConsensus> {
    Harness::new(&FloodingConsensus)
        .params(FloodingParams {
            rounds,
            ..FloodingParams::default()
        })
        .nodes(5)
        .send_gap(Duration::from_millis(1))
        .faults(FaultSpec::crashes(CrashSpec::exactly(
            crashes,
            [Time::ZERO, Time::from_millis(12)],
        )))
}

#[test]
fn without_faults_everyone_decides_the_minimum() {
    let r = Harness::new(&FloodingConsensus)
        .params(FloodingParams {
            proposals: Proposals::ById,
            ..FloodingParams::default()
        })
        .nodes(5)
        .replay(0);
    assert_eq!(r.outcome, Outcome::Ok);
    let decisions: Vec<&str> = r
        .trace
        .as_ref()
        .unwrap()
        .iter()
        .filter_map(|e| match &e.kind {
            TraceKind::Observe { obs } if obs.starts_with("Decide") => Some(obs.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(decisions, vec!["Decide(0)"; 5]);
}

#[test]
fn f_plus_one_rounds_tolerate_f_crashes() {
    for f in 1..=2u32 {
        harness(f + 1, f).seeds(0..300).check();
    }
}

#[test]
fn f_rounds_are_caught_violating_agreement() {
    // With f = 2 a violation needs a chain of two crashes, each in the middle of a
    // broadcast: about 5 seeds in 1,000 here.
    for f in 1..=2u32 {
        // f crashes with f rounds: outside FloodSet's assumption of rounds − 1 crashes.
        let h = harness(f, f).seeds(0..1000);
        h.expect_outside("agreement");
        let v = h.run().outside_violations;
        assert!(
            !v.contains_key("validity") && !v.contains_key("integrity"),
            "{v:?}"
        );
    }
}

#[test]
fn invariants_judge_hand_built_histories() {
    let states: Vec<Flooding> = (0..3).map(|_| Flooding::new(1, false)).collect();
    let up = [true; 3];
    let never = [false; 3];
    let crashed1 = [false, true, false];
    let w = World::new(Time::ZERO, &states, &up, &never, &never);

    let mut agreement = Agreement::default();
    let history = [
        (0, Obs::Propose(4)),
        (1, Obs::Propose(2)),
        (0, Obs::Decide(2)),
        (2, Obs::Decide(2)),
    ];
    for (node, obs) in &history {
        assert!(Property::<Flooding>::observe(&mut agreement, &w, *node, obs).is_ok());
    }
    let err = Property::<Flooding>::observe(&mut agreement, &w, 1, &Obs::Decide(4)).unwrap_err();
    assert!(
        err.contains("node 1 decided 4") && err.contains("decided 2"),
        "{err}"
    );

    let mut validity = Validity::default();
    for (node, obs) in &history {
        assert!(Property::<Flooding>::observe(&mut validity, &w, *node, obs).is_ok());
    }
    assert!(Property::<Flooding>::observe(&mut validity, &w, 1, &Obs::Decide(7)).is_err());

    let mut integrity = Integrity::default();
    assert!(Property::<Flooding>::observe(&mut integrity, &w, 0, &Obs::Decide(2)).is_ok());
    assert!(Property::<Flooding>::observe(&mut integrity, &w, 1, &Obs::Decide(2)).is_ok());
    assert!(Property::<Flooding>::observe(&mut integrity, &w, 0, &Obs::Decide(2)).is_err());

    // Termination: node 1 never decides. Fine if it crashed, a violation if it did not.
    let mut t = Termination::new(Obliged::Correct);
    for (node, obs) in [(0, Obs::Decide(2)), (2, Obs::Decide(2))] {
        Property::<Flooding>::observe(&mut t, &w, node, &obs).unwrap();
    }
    let err = Property::<Flooding>::finish(&mut t, &w).unwrap_err();
    assert!(err.starts_with("node 1 never decided"), "{err}");
    let w_crashed = World::new(Time::ZERO, &states, &up, &crashed1, &never);
    assert!(Property::<Flooding>::finish(&mut t, &w_crashed).is_ok());
}

#[test]
fn asynchronous_flooding_agrees_under_long_tailed_delays_and_any_crashes() {
    let h = Harness::new(&AsyncFloodingConsensus)
        .nodes(5)
        .delay(DelayDist::Exponential {
            min: Duration::from_millis(1),
            mean: Duration::from_millis(5),
        })
        .send_gap(Duration::from_millis(1))
        .faults(FaultSpec::crashes(CrashSpec {
            min: 1,
            ..CrashSpec::exactly(4, [Time::ZERO, Time::from_millis(30)])
        }))
        .settle(Duration::from_millis(400))
        .seeds(0..500);
    let t = h.check();
    assert_eq!(t.outside_runs, 0);
    // On the same network FloodSet is warned that it may step outside its synchronous rounds
    // (scenarios/flooding-late-detection.toml shows it breaking there).
    let sync = harness(2, 1)
        .delay(DelayDist::Exponential {
            min: Duration::from_millis(1),
            mean: Duration::from_millis(5),
        })
        .detector(DetectorModel::Perfect {
            delay: Duration::from_millis(2),
        })
        .seeds(0..500);
    let sim = sync.simulation();
    assert!(
        sim.may_step_outside()
            .iter()
            .any(|w| w.contains("detector.delay")),
        "{:?}",
        sim.may_step_outside()
    );
}

#[test]
fn bundled_scenarios_meet_their_expectations() {
    for file in [
        "flooding-f1-one-round",
        "flooding-f1-two-rounds",
        "flooding-f2-three-rounds",
        "flooding-f2-two-rounds",
        "flooding-late-detection",
        "flooding-async-late-detection",
        "flooding-n7-f3-three-rounds-chain",
        "flooding-n7-f3-four-rounds-chain",
        "flooding-n7-f4-four-rounds-chain",
    ] {
        ftsim_api::check_scenario(format!("../scenarios/{file}.toml"), crate::all());
    }
}
