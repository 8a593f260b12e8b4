//! The fault kinds beyond crashes and symmetric partitions, one test each: skewed clocks,
//! storage faults, one-way partitions, slow nodes, intermittent nodes, crashes fired by what a
//! node does (sends, broadcasts, messages, observations), crash chains, and loss that heals.

mod common;

use common::*;
use sim_core::faults::{
    ChainLink, CrashChain, IntermittentSpec, PartitionShape, PartitionSpec, StorageFaults, Trigger,
    TriggeredCrash,
};
use sim_core::*;

fn observed(r: &RunReport, node: NodeId, what: &str) -> Vec<Time> {
    r.trace
        .as_ref()
        .unwrap()
        .iter()
        .filter(|e| e.node == Some(node))
        .filter(|e| matches!(&e.kind, TraceKind::Observe { obs } if obs.starts_with(what)))
        .map(|e| e.time)
        .collect()
}

/// Sets a 10ms timer at start and reports its clock when the timer fires.
#[derive(Debug)]
struct Alarm;

#[derive(Clone, Debug, Hash)]
enum AlarmObs {
    Fired(Time),
}

impl Process for Alarm {
    type Msg = ();
    type Timer = ();
    type Obs = AlarmObs;
    type Stable = ();
    fn on_start(&mut self, ctx: &mut Ctx<'_, Self>) {
        ctx.set_timer(Duration::from_millis(10), ());
    }
    fn on_message(&mut self, _: &mut Ctx<'_, Self>, _: NodeId, _: ()) {}
    fn on_timer(&mut self, ctx: &mut Ctx<'_, Self>, _: ()) {
        let now = ctx.now();
        ctx.observe(AlarmObs::Fired(now));
    }
}

fn alarm_setup(plan: FaultPlan) -> Setup<Alarm> {
    Setup {
        n: 2,
        network: NetworkModel::default(),
        detector: DetectorModel::None,
        plan,
        config: RunConfig {
            trace: true,
            ..RunConfig::default()
        },
        factory: Box::new(|_, _| Alarm),
        properties: Vec::new(),
        adversary: None,
    }
}

#[test]
fn a_skewed_clock_fires_timers_at_the_skewed_times() {
    // Node 1's clock starts 5ms ahead and runs 10% fast.
    let plan = FaultPlan {
        events: vec![fault(
            0,
            FaultKind::ClockSkew {
                node: 1,
                offset_ns: 5_000_000,
                drift_ppm: 100_000,
            },
        )],
        ..FaultPlan::default()
    };
    let r = Engine::new(alarm_setup(plan), 0).run();
    let fired = |node| -> (Time, String) {
        let e = r
            .trace
            .as_ref()
            .unwrap()
            .iter()
            .find(|e| e.node == Some(node) && matches!(e.kind, TraceKind::Observe { .. }))
            .unwrap();
        let TraceKind::Observe { obs } = &e.kind else {
            unreachable!()
        };
        (e.time, obs.clone())
    };
    assert_eq!(fired(0), (at(10), "Fired(Time(10000000))".to_string()));
    // 10ms on a clock 10% fast are 9.0909...ms of real time; the node reads 5 + 10 = 15ms.
    let (real, local) = fired(1);
    assert_eq!(real, Time(9_090_910));
    assert_eq!(local, "Fired(Time(15000001))");
}

/// Writes `a` and syncs at start; writes more every millisecond without syncing; reports its
/// stable storage when it recovers.
#[derive(Debug)]
struct Writer;

#[derive(Clone, Debug, Default, Hash)]
struct Disk {
    a: u32,
    later: u32,
}

#[derive(Clone, Debug, Hash)]
enum DiskObs {
    Recovered { a: u32, later: u32 },
}

impl Process for Writer {
    type Msg = ();
    type Timer = ();
    type Obs = DiskObs;
    type Stable = Disk;
    fn on_start(&mut self, ctx: &mut Ctx<'_, Self>) {
        ctx.stable_mut().a = 1;
        ctx.sync();
        ctx.set_timer(Duration::from_millis(1), ());
    }
    fn on_message(&mut self, _: &mut Ctx<'_, Self>, _: NodeId, _: ()) {}
    fn on_timer(&mut self, ctx: &mut Ctx<'_, Self>, _: ()) {
        ctx.stable_mut().later += 1;
        ctx.set_timer(Duration::from_millis(1), ());
    }
    fn on_recover(&mut self, ctx: &mut Ctx<'_, Self>) {
        let Disk { a, later } = ctx.stable().clone();
        ctx.observe(DiskObs::Recovered { a, later });
    }
}

fn recovered_disk(storage: StorageFaults, seed: u64) -> String {
    let plan = FaultPlan {
        events: vec![
            fault(5, FaultKind::Crash { node: 0 }),
            fault(6, FaultKind::Recover { node: 0 }),
        ],
        storage,
        ..FaultPlan::default()
    };
    let setup = Setup {
        n: 1,
        network: NetworkModel::default(),
        detector: DetectorModel::None,
        plan,
        config: RunConfig {
            trace: true,
            ..RunConfig::default()
        },
        factory: Box::new(|_, _| Writer),
        properties: Vec::new(),
        adversary: None,
    };
    let r = Engine::new(setup, seed).run();
    r.trace
        .unwrap()
        .iter()
        .find_map(|e| match &e.kind {
            TraceKind::Observe { obs } => Some(obs.clone()),
            _ => None,
        })
        .unwrap()
}

#[test]
fn an_unsynced_write_is_gone_after_a_crash() {
    // Four unsynced writes (at 1, 2, 3 and 4ms) before the crash at 5ms.
    assert_eq!(
        recovered_disk(StorageFaults::None, 0),
        "Recovered { a: 1, later: 4 }"
    );
    assert_eq!(
        recovered_disk(StorageFaults::LoseUnsynced, 0),
        "Recovered { a: 1, later: 0 }"
    );
    // A torn write keeps the first few writes, never all of them.
    let torn: std::collections::BTreeSet<String> = (0..40)
        .map(|seed| recovered_disk(StorageFaults::Torn, seed))
        .collect();
    let expected: std::collections::BTreeSet<String> = (0..4)
        .map(|k| format!("Recovered {{ a: 1, later: {k} }}"))
        .collect();
    assert_eq!(torn, expected);
}

/// Writes, syncs and sends twice in its first handler, then reports its disk on recovery.
#[derive(Debug)]
struct SyncThenSend;

impl Process for SyncThenSend {
    type Msg = ();
    type Timer = ();
    type Obs = DiskObs;
    type Stable = Disk;
    fn on_start(&mut self, ctx: &mut Ctx<'_, Self>) {
        if ctx.id() == 0 && ctx.stable().a == 0 {
            ctx.stable_mut().a = 1;
            ctx.sync();
            ctx.send(1, ());
            ctx.stable_mut().later = 1;
            ctx.sync();
            ctx.send(1, ());
        }
    }
    fn on_message(&mut self, _: &mut Ctx<'_, Self>, _: NodeId, _: ()) {}
    fn on_timer(&mut self, _: &mut Ctx<'_, Self>, _: ()) {}
    fn on_recover(&mut self, ctx: &mut Ctx<'_, Self>) {
        let Disk { a, later } = ctx.stable().clone();
        ctx.observe(DiskObs::Recovered { a, later });
    }
}

/// What node 0 of [`SyncThenSend`] finds on disk when a crash cuts it after `sends` sends.
fn disk_after_cut(storage: StorageFaults, sends: u64) -> String {
    let plan = FaultPlan {
        triggered: vec![TriggeredCrash {
            node: 0,
            when: Trigger::Sends { count: sends },
            recover_after: Some(Duration::from_millis(1)),
        }],
        storage,
        ..FaultPlan::default()
    };
    let setup = Setup {
        n: 2,
        network: NetworkModel::default(),
        detector: DetectorModel::None,
        plan,
        config: RunConfig {
            trace: true,
            ..RunConfig::default()
        },
        factory: Box::new(|_, _| SyncThenSend),
        properties: Vec::new(),
        adversary: None,
    };
    let r = Engine::new(setup, 0).run();
    r.trace
        .unwrap()
        .iter()
        .find_map(|e| match &e.kind {
            TraceKind::Observe { obs } => Some(obs.clone()),
            _ => None,
        })
        .unwrap()
}

#[test]
fn a_sync_is_lost_when_a_crash_cuts_the_handler_before_it() {
    // Cut after the first send: the second sync never happened.
    assert_eq!(
        disk_after_cut(StorageFaults::LoseUnsynced, 1),
        "Recovered { a: 1, later: 0 }"
    );
    // Cut after both sends: both syncs did.
    assert_eq!(
        disk_after_cut(StorageFaults::LoseUnsynced, 2),
        "Recovered { a: 1, later: 1 }"
    );
    // Without storage faults every write of the handler is durable, cut or not.
    assert_eq!(
        disk_after_cut(StorageFaults::None, 1),
        "Recovered { a: 1, later: 1 }"
    );
}

#[test]
fn a_one_way_partition_delivers_in_one_direction_only() {
    let mut s = traced(setup(2, 20));
    s.plan.events = vec![
        fault(
            0,
            FaultKind::OneWay {
                from: vec![1],
                to: vec![0],
            },
        ),
        fault(15, FaultKind::Heal),
    ];
    let r = run(s, 1);
    let pings = observed(&r, 1, "Ping");
    let pongs = observed(&r, 0, "Pong");
    assert!(
        pings.iter().any(|&t| t < at(15)),
        "0 reaches 1 during the cut"
    );
    assert!(
        pongs.iter().all(|&t| t > at(15)),
        "1 does not reach 0: {pongs:?}"
    );
    assert!(!pongs.is_empty(), "after the heal it does");
}

#[test]
fn a_slow_node_sends_and_fires_its_timers_late() {
    let mut s = traced(setup(2, 3));
    s.network.default.delay = DelayDist::Constant(Duration::from_millis(1));
    s.plan.events = vec![fault(
        0,
        FaultKind::SlowStart {
            node: 0,
            factor_pct: 400,
        },
    )];
    let r = run(s, 0);
    let first_tick = r
        .trace
        .as_ref()
        .unwrap()
        .iter()
        .find(|e| e.node == Some(0) && matches!(e.kind, TraceKind::TimerFire { .. }))
        .unwrap()
        .time;
    assert_eq!(first_tick, at(4), "a 1ms timer takes 4ms");
    // Its first ping (sent at 4ms) takes 4ms instead of 1ms.
    assert_eq!(observed(&r, 1, "Ping")[0], at(8));
}

#[test]
fn an_intermittent_node_crashes_and_recovers_again_and_again() {
    let spec = FaultSpec {
        intermittent: Some(IntermittentSpec {
            nodes: Some(vec![2]),
            times: [3, 3],
            between: [at(1), at(1)],
            down: [Duration::from_millis(1); 2],
            up: [Duration::from_millis(2); 2],
        }),
        ..FaultSpec::default()
    };
    let plan = spec.generate(4, &mut Seeded::new(0));
    let events: Vec<(Time, FaultKind)> = plan.events.into_iter().map(|e| (e.at, e.kind)).collect();
    let crash = |t| (at(t), FaultKind::Crash { node: 2 });
    let recover = |t| (at(t), FaultKind::Recover { node: 2 });
    assert_eq!(
        events,
        [
            crash(1),
            recover(2),
            crash(4),
            recover(5),
            crash(7),
            recover(8)
        ]
    );
}

fn triggered(node: NodeId, when: Trigger) -> TriggeredCrash {
    TriggeredCrash {
        node,
        when,
        recover_after: None,
    }
}

#[test]
fn a_crash_after_k_sends_cuts_what_follows() {
    let mut s = traced(setup(4, 5));
    s.plan.triggered = vec![triggered(0, Trigger::Sends { count: 2 })];
    let r = run(s, 0);
    assert_eq!(r.crashed, vec![0]);
    // Ping 0 went to nodes 1 and 2; node 3 never heard anything.
    assert_eq!(observed(&r, 1, "Ping").len(), 1);
    assert_eq!(observed(&r, 2, "Ping").len(), 1);
    assert!(observed(&r, 3, "Ping").is_empty());
}

#[test]
fn a_mid_broadcast_crash_counts_messages_to_live_nodes() {
    let mut s = traced(setup(4, 5));
    s.plan.events = vec![FaultEvent {
        at: Time(500_000),
        kind: FaultKind::Crash { node: 1 },
    }];
    s.plan.triggered = vec![triggered(0, Trigger::Broadcast { nth: 1, sent: 1 })];
    let r = run(s, 0);
    // Node 1 is down, so the one message that counts is the one to node 2.
    assert_eq!(observed(&r, 2, "Ping").len(), 1);
    assert!(observed(&r, 3, "Ping").is_empty());
}

#[test]
fn a_crash_on_a_message_kind_loses_that_message() {
    let mut s = traced(setup(2, 5));
    s.plan.triggered = vec![triggered(
        1,
        Trigger::Message {
            kind: "Ping".into(),
            nth: 2,
        },
    )];
    let r = run(s, 0);
    assert_eq!(r.crashed, vec![1]);
    assert_eq!(
        observed(&r, 1, "Ping").len(),
        1,
        "the second ping died with it"
    );
}

#[test]
fn a_crash_right_after_an_observation_cuts_the_rest_of_its_handler() {
    let mut s = traced(setup(2, 5));
    s.plan.triggered = vec![triggered(
        1,
        Trigger::Observation {
            kind: "Ping".into(),
            nth: 1,
        },
    )];
    let r = run(s, 0);
    assert_eq!(observed(&r, 1, "Ping").len(), 1);
    assert!(observed(&r, 0, "Pong").is_empty(), "its pong was cut");
}

/// Node 0 starts a token; every node passes on the first token it gets, to everyone.
#[derive(Debug, Default)]
struct Relay {
    passed: bool,
}

impl Process for Relay {
    type Msg = u32;
    type Timer = ();
    type Obs = u32;
    type Stable = ();
    fn on_start(&mut self, ctx: &mut Ctx<'_, Self>) {
        if ctx.id() == 0 {
            self.passed = true;
            ctx.broadcast(0);
        }
    }
    fn on_message(&mut self, ctx: &mut Ctx<'_, Self>, _: NodeId, hop: u32) {
        ctx.observe(hop);
        if !std::mem::replace(&mut self.passed, true) {
            ctx.broadcast(hop + 1);
        }
    }
}

#[test]
fn a_crash_chain_passes_from_receiver_to_receiver() {
    let plan = FaultPlan {
        chains: vec![CrashChain {
            start: triggered(0, Trigger::Broadcast { nth: 1, sent: 1 }),
            links: vec![
                ChainLink {
                    sent: 1,
                    recover_after: None,
                },
                ChainLink {
                    sent: 1,
                    recover_after: None,
                },
            ],
        }],
        ..FaultPlan::default()
    };
    let setup = Setup {
        n: 5,
        network: NetworkModel::default(),
        detector: DetectorModel::None,
        plan,
        config: RunConfig::default(),
        factory: Box::new(|_, _| Relay::default()),
        properties: Vec::new(),
        adversary: None,
    };
    let mut engine = Engine::new(setup, 3);
    let r = engine.run();
    // 0 reaches only 1, which reaches only 2 (0 is down), which reaches only 3; 3 passes
    // the token on to 4, which is the only other node still up.
    assert_eq!(r.crashed, vec![0, 1, 2]);
    assert!(engine.states()[4].passed && engine.states()[3].passed);
}

#[test]
fn loss_can_end_with_the_fault_phase() {
    let mut s = traced(setup(2, 30));
    s.config.duration = Duration::from_millis(10);
    s.network.default.loss_ppm = PPM;
    s.network.heals = true;
    let r = run(s, 0);
    let pings = observed(&r, 1, "Ping");
    assert!(
        !pings.is_empty() && pings.iter().all(|&t| t > at(10)),
        "{pings:?}"
    );
}

#[test]
fn partition_shapes_cut_what_they_say() {
    let shape = |shape, nodes| PartitionSpec {
        max: 1,
        min: 1,
        between: [at(1), at(1)],
        lasting: [Duration::from_millis(1); 2],
        shape,
        nodes,
    };
    for seed in 0..50 {
        let draw = |p: PartitionSpec| {
            let spec = FaultSpec {
                partitions: Some(p),
                ..FaultSpec::default()
            };
            spec.generate(7, &mut Seeded::new(seed)).events[0]
                .kind
                .clone()
        };
        match draw(shape(PartitionShape::Isolate, Some(vec![4, 5]))) {
            FaultKind::Partition { groups } => {
                assert!(groups == [vec![4]] || groups == [vec![5]], "{groups:?}")
            }
            other => panic!("{other:?}"),
        }
        match draw(shape(PartitionShape::Minority, None)) {
            FaultKind::Partition { groups } => assert!(groups[0].len() <= 3, "{groups:?}"),
            other => panic!("{other:?}"),
        }
        match draw(shape(PartitionShape::OneWay, None)) {
            FaultKind::OneWay { from, to } => assert_eq!(from.len() + to.len(), 7),
            other => panic!("{other:?}"),
        }
    }
}
