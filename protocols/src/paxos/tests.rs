use ftsim_api::properties::consensus::{Integrity, Obliged, Termination};
use ftsim_api::properties::{cites_events, observe_history};
use ftsim_api::sim_core::faults::{CrashSpec, PartitionSpec};
use ftsim_api::sim_core::Engine;
use ftsim_api::{
    DelayDist, FaultEvent, FaultKind, FaultPlan, FaultSpec, NetworkModel, Outcome, Property,
    RunConfig, RunReport, Time, World,
};
use ftsim_runner::Harness;

use super::*;

fn params(proposers: usize, storage: AcceptorStorage) -> PaxosParams {
    PaxosParams {
        proposers,
        acceptor_storage: storage,
        ..PaxosParams::default()
    }
}

/// Delays of 1 to 10ms, `loss` and `duplicate` in parts per million.
fn network(loss: u32, duplicate: u32) -> NetworkModel {
    let mut network = NetworkModel::default();
    network.default.delay = DelayDist::Uniform {
        min: Duration::from_millis(1),
        max: Duration::from_millis(10),
    };
    network.default.loss_ppm = loss;
    network.default.duplicate_ppm = duplicate;
    network
}

/// Faults for 300ms, then 700ms to settle.
fn config() -> RunConfig {
    RunConfig {
        duration: Duration::from_millis(300),
        settle: Duration::from_millis(700),
        ..RunConfig::default()
    }
}

/// `n` nodes, `proposers` of them proposing, on [`network`] with [`config`].
fn paxos(n: usize, proposers: usize, storage: AcceptorStorage) -> Harness<SingleDecreePaxos> {
    lossy(n, proposers, storage, 0, 0)
}

fn lossy(
    n: usize,
    proposers: usize,
    storage: AcceptorStorage,
    loss: u32,
    duplicate: u32,
) -> Harness<SingleDecreePaxos> {
    Harness::new(&SingleDecreePaxos)
        .params(params(proposers, storage))
        .nodes(n)
        .network(network(loss, duplicate))
        .duration(config().duration)
        .settle(config().settle)
}

/// One seed of `h`, with the engine handed back so a test can look at the processes and their
/// stable storage afterwards (a sweep reports only what was observed).
fn run(h: &Harness<SingleDecreePaxos>, seed: u64) -> (RunReport, Engine<Paxos>) {
    let mut e = h.engine(seed);
    (e.run(), e)
}

/// The fault mix of `scenarios/paxos-*-acceptor.toml`: an early partition, and one
/// crash-recover while it lasts.
fn partition_then_crash() -> FaultSpec {
    FaultSpec {
        partitions: Some(PartitionSpec {
            min: 1,
            max: 1,
            between: [Time::from_millis(0), Time::from_millis(10)],
            lasting: [Duration::from_millis(60), Duration::from_millis(120)],
            ..PartitionSpec::default()
        }),
        crashes: vec![CrashSpec {
            min: 1,
            max: 1,
            between: [Time::from_millis(30), Time::from_millis(80)],
            nodes: None,
            recover_after: Some([Duration::from_millis(1), Duration::from_millis(5)]),
            ..CrashSpec::default()
        }],
        ..FaultSpec::default()
    }
}

#[test]
fn without_faults_everyone_learns_one_proposed_value() {
    for proposers in [1, 3] {
        for seed in 0..20 {
            let (r, e) = run(&paxos(5, proposers, AcceptorStorage::Stable), seed);
            assert_eq!(r.outcome, Outcome::Ok, "{proposers} proposers, seed {seed}");
            let learned = e.states()[0].learned().expect("node 0 learned");
            assert!((100..100 + proposers as u64).contains(&learned));
            assert!(e.states().iter().all(|p| p.learned() == Some(learned)));
            if proposers == 1 {
                assert_eq!(learned, 100);
            }
        }
    }
}

#[test]
fn a_lone_proposer_rides_out_loss_in_one_ballot() {
    // Nobody competes, so nobody nacks: timeouts re-send within the first ballot.
    let h = lossy(5, 1, AcceptorStorage::Stable, 400_000, 200_000);
    for seed in 0..50 {
        let (r, e) = run(&h, seed);
        assert_eq!(r.outcome, Outcome::Ok, "seed {seed}: {:?}", r.violations);
        assert_eq!(e.stable()[0].round, 1, "seed {seed}");
    }
}

#[test]
fn dueling_proposers_back_off_and_finish() {
    // No crashes, so no recovered acceptor to see.
    lossy(5, 5, AcceptorStorage::Stable, 100_000, 100_000)
        .seeds(0..100)
        .sometimes(&["adopted"])
        .check();
    let h = lossy(5, 5, AcceptorStorage::Stable, 100_000, 100_000);
    let preempted = (0..100)
        .filter(|&seed| {
            let (_, e) = run(&h, seed);
            e.stable().iter().any(|st| st.round > 1)
        })
        .count();
    assert!(preempted > 0, "no proposer was ever preempted");
}

#[test]
fn safe_and_live_under_loss_duplication_partitions_and_crash_recover() {
    let faults = FaultSpec {
        crashes: vec![CrashSpec {
            min: 1,
            max: 2,
            between: [Time::from_millis(0), Time::from_millis(250)],
            nodes: None,
            recover_after: Some([Duration::from_millis(5), Duration::from_millis(50)]),
            ..CrashSpec::default()
        }],
        partitions: Some(PartitionSpec {
            min: 0,
            max: 2,
            between: [Time::from_millis(0), Time::from_millis(250)],
            lasting: [Duration::from_millis(20), Duration::from_millis(100)],
            ..PartitionSpec::default()
        }),
        ..FaultSpec::default()
    };
    lossy(5, 3, AcceptorStorage::Stable, 200_000, 200_000)
        .faults(faults)
        .seeds(0..300)
        .check();
    paxos(3, 3, AcceptorStorage::Stable)
        .faults(partition_then_crash())
        .seeds(0..300)
        .check();
}

#[test]
fn a_forgetful_acceptor_is_caught_choosing_two_values() {
    let h = lossy(3, 3, AcceptorStorage::Volatile, 100_000, 100_000)
        .faults(partition_then_crash())
        .seeds(0..300);
    h.expect_violation("one-chosen");
    let v = h.run().violations;
    assert!(
        !v.contains_key("chosen-proposed") && !v.contains_key("integrity"),
        "{v:?}"
    );
}

#[test]
fn promises_survive_a_crash_only_in_stable_storage() {
    for storage in [AcceptorStorage::Stable, AcceptorStorage::Volatile] {
        // Node 2 crashes once the value is chosen and comes back before the end.
        let plan = FaultPlan {
            events: vec![
                FaultEvent {
                    at: Time::from_millis(60),
                    kind: FaultKind::Crash { node: 2 },
                },
                FaultEvent {
                    at: Time::from_millis(80),
                    kind: FaultKind::Recover { node: 2 },
                },
            ],
            ..FaultPlan::default()
        };
        let (r, e) = run(&paxos(3, 1, storage).schedule(plan), 7);
        assert_eq!(r.outcome, Outcome::Ok, "{storage}: {:?}", r.violations);
        let kept = e.stable()[2].acceptor;
        if storage == AcceptorStorage::Stable {
            assert_eq!(kept.promised, Ballot::new(1, 0));
            assert_eq!(kept.accepted, Some((Ballot::new(1, 0), 100)));
        } else {
            assert_eq!(kept, AcceptorState::default());
        }
        // Either way the recovered node learned: from storage, or by asking its peers.
        assert_eq!(e.states()[2].learned(), Some(100));
    }
}

fn accept(round: u32, node: NodeId, value: u64) -> Obs {
    Obs::Accept {
        ballot: Ballot::new(round, node),
        value,
    }
}

fn world_states(n: usize) -> Vec<Paxos> {
    (0..n)
        .map(|i| {
            Paxos::new(
                i == 0,
                AcceptorStorage::Stable,
                Duration::from_millis(30),
                Duration::ZERO,
            )
        })
        .collect()
}

#[test]
fn one_chosen_judges_hand_built_histories() {
    let states = world_states(5);
    let (up, never) = ([true; 5], [false; 5]);
    let w = World::new(Time::ZERO, &states, &up, &never, &never);
    // 100 chosen in b1.0 by 0, 1, 2; re-chosen in b2.1 (adopted: fine); 101 reaches two
    // acceptors in b3.1 (not chosen: fine); then a third: two values chosen.
    let mut p = OneChosen::default();
    let good = [
        (0, accept(1, 0, 100)),
        (1, accept(1, 0, 100)),
        (1, accept(1, 0, 100)), // a duplicate counts once
        (2, accept(1, 0, 100)),
        (2, accept(2, 1, 100)),
        (3, accept(2, 1, 100)),
        (4, accept(2, 1, 100)),
        (3, accept(3, 1, 101)),
        (4, accept(3, 1, 101)),
    ];
    let mut history = good.to_vec();
    history.push((0, accept(3, 1, 101)));
    let err = observe_history(&w, &mut p, &history).unwrap_err();
    assert_eq!(
        err.message,
        "101 chosen in ballot b3.1 at event #10 by acceptors [0, 3, 4], but 100 was chosen in \
         ballot b1.0 at event #4 by acceptors [0, 1, 2]"
    );
    // Both majorities' accepts: the duplicate at event 3 counts once.
    assert_eq!(err.evidence, [8, 9, 10, 1, 2, 4]);
}

#[test]
fn chosen_proposed_and_learned_chosen_name_their_accepts() {
    let states = world_states(3);
    let (up, never) = ([true; 3], [false; 3]);
    let w = World::new(Time::ZERO, &states, &up, &never, &never);
    let h = [
        (0, Obs::Propose(100)),
        (1, accept(2, 1, 7)),
        (2, accept(2, 1, 7)),
    ];
    let mut cp = ChosenProposed::default();
    let err = observe_history(&w, &mut cp, &h).unwrap_err();
    assert_eq!(err.evidence, [2, 3, 1]);
    assert!(cites_events(&err.message, &[1, 2, 3]), "{err}");

    let h = [(0, accept(1, 0, 100)), (2, Obs::Learn(100))];
    let mut lc = LearnedChosen::default();
    let err = observe_history(&w, &mut lc, &h).unwrap_err();
    assert_eq!(err.evidence, [1, 2]);
    assert!(cites_events(&err.message, &[1, 2]), "{err}");
}

#[test]
fn chosen_proposed_and_learned_chosen_judge_hand_built_histories() {
    let states = world_states(3);
    let (up, never) = ([true; 3], [false; 3]);
    let w = World::new(Time::ZERO, &states, &up, &never, &never);

    let mut cp = ChosenProposed::default();
    cp.observe(&w, 0, &Obs::Propose(100)).unwrap();
    for node in [0, 1] {
        assert!(cp.observe(&w, node, &accept(1, 0, 100)).is_ok());
    }
    assert!(cp.observe(&w, 1, &accept(2, 1, 7)).is_ok()); // one acceptor: not chosen
    let err = cp.observe(&w, 2, &accept(2, 1, 7)).unwrap_err();
    assert!(
        err.message.contains("7 chosen") && err.message.contains("nobody proposed"),
        "{err}"
    );

    let mut lc = LearnedChosen::default();
    lc.observe(&w, 0, &accept(1, 0, 100)).unwrap();
    let err = lc.observe(&w, 2, &Obs::Learn(100)).unwrap_err();
    assert!(err.message.contains("node 2 learned 100"), "{err}");
    lc.observe(&w, 1, &accept(1, 0, 100)).unwrap();
    assert!(lc.observe(&w, 2, &Obs::Learn(100)).is_ok());
    assert!(lc.observe(&w, 1, &Obs::Learn(101)).is_err());
}

#[test]
fn integrity_and_termination_judge_hand_built_histories() {
    let states = world_states(3);
    let up = [true, true, false];
    let never = [false; 3];
    let crashed2 = [false, false, true];
    let w = World::new(Time::ZERO, &states, &up, &crashed2, &never);

    let mut i = Integrity::default();
    assert!(Property::<Paxos>::observe(&mut i, &w, 0, &Obs::Learn(100)).is_ok());
    assert!(Property::<Paxos>::observe(&mut i, &w, 0, &Obs::Learn(100)).is_err());

    // Node 2 is down at the end: only nodes 0 and 1 must have learned.
    let mut t = Termination::new(Obliged::UpAtEnd);
    Property::<Paxos>::observe(&mut t, &w, 0, &Obs::Learn(100)).unwrap();
    let err = Property::<Paxos>::finish(&mut t, &w).unwrap_err();
    assert!(err.message.starts_with("node 1 never decided"), "{err}");
    Property::<Paxos>::observe(&mut t, &w, 1, &Obs::Learn(100)).unwrap();
    assert!(Property::<Paxos>::finish(&mut t, &w).is_ok());
    let all_up = [true; 3];
    let w_up = World::new(Time::ZERO, &states, &all_up, &crashed2, &never);
    assert!(Property::<Paxos>::finish(&mut t, &w_up).is_err());
}

#[test]
fn reachability_judges_hand_built_histories() {
    let states = world_states(3);
    let up = [true; 3];
    let never = [false; 3];
    let crashed1 = [false, true, false];
    let w = World::new(Time::ZERO, &states, &up, &never, &never);
    let w1 = World::new(Time::ZERO, &states, &up, &crashed1, &never);

    let mut a = Adopted::default();
    a.observe(&w, 0, &Obs::Propose(100)).unwrap();
    a.observe(&w, 1, &Obs::Propose(101)).unwrap();
    a.observe(&w, 2, &accept(1, 0, 100)).unwrap();
    assert!(a.finish(&w).is_err());
    a.observe(&w, 2, &accept(2, 1, 100)).unwrap();
    assert!(a.finish(&w).is_ok());

    let mut r = RecoveredAcceptor::default();
    r.observe(&w1, 0, &accept(1, 0, 100)).unwrap();
    assert!(r.finish(&w1).is_err());
    r.observe(&w1, 1, &accept(1, 0, 100)).unwrap();
    assert!(r.finish(&w1).is_ok());
}

#[test]
fn validate_refuses_more_proposers_than_nodes() {
    let p = params(4, AcceptorStorage::Stable);
    assert!(SingleDecreePaxos.validate(&p, 4).is_ok());
    let err = SingleDecreePaxos.validate(&p, 3).unwrap_err();
    assert_eq!(err.key, "params.proposers");
    let err = SingleDecreePaxos.validate(&p, 65).unwrap_err();
    assert_eq!(err.key, "nodes");
}

#[test]
fn bundled_scenarios_meet_their_expectations() {
    for name in [
        "paxos-lossy",
        "paxos-minority-crash-recover",
        "paxos-partitions",
        "paxos-stable-acceptor",
        "paxos-volatile-acceptor",
        "paxos-storage-faults",
        "paxos-unsynced-acceptor",
        "paxos-heavy-loss-heals",
    ] {
        ftsim_runner::check_scenario(format!("../scenarios/{name}.toml"), crate::all());
    }
}
