//! Behaviour of the engine's network, fault model and failure detectors (its properties:
//! `properties.rs`; the outcomes of a panic and of a budget: `outcomes.rs`).

mod common;

use common::*;
use sim_core::*;

fn deliveries(r: &RunReport) -> impl Iterator<Item = (&TraceEvent, NodeId, u64)> {
    trace_of(r).iter().filter_map(|e| match e.kind {
        TraceKind::Deliver { from, msg_id, .. } => Some((e, from, msg_id)),
        _ => None,
    })
}

#[test]
fn every_effect_shows_up_in_the_trace() {
    let mut s = traced(setup(3, 5));
    s.plan.events.push(fault(20, FaultKind::Crash { node: 2 }));
    s.plan
        .events
        .push(fault(30, FaultKind::Recover { node: 2 }));
    let r = run(s, 1);
    assert_eq!(r.outcome, Outcome::Ok);
    let t = trace_of(&r);
    let has = |pred: &dyn Fn(&TraceKind) -> bool| t.iter().any(|e| pred(&e.kind));
    assert!(has(&|k| matches!(k, TraceKind::Start)));
    assert!(has(&|k| matches!(k, TraceKind::Send { .. })));
    assert!(has(&|k| matches!(k, TraceKind::Deliver { .. })));
    assert!(has(&|k| matches!(k, TraceKind::TimerSet { .. })));
    assert!(has(&|k| matches!(k, TraceKind::TimerCancel { .. })));
    assert!(has(&|k| matches!(k, TraceKind::TimerFire { .. })));
    assert!(has(&|k| matches!(k, TraceKind::Persist { .. })));
    assert!(has(
        &|k| matches!(k, TraceKind::Observe { obs } if obs.starts_with("Drew"))
    ));
    assert!(has(&|k| matches!(k, TraceKind::Crash)));
    assert!(has(&|k| matches!(k, TraceKind::Recover)));
    // 5 pings to 2 peers, each answered (node 2 misses the pings sent while it is down, if any).
    assert!(r.stats.messages_sent >= 10);
    // The cancelled timer never fired: it would have panicked.
}

#[test]
fn dropped_messages_are_never_delivered() {
    let mut s = traced(setup(4, 30));
    s.network.default.loss_ppm = 300_000;
    let r = run(s, 7);
    let dropped: Vec<u64> = trace_of(&r)
        .iter()
        .filter_map(|e| match e.kind {
            TraceKind::Drop { msg_id, .. } => Some(msg_id),
            _ => None,
        })
        .collect();
    assert!(!dropped.is_empty(), "30% loss dropped nothing");
    for (_, _, id) in deliveries(&r) {
        assert!(!dropped.contains(&id), "message {id} dropped and delivered");
    }
    assert_eq!(
        r.stats.messages_sent,
        r.stats.messages_delivered + r.stats.messages_dropped
    );
}

#[test]
fn total_loss_delivers_nothing() {
    let mut s = setup(3, 10);
    s.network.default.loss_ppm = PPM;
    let r = run(s, 3);
    assert_eq!(r.stats.messages_delivered, 0);
    assert_eq!(r.stats.messages_dropped, r.stats.messages_sent);
}

#[test]
fn a_partitioned_link_delivers_nothing_until_healed() {
    let mut s = traced(setup(3, 60));
    s.plan.events.push(fault(
        10,
        FaultKind::Partition {
            groups: vec![vec![0]],
        },
    ));
    s.plan.events.push(fault(40, FaultKind::Heal));
    let r = run(s, 11);
    let mut after_heal = 0;
    for (e, from, _) in deliveries(&r) {
        let across = (from == 0) != (e.node == Some(0));
        if across && e.time >= at(10) && e.time < at(40) {
            panic!("delivered across the partition at {}: {e:?}", e.time);
        }
        if across && e.time >= at(40) {
            after_heal += 1;
        }
    }
    assert!(after_heal > 0, "nothing crossed after the heal");
    assert!(trace_of(&r).iter().any(|e| matches!(
        e.kind,
        TraceKind::Drop {
            reason: DropReason::Partition,
            ..
        }
    )));
}

fn ping_order_at_node_1(fifo: bool, seed: u64) -> Vec<u32> {
    let mut s = traced(setup(2, 100));
    s.network.default = LinkModel {
        delay: DelayDist::Uniform {
            min: Duration::from_micros(100),
            max: Duration::from_millis(10),
        },
        fifo,
        ..LinkModel::default()
    };
    let r = run(s, seed);
    trace_of(&r)
        .iter()
        .filter(|e| e.node == Some(1))
        .filter_map(|e| match &e.kind {
            TraceKind::Deliver { msg, .. } => msg
                .strip_prefix("Ping(")
                .and_then(|m| m.strip_suffix(')'))
                .and_then(|m| m.parse().ok()),
            _ => None,
        })
        .collect()
}

#[test]
fn fifo_links_keep_order_and_others_reorder() {
    for seed in 0..20 {
        let order = ping_order_at_node_1(true, seed);
        assert_eq!(order.len(), 100);
        assert!(
            order.windows(2).all(|w| w[0] < w[1]),
            "seed {seed}: {order:?}"
        );
    }
    let reordered = (0..20).any(|seed| {
        let order = ping_order_at_node_1(false, seed);
        order.windows(2).any(|w| w[0] > w[1])
    });
    assert!(
        reordered,
        "non-FIFO links never reordered: the FIFO test proves nothing"
    );
}

#[test]
fn a_crashed_process_receives_nothing_and_its_timers_never_fire() {
    let mut s = traced(setup(3, 80));
    // Node 0 is the one with the periodic timer.
    s.plan.events.push(fault(10, FaultKind::Crash { node: 0 }));
    s.plan.events.push(fault(10, FaultKind::Crash { node: 1 }));
    let r = run(s, 5);
    for e in trace_of(&r) {
        if e.time > at(10) && matches!(e.node, Some(0) | Some(1)) {
            match e.kind {
                TraceKind::Deliver { .. }
                | TraceKind::TimerFire { .. }
                | TraceKind::Send { .. }
                | TraceKind::Observe { .. } => panic!("crashed node acted: {e:?}"),
                _ => {}
            }
        }
    }
    assert!(trace_of(&r).iter().any(|e| matches!(
        e.kind,
        TraceKind::Drop {
            reason: DropReason::ReceiverDown,
            ..
        }
    )));
}

#[test]
fn a_recovered_process_sees_only_its_stable_storage() {
    let mut s = traced(setup(2, 50));
    s.plan.events.push(fault(20, FaultKind::Crash { node: 1 }));
    s.plan
        .events
        .push(fault(25, FaultKind::Recover { node: 1 }));
    let r = run(s, 2);
    let recovered: Vec<&String> = trace_of(&r)
        .iter()
        .filter_map(|e| match &e.kind {
            TraceKind::Observe { obs } if obs.starts_with("Recovered") => Some(obs),
            _ => None,
        })
        .collect();
    assert_eq!(recovered.len(), 1);
    // About 19 pings arrived before the crash; the stable count kept them, the volatile one
    // starts from zero.
    assert!(
        recovered[0].contains("volatile_pings: 0"),
        "{}",
        recovered[0]
    );
    assert!(
        !recovered[0].contains("stable_pings: 0,"),
        "{}",
        recovered[0]
    );
    // And it keeps working after recovery.
    assert!(deliveries(&r).any(|(e, _, _)| e.node == Some(1) && e.time > at(25)));
}

#[test]
fn recovery_loses_pending_timers() {
    let mut s = traced(setup(2, 1000));
    s.plan.events.push(fault(5, FaultKind::Crash { node: 0 }));
    s.plan.events.push(fault(6, FaultKind::Recover { node: 0 }));
    let r = run(s, 2);
    // Node 0's tick timer was pending at the crash. Its restart sets a new one (on_recover
    // starts over), so ticks continue; but the old one must not fire in addition: at most one
    // tick per millisecond.
    let ticks: Vec<Time> = trace_of(&r)
        .iter()
        .filter(|e| e.node == Some(0) && matches!(e.kind, TraceKind::TimerFire { .. }))
        .map(|e| e.time)
        .collect();
    assert!(ticks.windows(2).all(|w| w[1] - w[0] >= TICK), "{ticks:?}");
}

#[test]
fn duplication_delivers_twice() {
    let mut s = traced(setup(2, 20));
    s.network.default.duplicate_ppm = PPM;
    let r = run(s, 9);
    assert_eq!(r.stats.messages_duplicated, r.stats.messages_sent);
    assert_eq!(r.stats.messages_delivered, 2 * r.stats.messages_sent);
    let ids: Vec<u64> = deliveries(&r).map(|(_, _, id)| id).collect();
    for id in 0..r.stats.messages_sent {
        assert_eq!(ids.iter().filter(|&&x| x == id).count(), 2, "message {id}");
    }
}

#[test]
fn a_crash_in_the_middle_of_a_broadcast_reaches_only_some() {
    // 5 nodes, 1ms per message on the wire: node 0's broadcast at 1ms leaves at 1, 2, 3, 4ms.
    let mut s = traced(setup(5, 1));
    s.network.send_gap = Duration::from_millis(1);
    s.plan.events.push(fault(2, FaultKind::Crash { node: 0 }));
    s.plan.events[0].at = Time(Duration::from_micros(2500).0);
    let r = run(s, 4);
    let got: Vec<NodeId> = deliveries(&r)
        .filter(|(_, from, _)| *from == 0)
        .filter_map(|(e, _, _)| e.node)
        .collect();
    assert_eq!(got.len(), 2, "{got:?}");
    let lost = trace_of(&r)
        .iter()
        .filter(|e| {
            matches!(
                e.kind,
                TraceKind::Drop {
                    reason: DropReason::SenderCrashed,
                    ..
                }
            )
        })
        .count();
    assert_eq!(lost, 2);
}

#[test]
fn omission_windows_drop_sends() {
    let mut s = traced(setup(3, 40));
    s.plan.events.push(fault(
        5,
        FaultKind::OmissionStart {
            node: 0,
            send_ppm: PPM,
            receive_ppm: 0,
        },
    ));
    s.plan
        .events
        .push(fault(15, FaultKind::OmissionEnd { node: 0 }));
    let r = run(s, 1);
    let omitted = trace_of(&r)
        .iter()
        .filter(|e| {
            matches!(
                e.kind,
                TraceKind::Drop {
                    reason: DropReason::SendOmission,
                    ..
                }
            )
        })
        .count();
    assert!(
        omitted >= 16,
        "only {omitted} send omissions in a 10ms window"
    );
}

/// Replays the trace's crash and recovery entries to know who was up when.
fn up_at(r: &RunReport, n: usize, upto: usize) -> Vec<bool> {
    let mut up = vec![true; n];
    for e in &trace_of(r)[..upto] {
        match (e.node, &e.kind) {
            (Some(x), TraceKind::Crash) => up[x] = false,
            (Some(x), TraceKind::Recover) => up[x] = true,
            _ => {}
        }
    }
    up
}

#[test]
fn the_perfect_detector_never_suspects_a_live_process() {
    let spec = FaultSpec {
        crashes: vec![faults::CrashSpec {
            min: 1,
            max: 3,
            between: [at(0), at(60)],
            nodes: None,
            recover_after: Some([Duration::from_micros(10), Duration::from_millis(10)]),
            ..faults::CrashSpec::default()
        }],
        ..FaultSpec::default()
    };
    let mut suspicions = 0;
    for seed in 0..100 {
        let mut s = traced(setup(5, 60));
        s.detector = DetectorModel::Perfect {
            delay: Duration::from_millis(2),
        };
        s.plan = spec.generate(5, &mut Seeded::new(seed));
        let r = run(s, seed);
        for (i, e) in trace_of(&r).iter().enumerate() {
            if let TraceKind::Suspect { about } = e.kind {
                suspicions += 1;
                assert!(
                    !up_at(&r, 5, i)[about],
                    "seed {seed}: suspected live node {about}"
                );
            }
        }
    }
    assert!(
        suspicions > 100,
        "the detector hardly ever fired ({suspicions})"
    );
}

#[test]
fn the_perfect_detector_tells_of_every_crash() {
    let mut s = traced(setup(4, 10));
    s.detector = DetectorModel::Perfect {
        delay: Duration::from_millis(3),
    };
    s.plan.events.push(fault(5, FaultKind::Crash { node: 3 }));
    let r = run(s, 1);
    let told: Vec<(NodeId, Time)> = trace_of(&r)
        .iter()
        .filter(|e| matches!(e.kind, TraceKind::Suspect { about: 3 }))
        .map(|e| (e.node.unwrap(), e.time))
        .collect();
    assert_eq!(told, vec![(0, at(8)), (1, at(8)), (2, at(8))]);
}

#[test]
fn the_eventually_perfect_detector_errs_only_before_stabilising() {
    let mut wrong_before = 0;
    for seed in 0..50 {
        let mut s = traced(setup(4, 60));
        s.detector = DetectorModel::EventuallyPerfect {
            delay: Duration::from_millis(2),
            stabilize_at: at(30),
            mistakes: 3,
        };
        let r = run(s, seed);
        for e in trace_of(&r) {
            if let TraceKind::Suspect { .. } = e.kind {
                // Nobody crashes here, so every suspicion is a mistake.
                assert!(e.time <= at(30), "seed {seed}: mistake after stabilisation");
                wrong_before += 1;
            }
        }
    }
    assert!(wrong_before > 50);
}

#[test]
fn silent_byzantine_nodes_send_nothing() {
    let mut s = traced(setup(3, 5));
    s.plan.byzantine = vec![0];
    let r = run(s, 1);
    assert_eq!(r.stats.messages_delivered, 0);
    assert!(trace_of(&r).iter().any(|e| matches!(
        e.kind,
        TraceKind::Drop {
            reason: DropReason::Adversary,
            ..
        }
    )));
}

#[test]
fn the_fault_phase_ends_with_a_heal() {
    let mut s = traced(setup(3, 140));
    s.plan.events.push(fault(
        10,
        FaultKind::Partition {
            groups: vec![vec![0]],
        },
    ));
    let r = run(s, 3);
    // The run config heals at 100ms even though the plan never does.
    let across_after = deliveries(&r).any(|(e, from, _)| from == 0 && e.time > at(100));
    assert!(across_after);
    assert!(trace_of(&r).iter().any(|e| e.kind == TraceKind::FaultsEnd));
}

#[test]
fn one_wire_per_sender_keeps_a_crash_cut_clean() {
    // Node 0 broadcasts a ping to 4 peers every ~1ms, but its wire needs 1ms per message: a
    // backlog builds across handlers. Messages must leave in the order they were sent, and a
    // crash must lose a suffix of each link, never a message before a delivered one.
    let mut s = traced(setup(5, 40));
    s.network.send_gap = Duration::from_millis(1);
    s.network.default.fifo = true;
    s.plan.events.push(fault(30, FaultKind::Crash { node: 0 }));
    let r = run(s, 8);
    let t = trace_of(&r);
    let departs: Vec<Time> = t
        .iter()
        .filter_map(|e| match e.kind {
            TraceKind::Send { depart, .. } if e.node == Some(0) => Some(depart),
            _ => None,
        })
        .collect();
    assert!(departs.len() > 30);
    assert!(
        departs
            .windows(2)
            .all(|w| w[1] - w[0] >= Duration::from_millis(1)),
        "messages overtook each other on the wire"
    );
    for to in 1..5 {
        let sent: Vec<u64> = t
            .iter()
            .filter_map(|e| match e.kind {
                TraceKind::Send { to: d, msg_id, .. } if e.node == Some(0) && d == to => {
                    Some(msg_id)
                }
                _ => None,
            })
            .collect();
        let got: Vec<u64> = deliveries(&r)
            .filter(|(e, from, _)| *from == 0 && e.node == Some(to))
            .map(|(_, _, id)| id)
            .collect();
        assert!(
            !got.is_empty() && got.len() < sent.len(),
            "to {to}: the crash cut nothing"
        );
        assert_eq!(
            got,
            sent[..got.len()].to_vec(),
            "to {to}: not a clean prefix"
        );
    }
}
