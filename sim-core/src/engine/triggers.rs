//! Firing the plan's triggered crashes (see [`Trigger`]) and crash chains (see
//! [`CrashChain`]): each node's sends, broadcasts, deliveries and observations are counted
//! while a trigger is armed, and the crash comes exactly where the trigger says. A crash fired
//! in the middle of a handler "cuts" the node at once: whatever it sends afterwards is lost, as
//! if it had died there; the crash itself is the next event. Every trigger is disarmed when the
//! fault phase ends. With none in the plan, each hook is one branch.

use crate::entropy::Choices;
use crate::faults::{kind_of, ChainLink, CrashChain, FaultKind, Trigger, TriggeredCrash};
use crate::process::Process;
use crate::time::Time;
use crate::NodeId;

use super::queue::Ev;
use super::Engine;

/// A chain of partial broadcasts during a run.
struct ChainState {
    links: Vec<ChainLink>,
    /// The next link to place.
    next: usize,
    /// The chain's last node once its crash fired, and the id of the first message of the
    /// broadcast that crash cut: the first live node to receive a message of that broadcast
    /// is the next link.
    watching: Option<(NodeId, u64)>,
}

/// The triggered crashes during a run.
pub(super) struct Triggers {
    /// The plan's triggered crashes, then the chains' starts, then chain links as they are
    /// placed (indices are stable).
    plan: Vec<TriggeredCrash>,
    /// For each entry of `plan`, the chain it belongs to, if any.
    chain_of: Vec<Option<usize>>,
    chains: Vec<ChainState>,
    /// Per node, the indices of its triggers still armed.
    armed: Vec<Vec<usize>>,
    /// Whether anything is armed (the fast path when nothing is).
    active: bool,
    sends: Vec<u64>,
    broadcasts: Vec<u32>,
    /// Per node, the id of the first message of its latest broadcast.
    broadcast_first_msg: Vec<u64>,
    deliveries: Vec<u64>,
    /// Per trigger, how many messages or observations of its kind it has seen.
    seen: Vec<u32>,
    /// Per node, during a broadcast a trigger cuts: (messages to live nodes still to leave,
    /// trigger).
    countdown: Vec<Option<(u32, usize)>>,
}

impl Triggers {
    pub(super) fn new(triggered: &[TriggeredCrash], chains: &[CrashChain], n: usize) -> Self {
        if triggered.is_empty() && chains.is_empty() {
            // Nothing armed: every hook returns on `active`, so nothing is allocated.
            return Triggers::idle();
        }
        let mut plan = triggered.to_vec();
        let mut chain_of = vec![None; plan.len()];
        for (c, chain) in chains.iter().enumerate() {
            plan.push(chain.start.clone());
            chain_of.push(Some(c));
        }
        let mut armed = vec![Vec::new(); n];
        for (i, t) in plan.iter().enumerate() {
            armed[t.node].push(i);
        }
        Triggers {
            active: !plan.is_empty(),
            seen: vec![0; plan.len()],
            plan,
            chain_of,
            chains: chains
                .iter()
                .map(|c| ChainState {
                    links: c.links.clone(),
                    next: 0,
                    watching: None,
                })
                .collect(),
            armed,
            sends: vec![0; n],
            broadcasts: vec![0; n],
            broadcast_first_msg: vec![0; n],
            deliveries: vec![0; n],
            countdown: vec![None; n],
        }
    }

    /// Triggers with nothing armed.
    fn idle() -> Self {
        Triggers {
            plan: Vec::new(),
            chain_of: Vec::new(),
            chains: Vec::new(),
            armed: Vec::new(),
            active: false,
            sends: Vec::new(),
            broadcasts: Vec::new(),
            broadcast_first_msg: Vec::new(),
            deliveries: Vec::new(),
            seen: Vec::new(),
            countdown: Vec::new(),
        }
    }

    /// The node's first armed trigger that `fires` says fires now, disarmed.
    fn take(
        &mut self,
        node: NodeId,
        mut fires: impl FnMut(&Trigger, &mut u32) -> bool,
    ) -> Option<usize> {
        let at = self.armed[node]
            .iter()
            .position(|&i| fires(&self.plan[i].when, &mut self.seen[i]))?;
        Some(self.armed[node].remove(at))
    }

    /// Trigger `i` fired on `node`: if it belongs to a chain, watch whom the node's last
    /// messages reach.
    fn fired(&mut self, i: usize, node: NodeId) {
        if let Some(c) = self.chain_of[i] {
            self.chains[c].watching = Some((node, self.broadcast_first_msg[node]));
        }
    }

    /// Message `msg_id` from `from` reaches live node `to`: if it belongs to the broadcast a
    /// chain's last crash cut, `to` is the chain's next link, cut in its next broadcast.
    fn extend_chains(&mut self, from: NodeId, msg_id: u64, to: NodeId) {
        for c in 0..self.chains.len() {
            let chain = &mut self.chains[c];
            let watched =
                matches!(chain.watching, Some((node, first)) if node == from && msg_id >= first);
            if !watched || chain.next >= chain.links.len() {
                continue;
            }
            let link = chain.links[chain.next].clone();
            chain.next += 1;
            chain.watching = None;
            self.plan.push(TriggeredCrash {
                node: to,
                when: Trigger::Broadcast {
                    nth: self.broadcasts[to] + 1,
                    sent: link.sent,
                },
                recover_after: link.recover_after,
            });
            self.chain_of.push(Some(c));
            self.seen.push(0);
            self.armed[to].push(self.plan.len() - 1);
        }
    }

    /// Disarms everything (the fault phase is over).
    pub(super) fn disarm(&mut self) {
        self.armed.iter_mut().for_each(Vec::clear);
        self.countdown.iter_mut().for_each(|c| *c = None);
        self.chains.iter_mut().for_each(|c| c.watching = None);
        self.active = false;
    }
}

impl<P: Process, C: Choices> Engine<P, C> {
    /// `node` starts a broadcast.
    pub(super) fn trigger_on_broadcast(&mut self, node: NodeId) {
        if !self.triggers.active {
            return;
        }
        let t = &mut self.triggers;
        t.broadcasts[node] += 1;
        t.broadcast_first_msg[node] = self.next_msg_id;
        if t.armed[node].is_empty() {
            return;
        }
        let count = t.broadcasts[node];
        let fired = t.take(
            node,
            |w, _| matches!(w, Trigger::Broadcast { nth, .. } if *nth == count),
        );
        let Some(i) = fired else { return };
        match self.triggers.plan[i].when {
            Trigger::Broadcast { sent: 0, .. } => self.fire(i, self.now),
            Trigger::Broadcast { sent, .. } => self.triggers.countdown[node] = Some((sent, i)),
            _ => {}
        }
    }

    /// `node`'s broadcast is over: a cut that did not come (it asked for more messages than
    /// the broadcast had) is spent.
    pub(super) fn trigger_after_broadcast(&mut self, node: NodeId) {
        if self.triggers.active {
            self.triggers.countdown[node] = None;
        }
    }

    /// A message of `node` to `to` leaves its wire at `depart`.
    pub(super) fn trigger_on_send(&mut self, node: NodeId, to: NodeId, depart: Time) {
        if !self.triggers.active {
            return;
        }
        let to_live = self.nodes.up[to];
        let t = &mut self.triggers;
        t.sends[node] += 1;
        let sends = t.sends[node];
        let mut fire = t.take(
            node,
            |w, _| matches!(w, Trigger::Sends { count } if *count == sends),
        );
        // A broadcast's cut counts the messages that reach live nodes.
        if let Some((left, i)) = t.countdown[node].filter(|_| to_live) {
            t.countdown[node] = if left <= 1 { None } else { Some((left - 1, i)) };
            if left <= 1 {
                fire = fire.or(Some(i));
            }
        }
        if let Some(i) = fire {
            self.fire(i, depart);
        }
    }

    /// Message `msg_id` from `from` reaches `node`; true if a trigger crashed the node on it
    /// (the message is then lost with the node).
    pub(super) fn trigger_on_delivery(
        &mut self,
        from: NodeId,
        msg_id: u64,
        node: NodeId,
        msg: &P::Msg,
    ) -> bool {
        if !self.triggers.active {
            return false;
        }
        self.triggers.extend_chains(from, msg_id, node);
        if self.triggers.armed[node].is_empty() {
            return false;
        }
        let t = &mut self.triggers;
        t.deliveries[node] += 1;
        let deliveries = t.deliveries[node];
        let wants_kind = t.armed[node]
            .iter()
            .any(|&i| matches!(t.plan[i].when, Trigger::Message { .. }));
        let debug = if wants_kind {
            format!("{msg:?}")
        } else {
            String::new()
        };
        let kind = kind_of(&debug);
        let fired = t.take(node, |w, seen| match w {
            Trigger::Delivery { nth } => *nth == deliveries,
            Trigger::Message { kind: k, nth } if k == kind => {
                *seen += 1;
                *seen == *nth
            }
            _ => false,
        });
        let Some(i) = fired else { return false };
        self.nodes.cut[node] = true;
        self.triggers.fired(i, node);
        self.crash_triggered(i);
        true
    }

    /// `node` made an observation.
    pub(super) fn trigger_on_observation(&mut self, node: NodeId, obs: &P::Obs) {
        if !self.triggers.active || self.triggers.armed[node].is_empty() {
            return;
        }
        let t = &mut self.triggers;
        let debug = format!("{obs:?}");
        let kind = kind_of(&debug);
        let fired = t.take(node, |w, seen| match w {
            Trigger::Observation { kind: k, nth } if k == kind => {
                *seen += 1;
                *seen == *nth
            }
            _ => false,
        });
        if let Some(i) = fired {
            self.fire(i, self.now);
        }
    }

    /// Cuts the node now (what it sends from here on is lost) and schedules its crash at `at`.
    fn fire(&mut self, trigger: usize, at: Time) {
        let node = self.triggers.plan[trigger].node;
        self.nodes.cut[node] = true;
        self.triggers.fired(trigger, node);
        self.queue.push(at, Ev::Triggered(trigger));
    }

    /// The crash a trigger fired, and its recovery if the plan gives one.
    pub(super) fn crash_triggered(&mut self, trigger: usize) {
        let TriggeredCrash {
            node,
            recover_after,
            ..
        } = self.triggers.plan[trigger].clone();
        // Counted where the crash happens (every trigger's crash comes through here), and
        // only if the node was up: the run may have crashed it otherwise since it was cut.
        if self.nodes.up[node] {
            match self.triggers.chain_of[trigger] {
                None => self.stats.triggered_crashes += 1,
                Some(_) => self.stats.chain_crashes += 1,
            }
        }
        self.apply_fault(FaultKind::Crash { node });
        if let Some(after) = recover_after {
            self.queue.push(self.now + after, Ev::Recover(node));
        }
    }
}
