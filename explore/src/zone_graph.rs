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

use sim_core::Process;

use super::state::{Key, State};
use super::transition::Transition;
use super::zone::{weight, Zone};

/// What a step is, for its timing: the event it is (its key), if the engine scheduled it.
pub(crate) fn event_of<P: Process>(s: &State<P>, t: Transition) -> Option<Key> {
    match t {
        Transition::Deliver(i) | Transition::Lose(i) => Some(s.net[i as usize].key),
        Transition::Fire { node, index } => Some(s.armed(node as usize)[index as usize].key),
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
    let mut zone = Zone::clone(s.zone()?);
    zone.add_step(step);
    let now = zone.dim() - 1;
    let event = event_of(s, t);
    let ok = ordered(&mut zone, now, s.last_event(), event, t)
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
            match e.timed.then(|| zone.clock(u64::from(e.key.0))).flatten() {
                Some(sent) => zone.constrain(now, sent, bound_ns),
                None => true,
            }
        }
        Transition::Fire { node, index } => {
            let timer = &s.armed(node as usize)[index as usize];
            let delay = weight(timer.delay_ns);
            let set = zone
                .clock(u64::from(timer.key.0))
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
        Transition::Crash { node, keep } => s.net.cuttable(node as usize)[keep as usize..].to_vec(),
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
        let Some(sent) = zone.clock(u64::from(e.key.0)) else {
            continue;
        };
        let limit = if crashed == Some(e.from()) && cut.contains(&e.seq) {
            bound_ns - 1
        } else if lossy(e.from(), e.to()) {
            continue;
        } else {
            bound_ns - strict(e.key)
        };
        if !zone.constrain(now, sent, limit) {
            return false;
        }
    }
    for timer in s.all_armed() {
        if event == Some(timer.key) {
            continue;
        }
        let set = zone
            .clock(u64::from(timer.key.0))
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
    for i in 0..s.net.len() {
        let e = &s.net[i];
        let expired = e.timed
            && lossy(e.from(), e.to())
            && (zone.clock(u64::from(e.key.0))).is_none_or(|sent| zone.at(sent, now) < -bound_ns);
        if expired {
            s.net.set_timing(i, false, true);
        }
    }
    let mut keep: Vec<usize> = (s.net.iter().filter(|e| e.timed).map(|e| e.key.0))
        .chain(s.all_armed().map(|t| t.key.0))
        .filter_map(|born| zone.clock(u64::from(born)))
        .collect();
    keep.sort_unstable();
    keep.dedup();
    zone.project(now, &keep);
    s.set_zone(zone);
}
