//! A tiny protocol that exercises every context effect, shared by the engine's tests.
#![allow(dead_code)]

use sim_core::*;

/// Node 0 sends numbered pings to everyone on a periodic timer; everyone answers with a pong.
/// Every node persists how many pings it has received, keeps a volatile count too, and reports
/// what it sees so tests can check the engine through observations and traces.
#[derive(Debug)]
pub struct Probe {
    pub volatile_pings: u64,
    pub next_seq: u32,
    pub rounds: u32,
    pub heartbeat: Option<TimerId>,
    pub suspected: Vec<NodeId>,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub enum Msg {
    Ping(u32),
    Pong(u32),
    Boom,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub enum Timer {
    Tick,
    Never,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub enum Obs {
    Ping {
        from: NodeId,
        seq: u32,
    },
    Pong {
        from: NodeId,
        seq: u32,
    },
    Recovered {
        stable_pings: u64,
        volatile_pings: u64,
    },
    Suspect(NodeId),
    Restore(NodeId),
    Drew(u64),
}

#[derive(Clone, Debug, Default, Hash)]
pub struct Stable {
    pub pings: u64,
}

pub const TICK: Duration = Duration::from_millis(1);

impl Probe {
    pub fn new(rounds: u32) -> Self {
        Probe {
            volatile_pings: 0,
            next_seq: 0,
            rounds,
            heartbeat: None,
            suspected: Vec::new(),
        }
    }
}

impl Process for Probe {
    type Msg = Msg;
    type Timer = Timer;
    type Obs = Obs;
    type Stable = Stable;

    fn on_start(&mut self, ctx: &mut Ctx<'_, Self>) {
        if ctx.id() == 0 {
            self.heartbeat = Some(ctx.set_timer(TICK, Timer::Tick));
        }
        // A timer that is always cancelled: it must never fire.
        let never = ctx.set_timer(Duration::from_millis(3), Timer::Never);
        ctx.cancel_timer(never);
        let drew = ctx.random_below(1_000_000);
        ctx.observe(Obs::Drew(drew));
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, msg: Msg) {
        match msg {
            Msg::Ping(seq) => {
                self.volatile_pings += 1;
                ctx.stable_mut().pings += 1;
                ctx.observe(Obs::Ping { from, seq });
                ctx.send(from, Msg::Pong(seq));
            }
            Msg::Pong(seq) => ctx.observe(Obs::Pong { from, seq }),
            Msg::Boom => panic!("boom at node {}", ctx.id()),
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, Self>, timer: Timer) {
        match timer {
            Timer::Tick => {
                if self.next_seq < self.rounds {
                    ctx.broadcast(Msg::Ping(self.next_seq));
                    self.next_seq += 1;
                    let jitter = ctx.random_duration(Duration::ZERO, Duration::from_micros(10));
                    self.heartbeat = Some(ctx.set_timer(TICK + jitter, Timer::Tick));
                }
            }
            Timer::Never => panic!("a cancelled timer fired"),
        }
    }

    fn on_recover(&mut self, ctx: &mut Ctx<'_, Self>) {
        let stable_pings = ctx.stable().pings;
        ctx.observe(Obs::Recovered {
            stable_pings,
            volatile_pings: self.volatile_pings,
        });
        self.on_start(ctx);
    }

    fn on_suspect(&mut self, ctx: &mut Ctx<'_, Self>, node: NodeId) {
        self.suspected.push(node);
        ctx.observe(Obs::Suspect(node));
    }

    fn on_restore(&mut self, ctx: &mut Ctx<'_, Self>, node: NodeId) {
        self.suspected.retain(|&s| s != node);
        ctx.observe(Obs::Restore(node));
    }
}

pub fn setup(n: usize, rounds: u32) -> Setup<Probe> {
    Setup {
        n,
        network: NetworkModel::default(),
        detector: DetectorModel::None,
        plan: FaultPlan::default(),
        config: RunConfig {
            duration: Duration::from_millis(100),
            settle: Duration::from_millis(50),
            max_events: 1_000_000,
            ..RunConfig::default()
        },
        factory: Box::new(move |_, _| Probe::new(rounds)),
        properties: Vec::new(),
        adversary: None,
    }
}

pub fn traced(mut s: Setup<Probe>) -> Setup<Probe> {
    s.config.trace = true;
    s
}

/// The trace of a run made with [`traced`].
pub fn trace_of(r: &RunReport) -> &[TraceEvent] {
    r.trace.as_deref().expect("traced run")
}

pub fn run(s: Setup<Probe>, seed: u64) -> RunReport {
    Engine::new(s, seed).run()
}

pub fn at(ms: u64) -> Time {
    Time(Duration::from_millis(ms).0)
}

pub fn fault(at_ms: u64, kind: FaultKind) -> FaultEvent {
    FaultEvent {
        at: at(at_ms),
        kind,
    }
}

/// Five nodes on a lossy, duplicating, reordering network, with crash-recoveries, a partition,
/// omissions and a detector that errs: seed `seed`'s setup.
pub fn chaotic_setup(seed: u64, trace: bool) -> Setup<Probe> {
    let mut s = setup(5, 30);
    s.config.trace = trace;
    s.network.default = LinkModel {
        delay: DelayDist::Exponential {
            min: Duration::from_micros(200),
            mean: Duration::from_millis(2),
        },
        loss_ppm: 50_000,
        duplicate_ppm: 50_000,
        fifo: false,
    };
    s.detector = DetectorModel::EventuallyPerfect {
        delay: Duration::from_millis(1),
        stabilize_at: at(20),
        mistakes: 2,
    };
    let spec = FaultSpec {
        crashes: vec![faults::CrashSpec {
            min: 0,
            max: 2,
            between: [at(0), at(40)],
            nodes: None,
            recover_after: Some([Duration::from_millis(1), Duration::from_millis(20)]),
            ..faults::CrashSpec::default()
        }],
        partitions: Some(faults::PartitionSpec {
            min: 0,
            max: 1,
            between: [at(0), at(50)],
            lasting: [Duration::from_millis(1), Duration::from_millis(10)],
            ..faults::PartitionSpec::default()
        }),
        omissions: Some(faults::OmissionSpec {
            min: 0,
            max: 1,
            between: [at(0), at(50)],
            lasting: [Duration::from_millis(1), Duration::from_millis(10)],
            send_ppm: 500_000,
            receive_ppm: 500_000,
            ..faults::OmissionSpec::default()
        }),
        ..FaultSpec::default()
    };
    s.plan = spec.generate(5, &mut Seeded::new(seed));
    s
}
