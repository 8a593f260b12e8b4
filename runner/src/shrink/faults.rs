//! Passes over the fault plan: remove faults whole (a crash with its recovery, a partition
//! with its heal, an omission or slow window, an intermittent node's cycle, a clock skew, a
//! triggered crash, a crash chain or one of its links, a Byzantine node, storage faults),
//! shorten what remains of each window (a recovery, a heal, an omission's end moved toward its
//! start), and move each fault as early as it still fails (a crash in the middle of a broadcast
//! is as good in the first broadcast as in a later one; and once it is, fewer nodes may do).
//! Triggered crashes have their own passes in `triggers.rs`.

use sim_core::faults::StorageFaults;
use sim_core::{Duration, FaultPlan, Time};

use super::search::Search;
use super::size::windows;

/// Below this, a window is short enough: bisecting further costs runs and tells nothing.
pub(crate) const WINDOW_RESOLUTION: Duration = Duration::from_micros(10);

/// The most halvings of one window's length.
pub(crate) const MAX_BISECTIONS: u32 = 16;

/// One fault as a unit: the plan entries to remove together.
enum Unit {
    /// Timed events, by index (a window's start and end, or a lone event).
    Events(Vec<usize>),
    /// A triggered crash, by index.
    Triggered(usize),
    /// A crash chain as a whole.
    Chain(usize),
    /// One link of a chain (the chain ends one crash earlier, or skips it).
    ChainLink(usize, usize),
    /// A Byzantine node.
    Byzantine(usize),
    /// Storage faults: every write durable again.
    Storage,
}

/// The plan's faults as units, in plan order: timed events, triggered crashes, chains whole,
/// chain links (last first), Byzantine nodes, storage faults.
fn units(plan: &FaultPlan) -> Vec<Unit> {
    let mut end_of = vec![None; plan.events.len()];
    let mut is_end = vec![false; plan.events.len()];
    for w in windows(plan) {
        end_of[w.start] = Some(w.end);
        is_end[w.end] = true;
    }
    let mut out = Vec::new();
    for (i, end) in end_of.into_iter().enumerate() {
        match end {
            Some(end) => out.push(Unit::Events(vec![i, end])),
            None if !is_end[i] => out.push(Unit::Events(vec![i])),
            None => {}
        }
    }
    out.extend((0..plan.triggered.len()).map(Unit::Triggered));
    out.extend((0..plan.chains.len()).map(Unit::Chain));
    for (c, chain) in plan.chains.iter().enumerate() {
        out.extend((0..chain.links.len()).rev().map(|j| Unit::ChainLink(c, j)));
    }
    out.extend((0..plan.byzantine.len()).map(Unit::Byzantine));
    if plan.storage != StorageFaults::None {
        out.push(Unit::Storage);
    }
    out
}

fn without(plan: &FaultPlan, unit: &Unit) -> FaultPlan {
    let mut plan = plan.clone();
    match unit {
        Unit::Events(indices) => {
            let mut i = 0;
            plan.events.retain(|_| {
                i += 1;
                !indices.contains(&(i - 1))
            });
        }
        Unit::Triggered(i) => {
            plan.triggered.remove(*i);
        }
        Unit::Chain(c) => {
            plan.chains.remove(*c);
        }
        Unit::ChainLink(c, j) => {
            plan.chains[*c].links.remove(*j);
        }
        Unit::Byzantine(i) => {
            plan.byzantine.remove(*i);
        }
        Unit::Storage => plan.storage = StorageFaults::None,
    }
    plan
}

/// Removes each fault that the failure does not need, first to last, until none can go; then
/// makes torn writes plain lost writes if the failure does not need the tear.
pub(crate) fn remove_faults(search: &mut Search) {
    let mut next = 0;
    loop {
        let plan = search.best.plan.clone();
        let units = units(&plan);
        let Some(unit) = units.get(next) else { break };
        if !search.attempt_plan(without(&plan, unit)) {
            next += 1;
        }
        if search.exhausted() {
            return;
        }
    }
    if search.best.plan.storage == StorageFaults::Torn {
        let mut plan = search.best.plan.clone();
        plan.storage = StorageFaults::LoseUnsynced;
        search.attempt_plan(plan);
    }
}

/// Moves each fault (a window as a whole) toward the start of the run by bisection, keeping
/// the earliest time at which it still fails.
pub(crate) fn advance_faults(search: &mut Search) {
    let count = units(&search.best.plan).len();
    for k in 0..count {
        if search.exhausted() {
            return;
        }
        advance_unit(search, k);
    }
}

fn advance_unit(search: &mut Search, k: usize) {
    let Some(start) = unit_start(&search.best.plan, k) else {
        return;
    };
    if start == Time::ZERO || try_start(search, k, Time::ZERO) {
        return;
    }
    let mut kept = start;
    let mut rejected = Time::ZERO;
    for _ in 0..MAX_BISECTIONS {
        if kept.0 - rejected.0 <= WINDOW_RESOLUTION.0 || search.exhausted() {
            return;
        }
        let mid = Time(rejected.0 + (kept.0 - rejected.0) / 2);
        if try_start(search, k, mid) {
            kept = mid;
        } else {
            rejected = mid;
        }
    }
}

/// When unit `k` of the plan starts (`None`: not a timed fault).
fn unit_start(plan: &FaultPlan, k: usize) -> Option<Time> {
    match units(plan).get(k)? {
        Unit::Events(indices) => indices.iter().map(|&i| plan.events[i].at).min(),
        _ => None,
    }
}

/// Tries the plan with unit `k` moved, all its events together, to start at `at`.
fn try_start(search: &mut Search, k: usize, at: Time) -> bool {
    let plan = &search.best.plan;
    let units = units(plan);
    let (Some(Unit::Events(indices)), Some(start)) = (units.get(k), unit_start(plan, k)) else {
        return false;
    };
    let shift = start.0 - at.0;
    let mut plan = plan.clone();
    for &i in indices {
        plan.events[i].at = Time(plan.events[i].at.0 - shift);
    }
    search.attempt_plan(plan)
}

/// Moves each window's end toward its start by bisection, keeping the shortest that fails.
pub(crate) fn shorten_windows(search: &mut Search) {
    let count = windows(&search.best.plan).len();
    for k in 0..count {
        if search.exhausted() {
            return;
        }
        shorten_window(search, k);
    }
}

fn shorten_window(search: &mut Search, k: usize) {
    let Some(w) = windows(&search.best.plan).get(k).copied() else {
        return;
    };
    let start = search.best.plan.events[w.start].at;
    if try_end(search, k, start) {
        return; // an instant: as short as a window gets
    }
    let mut kept = search.best.plan.events[w.end].at;
    let mut rejected = start;
    for _ in 0..MAX_BISECTIONS {
        if kept.0 - rejected.0 <= WINDOW_RESOLUTION.0 || search.exhausted() {
            return;
        }
        let mid = Time(rejected.0 + (kept.0 - rejected.0) / 2);
        if try_end(search, k, mid) {
            kept = mid;
        } else {
            rejected = mid;
        }
    }
}

/// Tries the plan with window `k` ending at `at`.
fn try_end(search: &mut Search, k: usize, at: Time) -> bool {
    let Some(w) = windows(&search.best.plan).get(k).copied() else {
        return false;
    };
    let mut plan = search.best.plan.clone();
    plan.events[w.end].at = at;
    search.attempt_plan(plan)
}
