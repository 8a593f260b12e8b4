use ftsim_api::sim_core::faults::{CrashSpec, PartitionSpec};
use ftsim_api::{DelayDist, Duration, FaultSpec, Outcome, Property, Time, TraceKind, World};
use ftsim_runner::Harness;

use ftsim_api::properties::{cites_events, observe_history};

use super::process::Role;
use super::*;

fn ms(x: u64) -> Time {
    Time::from_millis(x)
}

/// Up to one replica crash (with recovery) and one partition in the first 100ms.
fn faults() -> FaultSpec {
    FaultSpec {
        crashes: vec![CrashSpec {
            min: 0,
            max: 1,
            between: [ms(0), ms(100)],
            nodes: Some(vec![0, 1, 2]),
            recover_after: Some([Duration::from_millis(10), Duration::from_millis(60)]),
            ..CrashSpec::default()
        }],
        partitions: Some(PartitionSpec {
            min: 0,
            max: 1,
            between: [ms(0), ms(100)],
            lasting: [Duration::from_millis(10), Duration::from_millis(50)],
            ..PartitionSpec::default()
        }),
        ..FaultSpec::default()
    }
}

/// Three replicas and a client, 150ms of faults, then 400ms to settle.
fn harness(failover: FailoverRule) -> Harness<PrimaryBackup> {
    Harness::new(&PrimaryBackup)
        .params(PrimaryBackupParams {
            failover,
            ..PrimaryBackupParams::default()
        })
        .nodes(4)
        .duration(Duration::from_millis(150))
        .settle(Duration::from_millis(400))
}

#[test]
fn happy_path_answers_every_write_in_order() {
    let r = harness(FailoverRule::Fenced).replay(0);
    assert_eq!(r.outcome, Outcome::Ok, "{:?}", r.violations);
    let acked: Vec<String> = r
        .trace
        .unwrap()
        .iter()
        .filter_map(|e| match &e.kind {
            TraceKind::Observe { obs } if obs.starts_with("Acked") => Some(obs.clone()),
            _ => None,
        })
        .collect();
    let want: Vec<String> = (0..5)
        .map(|i| format!("Acked {{ index: {i}, id: (3, {i}) }}"))
        .collect();
    assert_eq!(acked, want);
}

#[test]
fn fenced_failover_survives_crashes_and_partitions() {
    harness(FailoverRule::Fenced)
        .faults(faults())
        .seeds(0..300)
        .check();
}

#[test]
fn a_late_start_view_does_not_truncate_a_committed_write() {
    // Seed 4156 of the fenced scenario: a StartView delayed past the new primary's first
    // Replicate once shortened a backup's log, and the next view lost an acknowledged write.
    let mut h = harness(FailoverRule::Fenced)
        .delay(DelayDist::Exponential {
            min: Duration::from_millis(1),
            mean: Duration::from_millis(3),
        })
        .faults(faults())
        .seeds(4150..4160);
    h.spec_mut().network.default.loss_ppm = 50_000;
    h.check();
}

#[test]
fn timeout_only_failover_is_caught_with_two_primaries() {
    let h = harness(FailoverRule::TimeoutOnly)
        .faults(faults())
        .seeds(0..300);
    h.expect_violation("single-primary");
    let t = h.run();
    assert!(
        t.violations.get("single-primary").copied().unwrap_or(0) > 30,
        "{:?}",
        t.violations
    );
}

#[test]
fn split_brain_acknowledgements_are_not_linearizable() {
    // Judged on linearizability alone (single-primary would stop the runs first): a deposed
    // primary acknowledges writes at positions the new primary already filled.
    harness(FailoverRule::TimeoutOnly)
        .faults(faults())
        .invariants(&["linearizable"])
        .seeds(0..300)
        .expect_violation("linearizable");
    harness(FailoverRule::Fenced)
        .faults(faults())
        .invariants(&["linearizable"])
        .seeds(0..300)
        .check();
}

/// Three timeout-only replicas (all believing node 0 is primary) and client 3.
fn states() -> Vec<Node> {
    let cfg = Config {
        replicas: 3,
        fenced: false,
        writes: 1,
        heartbeat: Duration::from_millis(1),
        timeout: Duration::from_millis(1),
        client_retry: Duration::from_millis(1),
    };
    (0..4).map(|i| Node::new(cfg, i)).collect()
}

const UP: [bool; 4] = [true; 4];
const NEVER: [bool; 4] = [false; 4];

#[test]
fn single_primary_judges_hand_built_states() {
    let mut states = states();
    let w = World::new(Time::ZERO, &states, &UP, &NEVER, &NEVER);
    let mut single = SinglePrimary::default();
    assert!(single.check_state(&w).into_result().is_ok());
    // Make node 1 believe in itself too: two acting primaries of "view 0".
    if let Role::Replica(r) = &mut states[1].role {
        r.believed = 1;
    }
    let w = World::new(Time::ZERO, &states, &UP, &NEVER, &NEVER);
    let err = single.check_state(&w).into_result().unwrap_err();
    assert!(err.message.contains("nodes 0 and 1"), "{err}");
    let down0 = [false, true, true, true];
    let w = World::new(Time::ZERO, &states, &down0, &NEVER, &NEVER);
    assert!(
        SinglePrimary::default()
            .check_state(&w)
            .into_result()
            .is_ok(),
        "a crashed primary does not act"
    );
}

#[test]
fn single_primary_names_where_each_primary_took_over() {
    let mut states = states();
    let mut single = SinglePrimary::default();
    let w = World::new(Time::ZERO, &states, &UP, &NEVER, &NEVER);
    assert!(single.check_state(&w.at_event(2)).into_result().is_ok());
    assert!(single.check_state(&w.at_event(3)).into_result().is_ok());
    if let Role::Replica(r) = &mut states[1].role {
        r.believed = 1;
    }
    let w = World::new(Time::ZERO, &states, &UP, &NEVER, &NEVER);
    let err = single
        .check_state(&w.at_event(5))
        .into_result()
        .unwrap_err();
    assert_eq!(err.evidence, [2, 5]);
    assert!(
        err.message
            .ends_with("view 0 (since event #2 and event #5)"),
        "{err}"
    );
}

#[test]
fn write_properties_name_their_evidence() {
    let states = states();
    let w = World::new(Time::ZERO, &states, &UP, &NEVER, &NEVER);
    let (a, b) = ((3, 0), (3, 1));
    let applied = |id| Obs::Applied { index: 0, id };
    let h = [(0, applied(a)), (1, applied(a)), (2, applied(b))];
    let mut prefix = PrefixAgreement::default();
    let err = observe_history(&w, &mut prefix, &h).unwrap_err();
    assert_eq!(err.evidence, [1, 3]);
    assert!(cites_events(&err.message, &[1, 3]), "{err}");

    let h = [
        (3, Obs::Acked { index: 0, id: a }),
        (0, applied(a)),
        (1, applied(b)),
    ];
    let mut kept = AckedWritesKept::default();
    let err = observe_history(&w, &mut kept, &h).unwrap_err();
    // Replica 0 applied the acknowledged write first; replica 1's conflicting write is named.
    assert_eq!(err.evidence, [1, 3]);
    assert!(cites_events(&err.message, &[1, 3]), "{err}");

    let mut answered = RequestsAnswered::default();
    observe_history(&w, &mut answered, &[(3, Obs::Issued { id: a })]).unwrap();
    let last = [5, 5, 5, 7];
    let err = answered.finish(&w.with_last_events(&last)).unwrap_err();
    assert_eq!(err.evidence, [1, 7]);
    assert_eq!(
        err.message,
        "write (3, 0) of client 3 was never answered: node 3 issued it at event #1, last step \
         event #7"
    );
}

#[test]
fn write_properties_judge_hand_built_histories() {
    let states = states();
    let w = World::new(Time::ZERO, &states, &UP, &NEVER, &NEVER);
    let (a, b) = ((3, 0), (3, 1));
    let mut prefix = PrefixAgreement::default();
    prefix
        .observe(&w, 0, &Obs::Applied { index: 0, id: a })
        .unwrap();
    prefix
        .observe(&w, 1, &Obs::Applied { index: 0, id: a })
        .unwrap();
    assert!(prefix
        .observe(&w, 2, &Obs::Applied { index: 0, id: b })
        .is_err());

    let mut kept = AckedWritesKept::default();
    kept.observe(&w, 3, &Obs::Acked { index: 0, id: a })
        .unwrap();
    kept.observe(&w, 0, &Obs::Applied { index: 0, id: a })
        .unwrap();
    assert!(kept
        .observe(&w, 1, &Obs::Applied { index: 0, id: b })
        .is_err());
    let mut kept = AckedWritesKept::default();
    kept.observe(&w, 1, &Obs::Applied { index: 0, id: b })
        .unwrap();
    assert!(
        kept.observe(&w, 3, &Obs::Acked { index: 0, id: a })
            .is_err(),
        "ack after overwrite"
    );
}

#[test]
fn requests_answered_judges_a_hand_built_history() {
    let mut states = states();
    let w = World::new(Time::ZERO, &states, &UP, &NEVER, &NEVER);
    let a = (3, 0);
    let mut answered = RequestsAnswered::default();
    answered.observe(&w, 3, &Obs::Issued { id: a }).unwrap();
    assert!(answered.finish(&w).is_err());
    answered
        .observe(&w, 3, &Obs::Acked { index: 0, id: a })
        .unwrap();
    // Client 3 issued only 1 of its 1 writes in this history: answered.
    if let Role::Client(c) = &mut states[3].role {
        c.next = 1;
    }
    let w = World::new(Time::ZERO, &states, &UP, &NEVER, &NEVER);
    assert!(answered.finish(&w).is_ok());
}

#[test]
fn bundled_scenarios_meet_their_expectations() {
    for file in [
        "primary-backup-fenced",
        "primary-backup-fenced-long-delays",
        "primary-backup-timeout-only-partition",
        "primary-backup-timeout-only-long-delays",
        "primary-backup-timeout-only-one-way",
        "primary-backup-timeout-only-slow-primary",
        "primary-backup-fenced-slow-and-one-way",
        "primary-backup-timeout-only-linearizable",
    ] {
        ftsim_runner::check_scenario(format!("../scenarios/{file}.toml"), crate::all());
    }
}

#[test]
fn validate_keeps_the_old_key_and_message() {
    let p = PrimaryBackupParams::default();
    let e = PrimaryBackup.validate(&p, 3).unwrap_err();
    let want = "3 replicas need at least one client: expected more than 3 nodes, found 3";
    assert_eq!(e, SpecError::new("nodes", want));
    assert!(PrimaryBackup.validate(&p, 4).is_ok());
}
