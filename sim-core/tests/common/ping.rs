//! A ping-style workload: every node keeps `window` messages in flight to its neighbour and
//! answers each one it receives, forever. Every event is a delivery that sends one message,
//! which makes it the engine's raw throughput benchmark.

use sim_core::*;

#[derive(Debug)]
pub struct Ping {
    pub window: u32,
}

impl Process for Ping {
    type Msg = u64;
    type Timer = ();
    type Obs = ();
    type Stable = ();

    fn on_start(&mut self, ctx: &mut Ctx<'_, Self>) {
        let next = (ctx.id() + 1) % ctx.n();
        for i in 0..self.window {
            ctx.send(next, i as u64);
        }
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, msg: u64) {
        ctx.send(from, msg + 1);
    }
}

/// A ping run over `n` nodes that stops after `events` events (the budget ends it).
pub fn ping_setup(n: usize, window: u32, events: u64, delay: DelayDist) -> Setup<Ping> {
    Setup {
        n,
        network: NetworkModel {
            default: LinkModel {
                delay,
                ..LinkModel::default()
            },
            ..NetworkModel::default()
        },
        detector: DetectorModel::None,
        plan: FaultPlan::default(),
        config: RunConfig {
            duration: Duration::from_secs(1_000_000),
            settle: Duration::ZERO,
            max_events: events,
            ..RunConfig::default()
        },
        factory: Box::new(move |_, _| Ping { window }),
        properties: Vec::new(),
        adversary: None,
    }
}
