//! A search that keeps time, for a model bounding message delays (`Timing::DeliveredWithin`):
//! each state carries a zone, the difference constraints between now and the times of the
//! steps that made what is still pending (a difference-bound matrix, closed), as a timed
//! automaton's zone graph does. A step is enabled only if some time for it satisfies them:
//!
//! - it comes after the step before (at the same instant only if both are events the engine
//!   scheduled, the earlier scheduled first);
//! - a delivery at most the bound after its message was sent; a timer exactly its delay after
//!   it was set; the start (placing Byzantine nodes) at time zero;
//! - nothing pending is overdue: every armed timer and every message on a link that cannot
//!   lose it is due at or after the step (strictly after, if it was scheduled before the
//!   step's event, which would then come first); a message a crash cuts off its sender's wire
//!   was sent less than the bound before.
//!
//! These are the constraints `bounded` checks a finished path against, applied step by step,
//! and a zone keeps every constraint its steps imply on the times still in play (closure, then
//! projection), so a path is in the search exactly when it has such a schedule, and two paths
//! reach the same state only with the same constraints ahead: the search is the model's, not
//! the asynchronous one, and a violation it finds is never set aside. A message on a lossy
//! link certainly older than the bound can only be lost (it leaves the zone); a message on a
//! duplicating link is bounded up to its first delivery.

use std::hash::Hasher;

use sim_core::entropy::DetHasher;
use sim_core::Process;

use super::state::State;
use super::transition::Transition;

/// Scheduling order: the step that scheduled an event (a message's arrival, a timer), and its
/// place among what that step's handlers made. The engine runs simultaneous events in it.
pub(crate) type Key = (u64, u32);

/// No constraint.
const INF: i64 = i64::MAX / 4;

/// A duration in nanoseconds as a constraint's constant (far beyond any run: no constraint).
pub(crate) fn weight(ns: u64) -> i64 {
    ns.min(INF as u64 / 4) as i64
}

/// Difference constraints `x_i - x_j <= m[i][j]`: `x_0` is now, `x_k` (k ≥ 1) the time of
/// step `steps[k - 1]` (which made something still pending). Always closed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Zone {
    steps: Vec<u64>,
    m: Vec<i64>,
}

impl Zone {
    /// The zone of the start: now is the start's time, which made what is pending.
    pub(crate) fn start() -> Zone {
        Zone {
            steps: vec![0],
            m: vec![0; 4],
        }
    }

    fn dim(&self) -> usize {
        self.steps.len() + 1
    }

    fn at(&self, i: usize, j: usize) -> i64 {
        self.m[i * self.dim() + j]
    }

    /// The clock of step `born`.
    fn clock(&self, born: u64) -> Option<usize> {
        self.steps.iter().position(|&s| s == born).map(|k| k + 1)
    }

    /// Adds `x_i - x_j <= c` and closes; `false` if no times satisfy the constraints.
    fn constrain(&mut self, i: usize, j: usize, c: i64) -> bool {
        let d = self.dim();
        if self.at(j, i).saturating_add(c) < 0 {
            return false;
        }
        if c >= self.at(i, j) {
            return true;
        }
        for a in 0..d {
            let to_i = self.at(a, i);
            if to_i >= INF {
                continue;
            }
            for b in 0..d {
                let from_j = self.at(j, b);
                if from_j >= INF {
                    continue;
                }
                let via = to_i + c + from_j;
                if via < self.m[a * d + b] {
                    self.m[a * d + b] = via;
                }
            }
        }
        true
    }

    /// A new clock for step `born`, unconstrained (its time is yet to be found).
    fn add_step(&mut self, born: u64) {
        let d = self.dim();
        let mut m = vec![INF; (d + 1) * (d + 1)];
        for i in 0..d {
            for j in 0..d {
                m[i * (d + 1) + j] = self.at(i, j);
            }
        }
        m[d * (d + 1) + d] = 0;
        self.steps.push(born);
        self.m = m;
    }

    /// Keeps the clocks of `keep`, with now at `now` (projection of a closed zone).
    fn project(&mut self, now: usize, keep: &[usize]) {
        let order: Vec<usize> = std::iter::once(now).chain(keep.iter().copied()).collect();
        let d = self.dim();
        let mut m = Vec::with_capacity(order.len() * order.len());
        for &i in &order {
            m.extend(order.iter().map(|&j| self.m[i * d + j]));
        }
        self.steps = keep.iter().map(|&k| self.steps[k - 1]).collect();
        self.m = m;
    }

    /// Hashes the constraints (clocks by rank, not by step number).
    pub(crate) fn hash(&self, h: &mut DetHasher) {
        h.write_usize(self.dim());
        for &v in &self.m {
            h.write_i64(v);
        }
    }
}

/// What a step is, for its timing: the event it is (its key), if the engine scheduled it.
pub(crate) fn event_of<P: Process>(s: &State<P>, t: Transition) -> Option<Key> {
    match t {
        Transition::Deliver(i) | Transition::Lose(i) => Some(s.net[i as usize].key),
        Transition::Fire { node, index } => Some(s.armed[node as usize][index as usize].key),
        _ => None,
    }
}

/// The zone after step `t` of `s`, numbered `step`, if some time for it satisfies every
/// constraint (see the module's notes); `None`: the model has no such run.
pub(crate) fn advance<P: Process>(
    s: &State<P>,
    t: Transition,
    step: u64,
    bound_ns: i64,
    lossy: &dyn Fn(usize, usize) -> bool,
) -> Option<Zone> {
    let mut zone = s.zone.clone()?;
    zone.add_step(step);
    let now = zone.dim() - 1;
    let event = event_of(s, t);
    let ok = ordered(&mut zone, now, s.last_event, event, t)
        && guarded(&mut zone, now, s, t, bound_ns)
        && not_overdue(&mut zone, now, s, (t, event), (bound_ns, lossy));
    ok.then_some(zone)
}

/// After the step before, at the same instant only between events in scheduling order; the
/// start at time zero.
fn ordered(
    zone: &mut Zone,
    now: usize,
    before: Option<Key>,
    event: Option<Key>,
    t: Transition,
) -> bool {
    if matches!(t, Transition::Start(_)) {
        return zone.constrain(now, 0, 0) && zone.constrain(0, now, 0);
    }
    let gap = match (before, event) {
        (Some(b), Some(e)) if b < e => 0,
        _ => 1,
    };
    zone.constrain(0, now, -gap)
}

/// The step's own timing: a delivery within the bound, a timer at its delay.
fn guarded<P: Process>(
    zone: &mut Zone,
    now: usize,
    s: &State<P>,
    t: Transition,
    bound_ns: i64,
) -> bool {
    match t {
        Transition::Deliver(i) => {
            let e = &s.net[i as usize];
            if e.late {
                return false;
            }
            match e.timed.then(|| zone.clock(e.key.0)).flatten() {
                Some(sent) => zone.constrain(now, sent, bound_ns),
                None => true,
            }
        }
        Transition::Fire { node, index } => {
            let timer = &s.armed[node as usize][index as usize];
            let delay = weight(timer.delay_ns);
            let set = zone
                .clock(timer.key.0)
                .expect("an armed timer has its clock");
            zone.constrain(now, set, delay) && zone.constrain(set, now, -delay)
        }
        _ => true,
    }
}

/// Nothing pending before the step is overdue at it (the step's own message or timer aside).
fn not_overdue<P: Process>(
    zone: &mut Zone,
    now: usize,
    s: &State<P>,
    (t, event): (Transition, Option<Key>),
    (bound_ns, lossy): (i64, &dyn Fn(usize, usize) -> bool),
) -> bool {
    let strict = |key: Key| i64::from(event.is_none_or(|e| e >= key));
    let cut: Vec<u32> = match t {
        Transition::Crash { node, keep } => s.cuttable(node as usize)[keep as usize..].to_vec(),
        _ => Vec::new(),
    };
    let crashed = match t {
        Transition::Crash { node, .. } => Some(node as usize),
        _ => None,
    };
    for e in &s.net {
        if !e.timed || event == Some(e.key) {
            continue;
        }
        let Some(sent) = zone.clock(e.key.0) else {
            continue;
        };
        let limit = if crashed == Some(e.from) && cut.contains(&e.seq) {
            bound_ns - 1
        } else if lossy(e.from, e.to) {
            continue;
        } else {
            bound_ns - strict(e.key)
        };
        if !zone.constrain(now, sent, limit) {
            return false;
        }
    }
    for timer in s.armed.iter().flatten() {
        if event == Some(timer.key) {
            continue;
        }
        let set = zone
            .clock(timer.key.0)
            .expect("an armed timer has its clock");
        let delay = weight(timer.delay_ns);
        if !zone.constrain(now, set, delay - strict(timer.key)) {
            return false;
        }
    }
    true
}

/// After a step's handlers ran: now is the step's time, and only the clocks of what is still
/// pending stay; a message on a lossy link certainly older than the bound leaves the zone (it
/// can only be lost).
pub(crate) fn settle<P: Process>(
    s: &mut State<P>,
    mut zone: Zone,
    bound_ns: i64,
    lossy: &dyn Fn(usize, usize) -> bool,
) {
    let now = zone.dim() - 1;
    for e in s.net.iter_mut().filter(|e| e.timed && lossy(e.from, e.to)) {
        let expired = zone
            .clock(e.key.0)
            .is_none_or(|sent| zone.at(sent, now) < -bound_ns);
        if expired {
            (e.timed, e.late) = (false, true);
        }
    }
    let mut keep: Vec<usize> = (s.net.iter().filter(|e| e.timed).map(|e| e.key.0))
        .chain(s.armed.iter().flatten().map(|t| t.key.0))
        .filter_map(|born| zone.clock(born))
        .collect();
    keep.sort_unstable();
    keep.dedup();
    zone.project(now, &keep);
    s.zone = Some(zone);
}

/// Hashes what the timing of `s` adds to its fingerprint: the zone, and every pending
/// message's and timer's scheduling order (by rank, not step number) and whether it is timed.
pub(crate) fn hash_timing<P: Process>(s: &State<P>, h: &mut DetHasher) {
    let Some(zone) = &s.zone else {
        return;
    };
    zone.hash(h);
    let mut borns: Vec<u64> = (s.net.iter().map(|e| e.key.0))
        .chain(s.armed.iter().flatten().map(|t| t.key.0))
        .chain(s.last_event.map(|k| k.0))
        .collect();
    borns.sort_unstable();
    borns.dedup();
    let rank = |key: Key| (borns.binary_search(&key.0).unwrap_or(0), key.1);
    for e in &s.net {
        let (r, made) = rank(e.key);
        h.write_usize(r);
        h.write_u32(made);
        h.write_u8(u8::from(e.timed) | u8::from(e.late) << 1);
    }
    for timer in s.armed.iter().flatten() {
        let (r, made) = rank(timer.key);
        h.write_usize(r);
        h.write_u32(made);
    }
    match s.last_event {
        Some(key) => {
            let (r, made) = rank(key);
            h.write_usize(r + 1);
            h.write_u32(made);
        }
        None => h.write_usize(0),
    }
}
