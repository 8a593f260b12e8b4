use ftsim_api::sim_core::faults::{CrashSpec, PartitionSpec, StorageFaults};
use ftsim_api::{DelayDist, FaultSpec, NetworkModel, Outcome, Time, World};
use ftsim_runner::Harness;

use ftsim_api::properties::{cites_events, observe_history};

use super::*;

fn ms(x: u64) -> Time {
    Time::from_millis(x)
}

/// Three servers and three clients on 1-5ms links with `loss_ppm` loss and duplication.
fn harness(variant: Variant, loss_ppm: u32) -> Harness<ReplicatedStateMachine> {
    let mut network = NetworkModel::default();
    network.default.delay = DelayDist::Uniform {
        min: Duration::from_millis(1),
        max: Duration::from_millis(5),
    };
    network.default.loss_ppm = loss_ppm;
    network.default.duplicate_ppm = loss_ppm;
    Harness::new(&ReplicatedStateMachine)
        .params(RsmParams {
            variant,
            ops: 6,
            ..RsmParams::default()
        })
        .nodes(6)
        .network(network)
        .duration(Duration::from_millis(200))
        .settle(Duration::from_millis(600))
}

/// One server crash with recovery, one partition, storage faults.
fn faults() -> FaultSpec {
    FaultSpec {
        crashes: vec![CrashSpec {
            min: 0,
            max: 1,
            between: [ms(0), ms(150)],
            nodes: Some(vec![0, 1, 2]),
            recover_after: Some([Duration::from_millis(10), Duration::from_millis(60)]),
            ..CrashSpec::default()
        }],
        partitions: Some(PartitionSpec {
            min: 0,
            max: 1,
            between: [ms(0), ms(150)],
            lasting: [Duration::from_millis(10), Duration::from_millis(50)],
            ..PartitionSpec::default()
        }),
        storage: StorageFaults::LoseUnsynced,
        ..FaultSpec::default()
    }
}

#[test]
fn without_faults_every_variant_but_broadcast_serves_every_operation() {
    for variant in [Variant::TotalOrder, Variant::MultiPaxos] {
        let h = harness(variant, 0);
        for seed in 0..20 {
            let mut e = h.engine(seed);
            let r = e.run();
            assert_eq!(r.outcome, Outcome::Ok, "{variant:?} seed {seed}");
            assert!(e.states().iter().all(|n| !n.unfinished_client()));
        }
    }
}

#[test]
fn broadcast_diverges_and_is_not_linearizable() {
    let h = harness(Variant::Broadcast, 0).seeds(0..100);
    h.expect_violation("prefix-agreement");
    let h = h.invariants(&["linearizable"]).seeds(0..300);
    h.expect_violation("linearizable");
}

#[test]
fn a_sequencer_keeps_replicas_identical_under_loss() {
    harness(Variant::TotalOrder, 100_000)
        .sometimes(&["concurrent-puts", "held-back"])
        .seeds(0..300)
        .check();
}

#[test]
fn multi_paxos_survives_crashes_partitions_and_storage_faults() {
    harness(Variant::MultiPaxos, 100_000)
        .faults(faults())
        .sometimes(&["concurrent-puts", "leader-changed", "recovered-acceptor"])
        .seeds(0..300)
        .check();
}

#[test]
fn prefix_agreement_names_both_applications() {
    let cfg = Config::from(&RsmParams::default());
    let states: Vec<Node> = (0..4).map(|i| Node::new(cfg, i)).collect();
    let (up, never) = ([true; 4], [false; 4]);
    let w = World::new(Time::ZERO, &states, &up, &never, &never);
    let applied = |cmd| Obs::Applied { index: 0, cmd };
    let h = [
        (0, applied(Some((3, 1)))),
        (1, applied(Some((3, 1)))),
        (2, applied(None)),
    ];
    let mut prefix = PrefixAgreement::default();
    let err = observe_history(&w, &mut prefix, &h).unwrap_err();
    assert_eq!(err.evidence, [1, 3]);
    assert!(cites_events(&err.message, &[1, 3]), "{err}");
    assert!(err.message.contains("a no-op"), "{err}");
}

#[test]
fn validate_wants_a_client() {
    let e = ReplicatedStateMachine
        .validate(&RsmParams::default(), 3)
        .unwrap_err();
    assert_eq!(e.key, "nodes");
    assert!(ReplicatedStateMachine
        .validate(&RsmParams::default(), 4)
        .is_ok());
}

#[test]
fn bundled_scenarios_meet_their_expectations() {
    for file in [
        "rsm-broadcast",
        "rsm-broadcast-linearizable",
        "rsm-total-order",
        "rsm-multi-paxos",
        "rsm-multi-paxos-leader-crash",
    ] {
        ftsim_runner::check_scenario(format!("../scenarios/{file}.toml"), crate::all());
    }
}
