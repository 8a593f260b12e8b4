use ftsim_api::properties::consensus::Agreement;
use ftsim_api::properties::{cites_events, observe_history};
use ftsim_api::sim_core::faults::CrashSpec;
use ftsim_api::{Duration, FaultSpec, Outcome, Property, PropertyKind, Time, TraceKind, World};
use ftsim_runner::{AnyProtocol, Harness};

use super::*;

/// Exactly one crash of one of `nodes` in `between` (ms), recovering 1-10ms later if
/// `recover`.
fn crashes(nodes: Vec<NodeId>, recover: bool, between: [u64; 2]) -> FaultSpec {
    FaultSpec {
        crashes: vec![CrashSpec {
            min: 1,
            max: 1,
            between: [Time::from_millis(between[0]), Time::from_millis(between[1])],
            nodes: Some(nodes),
            recover_after: recover.then(|| [Duration::from_millis(1), Duration::from_millis(10)]),
            ..CrashSpec::default()
        }],
        ..FaultSpec::default()
    }
}

/// A coordinator and three participants.
fn harness() -> Harness<TwoPhaseCommit> {
    Harness::new(&TwoPhaseCommit).nodes(4)
}

#[test]
fn happy_path_commits_or_aborts_everywhere() {
    let mut commits = 0;
    for seed in 0..50 {
        let r = harness().replay(seed);
        assert_eq!(r.outcome, Outcome::Ok, "seed {seed}: {:?}", r.violations);
        let decisions: Vec<bool> = r
            .trace
            .unwrap()
            .iter()
            .filter_map(|e| match &e.kind {
                TraceKind::Observe { obs } if obs.starts_with("Decide") => {
                    Some(obs.contains("commit: true"))
                }
                _ => None,
            })
            .collect();
        assert_eq!(decisions.len(), 4, "seed {seed}");
        commits += usize::from(decisions[0]);
    }
    // With a 10% no vote per participant, most transactions commit, some abort.
    assert!((20..50).contains(&commits), "{commits} commits");
}

#[test]
fn a_coordinator_crash_without_recovery_blocks_but_stays_atomic() {
    let h = harness()
        .faults(crashes(vec![0], false, [1, 6]))
        .seeds(0..200);
    // Termination needs crashed nodes back: a coordinator that stays down is outside that.
    h.expect_outside("termination");
    let found = h.run().outside_violations;
    assert!(
        found.get("termination").copied().unwrap_or(0) > 20,
        "{found:?}"
    );
    assert_eq!(found.len(), 1, "only termination may fail: {found:?}");
}

#[test]
fn a_recovering_coordinator_terminates() {
    for nodes in [vec![0], vec![1, 2, 3]] {
        let mut h = harness()
            .faults(crashes(nodes, true, [1, 15]))
            .seeds(0..300);
        h.spec_mut().network.default.loss_ppm = 100_000;
        h.check();
    }
}

#[test]
fn a_participant_that_forgets_its_vote_breaks_atomicity() {
    let h = harness()
        .params(TwoPhaseParams {
            participant_log: false,
            ..TwoPhaseParams::default()
        })
        .faults(crashes(vec![1, 2, 3], true, [1, 8]))
        .seeds(0..300);
    h.expect_violation("atomicity");
    let found = h.run().violations;
    assert!(
        found.get("atomicity").copied().unwrap_or(0) > 5,
        "{found:?}"
    );
}

/// Three nodes (the coordinator and two participants), all up.
fn judge_2pc(f: impl FnOnce(&World<'_, Node>)) {
    let cfg = Config {
        participant_log: true,
        no_percent: 0,
        vote_timeout: Duration::from_millis(1),
        retry: Duration::from_millis(1),
        retry_limit: None,
    };
    let states: Vec<Node> = (0..3).map(|i| Node::new(cfg, i)).collect();
    let (up, never) = ([true; 3], [false; 3]);
    f(&World::new(Time::ZERO, &states, &up, &never, &never))
}

#[test]
fn commit_validity_names_the_commit_and_each_missing_vote() {
    judge_2pc(|w| {
        let h = [
            (1, Obs::Vote { yes: false }),
            (
                0,
                Obs::Decide {
                    commit: true,
                    why: Why::AllYes,
                },
            ),
        ];
        let last = [2, 1, 6];
        let w = w.with_last_events(&last);
        let mut cv = CommitValidity::default();
        let err = observe_history(&w, &mut cv, &h).unwrap_err();
        assert_eq!(err.evidence, [2, 1, 6]);
        assert_eq!(
            err.message,
            "node 0 committed at event #2 without a yes vote from nodes 1 and 2 (node 1 voted no \
             at event #1; node 2 never voted, last step event #6)"
        );
    });
}

#[test]
fn abort_validity_names_the_abort_and_what_contradicts_it() {
    judge_2pc(|w| {
        let abort = |why| Obs::Decide { commit: false, why };
        let h = [(1, Obs::Vote { yes: true }), (1, abort(Why::NoRecord))];
        let mut av = AbortValidity::default();
        let err = observe_history(w, &mut av, &h).unwrap_err();
        assert_eq!(err.evidence, [1, 2]);
        assert!(cites_events(&err.message, &[1, 2]), "{err}");

        let last = [4, 0, 0];
        let w = w.with_last_events(&last);
        let mut av = AbortValidity::default();
        let err = observe_history(&w, &mut av, &[(2, abort(Why::Told))]).unwrap_err();
        assert_eq!(err.evidence, [4, 1]);
        assert!(err.message.ends_with("(its last step: event #4)"), "{err}");
    });
}

#[test]
fn invariants_judge_hand_built_histories() {
    let cfg = Config {
        participant_log: true,
        no_percent: 0,
        vote_timeout: Duration::from_millis(1),
        retry: Duration::from_millis(1),
        retry_limit: None,
    };
    let states: Vec<Node> = (0..3).map(|i| Node::new(cfg, i)).collect();
    let (up, never) = ([true; 3], [false; 3]);
    let w = World::new(Time::ZERO, &states, &up, &never, &never);
    let yes = Obs::Vote { yes: true };
    let commit = Obs::Decide {
        commit: true,
        why: Why::AllYes,
    };

    let mut cv = CommitValidity::default();
    cv.observe(&w, 1, &yes).unwrap();
    assert!(cv.observe(&w, 0, &commit).is_err(), "node 2 never voted");
    cv.observe(&w, 2, &yes).unwrap();
    assert!(cv.observe(&w, 0, &commit).is_ok());

    let mut av = AbortValidity::default();
    av.observe(&w, 1, &yes).unwrap();
    let forgot = Obs::Decide {
        commit: false,
        why: Why::NoRecord,
    };
    assert!(
        av.observe(&w, 1, &forgot).is_err(),
        "aborted alone after a yes"
    );
    assert!(av.observe(&w, 2, &forgot).is_ok(), "never voted: may abort");
    let told = Obs::Decide {
        commit: false,
        why: Why::Told,
    };
    assert!(
        av.observe(&w, 1, &told).is_err(),
        "the coordinator never aborted"
    );
    let timeout = Obs::Decide {
        commit: false,
        why: Why::Timeout,
    };
    av.observe(&w, 0, &timeout).unwrap();
    assert!(av.observe(&w, 1, &told).is_ok());

    // Atomicity is the shared consensus agreement over commit/abort, under its 2PC name.
    let info = TwoPhaseCommit.info();
    let row = info
        .properties
        .iter()
        .find(|p| p.name == "atomicity")
        .expect("declared");
    assert_eq!(row.kind, PropertyKind::Always);
    let mut atomicity = Agreement::default();
    Property::<Node>::observe(&mut atomicity, &w, 0, &commit).unwrap();
    assert!(Property::<Node>::observe(&mut atomicity, &w, 1, &told).is_err());
}

#[test]
fn bundled_scenarios_meet_their_expectations() {
    for file in [
        "two-phase-commit-crash-recover",
        "two-phase-commit-coordinator-crash-blocks",
        "two-phase-commit-forgetful-participant",
        "two-phase-commit-intermittent",
        "two-phase-commit-forgetful-intermittent",
    ] {
        ftsim_runner::check_scenario(format!("../scenarios/{file}.toml"), crate::all());
    }
}

#[test]
fn validate_keeps_the_old_key_and_message() {
    let p = TwoPhaseParams::default();
    let e = TwoPhaseCommit.validate(&p, 1).unwrap_err();
    let want = "two-phase commit needs a coordinator and at least one participant: expected at \
                least 2 nodes";
    assert_eq!(e, SpecError::new("nodes", want));
    assert!(TwoPhaseCommit.validate(&p, 2).is_ok());
}

#[test]
fn every_abort_reason_is_found_by_the_name_debug_gives_it() {
    for why in Why::ALL {
        assert_eq!(Why::from_name(&format!("{why:?}")), Some(why));
    }
    assert_eq!(Why::from_name("Bored"), None);
}
