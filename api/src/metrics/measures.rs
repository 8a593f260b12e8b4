//! Reusable measures over the observation traits the shared properties already use:
//! decisions ([`TimeToDecide`]), deliveries ([`TimeToDeliver`]) and a service's requests and
//! answers ([`Requests`], latency and availability). Byzantine nodes' observations are
//! ignored, as the properties ignore them.

use std::collections::BTreeMap;

use sim_core::{Duration, Measured, NodeId, Process, Time, World};

use super::Measure;
use crate::properties::delivery::MsgKey;
use crate::properties::{Decision, DeliveryObs};

/// Time to decide: one sample per process, from the start of the run to its first decision
/// (consensus, Byzantine agreement, Paxos learners, commit or abort in two-phase commit).
#[derive(Debug, Default)]
pub struct TimeToDecide {
    /// Per node, whether it decided already (only the first decision counts).
    decided: Vec<bool>,
}

impl<P: Process> Measure<P> for TimeToDecide
where
    P::Obs: Decision,
{
    fn observe(&mut self, world: &World<'_, P>, node: NodeId, obs: &P::Obs, out: &mut Measured) {
        if obs.decided().is_none() || world.is_byzantine(node) {
            return;
        }
        if self.decided.len() <= node {
            self.decided.resize(world.n().max(node + 1), false);
        }
        if !std::mem::replace(&mut self.decided[node], true) {
            out.latencies_ns.push(world.now.0);
        }
    }
}

/// Time to deliver: one sample per delivery, from the message's broadcast at its origin to
/// its delivery at this process (reliable broadcast, total-order multicast).
#[derive(Debug, Default)]
pub struct TimeToDeliver {
    /// When each message was broadcast.
    sent_at: BTreeMap<MsgKey, Time>,
}

impl<P: Process> Measure<P> for TimeToDeliver
where
    P::Obs: DeliveryObs,
{
    fn observe(&mut self, world: &World<'_, P>, node: NodeId, obs: &P::Obs, out: &mut Measured) {
        if world.is_byzantine(node) {
            return;
        }
        if let Some(seq) = obs.broadcast() {
            self.sent_at.entry((node, seq)).or_insert(world.now);
        }
        if let Some(key) = obs.delivered() {
            if let Some(&sent) = self.sent_at.get(&key) {
                out.latencies_ns.push(world.now.since(sent).0);
            }
        }
    }
}

/// Picks a request's key out of an observation.
type KeyOf<O, K> = fn(NodeId, &O) -> Option<K>;

/// A service's requests and answers: one latency sample per answered request (from its issue
/// to its answer), and, given a grace ([`Requests::available_within`]), availability: the
/// service is *down* while some request has waited longer than the grace without an answer,
/// and available the rest of the run. A request still unanswered when the run ends counts as
/// down until the end.
pub struct Requests<O, K> {
    grace: Option<Duration>,
    issued: KeyOf<O, K>,
    answered: KeyOf<O, K>,
    /// Requests waiting for an answer, by key, with when they were issued.
    open: BTreeMap<K, Time>,
    /// Stretches of virtual time some request waited beyond its grace.
    down: Vec<(Time, Time)>,
}

impl<O, K: Ord> Requests<O, K> {
    /// Requests keyed by `issued` (an observation that issues one) and `answered` (one that
    /// answers it); latency only.
    pub fn new(issued: KeyOf<O, K>, answered: KeyOf<O, K>) -> Self {
        Requests {
            grace: None,
            issued,
            answered,
            open: BTreeMap::new(),
            down: Vec::new(),
        }
    }

    /// Measures availability too: a request unanswered for longer than `grace` means the
    /// service is down from then until its answer.
    pub fn available_within(mut self, grace: Duration) -> Self {
        self.grace = Some(grace);
        self
    }

    /// A request issued at `from` and answered (or the run over) at `to`: its wait beyond the
    /// grace, if any, is down time.
    fn close(&mut self, from: Time, to: Time) {
        let Some(grace) = self.grace else {
            return;
        };
        let late = Time(from.0.saturating_add(grace.0));
        if to > late {
            self.down.push((late, to));
        }
    }
}

impl<P: Process, K: Ord + 'static> Measure<P> for Requests<P::Obs, K> {
    fn observe(&mut self, world: &World<'_, P>, node: NodeId, obs: &P::Obs, out: &mut Measured) {
        if world.is_byzantine(node) {
            return;
        }
        if let Some(key) = (self.issued)(node, obs) {
            self.open.entry(key).or_insert(world.now);
        }
        if let Some(key) = (self.answered)(node, obs) {
            if let Some(issued) = self.open.remove(&key) {
                out.latencies_ns.push(world.now.since(issued).0);
                self.close(issued, world.now);
            }
        }
    }

    fn finish(&mut self, end: Time, out: &mut Measured) {
        if self.grace.is_none() {
            return;
        }
        let open: Vec<Time> = std::mem::take(&mut self.open).into_values().collect();
        for issued in open {
            self.close(issued, end);
        }
        let down = union_length(&mut self.down, end);
        out.watched_ns = end.0;
        out.available_ns = end.0.saturating_sub(down);
    }
}

/// The total length of a set of stretches (overlaps counted once), cut at `end`.
fn union_length(stretches: &mut [(Time, Time)], end: Time) -> u64 {
    stretches.sort_unstable();
    let mut total = 0;
    let mut covered_to = Time::ZERO;
    for &(from, to) in stretches.iter() {
        let (from, to) = (from.max(covered_to), to.min(end));
        if to > from {
            total += to.since(from).0;
            covered_to = to;
        }
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlapping_down_stretches_count_once() {
        let t = |ms| Time::from_millis(ms);
        let mut s = vec![
            (t(10), t(20)),
            (t(15), t(30)),
            (t(40), t(50)),
            (t(45), t(90)),
        ];
        assert_eq!(union_length(&mut s, t(60)), Duration::from_millis(40).0);
    }
}
