//! Breadth-first search: every state reachable from the initial one, each expanded once (by
//! fingerprint), safety checked on every transition. Breadth-first, the first violation found
//! is at the smallest depth, so its path is a shortest counterexample. A path is kept as a
//! parent link and a place among the parent's successors per unique state (see `links`), and
//! replayed from the initial state to be described.
//!
//! The queue is taken a batch at a time from its front: the batch's states are rebuilt from
//! their parents and expanded (successors built, checked and fingerprinted) on
//! `Limits::threads` threads, each a contiguous chunk of parents, then merged one parent
//! after another in queue order into the seen set and the queue's back, exactly as a
//! one-state-at-a-time search would. So the unique states, the
//! depth, the queue's order and the counterexample are the same for every thread count and
//! batch size; only the wall time changes. The queue holds a state by its parent and the step
//! from it (see `frontier`), so a level costs a state per parent, not per successor; the
//! merge, the one part on one thread, only moves boxed states and numbers.
//!
//! Expanding one state (its successors stepped, judged, fingerprinted and looked up) is
//! `expand`.
//!
//! With partial-order reduction (`Limits::por`) each queued state carries a sleep set (see
//! `sleep`): the intersection of the sets it was reached with from the previous level. A batch
//! then never spans two levels, so a state is expanded only once every state of the level
//! before has been merged and its sleep set is final, whatever the batch size.

use std::collections::VecDeque;
use std::hash::Hash;
use std::sync::atomic::AtomicBool;

use rayon::prelude::*;
use sim_core::engine::guarded;
use sim_core::{Process, Searchable};

use super::counterexample::{counterexample, realizable};
use super::fingerprint::fingerprint;
use super::frontier::{Frontier, Group, Spares};
use super::links::{Links, Place};
use super::seen::Seen;
use super::sleep::{Pending, Sleep};
use crate::draws::{DrawFigures, Taken};
use crate::limits::{Limits, Progress};
use crate::model::Model;
use crate::report::{End, Report};
use crate::state::State;
use crate::stepper::{enabled, Broken, Stepper};
use expand::Expand;

/// How often (in expanded states) the caller's `stop` is asked.
const POLL_EVERY: u64 = 1024;
/// States taken from the queue per batch, per thread: enough to keep the threads busy between
/// merges, few enough that a batch's successors are small next to the queue.
const BATCH_PER_THREAD: usize = 512;
/// Chunks per thread in a batch, so a thread that finishes early takes another's work.
const CHUNKS_PER_THREAD: usize = 4;

/// The entries of one parent to expand, with each one's sleep set (none without reduction,
/// where each is empty): their states are rebuilt where they are expanded (see `frontier`).
type Batched<'f, P> = (Group<'f, P>, Vec<Sleep>);

/// A successor found by an expansion, to be merged.
struct Successor {
    t: Taken,
    place: Place,
    fingerprint: u64,
    sleep: Sleep,
}

/// What the search knew before a batch, which its threads read: the states seen, and whether
/// a deferred state check read the step, so that every step's checks are judged from then on
/// (see `stepper::judging`). The flag is set by the threads; the merge after a batch
/// orders it before the next batch's reads.
#[derive(Clone, Copy)]
struct Known<'a> {
    seen: &'a Seen,
    step_read: &'a AtomicBool,
}

/// What expanding one queued state gave, to be merged in queue order, with the state
/// expanded: the parent its new successors are queued by, if there are any, else the queue's
/// to copy a later state into (see `Frontier::recycle`).
type Expanded<P> = (Expansion, Box<State<P>>);

/// What expanding a batch, or a chunk of it, gave: each state's expansion in queue order, and
/// the successors they found one after another in one buffer (each expansion's `fresh` of
/// them), not a buffer an expansion.
struct Batch<P: Process> {
    expanded: Vec<Expanded<P>>,
    successors: Vec<Successor>,
    /// The spares it was given and did not use, for the queue to keep.
    spares: Spares<P>,
}

/// What expanding one queued state gave.
struct Expansion {
    id: u32,
    depth: u32,
    /// At the depth limit: not expanded.
    at_limit: bool,
    /// Transitions taken (the violating one included).
    generated: u64,
    /// How many successors it found whose fingerprint was not seen before the batch (with
    /// reduction: every successor, for its sleep set): the next so many of the batch's
    /// `successors`, in transition order.
    fresh: usize,
    /// Transitions not taken: asleep.
    slept: u64,
    /// The transitions that broke a property, in order: the expansion stopped at the first,
    /// unless the model's bound on delays may set violations aside (see `bounded`).
    broken: Vec<(Taken, Broken)>,
    /// The processes' random draws while expanding.
    draws: DrawFigures,
}

/// A state expanded, as its successors are merged: its number, and its state until the queue
/// holds it (`slot`).
struct Parent<P: Process> {
    id: u32,
    state: Option<Box<State<P>>>,
    slot: Option<u32>,
}

/// The search's bookkeeping, which only the merge touches.
struct Search<'a, P: Process> {
    model: &'a Model<P>,
    limits: &'a Limits,
    report: Report,
    seen: Seen,
    /// Per unique state: its parent and where among the parent's successors it was found.
    links: Links,
    queue: Frontier<P>,
    /// With reduction: the sleep set of each state queued and not yet expanded.
    pending: Pending,
    peak_queue: usize,
    expanded: u64,
    draws: DrawFigures,
}

/// Explores `model` breadth-first within `limits`; `stop` is asked now and then whether to
/// give up (a time limit), and sees the progress. An error: the threads could not be started.
pub(crate) fn search<P>(
    model: &Model<P>,
    limits: &Limits,
    stop: &mut dyn FnMut(&Progress) -> Option<String>,
) -> Result<Report, String>
where
    P: Searchable,
{
    let threads = limits.threads.max(1);
    let pool = match threads {
        1 => None,
        n => Some(
            rayon::ThreadPoolBuilder::new()
                .num_threads(n)
                .build()
                .map_err(|e| format!("cannot start {n} threads: {e}"))?,
        ),
    };
    let mut stepper = Stepper::new(model);
    let (mut initial, verdict) = stepper.initial();
    let mut report = Report::new(model);
    if let Err(broken) = verdict {
        report.end = End::Violation(counterexample(model, &[], *broken));
        return Ok(report);
    }
    let mut seen = Seen::new();
    let initial_fp = fingerprint(model, limits, &mut initial);
    seen.insert(initial_fp);
    let mut search = Search {
        model,
        limits,
        report,
        seen,
        links: Links::new(),
        queue: Frontier::new(initial),
        pending: Pending::default(),
        peak_queue: 1,
        expanded: 0,
        draws: stepper.choices.figures,
    };
    let step_read = AtomicBool::new(false);
    while !search.queue.is_empty() {
        let most = BATCH_PER_THREAD * threads;
        let (groups, spares) = search.queue.take_batch(most, limits.por);
        let batch = with_sleep_sets(groups, &mut search.pending, limits.por);
        let known = Known {
            seen: &search.seen,
            step_read: &step_read,
        };
        let expansions = match &pool {
            None => expand_chunk(model, limits, known, batch, spares),
            Some(pool) => expand_parallel(pool, threads, model, limits, known, batch, spares),
        };
        if search.merge(expansions, stop) {
            break;
        }
    }
    Ok(search.finish())
}

/// Expands `batch` on `pool`'s threads, in chunks, each with the `spares` its copies need;
/// the expansions come back in batch order.
fn expand_parallel<P>(
    pool: &rayon::ThreadPool,
    threads: usize,
    model: &Model<P>,
    limits: &Limits,
    known: Known<'_>,
    batch: Vec<Batched<'_, P>>,
    mut spares: Spares<P>,
) -> Batch<P>
where
    P: Searchable,
{
    let chunk = batch.len().div_ceil(threads * CHUNKS_PER_THREAD).max(1);
    let mut chunks = Vec::new();
    let mut rest = batch.into_iter();
    loop {
        let next: Vec<Batched<'_, P>> = rest.by_ref().take(chunk).collect();
        if next.is_empty() {
            break;
        }
        let copies: usize = next.iter().map(|(group, _)| group.copies()).sum();
        let rebuilt: usize = next.iter().map(|(group, _)| group.entries().len()).sum();
        chunks.push((next, spares.split_off(copies, rebuilt)));
    }
    // Each chunk guarded on its own thread (so the panic hook stays quiet there); the first
    // panic, in batch order, goes on to the caller's guard, which ends the search with it.
    let done: Vec<Result<Batch<P>, String>> = pool.install(|| {
        (chunks.into_par_iter())
            .map(|(c, spares)| guarded(|| expand_chunk(model, limits, known, c, spares)))
            .collect()
    });
    let mut batch = Batch {
        expanded: Vec::new(),
        successors: Vec::new(),
        spares,
    };
    for chunk in done {
        match chunk {
            Ok(mut chunk) => {
                batch.expanded.extend(chunk.expanded);
                batch.successors.extend(chunk.successors);
                batch.spares.append(&mut chunk.spares);
            }
            Err(why) => std::panic::resume_unwind(Box::new(why)),
        }
    }
    batch
}

/// Expands each queued state of `chunk`, in order, with a stepper of its own (and another
/// to rebuild the states from their parents, whose draws are not the search's), copying the
/// states it rebuilds into `spares` while there are some. `known.seen` is the
/// set as it was before the batch: a successor found there, or already kept from an earlier
/// state of the chunk, is counted and dropped at once (the merge would drop it: it keeps the
/// first in queue order), so a batch holds few more states than the queue would. With
/// reduction such a successor is still reported, without its state, for its sleep set.
/// Without a bound on delays (which may set a violation aside, and find the state again
/// by a path that keeps it), a step's state checks that may wait are judged only for a
/// state not seen before (see `stepper::judging`).
fn expand_chunk<P>(
    model: &Model<P>,
    limits: &Limits,
    known: Known<'_>,
    chunk: Vec<Batched<'_, P>>,
    mut spares: Spares<P>,
) -> Batch<P>
where
    P: Process + Clone + Hash,
    P::Stable: Hash,
{
    let mut stepper = Stepper::new(model);
    if model.bound.is_none() {
        stepper.defer_pure_checks();
    }
    let mut rebuild = Stepper::new(model);
    // Its deferred checks are never asked: each state it rebuilds passed them when found.
    rebuild.defer_pure_checks();
    let mut moves = Vec::new();
    let mut out = Batch {
        expanded: Vec::with_capacity(chunk.len()),
        successors: Vec::new(),
        spares: Spares::new(),
    };
    let mut kept = Seen::new();
    let mut pending = Vec::new();
    let mut scratch = None;
    let mut chunk = VecDeque::from(chunk);
    while let Some((mut group, sleeps)) = chunk.pop_front() {
        // The next groups' parents are brought into the cache while this one is expanded, a
        // stage a group, as each stage reads addresses the one before brought in: the state
        // three groups ahead, its buffers two ahead, its nodes' timers one ahead.
        let ahead = |k: usize| chunk.get(k).and_then(|(group, _)| group.parent());
        if let Some(next) = ahead(0) {
            next.prefetch_timers();
        }
        if let Some(second) = ahead(1) {
            second.prefetch();
        }
        if let Some(third) = ahead(2) {
            crate::prefetch::value(third);
        }
        let mut sleeps = sleeps.into_iter();
        let depth = group.depth();
        loop {
            if limits.stopping() {
                return out;
            }
            let Some((queued, state)) = group.next_state(&mut rebuild, &mut spares) else {
                break;
            };
            let sleep = sleeps.next().unwrap_or_default();
            let draws_before = stepper.choices.figures;
            let mut exp = Expansion {
                id: queued.id,
                depth,
                at_limit: limits.max_depth.is_some_and(|d| depth >= d),
                generated: 0,
                fresh: 0,
                slept: 0,
                broken: Vec::new(),
                draws: DrawFigures::default(),
            };
            if !exp.at_limit {
                enabled(model, &state, &mut moves);
                let mut expand = Expand {
                    model,
                    limits,
                    known,
                    kept: &mut kept,
                    stepper: &mut stepper,
                    exp: &mut exp,
                    found: &mut out.successors,
                    pending: &mut pending,
                    scratch: &mut scratch,
                };
                expand.all(&state, &moves, sleep);
            }
            exp.draws = stepper.choices.figures.since(draws_before);
            out.expanded.push((exp, state));
        }
    }
    out.spares = spares;
    out
}

impl<P> Search<'_, P>
where
    P: Process + Clone + Hash,
    P::Stable: Hash,
{
    /// Merges a batch's expansions in queue order; true if the search is over (a violation,
    /// `--max-states`, or `stop`).
    fn merge(
        &mut self,
        batch: Batch<P>,
        stop: &mut dyn FnMut(&Progress) -> Option<String>,
    ) -> bool {
        if self.limits.stopping() {
            // Raised while this batch was expanded: its expansions may be cut short.
            let why = stop(&self.report.progress());
            self.report.end = End::Limit(why.unwrap_or_else(|| "the caller".to_string()));
            return true;
        }
        self.queue.give_back(batch.spares);
        let mut waiting = batch.expanded.len();
        let mut successors = batch.successors.into_iter();
        let mut expanded = batch.expanded.into_iter();
        while let Some((exp, state)) = expanded.next() {
            // The state two ahead is brought into the cache (the queue holds or recycles it:
            // both read its fields): a chunk's states were expanded long enough ago to have
            // left it.
            if let Some((_, ahead)) = expanded.as_slice().get(1) {
                crate::prefetch::slice(std::slice::from_ref(&**ahead));
            }
            waiting -= 1;
            self.expanded += 1;
            self.draws.add(exp.draws);
            self.report.depth = self.report.depth.max(exp.depth);
            if exp.at_limit {
                self.report.end = End::Limit(format!("--max-depth {}", exp.depth));
                self.queue.recycle(state);
                continue;
            }
            self.report.states += exp.generated;
            self.report.slept += exp.slept;
            let mut parent = Parent {
                id: exp.id,
                state: Some(state),
                slot: None,
            };
            for next in successors.by_ref().take(exp.fresh) {
                self.arrive(&mut parent, exp.depth + 1, next);
            }
            if let Some(state) = parent.state {
                self.queue.recycle(state);
            }
            for (t, broken) in exp.broken {
                let mut path = self.links.path_to(self.model, exp.id);
                path.push(t);
                if realizable(self.model, &mut self.report, &path, &broken) {
                    self.report.depth = exp.depth + 1;
                    self.report.end = End::Violation(counterexample(self.model, &path, broken));
                    return true;
                }
            }
            self.peak_queue = self.peak_queue.max(self.queue.len() + waiting);
            self.report.unique = self.seen.len() as u64;
            if let Some(limit) = self.limits.states_reached(self.report.unique) {
                self.report.end = End::Limit(limit);
                return true;
            }
            if let Some(why) = (self.expanded.is_multiple_of(POLL_EVERY))
                .then(|| stop(&self.report.progress()))
                .flatten()
            {
                self.report.end = End::Limit(why);
                return true;
            }
        }
        false
    }

    /// A successor of `parent` at `depth`: queued if new (its parent held by the queue from
    /// its first new successor on); with reduction, a state of the next level already queued
    /// keeps only what both arrivals let sleep.
    fn arrive(&mut self, parent: &mut Parent<P>, depth: u32, next: Successor) {
        let fp = next.fingerprint;
        if self.seen.insert(fp) {
            let id = self.links.push(parent.id, next.t, next.place);
            let slot = match parent.slot {
                Some(slot) => slot,
                None => {
                    let state = (parent.state.take())
                        .expect("a state with a successor not seen before the batch comes back");
                    *parent.slot.insert(self.queue.hold(state))
                }
            };
            if self.limits.por {
                self.pending.queued(id, fp, depth, next.sleep);
            }
            self.queue.push(id, depth, slot, next.t);
        } else if self.limits.por {
            self.pending.again(fp, depth, &next.sleep);
        }
    }

    fn finish(mut self) -> Report {
        self.report.peak_frontier = self.peak_queue as u64;
        self.report.unique = self.seen.len() as u64;
        self.report.seen_bytes = self.seen.bytes() as u64;
        self.report.draws = self.draws;
        self.report
    }
}

/// Each group of a batch with its entries' sleep sets, taken from `pending` (see `sleep`).
fn with_sleep_sets<'f, P: Process>(
    groups: Vec<Group<'f, P>>,
    pending: &mut Pending,
    por: bool,
) -> Vec<Batched<'f, P>> {
    (groups.into_iter())
        .map(|group| {
            // Without reduction none (every state's is empty), and no buffer for them.
            let sleeps = match por {
                true => group.entries().iter().map(|e| pending.take(e.id)).collect(),
                false => Vec::new(),
            };
            (group, sleeps)
        })
        .collect()
}

mod expand;
#[cfg(test)]
mod tests;
