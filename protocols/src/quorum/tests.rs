use ftsim_api::sim_core::faults::{CrashSpec, PartitionSpec};
use ftsim_api::sim_core::network::LinkOverride;
use ftsim_api::{DelayDist, FaultSpec, NetworkModel, Outcome, Time};
use ftsim_runner::Harness;

use super::*;

fn ms(x: u64) -> Time {
    Time::from_millis(x)
}

fn params(write_quorum: usize, read_quorum: usize, reads: ReadRule) -> QuorumParams {
    QuorumParams {
        write_quorum,
        read_quorum,
        reads,
        ..QuorumParams::default()
    }
}

/// Three replicas and three clients on 1-5ms links with `loss_ppm` loss.
fn harness(p: QuorumParams, loss_ppm: u32) -> Harness<QuorumRegister> {
    let mut network = NetworkModel::default();
    network.default.delay = DelayDist::Uniform {
        min: Duration::from_millis(1),
        max: Duration::from_millis(5),
    };
    network.default.loss_ppm = loss_ppm;
    Harness::new(&QuorumRegister)
        .params(p)
        .nodes(6)
        .network(network)
        .duration(Duration::from_millis(150))
        .settle(Duration::from_millis(300))
}

/// One replica crash and one partition in the first 100ms.
fn faults() -> FaultSpec {
    FaultSpec {
        crashes: vec![CrashSpec {
            min: 0,
            max: 1,
            between: [ms(0), ms(100)],
            nodes: Some(vec![0, 1, 2]),
            ..CrashSpec::default()
        }],
        partitions: Some(PartitionSpec {
            min: 0,
            max: 1,
            between: [ms(0), ms(100)],
            lasting: [Duration::from_millis(10), Duration::from_millis(40)],
            ..PartitionSpec::default()
        }),
        ..FaultSpec::default()
    }
}

#[test]
fn without_faults_every_operation_returns() {
    let h = harness(QuorumParams::default(), 0);
    for seed in 0..20 {
        let mut e = h.engine(seed);
        let r = e.run();
        assert_eq!(r.outcome, Outcome::Ok, "seed {seed}: {:?}", r.violations);
        assert!(
            e.states().iter().all(|n| !n.unfinished_client()),
            "seed {seed}"
        );
    }
}

#[test]
fn majority_quorums_with_write_back_are_linearizable_under_faults() {
    harness(params(2, 2, ReadRule::WriteBack), 100_000)
        .faults(faults())
        .sometimes(&["read-during-write", "write-back-repaired"])
        .seeds(0..300)
        .check();
}

#[test]
fn any_intersecting_quorums_will_do() {
    // W + R > N with a write quorum of one: every read asks all three replicas.
    harness(params(1, 3, ReadRule::WriteBack), 0)
        .sometimes(&["read-during-write"])
        .seeds(0..300)
        .check();
}

/// The network of `scenarios/quorum-*-far-replicas.toml` and its twins: client 3, the only
/// writer, is 15-25ms from replicas 1 and 2; client 5 is as far from replica 0; every other
/// link takes 1-2ms.
fn far_replicas(write_quorum: usize, reads: ReadRule) -> Harness<QuorumRegister> {
    let far = DelayDist::Uniform {
        min: Duration::from_millis(15),
        max: Duration::from_millis(25),
    };
    let mut network = NetworkModel::default();
    network.default.delay = DelayDist::Uniform {
        min: Duration::from_millis(1),
        max: Duration::from_millis(2),
    };
    for (from, to) in [(3, 1), (3, 2), (5, 0)] {
        let mut model = network.default;
        model.delay = far;
        network.links.push(LinkOverride { from, to, model });
    }
    let p = QuorumParams {
        ops: 10,
        writers: 1,
        writes_percent: 100,
        ..params(write_quorum, 2, reads)
    };
    harness(p, 0)
        .network(network)
        .settle(Duration::from_millis(600))
}

#[test]
fn far_replicas_are_fine_with_write_back() {
    far_replicas(2, ReadRule::WriteBack)
        .sometimes(&["read-during-write", "write-back-repaired"])
        .seeds(0..300)
        .check();
}

#[test]
fn quorums_that_need_not_meet_are_caught() {
    let h = far_replicas(1, ReadRule::WriteBack).seeds(0..50);
    assert_eq!(h.expect_violation("linearizable"), 0);
    let t = h.run();
    assert!(t.violations["linearizable"] > 40, "{:?}", t.violations);
}

#[test]
fn reads_without_write_back_are_caught() {
    let h = far_replicas(2, ReadRule::QueryOnly).seeds(0..50);
    assert_eq!(h.expect_violation("linearizable"), 0);
    let t = h.run();
    assert!(t.violations["linearizable"] > 30, "{:?}", t.violations);
}

#[test]
fn a_quorum_larger_than_the_replicas_is_refused() {
    let p = params(4, 2, ReadRule::WriteBack);
    let e = QuorumRegister.validate(&p, 6).unwrap_err();
    assert_eq!(e.key, "params.write_quorum");
    assert!(e.message.contains("at most 3"), "{e}");
    let e = QuorumRegister
        .validate(&QuorumParams::default(), 3)
        .unwrap_err();
    assert_eq!(e.key, "nodes");
}

#[test]
fn the_model_names_the_quorum_slack() {
    let m = QuorumRegister.model(&params(3, 3, ReadRule::WriteBack), 8);
    let mut p = params(3, 3, ReadRule::WriteBack);
    p.replicas = 5;
    let m5 = QuorumRegister.model(&p, 8);
    assert_ne!(m, m5);
    assert!(
        m5.describe().iter().any(|l| l.contains("at most 2 nodes")),
        "{:?}",
        m5.describe()
    );
}

#[test]
fn bundled_scenarios_meet_their_expectations() {
    for file in [
        "quorum-abd",
        "quorum-abd-far-replicas",
        "quorum-abd-n5-crash-recover",
        "quorum-no-write-back",
        "quorum-disjoint-quorums",
    ] {
        ftsim_runner::check_scenario(format!("../scenarios/{file}.toml"), crate::all());
    }
}
