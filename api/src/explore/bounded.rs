//! Bounded delays in an asynchronous search. A search lets any armed timer fire at any step:
//! it has no clock. A protocol whose model declares that every message is delivered within a
//! bound (`Timing::DeliveredWithin`: election's waits, two generals' deadline) is then shown
//! runs its model excludes, where a timer fires while a message sent long before it is still
//! in flight, and a "violation" there is the search leaving the model, not a bug.
//!
//! The search stays asynchronous (so a verdict of "holds" covers every timing the bound
//! allows: each such run is one of the interleavings searched, the handlers seeing no clock),
//! and each violation it finds is checked against the bound here: [`schedule`] looks for
//! times for the path's steps under which
//!
//! - every message delivered on the path arrives at most the bound after it was sent, and
//!   every other step between its sending and its arrival comes strictly before that bound
//!   (at the bound itself, the message goes first);
//! - a message still in flight at the last step was sent less than the bound before it;
//! - every timer fires exactly its delay after it was set, and one cancelled, cleared by a
//!   crash or still armed at the last step was set at most its delay before;
//! - the steps are in the path's order (equal times allowed). Losses, duplicates, crashes,
//!   recoveries and failure-detector notices have no timing of their own.
//!
//! These are difference constraints between the steps' times, solved by Bellman-Ford: a
//! schedule exists exactly when their graph has no negative cycle. With one, the violation
//! is realizable inside the model and is reported with its schedule; without one it is set
//! aside (counted, the first kept) and the breadth-first search goes on to the next
//! violation, so the one it reports is a shortest realizable one among the paths it kept
//! (a state is kept once, by the first path reaching it). A search that set any aside cannot
//! say "holds": a state first reached by an unrealizable path may have a realizable one.
//! Messages on a duplicating link: the first delivery of a message is the one bounded, and an
//! equal message sent while it is in flight is taken as its copy (as the search keeps them).

use std::collections::BTreeMap;

use sim_core::{NodeId, Process, TimerId};

use super::model::Model;
use super::state::State;
use super::transition::{Broken, Stepper, Transition};

/// The bound a protocol's model declares on message delays.
#[derive(Clone, Debug)]
pub struct DelayBound {
    /// Every message is delivered within this of being sent.
    pub delay_max_ns: u64,
    /// Where it comes from, in words (the model's rule).
    pub rule: String,
}

/// What the checks against the bound found in one search.
#[derive(Clone, Debug)]
pub struct Timing {
    /// The declared bound.
    pub bound: DelayBound,
    /// Violations found under asynchrony that no timing within the bound allows.
    pub set_aside: u64,
    /// The first of them (the shortest breadth-first), in words: its property and steps.
    pub first_set_aside: Option<super::Counterexample>,
    /// For the violation reported, the time of each step (nanoseconds, the start at 0) under
    /// which it happens within the bound.
    pub schedule_ns: Option<Vec<u64>>,
}

impl Timing {
    pub(crate) fn new(bound: DelayBound) -> Self {
        Timing {
            bound,
            set_aside: 0,
            first_set_aside: None,
            schedule_ns: None,
        }
    }
}

/// `t[to] - t[from] <= weight`, between step numbers (0: the start).
#[derive(Clone, Copy, Debug)]
struct Edge {
    from: usize,
    to: usize,
    weight: i64,
}

/// What the path did to each message and timer, as constraints are gathered.
#[derive(Default)]
struct Ledger {
    edges: Vec<Edge>,
    /// A message in flight by (sender, sending number): the step that sent it, and whether
    /// it was delivered already (a duplicate's later deliveries are free).
    sent: BTreeMap<(NodeId, u32), (usize, bool)>,
    /// An armed timer by (node, handle): the step that set it and its delay.
    armed: BTreeMap<(NodeId, TimerId), (usize, i64)>,
}

impl Ledger {
    /// `t[to] - t[from] <= weight`.
    fn at_most(&mut self, from: usize, to: usize, weight: i64) {
        self.edges.push(Edge { from, to, weight });
    }

    /// Notes the messages and timers of `s` that step `k` created.
    fn absorb<P: Process>(&mut self, s: &State<P>, k: usize) {
        for e in &s.net {
            self.sent.entry((e.from, e.seq)).or_insert((k, false));
        }
        for (node, armed) in s.armed.iter().enumerate() {
            for t in armed {
                let delay = i64::try_from(t.delay_ns).unwrap_or(i64::MAX / 4);
                self.armed.entry((node, t.id)).or_insert((k, delay));
            }
        }
    }

    /// Step `k` takes transition `t` in `s` (before it is applied).
    fn step<P: Process>(&mut self, s: &State<P>, t: Transition, k: usize, bound: i64) {
        match t {
            Transition::Deliver(i) => {
                let e = &s.net[i as usize];
                let (sent, delivered) = self.sent[&(e.from, e.seq)];
                if !delivered {
                    self.at_most(sent, k, bound);
                    if k - 1 > sent {
                        self.at_most(sent, k - 1, bound - 1);
                    }
                    self.sent.insert((e.from, e.seq), (sent, true));
                }
            }
            Transition::Fire { node, index } => {
                let id = s.armed[node as usize][index as usize].id;
                let (set, delay) = self.armed[&(node as usize, id)];
                self.at_most(set, k, delay);
                self.at_most(k, set, -delay);
            }
            _ => {}
        }
    }

    /// After step `k`: timers gone from `s` without firing were cancelled or cleared before
    /// their time; messages gone without a delivery were lost (no timing).
    fn settle<P: Process>(&mut self, s: &State<P>, k: usize, fired: Option<(NodeId, TimerId)>) {
        let gone: Vec<(NodeId, TimerId)> = (self.armed.keys())
            .filter(|&&(node, id)| !s.armed[node].iter().any(|t| t.id == id))
            .copied()
            .collect();
        for key in gone {
            let (set, delay) = self.armed.remove(&key).expect("listed above");
            if Some(key) != fired {
                self.at_most(set, k, delay);
            }
        }
        let net: Vec<(NodeId, u32)> = s.net.iter().map(|e| (e.from, e.seq)).collect();
        self.sent.retain(|key, _| net.contains(key));
    }

    /// At the last step `k`: what is still in flight was sent less than the bound before,
    /// what is still armed was set at most its delay before.
    fn finish(&mut self, k: usize, bound: i64) {
        let pending: Vec<usize> = (self.sent.values())
            .filter(|(_, delivered)| !delivered)
            .map(|&(sent, _)| sent)
            .collect();
        for sent in pending {
            self.at_most(sent, k, bound - 1);
        }
        let armed: Vec<(usize, i64)> = self.armed.values().copied().collect();
        for (set, delay) in armed {
            self.at_most(set, k, delay);
        }
    }
}

/// The bound a protocol's model declares on message delays, if it declares one.
pub(crate) fn declared(timings: &[crate::model::Timing]) -> Option<DelayBound> {
    timings.iter().find_map(|t| match t {
        crate::model::Timing::DeliveredWithin { bound, rule } => Some(DelayBound {
            delay_max_ns: bound.0,
            rule: rule.clone(),
        }),
        _ => None,
    })
}

/// Whether the violation `broken` at the end of `path` can happen within the model's bound
/// on delays (always, for a model without one): if so its schedule is noted in the report,
/// if not the path is counted as set aside (the first one kept).
pub(crate) fn realizable<P>(
    model: &Model<P>,
    report: &mut super::Report,
    path: &[Transition],
    broken: &Broken,
) -> bool
where
    P: Process + Clone,
{
    let (Some(bound), Some(timing)) = (&model.bound, report.timing.as_mut()) else {
        return true;
    };
    if let Some(times) = schedule(model, path, bound.delay_max_ns) {
        timing.schedule_ns = Some(times);
        return true;
    }
    timing.set_aside += 1;
    if timing.first_set_aside.is_none() {
        let cx = super::bfs::counterexample(model, path, broken.clone());
        timing.first_set_aside = Some(cx);
    }
    false
}

/// Times for the start and each step of `path` (nanoseconds, the start at 0) under which the
/// path happens with every message delivered within `bound_ns`; `None` if there are none.
pub(crate) fn schedule<P>(model: &Model<P>, path: &[Transition], bound_ns: u64) -> Option<Vec<u64>>
where
    P: Process + Clone,
{
    let bound = i64::try_from(bound_ns).unwrap_or(i64::MAX / 4);
    let mut stepper = Stepper::new(model);
    let (mut state, _) = stepper.initial();
    let mut ledger = Ledger::default();
    ledger.absorb(&state, 0);
    for (i, &t) in path.iter().enumerate() {
        let k = i + 1;
        ledger.at_most(k, k - 1, 0);
        ledger.step(&state, t, k, bound);
        let fired = match t {
            Transition::Fire { node, index } => {
                let node = node as usize;
                Some((node, state.armed[node][index as usize].id))
            }
            _ => None,
        };
        let _ = stepper.apply(&mut state, t, k as u64);
        ledger.settle(&state, k, fired);
        ledger.absorb(&state, k);
    }
    ledger.finish(path.len(), bound);
    solve(path.len() + 1, &ledger.edges)
}

/// A solution of the difference constraints over `n` times with time 0 the least, if any
/// (Bellman-Ford from a virtual source joined to every time by weight 0).
fn solve(n: usize, edges: &[Edge]) -> Option<Vec<u64>> {
    let mut dist = vec![0i64; n];
    for round in 0..=n {
        let mut changed = false;
        for e in edges {
            let via = dist[e.from].saturating_add(e.weight);
            if via < dist[e.to] {
                dist[e.to] = via;
                changed = true;
            }
        }
        if !changed {
            let zero = dist[0];
            return Some(dist.iter().map(|&d| (d - zero) as u64).collect());
        }
        if round == n {
            break;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::{solve, Edge};

    fn edge(from: usize, to: usize, weight: i64) -> Edge {
        Edge { from, to, weight }
    }

    #[test]
    fn a_timer_and_a_message_pin_each_other() {
        // Time 1 is exactly 10 after time 0; time 2 comes after 1 and at most 5 after 0.
        let fixed = [edge(0, 1, 10), edge(1, 0, -10), edge(2, 1, 0), edge(1, 2, 100)];
        let times = solve(3, &fixed).expect("10, then 10 or later");
        assert_eq!(times[1], 10);
        assert!(times[2] >= 10);
        let mut late = fixed.to_vec();
        late.push(edge(0, 2, 5));
        assert_eq!(solve(3, &late), None, "step 2 cannot be both after 10 and by 5");
    }
}
