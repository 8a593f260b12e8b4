//! Reliable delivery and broadcast, as two layers.
//!
//! The **link** layer sends one message to one peer:
//! - *at-most-once*: send once; a lost message is gone;
//! - *at-least-once*: retransmit on a timer until the receiver acknowledges; an acknowledgement
//!   can be lost too, so the receiver may get (and pass up) the same message twice;
//! - *exactly-once processing*: at-least-once plus de-duplication by link sequence number.
//!
//! The **broadcast** layer sends one message to everyone over those links:
//! - *best-effort*: the sender unicasts to every peer; if it crashes in the middle (the network's
//!   `send_gap` makes its sends leave one by one), some correct processes deliver and others
//!   never will: agreement is violated;
//! - *eager reliable*: every process relays a message to everyone the first time it delivers it,
//!   so one correct process delivering is enough for all to; de-duplication by message key.
//!
//! Known results (PROTOCOLS.md §2): best-effort with a sender crash mid-send violates agreement,
//! eager reliable does not; without retransmission, loss violates validity; without
//! de-duplication, at-least-once violates no-duplication.

use std::collections::{BTreeMap, BTreeSet};

use sim_core::{Ctx, Duration, NodeId, Process, PropertyKind, RunReport, TimerId};

use crate::delivery::{Agreement, DeliveryObs, MsgKey, NoCreation, NoDuplication, Validity};
use crate::registry::{describe, setup, ParamInfo, PropertyDef, Protocol, ProtocolInfo, RunSpec};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Link {
    AtMostOnce,
    AtLeastOnce,
    ExactlyOnce,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    BestEffort,
    EagerReliable,
}

/// The configuration every process of a run shares.
#[derive(Clone, Copy, Debug)]
pub struct Config {
    pub link: Link,
    pub mode: Mode,
    /// Messages each sender broadcasts, one every `interval`.
    pub messages: u32,
    pub interval: Duration,
    /// Whether every node broadcasts (else only node 0).
    pub all_send: bool,
    pub retransmit: Duration,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub enum Msg {
    /// Link-layer data: the broadcast message `key`, numbered `seq` on this link.
    Data { seq: u64, key: MsgKey },
    /// Link-layer acknowledgement of `seq`.
    Ack { seq: u64 },
}

#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub enum Timer {
    /// Time to broadcast this node's next message.
    Broadcast,
    /// Link data `seq` to `to` may have been lost.
    Retransmit { to: NodeId, seq: u64 },
}

#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub enum Obs {
    Broadcast(MsgKey),
    Deliver(MsgKey),
}

impl DeliveryObs for Obs {
    fn broadcast(&self) -> Option<u64> {
        match self {
            Obs::Broadcast(k) => Some(k.1),
            Obs::Deliver(_) => None,
        }
    }
    fn delivered(&self) -> Option<MsgKey> {
        match self {
            Obs::Deliver(k) => Some(*k),
            Obs::Broadcast(_) => None,
        }
    }
}

#[derive(Debug)]
pub struct Node {
    cfg: Config,
    sent: u32,
    next_link_seq: u64,
    /// Link data not yet acknowledged: (destination, seq) → (message, its retransmit timer).
    unacked: BTreeMap<(NodeId, u64), (MsgKey, TimerId)>,
    /// Link data already passed up, for exactly-once processing.
    seen: BTreeSet<(NodeId, u64)>,
    /// Messages delivered, for eager reliable broadcast's relay-once rule.
    delivered: BTreeSet<MsgKey>,
}

impl Node {
    pub fn new(cfg: Config) -> Self {
        Node {
            cfg,
            sent: 0,
            next_link_seq: 0,
            unacked: BTreeMap::new(),
            seen: BTreeSet::new(),
            delivered: BTreeSet::new(),
        }
    }

    fn link_send(&mut self, ctx: &mut Ctx<'_, Self>, to: NodeId, key: MsgKey) {
        let seq = self.next_link_seq;
        self.next_link_seq += 1;
        ctx.send(to, Msg::Data { seq, key });
        if self.cfg.link != Link::AtMostOnce {
            let timer = ctx.set_timer(self.cfg.retransmit, Timer::Retransmit { to, seq });
            self.unacked.insert((to, seq), (key, timer));
        }
    }

    fn send_to_all(&mut self, ctx: &mut Ctx<'_, Self>, key: MsgKey) {
        let me = ctx.id();
        for to in (0..ctx.n()).filter(|&p| p != me) {
            self.link_send(ctx, to, key);
        }
    }

    fn deliver(&mut self, ctx: &mut Ctx<'_, Self>, key: MsgKey) {
        ctx.observe(Obs::Deliver(key));
        self.delivered.insert(key);
    }

    /// What the broadcast layer does with a message the link layer passes up.
    fn on_link_deliver(&mut self, ctx: &mut Ctx<'_, Self>, key: MsgKey) {
        match self.cfg.mode {
            Mode::BestEffort => self.deliver(ctx, key),
            Mode::EagerReliable => {
                if self.delivered.contains(&key) {
                    return;
                }
                self.deliver(ctx, key);
                self.send_to_all(ctx, key);
            }
        }
    }
}

impl Process for Node {
    type Msg = Msg;
    type Timer = Timer;
    type Obs = Obs;
    type Stable = ();

    fn on_start(&mut self, ctx: &mut Ctx<'_, Self>) {
        if (self.cfg.all_send || ctx.id() == 0) && self.cfg.messages > 0 {
            ctx.set_timer(self.cfg.interval, Timer::Broadcast);
        }
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, msg: Msg) {
        match msg {
            Msg::Data { seq, key } => {
                if self.cfg.link != Link::AtMostOnce {
                    ctx.send(from, Msg::Ack { seq });
                }
                if self.cfg.link == Link::ExactlyOnce && !self.seen.insert((from, seq)) {
                    return;
                }
                self.on_link_deliver(ctx, key);
            }
            Msg::Ack { seq } => {
                if let Some((_, timer)) = self.unacked.remove(&(from, seq)) {
                    ctx.cancel_timer(timer);
                }
            }
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, Self>, timer: Timer) {
        match timer {
            Timer::Broadcast => {
                let key = (ctx.id(), self.sent as u64);
                self.sent += 1;
                ctx.observe(Obs::Broadcast(key));
                self.deliver(ctx, key);
                self.send_to_all(ctx, key);
                if self.sent < self.cfg.messages {
                    ctx.set_timer(self.cfg.interval, Timer::Broadcast);
                }
            }
            Timer::Retransmit { to, seq } => {
                if let Some((key, _)) = self.unacked.get(&(to, seq)).copied() {
                    ctx.send(to, Msg::Data { seq, key });
                    let t = ctx.set_timer(self.cfg.retransmit, Timer::Retransmit { to, seq });
                    self.unacked.insert((to, seq), (key, t));
                }
            }
        }
    }
}

fn properties() -> Vec<PropertyDef<Node>> {
    vec![
        PropertyDef {
            name: "no-duplication",
            kind: PropertyKind::Always,
            help: "no process delivers a message twice",
            make: || Box::<NoDuplication>::default(),
        },
        PropertyDef {
            name: "no-creation",
            kind: PropertyKind::Always,
            help: "a delivered message was broadcast by its origin",
            make: || Box::<NoCreation>::default(),
        },
        PropertyDef {
            name: "validity",
            kind: PropertyKind::Eventually,
            help: "a message broadcast by a correct process reaches every correct process",
            make: || Box::<Validity>::default(),
        },
        PropertyDef {
            name: "agreement",
            kind: PropertyKind::Eventually,
            help: "a message delivered by a correct process reaches every correct process",
            make: || Box::new(Agreement::regular()),
        },
    ]
}

pub struct Broadcast;

impl Protocol for Broadcast {
    fn info(&self) -> ProtocolInfo {
        ProtocolInfo {
            name: "broadcast",
            summary: "Reliable links (at-most-once, at-least-once, exactly-once processing) under \
                      best-effort or eager reliable broadcast",
            params: vec![
                ParamInfo::choice(
                    "mode",
                    &["best-effort", "eager-reliable"],
                    "eager-reliable",
                    "best-effort: the sender unicasts to all; eager-reliable: everyone relays \
                     a message the first time it delivers it",
                ),
                ParamInfo::choice(
                    "link",
                    &["at-most-once", "at-least-once", "exactly-once"],
                    "exactly-once",
                    "at-most-once: no retransmission; at-least-once: retransmit until acked, no \
                     de-duplication; exactly-once: at-least-once with de-duplication",
                ),
                ParamInfo::int("messages", 1, 1000, 5, "messages each sender broadcasts"),
                ParamInfo::int(
                    "interval_ms",
                    1,
                    10_000,
                    5,
                    "milliseconds between broadcasts",
                ),
                ParamInfo::choice(
                    "senders",
                    &["one", "all"],
                    "one",
                    "one: only node 0 broadcasts; all: every node does",
                ),
                ParamInfo::int(
                    "retransmit_ms",
                    1,
                    10_000,
                    10,
                    "milliseconds before unacknowledged link data is sent again",
                ),
            ],
            invariants: describe(&properties()),
            adversaries: vec![],
            needs_detector: false,
        }
    }

    fn run(&self, spec: &RunSpec) -> RunReport {
        let p = &spec.params;
        let cfg = Config {
            link: match p.choice("link") {
                "at-most-once" => Link::AtMostOnce,
                "at-least-once" => Link::AtLeastOnce,
                _ => Link::ExactlyOnce,
            },
            mode: match p.choice("mode") {
                "best-effort" => Mode::BestEffort,
                _ => Mode::EagerReliable,
            },
            messages: p.int("messages") as u32,
            interval: Duration::from_millis(p.int("interval_ms") as u64),
            all_send: p.choice("senders") == "all",
            retransmit: Duration::from_millis(p.int("retransmit_ms") as u64),
        };
        let setup = setup(spec, &properties(), move |_, _| Node::new(cfg), None);
        sim_core::Engine::new(setup, spec.seed).run()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::ParamValue;
    use crate::testing::{ms, spec, sweep, violated};
    use sim_core::faults::CrashSpec;
    use sim_core::{FaultSpec, Outcome, Property, Time, World};

    fn params(mode: &str, link: &str) -> Vec<(&'static str, ParamValue)> {
        vec![
            ("mode", ParamValue::Str(mode.into())),
            ("link", ParamValue::Str(link.into())),
        ]
    }

    fn sender_crash() -> FaultSpec {
        FaultSpec {
            crashes: Some(CrashSpec {
                min: 1,
                max: 1,
                between: [ms(0), ms(25)],
                nodes: Some(vec![0]),
                recover_after: None,
            }),
            ..FaultSpec::default()
        }
    }

    #[test]
    fn happy_path_everyone_delivers_everything_once() {
        for (mode, link) in [
            ("best-effort", "at-most-once"),
            ("eager-reliable", "exactly-once"),
        ] {
            let mut all = params(mode, link);
            all.push(("senders", ParamValue::Str("all".into())));
            let s = spec(&Broadcast, 4, &all);
            let r = Broadcast.run(&s);
            assert_eq!(r.outcome, Outcome::Ok, "{mode}/{link}: {:?}", r.violations);
            // 4 senders x 5 messages, each delivered at 4 nodes.
            let delivered = |r: &RunReport| r.stats.messages_delivered;
            assert!(delivered(&r) >= 4 * 5 * 3, "{mode}/{link}");
        }
    }

    #[test]
    fn best_effort_with_a_sender_crash_breaks_agreement_and_eager_does_not() {
        let mut beb = spec(&Broadcast, 5, &params("best-effort", "exactly-once"));
        beb.network.send_gap = sim_core::Duration::from_millis(1);
        let mut erb = spec(&Broadcast, 5, &params("eager-reliable", "exactly-once"));
        erb.network.send_gap = sim_core::Duration::from_millis(1);
        let found = violated(&sweep(&Broadcast, &beb, &sender_crash(), 0..200));
        assert!(
            found.get("agreement").copied().unwrap_or(0) > 0,
            "{found:?}"
        );
        assert!(!found.contains_key("no-duplication") && !found.contains_key("no-creation"));
        let held = violated(&sweep(&Broadcast, &erb, &sender_crash(), 0..200));
        assert!(held.is_empty(), "{held:?}");
    }

    #[test]
    fn loss_without_retransmission_breaks_validity() {
        let mut s = spec(&Broadcast, 4, &params("best-effort", "at-most-once"));
        s.network.default.loss_ppm = 100_000;
        let found = violated(&sweep(&Broadcast, &s, &FaultSpec::default(), 0..50));
        assert!(
            found.get("validity").copied().unwrap_or(0) > 10,
            "{found:?}"
        );
        let mut fixed = spec(&Broadcast, 4, &params("best-effort", "exactly-once"));
        fixed.network.default.loss_ppm = 100_000;
        let held = violated(&sweep(&Broadcast, &fixed, &FaultSpec::default(), 0..50));
        assert!(held.is_empty(), "{held:?}");
    }

    #[test]
    fn at_least_once_without_dedup_duplicates() {
        let mut s = spec(&Broadcast, 4, &params("best-effort", "at-least-once"));
        s.network.default.loss_ppm = 200_000;
        let found = violated(&sweep(&Broadcast, &s, &FaultSpec::default(), 0..50));
        assert!(
            found.get("no-duplication").copied().unwrap_or(0) > 10,
            "{found:?}"
        );
        assert!(!found.contains_key("validity"), "{found:?}");
    }

    #[test]
    fn invariants_judge_hand_built_histories() {
        let cfg = Config {
            link: Link::ExactlyOnce,
            mode: Mode::BestEffort,
            messages: 1,
            interval: Duration::from_millis(1),
            all_send: false,
            retransmit: Duration::from_millis(1),
        };
        let states: Vec<Node> = (0..3).map(|_| Node::new(cfg)).collect();
        let up = [true; 3];
        let never = [false; 3];
        let crashed0 = [true, false, false];
        let w = World::new(Time::ZERO, &states, &up, &never, &never);
        let wc = World::new(Time::ZERO, &states, &up, &crashed0, &never);
        let m = (0, 0);
        let obs = |p: &mut dyn Property<Node>, w: &World<'_, Node>, node, o| p.observe(w, node, &o);

        let mut dup = NoDuplication::default();
        assert!(obs(&mut dup, &w, 1, Obs::Deliver(m)).is_ok());
        assert!(obs(&mut dup, &w, 2, Obs::Deliver(m)).is_ok());
        assert!(obs(&mut dup, &w, 1, Obs::Deliver(m)).is_err());

        let mut creation = NoCreation::default();
        assert!(obs(&mut creation, &w, 1, Obs::Deliver((2, 7))).is_err());
        assert!(obs(&mut creation, &w, 0, Obs::Broadcast(m)).is_ok());
        assert!(obs(&mut creation, &w, 1, Obs::Deliver(m)).is_ok());

        // Node 0 broadcasts, only node 1 delivers: validity fails while 0 is correct, holds
        // once 0 crashed; agreement fails either way (correct node 1 delivered, 2 did not).
        let history = [
            (0, Obs::Broadcast(m)),
            (0, Obs::Deliver(m)),
            (1, Obs::Deliver(m)),
        ];
        let mut validity = Validity::default();
        let mut agreement = Agreement::default();
        for (node, o) in &history {
            obs(&mut validity, &w, *node, o.clone()).unwrap();
            obs(&mut agreement, &w, *node, o.clone()).unwrap();
        }
        let err = Property::<Node>::finish(&mut validity, &w).unwrap_err();
        assert!(err.contains("never reached node 2"), "{err}");
        assert!(Property::<Node>::finish(&mut validity, &wc).is_ok());
        assert!(Property::<Node>::finish(&mut agreement, &wc).is_err());
        obs(&mut agreement, &w, 2, Obs::Deliver(m)).unwrap();
        assert!(Property::<Node>::finish(&mut agreement, &wc).is_ok());
    }
}
