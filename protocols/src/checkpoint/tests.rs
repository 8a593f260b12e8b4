use std::collections::BTreeMap;

use ftsim_api::properties::{cites_events, observe_history};
use ftsim_api::sim_core::faults::CrashSpec;
use ftsim_api::{
    Duration, Falsified, FaultEvent, FaultKind, FaultPlan, FaultSpec, Outcome, Property, Time,
    TraceEvent, TraceKind, World,
};
use ftsim_runner::Harness;

use super::*;

fn ms(x: u64) -> Time {
    Time::from_millis(x)
}

/// Five processes on FIFO links.
fn harness(mode: Mode, logging: bool) -> Harness<Checkpointing> {
    let mut h = Harness::new(&Checkpointing)
        .params(CheckpointParams {
            mode,
            logging,
            ..CheckpointParams::default()
        })
        .nodes(5);
    h.spec_mut().network.default.fifo = true;
    h
}

/// From 1 to `max` crashes between 10ms and 60ms, each recovering 1-10ms later.
fn crashes(max: u32) -> FaultSpec {
    FaultSpec {
        crashes: vec![CrashSpec {
            min: 1,
            max,
            between: [ms(10), ms(60)],
            nodes: None,
            recover_after: Some([Duration::from_millis(1), Duration::from_millis(10)]),
            ..CrashSpec::default()
        }],
        ..FaultSpec::default()
    }
}

/// The properties violated in 100 seeds with one crash, and how often; no seed may panic.
fn violations(mode: Mode, logging: bool) -> BTreeMap<String, u64> {
    let t = harness(mode, logging)
        .faults(crashes(1))
        .seeds(0..100)
        .run();
    assert_eq!(t.panics, 0, "{:?}", t.first_panic);
    t.violations
}

#[test]
fn without_faults_snapshots_complete_and_money_is_conserved() {
    let r = harness(Mode::Coordinated, false).replay(0);
    assert_eq!(r.outcome, Outcome::Ok, "{:?}", r.violations);
    let committed = r
        .trace
        .as_ref()
        .unwrap()
        .iter()
        .filter(|e| matches!(&e.kind, TraceKind::Observe { obs } if obs.starts_with("Permanent")))
        .count();
    // Snapshots every 10ms for about 80ms of transfers, each committed at all 5 processes.
    assert!(committed >= 5 * 5, "{committed} permanent checkpoints");
}

#[test]
fn coordinated_snapshots_survive_crashes() {
    harness(Mode::Coordinated, false)
        .faults(crashes(2))
        .seeds(0..300)
        .check();
}

#[test]
fn independent_checkpoints_cascade_or_break_the_cut() {
    let v = violations(Mode::Independent, true);
    assert!(v.get("no-domino").copied().unwrap_or(0) > 30, "{v:?}");
    assert!(
        !v.contains_key("consistent-cut") && !v.contains_key("no-lost-transfer"),
        "{v:?}"
    );
    let v = violations(Mode::IndependentLatest, true);
    assert!(v.get("consistent-cut").copied().unwrap_or(0) > 30, "{v:?}");
    let v = violations(Mode::Independent, false);
    assert!(
        v.contains_key("no-lost-transfer") || v.contains_key("no-domino"),
        "{v:?}"
    );
}

fn meta(index: u64, sent: [u64; 2], recv: [u64; 2]) -> Meta {
    Meta {
        index,
        sent: sent.to_vec(),
        recv: recv.to_vec(),
    }
}

fn indices(line: &[((usize, usize), u64)]) -> Vec<u64> {
    line.iter().map(|&(_, i)| i).collect()
}

#[test]
fn the_line_search_rolls_receivers_of_orphans_back() {
    // Node 1's latest checkpoint received 2 from node 0, whose latest had sent 1: node 1
    // goes back to its checkpoint 1, which received 1.
    let lists = vec![
        vec![meta(0, [0, 0], [0, 0]), meta(1, [0, 1], [0, 0])],
        vec![
            meta(0, [0, 0], [0, 0]),
            meta(1, [0, 0], [1, 0]),
            meta(2, [0, 0], [2, 0]),
        ],
    ];
    assert_eq!(indices(&consistent_line(&lists)), vec![1, 1]);
    // Domino: each checkpoint received a transfer the other's checkpoint had not sent yet;
    // rolling one back orphans the other, down to the initial checkpoints.
    let lists = vec![
        vec![meta(0, [0, 0], [0, 0]), meta(1, [0, 0], [0, 1])],
        vec![meta(0, [0, 0], [0, 0]), meta(1, [0, 0], [1, 0])],
    ];
    assert_eq!(indices(&consistent_line(&lists)), vec![0, 0]);
    assert_eq!(indices(&latest_line(&lists)), vec![1, 1]);
}

fn checkpoint(
    snapshot: Option<u64>,
    balance: u64,
    channel: u64,
    sent: [u64; 2],
    recv: [u64; 2],
) -> Obs {
    Obs::Checkpoint {
        index: 1,
        snapshot,
        at: ms(5),
        balance,
        channel,
        sent: sent.to_vec(),
        recv: recv.to_vec(),
        permanent: snapshot.is_none(),
    }
}

fn rolled(
    epoch: u64,
    index: u64,
    balance: u64,
    sent: [u64; 2],
    recv: [u64; 2],
    replay: [u64; 2],
) -> Obs {
    Obs::RolledBack {
        epoch,
        index,
        at: ms(3),
        balance,
        sent: sent.to_vec(),
        recv: recv.to_vec(),
        replay: replay.to_vec(),
        replayed: 0,
    }
}

/// Two coordinated processes with nothing to transfer, as hand-built histories' states.
fn states() -> Vec<CheckpointProcess> {
    let cfg = Config {
        mode: Mode::Coordinated,
        logging: false,
        interval: Duration::from_millis(10),
        transfers: 0,
        amount_max: 10,
        checkpoint_limit: None,
        retry_limit: None,
    };
    (0..2).map(|_| CheckpointProcess::new(2, cfg)).collect()
}

const UP: [bool; 2] = [true; 2];
const NEVER: [bool; 2] = [false; 2];

#[test]
fn snapshots_are_judged_consistent_and_conserving() {
    let states = states();
    let w = World::new(ms(20), &states, &UP, &NEVER, &NEVER);
    // Snapshot 1: node 0 sent 2 to node 1, which recorded 1 received and 1 in flight (7).
    let one = [
        checkpoint(Some(1), 90, 0, [0, 2], [0, 0]),
        checkpoint(Some(1), 103, 7, [0, 0], [1, 0]),
    ];
    let mut cut = ConsistentCut::default();
    assert!(cut.observe(&w, 0, &one[0]).is_ok());
    assert!(cut.observe(&w, 1, &one[1]).is_ok());
    // Snapshot 2: node 1 received 3, node 0 had sent 2: an orphan.
    assert!(cut
        .observe(&w, 0, &checkpoint(Some(2), 90, 0, [0, 2], [0, 0]))
        .is_ok());
    let err = cut
        .observe(&w, 1, &checkpoint(Some(2), 110, 0, [0, 0], [3, 0]))
        .unwrap_err();
    assert!(
        err.message.contains("snapshot 2 is inconsistent") && err.message.contains("1 orphan"),
        "{err}"
    );

    let mut total = SnapshotTotal::default();
    assert!(total.observe(&w, 0, &one[0]).is_ok());
    assert!(total.observe(&w, 1, &one[1]).is_ok());
    assert!(total
        .observe(&w, 0, &checkpoint(Some(2), 90, 0, [0, 2], [0, 0]))
        .is_ok());
    let err = total
        .observe(&w, 1, &checkpoint(Some(2), 103, 0, [0, 0], [1, 0]))
        .unwrap_err();
    assert!(err.message.contains("193 instead of 200"), "{err}");
}

#[test]
fn recovery_lines_are_judged_for_lost_transfers_and_cascades() {
    let states = states();
    let w = World::new(ms(20), &states, &UP, &NEVER, &NEVER);
    // A line where node 0 sent 2, node 1 has 1: fine if 1 is replayed, lost otherwise.
    let mut lost = NoLostTransfer::default();
    assert!(lost
        .observe(&w, 0, &rolled(1, 1, 90, [0, 2], [0, 0], [0, 1]))
        .is_ok());
    assert!(lost
        .observe(&w, 1, &rolled(1, 1, 103, [0, 0], [1, 0], [0, 0]))
        .is_ok());
    assert!(lost
        .observe(&w, 0, &rolled(2, 1, 90, [0, 2], [0, 0], [0, 0]))
        .is_ok());
    let err = lost
        .observe(&w, 1, &rolled(2, 1, 103, [0, 0], [1, 0], [0, 0]))
        .unwrap_err();
    assert!(
        err.message.contains("epoch 2 loses transfers") && err.message.contains("(1 lost;"),
        "{err}"
    );

    // Node 1 has permanent checkpoints 0, 1, 2: back to 2 is fine, back to 0 cascades.
    let mut domino = NoDomino::default();
    for index in 0..3 {
        let mut c = checkpoint(None, 100, 0, [0, 0], [0, 0]);
        if let Obs::Checkpoint { index: i, .. } = &mut c {
            *i = index;
        }
        domino.observe(&w, 1, &c).unwrap();
    }
    assert!(domino
        .observe(&w, 1, &rolled(1, 2, 100, [0, 0], [0, 0], [0, 0]))
        .is_ok());
    let err = domino
        .observe(&w, 1, &rolled(2, 0, 100, [0, 0], [0, 0], [0, 0]))
        .unwrap_err();
    assert!(
        err.message
            .contains("node 1 rolled back at event #0 past 2 of its checkpoints"),
        "{err}"
    );
}

#[test]
fn the_end_of_a_run_is_judged_for_recovery_and_conservation() {
    let mut states = states();
    let w = World::new(ms(20), &states, &UP, &NEVER, &NEVER);
    let mut recovered = Recovered::default();
    recovered.observe(&w, 0, &Obs::Restarted).unwrap();
    assert!(recovered
        .finish(&w)
        .unwrap_err()
        .message
        .starts_with("node 0 restarted"));
    recovered
        .observe(&w, 0, &rolled(1, 0, 100, [0, 0], [0, 0], [0, 0]))
        .unwrap();
    assert!(recovered.finish(&w).is_ok());

    assert!(Conservation.finish(&w).is_ok());
    states[1].balance = 90;
    let w = World::new(ms(20), &states, &UP, &NEVER, &NEVER);
    let err = Conservation.finish(&w).unwrap_err();
    assert!(
        err.message.contains("190 at the end instead of 200"),
        "{err}"
    );
}

/// A history step for the evidence tests: set a node's counters, or observe something.
enum Step {
    Sent(NodeId, [u64; 2]),
    Recv(NodeId, [u64; 2]),
    See(NodeId, Obs),
}

/// Plays `steps` into `p`, the `i`th as event `i + 1`: counter changes are judged as states
/// (`check_state`), observations with `observe`. Returns the first violation.
fn play(p: &mut dyn Property<CheckpointProcess>, steps: Vec<Step>) -> Result<(), Falsified> {
    let mut states = states();
    for (step, event) in steps.into_iter().zip(1..) {
        let obs = match step {
            Step::Sent(i, c) => {
                states[i].sent = c.to_vec();
                None
            }
            Step::Recv(i, c) => {
                states[i].recv = c.to_vec();
                None
            }
            Step::See(i, o) => Some((i, o)),
        };
        let w = World::new(ms(20), &states, &UP, &NEVER, &NEVER).at_event(event);
        if let Some((i, o)) = obs {
            p.observe(&w, i, &o)?;
        }
        p.check_state(&w).into_result()?;
    }
    Ok(())
}

#[test]
fn consistent_cut_names_the_parts_and_the_orphans_send_and_receipt() {
    use Step::*;
    let mut cut = ConsistentCut::default();
    let err = play(
        &mut cut,
        vec![
            Sent(0, [0, 1]),
            Sent(0, [0, 2]),
            See(0, checkpoint(Some(2), 90, 0, [0, 2], [0, 0])),
            Sent(0, [0, 3]),
            Recv(1, [1, 0]),
            Recv(1, [2, 0]),
            Recv(1, [3, 0]),
            See(1, checkpoint(Some(2), 110, 0, [0, 0], [3, 0])),
        ],
    )
    .unwrap_err();
    assert_eq!(err.evidence, [3, 8, 4, 7]);
    assert!(
        err.message.ends_with(
            "the first sent at event #4 and received at event #7; parts at event #3 and event #8)"
        ),
        "{err}"
    );
}

#[test]
fn snapshot_total_names_every_part() {
    let mut total = SnapshotTotal::default();
    let h = [
        (0, checkpoint(Some(1), 90, 0, [0, 2], [0, 0])),
        (1, checkpoint(Some(1), 103, 0, [0, 0], [1, 0])),
    ];
    let states = states();
    let w = World::new(ms(20), &states, &UP, &NEVER, &NEVER);
    let err = observe_history(&w, &mut total, &h).unwrap_err();
    assert_eq!(err.evidence, [1, 2]);
    assert!(
        err.message.ends_with("(parts at events #1 and #2)"),
        "{err}"
    );
}

#[test]
fn no_lost_transfer_names_the_parts_and_the_lost_send() {
    use Step::*;
    let mut lost = NoLostTransfer::default();
    let err = play(
        &mut lost,
        vec![
            Sent(0, [0, 1]),
            Sent(0, [0, 2]),
            See(0, rolled(2, 1, 90, [0, 2], [0, 0], [0, 0])),
            See(1, rolled(2, 1, 103, [0, 0], [1, 0], [0, 0])),
        ],
    )
    .unwrap_err();
    assert_eq!(err.evidence, [3, 4, 2]);
    assert!(cites_events(&err.message, &[2, 3, 4]), "{err}");
}

#[test]
fn no_domino_names_the_checkpoints_rolled_past() {
    let states = states();
    let w = World::new(ms(20), &states, &UP, &NEVER, &NEVER);
    let taken = |index| {
        let mut c = checkpoint(None, 100, 0, [0, 0], [0, 0]);
        if let Obs::Checkpoint { index: i, .. } = &mut c {
            *i = index;
        }
        (1, c)
    };
    let h = [
        taken(0),
        taken(1),
        taken(2),
        (1, rolled(2, 0, 100, [0, 0], [0, 0], [0, 0])),
    ];
    let mut domino = NoDomino::default();
    let err = observe_history(&w, &mut domino, &h).unwrap_err();
    assert_eq!(err.evidence, [2, 3, 4]);
    assert!(cites_events(&err.message, &[2, 3, 4]), "{err}");
}

#[test]
fn liveness_names_restarts_last_steps_and_missing_transfers() {
    let states = states();
    let last = [6, 8];
    let w = World::new(ms(20), &states, &UP, &NEVER, &NEVER).with_last_events(&last);
    let mut recovered = Recovered::default();
    observe_history(&w, &mut recovered, &[(1, Obs::Restarted)]).unwrap();
    let err = recovered.finish(&w).unwrap_err();
    assert_eq!(err.evidence, [1, 8]);
    assert!(cites_events(&err.message, &[1, 8]), "{err}");

    let mut states = states;
    states[0].sent = vec![0, 1];
    states[0].balance = 90;
    let w = World::new(ms(20), &states, &UP, &NEVER, &NEVER).with_last_events(&last);
    let err = Conservation.finish(&w).unwrap_err();
    assert_eq!(err.evidence, [6, 8]);
    assert!(
        err.message.ends_with(
            "node 0 sent node 1 1 transfer(s) it never received (node 1, last step event #8; \
             node 0, last step event #6)"
        ),
        "{err}"
    );
}

#[test]
fn bundled_scenarios_meet_their_expectations() {
    for file in [
        "checkpoint-coordinated",
        "checkpoint-independent-domino",
        "checkpoint-independent-latest-orphans",
        "checkpoint-independent-logged-consistent",
        "checkpoint-independent-unlogged-loss",
    ] {
        ftsim_runner::check_scenario(format!("../scenarios/{file}.toml"), crate::all());
    }
}

#[test]
fn validate_keeps_the_old_keys_and_messages() {
    let p = CheckpointParams::default();
    for nodes in [1, 65] {
        let e = Checkpointing.validate(&p, nodes).unwrap_err();
        let want = format!("checkpointing needs from 2 to 64 nodes, found {nodes}");
        assert_eq!(e, SpecError::new("nodes", want));
    }
    assert!(Checkpointing.validate(&p, 64).is_ok());
    let logged = CheckpointParams {
        logging: true,
        ..p.clone()
    };
    let e = Checkpointing.validate(&logged, 5).unwrap_err();
    assert_eq!(e.key, "params.logging");
    assert!(e.message.starts_with("coordinated snapshots record"), "{e}");
    let independent = CheckpointParams {
        mode: Mode::Independent,
        ..logged
    };
    assert!(Checkpointing.validate(&independent, 5).is_ok());
}

/// Seed 0's run, traced.
fn trace_of(h: &Harness<Checkpointing>) -> Vec<TraceEvent> {
    h.replay(0).trace.expect("a replay keeps its trace")
}

/// The messages node `from` sent whose content starts with `what`.
fn sends(trace: &[TraceEvent], from: NodeId, what: &str) -> usize {
    trace
        .iter()
        .filter(|e| e.node == Some(from))
        .filter(|e| matches!(&e.kind, TraceKind::Send { msg, .. } if msg.starts_with(what)))
        .count()
}

/// The indices of the checkpoints node `node` stored, in order.
fn checkpoint_indices(trace: &[TraceEvent], node: NodeId) -> Vec<u64> {
    let prefix = "Checkpoint { index: ";
    trace
        .iter()
        .filter(|e| e.node == Some(node))
        .filter_map(|e| match &e.kind {
            TraceKind::Observe { obs } => obs.strip_prefix(prefix),
            _ => None,
        })
        .map(|rest| rest.split(',').next().unwrap().parse().unwrap())
        .collect()
}

fn limited(mode: Mode, checkpoint_limit: u64, retry_limit: u64) -> Harness<Checkpointing> {
    let mut h = Harness::new(&Checkpointing)
        .params(CheckpointParams {
            mode,
            checkpoint_limit,
            retry_limit,
            ..CheckpointParams::default()
        })
        .nodes(2)
        .duration(Duration::from_millis(200));
    h.spec_mut().network.default.fifo = true;
    h
}

#[test]
fn checkpoint_limit_ends_the_schedule_at_that_number() {
    // Independent: checkpoints numbered 0 (initial) to the limit, then no more.
    let trace = trace_of(&limited(Mode::Independent, 2, 0));
    assert_eq!(checkpoint_indices(&trace, 1), vec![0, 1, 2]);
    let unlimited = checkpoint_indices(&trace_of(&limited(Mode::Independent, 0, 0)), 1);
    assert!(unlimited.len() > 10, "{unlimited:?}");
    // Coordinated: node 0 starts snapshots 1 and 2 only (0 is everyone's initial one).
    let trace = trace_of(&limited(Mode::Coordinated, 2, 0));
    assert_eq!(sends(&trace, MANAGER, "Marker { epoch: 0, snapshot: 3"), 0);
    assert_eq!(sends(&trace, MANAGER, "Marker { epoch: 0, snapshot: 2"), 1);
    assert_eq!(checkpoint_indices(&trace, 1), vec![0, 1, 2]);
}

#[test]
fn retry_limit_bounds_a_restarted_process_s_requests() {
    // Node 0, the manager, goes down for good; node 1 restarts and asks for a recovery
    // that never comes: once at its restart, then once per retry.
    let plan = FaultPlan {
        events: vec![
            FaultEvent {
                at: ms(5),
                kind: FaultKind::Crash { node: 0 },
            },
            FaultEvent {
                at: ms(6),
                kind: FaultKind::Crash { node: 1 },
            },
            FaultEvent {
                at: ms(8),
                kind: FaultKind::Recover { node: 1 },
            },
        ],
        ..FaultPlan::default()
    };
    let limited_trace = trace_of(&limited(Mode::Independent, 0, 2).schedule(plan.clone()));
    assert_eq!(sends(&limited_trace, 1, "NeedRecovery"), 3);
    let unlimited = trace_of(&limited(Mode::Independent, 0, 0).schedule(plan));
    assert!(sends(&unlimited, 1, "NeedRecovery") > 5);
}
