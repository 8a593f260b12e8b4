//! Passes over the plan's triggered crashes and crash chains: shorten the time a triggered
//! crash keeps its node down, and move each trigger earlier in its node's run (an earlier
//! broadcast, fewer of its messages out, fewer sends or deliveries before the crash), each by
//! bisection toward the least that still fails. Removing them whole is `faults.rs`'s job.

use sim_core::{Duration, FaultPlan};

use super::faults::{MAX_BISECTIONS, WINDOW_RESOLUTION};
use super::search::Search;
use super::size::{trigger_counts, with_count};

/// A triggered crash of the plan: one of `triggered`, a chain's start, or a chain's link.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Owner {
    Triggered(usize),
    ChainStart(usize),
    Link(usize, usize),
}

fn owners(plan: &FaultPlan) -> Vec<Owner> {
    let mut out: Vec<Owner> = (0..plan.triggered.len()).map(Owner::Triggered).collect();
    for (c, chain) in plan.chains.iter().enumerate() {
        out.push(Owner::ChainStart(c));
        out.extend((0..chain.links.len()).map(|j| Owner::Link(c, j)));
    }
    out
}

/// How long the owner's crash keeps its node down, if it recovers.
fn recovery(plan: &FaultPlan, owner: Owner) -> Option<Duration> {
    match owner {
        Owner::Triggered(i) => plan.triggered.get(i)?.recover_after,
        Owner::ChainStart(c) => plan.chains.get(c)?.start.recover_after,
        Owner::Link(c, j) => plan.chains.get(c)?.links.get(j)?.recover_after,
    }
}

fn with_recovery(plan: &FaultPlan, owner: Owner, after: Duration) -> FaultPlan {
    let mut plan = plan.clone();
    let slot = match owner {
        Owner::Triggered(i) => &mut plan.triggered[i].recover_after,
        Owner::ChainStart(c) => &mut plan.chains[c].start.recover_after,
        Owner::Link(c, j) => &mut plan.chains[c].links[j].recover_after,
    };
    *slot = Some(after);
    plan
}

/// The owner's counts with their least values (a link has one: the messages of its broadcast
/// that leave before the crash).
fn counts(plan: &FaultPlan, owner: Owner) -> Vec<(u64, u64)> {
    match owner {
        Owner::Triggered(i) => plan
            .triggered
            .get(i)
            .map_or_else(Vec::new, |t| trigger_counts(&t.when)),
        Owner::ChainStart(c) => plan
            .chains
            .get(c)
            .map_or_else(Vec::new, |chain| trigger_counts(&chain.start.when)),
        Owner::Link(c, j) => plan
            .chains
            .get(c)
            .and_then(|chain| chain.links.get(j))
            .map_or_else(Vec::new, |l| vec![(l.sent.into(), 0)]),
    }
}

fn with_count_of(plan: &FaultPlan, owner: Owner, k: usize, value: u64) -> FaultPlan {
    let mut plan = plan.clone();
    match owner {
        Owner::Triggered(i) => {
            let t = &mut plan.triggered[i];
            t.when = with_count(&t.when, k, value);
        }
        Owner::ChainStart(c) => {
            let t = &mut plan.chains[c].start;
            t.when = with_count(&t.when, k, value);
        }
        Owner::Link(c, j) => {
            plan.chains[c].links[j].sent = u32::try_from(value).unwrap_or(u32::MAX);
        }
    }
    plan
}

/// The least value in `least..=now` that `keeps` accepts, by bisection (assuming that past
/// the least such value every larger one is accepted too); `keeps` has run the candidates.
/// Stops once the range is within `resolution`.
fn lowest(
    search: &mut Search,
    least: u64,
    now: u64,
    resolution: u64,
    mut keeps: impl FnMut(&mut Search, u64) -> bool,
) {
    if now <= least || keeps(search, least) {
        return;
    }
    let (mut kept, mut rejected) = (now, least);
    for _ in 0..MAX_BISECTIONS {
        if kept - rejected <= resolution || search.exhausted() {
            return;
        }
        let mid = rejected + (kept - rejected) / 2;
        if keeps(search, mid) {
            kept = mid;
        } else {
            rejected = mid;
        }
    }
}

/// Shortens each triggered crash's time down, toward an instant.
pub(crate) fn shorten_recoveries(search: &mut Search) {
    for owner in owners(&search.best.plan) {
        let Some(after) = recovery(&search.best.plan, owner) else {
            continue;
        };
        lowest(search, 0, after.0, WINDOW_RESOLUTION.0, |search, ns| {
            let plan = with_recovery(&search.best.plan, owner, Duration(ns));
            search.attempt_plan(plan)
        });
    }
}

/// Moves each trigger as early in its node's run as it still fails: every count toward its
/// least, one count at a time.
pub(crate) fn advance_triggers(search: &mut Search) {
    for owner in owners(&search.best.plan) {
        for k in 0..counts(&search.best.plan, owner).len() {
            let Some(&(now, least)) = counts(&search.best.plan, owner).get(k) else {
                continue;
            };
            lowest(search, least, now, 1, |search, value| {
                let plan = with_count_of(&search.best.plan, owner, k, value);
                search.attempt_plan(plan)
            });
        }
    }
}
