//! Bounded delays, checked per violation. An asynchronous search lets any armed timer fire at any
//! step: it has no clock. A protocol whose model declares that every message is delivered within a
//! bound (`Timing::DeliveredWithin`: election's waits, two generals' deadline) is then shown runs
//! its model excludes, where a timer fires while a message sent long before it is still in flight,
//! and a "violation" there is the search leaving the model, not a bug.
//!
//! Since `zone_graph`, a search under such a bound keeps time and takes only steps some timing
//! allows, so every violation it finds has a schedule; this check finds it for the
//! counterexample's run, and stays as the judge of last resort: [`schedule`] looks for times
//! for the path's steps (the start at 0) under which
//!
//! - every message delivered on the path arrives at most the bound after it was sent, and a
//!   message still in flight at the last step on a link that cannot lose it was sent at most
//!   the bound before it (on a lossy link it may yet be lost: no timing); a message a crash
//!   cut off its sender's wire was sent at most the bound before the crash;
//! - every timer fires exactly its delay after it was set, and one cancelled, cleared by a
//!   crash or still armed at the last step was set at most its delay before;
//! - the steps are in the path's order, as the engine would run them: two steps may happen
//!   at one instant only if both are events the engine scheduled (an arrival or a loss, a
//!   timer firing) and the first was scheduled first (by an earlier step, or earlier in the
//!   same handler run), since simultaneous events run in the order they were scheduled; a
//!   message or timer not yet happened at a step may be due at that very instant only if it
//!   was scheduled after that step's event. Crashes, recoveries and failure-detector
//!   notices are strictly ordered with their neighbours, and have no timing of their own, as
//!   losses (on a lossy link, anything may yet be lost) and later copies on a duplicating
//!   link have none.
//!
//! So a schedule found is one the engine runs exactly, and the counterexample's run (see
//! `timed`) is at its times: the replay shows the violation with every message in time.
//!
//! These are difference constraints between the steps' times, solved by Bellman-Ford: a
//! schedule exists exactly when their graph has no negative cycle. With one, the violation
//! is realizable inside the model and is reported with its schedule; without one it is set
//! aside (counted, the first kept) and the search goes on to the next violation, so the one a
//! breadth-first search reports is a shortest realizable one among the paths it kept (a state
//! is kept once, by the first path reaching it). A search that set any aside cannot say
//! "holds": a state first reached by an unrealizable path may have a realizable one.
//! Messages on a duplicating link: the first delivery of a message is the one bounded, and an
//! equal message sent while it is in flight is taken as its copy (as the search keeps them).
//! Only the upper bound is modelled: a message may take no time at all (the model declares
//! no least delay), and the clocks do not drift.

use std::collections::BTreeMap;

use sim_core::{NodeId, Process, TimerId};

use super::draws::Taken;
use super::model::Model;
use super::state::State;
use super::stepper::{Journal, Made, Stepper};
use super::transition::Transition;

/// When the engine scheduled an event (a message's arrival, a timer's firing): the step
/// whose handlers made it, and its place among what they made. Simultaneous events run in
/// this order.
type Key = (usize, usize);

/// `t[to] - t[from] <= weight`, between step numbers (0: the start).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Edge {
    from: usize,
    to: usize,
    weight: i64,
}

/// A message in flight, as the ledger knows it.
#[derive(Clone, Copy, Debug)]
struct Sent {
    /// The step that sent it.
    step: usize,
    key: Key,
    /// Delivered already (a duplicating link's later deliveries are free).
    delivered: bool,
    /// On a link that may lose it (then it need not arrive at all).
    lossy: bool,
}

/// An armed timer, as the ledger knows it.
#[derive(Clone, Copy, Debug)]
struct Set {
    /// The step that set it.
    step: usize,
    key: Key,
    delay: i64,
}

/// What the path did to each message and timer, as constraints are gathered.
struct Ledger {
    edges: Vec<Edge>,
    /// The bound on delays, as a weight.
    bound: i64,
    /// A message in flight by (sender, sending number).
    sent: BTreeMap<(NodeId, u32), Sent>,
    /// An armed timer by (node, handle).
    armed: BTreeMap<(NodeId, TimerId), Set>,
    /// The event of the step before (none: a crash, recovery, notice or the start).
    before: Option<Key>,
}

/// Nanoseconds as a constraint weight (far below overflow when summed over a path).
fn weight(ns: u64) -> i64 {
    i64::try_from(ns).unwrap_or(i64::MAX).min(i64::MAX / 4)
}

/// How long after its scheduling step an event of key `pending` that has not happened may be
/// due by a step whose event is `now`, given `limit` (its delay, or the bound): `limit`
/// exactly only if the engine runs `now` first at that instant (scheduled earlier), else a
/// nanosecond less.
fn not_yet(limit: i64, now: Option<Key>, pending: Key) -> i64 {
    match now {
        Some(now) if now < pending => limit,
        _ => limit - 1,
    }
}

impl Ledger {
    fn new(bound_ns: u64) -> Self {
        Ledger {
            edges: Vec::new(),
            bound: weight(bound_ns),
            sent: BTreeMap::new(),
            armed: BTreeMap::new(),
            before: None,
        }
    }

    /// `t[to] - t[from] <= weight`.
    fn at_most(&mut self, from: usize, to: usize, weight: i64) {
        self.edges.push(Edge { from, to, weight });
    }

    /// Notes the messages and timers that step `k`'s handlers made (`made`, in order) and
    /// that are in `s` (an equal message on a duplicating link is the one already there).
    fn absorb<P: Process>(&mut self, model: &Model<P>, s: &State<P>, k: usize, made: &[Made]) {
        for (i, &m) in made.iter().enumerate() {
            let key = (k, i);
            match m {
                Made::Send(from, seq) => {
                    let Some(e) = s.net.iter().find(|e| e.from() == from && e.seq == seq) else {
                        continue;
                    };
                    let lossy = model.config.link(e.from(), e.to()).lossy;
                    let sent = Sent {
                        step: k,
                        key,
                        delivered: false,
                        lossy,
                    };
                    self.sent.insert((from, seq), sent);
                }
                Made::Timer(node, id) => {
                    let Some(t) = s.armed(node).iter().find(|t| t.id == id) else {
                        continue;
                    };
                    let delay = weight(t.delay_ns);
                    self.armed.insert(
                        (node, id),
                        Set {
                            step: k,
                            key,
                            delay,
                        },
                    );
                }
            }
        }
    }

    /// Step `k` takes transition `t` in `s` (before it is applied): its order after the step
    /// before, and its own timing. Returns the event it is (if any) and the timer it fires.
    fn step<P: Process>(
        &mut self,
        s: &State<P>,
        t: Transition,
        k: usize,
    ) -> (Option<Key>, Option<(NodeId, TimerId)>) {
        let (now, fired) = match t {
            // The nodes start (the traitors placed) at time zero, as the start before it.
            Transition::Start(_) => {
                self.at_most(k, k - 1, 0);
                self.at_most(k - 1, k, 0);
                self.before = None;
                return (None, None);
            }
            Transition::Deliver(i) | Transition::Lose(i) => {
                let e = &s.net[i as usize];
                let deliver = matches!(t, Transition::Deliver(_));
                let bound = self.bound;
                match self.sent.get_mut(&(e.from(), e.seq)) {
                    Some(sent) if !sent.delivered => {
                        sent.delivered = deliver;
                        let (from, key) = (sent.step, sent.key);
                        if deliver {
                            self.at_most(from, k, bound);
                        }
                        (Some(key), None)
                    }
                    _ => (None, None),
                }
            }
            Transition::Fire { node, index } => {
                let node = node as usize;
                let id = s.armed(node)[index as usize].id;
                let set = self.armed[&(node, id)];
                self.at_most(set.step, k, set.delay);
                self.at_most(k, set.step, -set.delay);
                (Some(set.key), Some((node, id)))
            }
            _ => (None, None),
        };
        let gap = match (self.before, now) {
            (Some(before), Some(now)) if before < now => 0,
            _ => -1,
        };
        self.at_most(k, k - 1, gap);
        self.before = now;
        (now, fired)
    }

    /// After step `k` (`t`, whose event is `now` and which fired `fired`): timers gone from
    /// `s` without firing were cancelled or cleared before they were due; messages gone
    /// without a delivery were lost (no timing) or, at a crash, cut off the sender's wire
    /// before they were due.
    fn settle<P: Process>(
        &mut self,
        s: &State<P>,
        (k, t): (usize, Transition),
        (now, fired): (Option<Key>, Option<(NodeId, TimerId)>),
    ) {
        let gone: Vec<(NodeId, TimerId)> = (self.armed.keys())
            .filter(|&&(node, id)| !s.armed(node).iter().any(|t| t.id == id))
            .copied()
            .collect();
        for key in gone {
            let set = self.armed.remove(&key).expect("listed above");
            if Some(key) != fired {
                self.at_most(set.step, k, not_yet(set.delay, now, set.key));
            }
        }
        let crash = matches!(t, Transition::Crash { .. });
        let gone: Vec<(NodeId, u32)> = (self.sent.keys())
            .filter(|&&(from, seq)| !s.net.iter().any(|e| e.from() == from && e.seq == seq))
            .copied()
            .collect();
        for key in gone {
            let sent = self.sent.remove(&key).expect("listed above");
            if crash && !sent.delivered {
                self.at_most(sent.step, k, self.bound - 1);
            }
        }
    }

    /// At the last step `k` (whose event is `now`): a message still in flight that cannot be
    /// lost is not yet due, nor is a timer still armed.
    fn finish(&mut self, k: usize, now: Option<Key>) {
        let pending: Vec<(usize, i64)> = (self.sent.values())
            .filter(|s| !s.delivered && !s.lossy)
            .map(|s| (s.step, not_yet(self.bound, now, s.key)))
            .collect();
        let armed = (self.armed.values()).map(|t| (t.step, not_yet(t.delay, now, t.key)));
        let pending: Vec<(usize, i64)> = pending.into_iter().chain(armed).collect();
        for (from, weight) in pending {
            self.at_most(from, k, weight);
        }
    }
}

/// Times for the start and each step of `path` (nanoseconds, the start at 0) under which the
/// engine would run the path's steps in its order with every message delivered within
/// `bound_ns`; `None` if there are none.
pub(crate) fn schedule<P>(model: &Model<P>, path: &[Taken], bound_ns: u64) -> Option<Vec<u64>>
where
    P: Process + Clone,
{
    let mut stepper = Stepper::new(model);
    stepper.journal = Some(Journal::default());
    let (mut state, _) = stepper.initial();
    let mut ledger = Ledger::new(bound_ns);
    let made = |stepper: &mut Stepper<P>| {
        let journal = stepper.journal.as_mut().expect("set above");
        journal.sends.clear();
        journal.timers.clear();
        std::mem::take(&mut journal.made)
    };
    ledger.absorb(model, &state, 0, &made(&mut stepper));
    let mut now = None;
    for (i, &step) in path.iter().enumerate() {
        let k = i + 1;
        let event = ledger.step(&state, step.t, k);
        now = event.0;
        let _ = stepper.take(&mut state, step, k as u64);
        ledger.settle(&state, (k, step.t), event);
        ledger.absorb(model, &state, k, &made(&mut stepper));
    }
    ledger.finish(path.len(), now);
    solve(path.len() + 1, &ledger.edges)
}

/// The latest solution of the difference constraints over `n` times with time 0 the least,
/// if any: Bellman-Ford from a virtual source joined to every time by weight 0 (each time is
/// then the most negative its constraints force, shifted so that time 0 is 0).
fn solve(n: usize, edges: &[Edge]) -> Option<Vec<u64>> {
    let mut dist = vec![0i64; n];
    for _ in 0..=n {
        let mut changed = false;
        for e in edges {
            let via = dist[e.from].saturating_add(e.weight);
            if via < dist[e.to] {
                dist[e.to] = via;
                changed = true;
            }
        }
        if !changed {
            let least = dist.iter().copied().min().unwrap_or(0);
            if dist.first().is_some_and(|&zero| zero != least) {
                // Time 0 is the start: nothing may come before it.
                return None;
            }
            let zero = dist[0];
            return Some(dist.iter().map(|&d| (d - zero) as u64).collect());
        }
    }
    None
}

#[cfg(test)]
mod tests;
