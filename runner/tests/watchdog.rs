//! The per-seed wall-time watchdog (`run --seed-timeout`): a seed stuck in a handler is
//! counted as stuck while every other seed is counted as its own run counts it; seeds slower than
//! the watcher's progress tick are waited for, not given up on (also under a limit too long
//! for the clock); the runner abandoned with a stuck seed stops once the seed returns; and a
//! watched sweep tallies exactly as an unwatched one.

use std::marker::PhantomData;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use ftsim_api::properties::consensus::Agreement;
use ftsim_api::sim_core::trace::Budget;
use ftsim_api::sim_core::{Outcome, RunReport};
use ftsim_api::{Ctx, Model, NoParams, NodeId, Process, Properties, Protocol};
use ftsim_runner::sweep::{self, watchdog, Seeds, SweepOptions, Tally};
use ftsim_runner::{Harness, Simulation};

#[path = "common/decide.rs"]
mod decide;
use decide::Decide;

/// What one test's process does at its start: each test has its own, with its own count of
/// the starts so far (tests run in parallel).
trait AtStart: Send + Sync + 'static {
    fn starts() -> &'static AtomicU64;
    /// Runs in the start handler, told how many starts came before it in the test.
    fn at_start(before: u64);
}

/// Decides a random bit at its start, after its test's `AtStart`.
struct Node<S>(PhantomData<S>);

impl<S> std::fmt::Debug for Node<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Node")
    }
}

impl<S: AtStart> Process for Node<S> {
    type Msg = ();
    type Timer = ();
    type Obs = Decide;
    type Stable = ();
    fn on_start(&mut self, ctx: &mut Ctx<'_, Self>) {
        S::at_start(S::starts().fetch_add(1, Ordering::SeqCst));
        let toss = ctx.random_below(2);
        ctx.observe(Decide(toss));
    }
    fn on_message(&mut self, _: &mut Ctx<'_, Self>, _: NodeId, _: ()) {}
}

struct Toss<S>(PhantomData<S>);

impl<S: AtStart> Protocol for Toss<S> {
    type Process = Node<S>;
    type Params = NoParams;
    fn name(&self) -> &'static str {
        "toss"
    }
    fn summary(&self) -> &'static str {
        "every node decides a coin toss"
    }
    fn properties(&self) -> Properties<Node<S>> {
        Properties::new().always("agreement", "all decide alike", Agreement::default)
    }
    fn model(&self, _: &NoParams, _: usize) -> Model {
        Model::new()
    }
    fn process(&self, _: &NoParams, _: NodeId, _: usize) -> Node<S> {
        Node(PhantomData)
    }
}

/// A one-node simulation of a test's protocol.
fn one_node<S: AtStart>() -> Arc<dyn Simulation> {
    let protocol: &'static Toss<S> = Box::leak(Box::new(Toss(PhantomData)));
    Harness::new(protocol).nodes(1).simulation()
}

/// Runs `seeds` watched with `limit`: the parts handed over, merged.
fn watched(sim: &Arc<dyn Simulation>, seeds: std::ops::Range<u64>, limit: Duration) -> Tally {
    let never = AtomicBool::new(false);
    let mut tally = Tally::default();
    let mut each = |part: Tally| {
        assert!(part.runs > 0, "a part holds at least one seed");
        tally = std::mem::take(&mut tally).merge(part);
    };
    watchdog::run_watched(sim, seeds, limit, false, &never, &mut each);
    tally
}

/// The tally of `seeds` run unwatched, on this thread.
fn unwatched(sim: &Arc<dyn Simulation>, seeds: std::ops::Range<u64>) -> Tally {
    let count = seeds.end - seeds.start;
    let seeds = Seeds {
        start: seeds.start,
        count,
    };
    sweep::tally(sim.as_ref(), seeds, &|| {})
}

/// Whether no run in `tally` failed other than by its own protocol's verdict.
fn no_panic_nor_budget(tally: &Tally) -> bool {
    tally.panics == 0 && tally.budget_exceeded == 0
}

static STUCK_STARTS: AtomicU64 = AtomicU64::new(0);
static STUCK_RELEASE: AtomicBool = AtomicBool::new(false);

/// The sixth start (seed 5 of a batch run in order) never returns until released.
struct SixthStuck;

impl AtStart for SixthStuck {
    fn starts() -> &'static AtomicU64 {
        &STUCK_STARTS
    }
    fn at_start(before: u64) {
        if before == 5 {
            while !STUCK_RELEASE.load(Ordering::SeqCst) {
                std::thread::sleep(Duration::from_millis(5));
            }
        }
    }
}

#[test]
fn a_seed_stuck_mid_batch_is_counted_stuck_and_every_other_seed_as_it_ran() {
    let sim = one_node::<SixthStuck>();
    let limit = Duration::from_millis(300);
    let tally = watched(&sim, 0..10, limit);
    STUCK_RELEASE.store(true, Ordering::SeqCst);
    // Released, the abandoned runner ends after seed 5 instead of running 6 to 9 again: the
    // new runner's four starts and the stuck one's make ten in all.
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(STUCK_STARTS.load(Ordering::SeqCst), 10);
    let stuck = RunReport {
        seed: 5,
        outcome: Outcome::BudgetExceeded {
            budget: Budget::WallTime,
            limit: 300,
        },
        ..RunReport::default()
    };
    let mut expected = unwatched(&sim, 0..5).merge(unwatched(&sim, 6..10));
    expected.add(5, &stuck);
    assert_eq!(tally, expected, "seed 5 stuck, every other seed as it runs");
    assert_eq!(
        (tally.runs, tally.budget_exceeded, tally.panics),
        (10, 1, 0)
    );
    assert_eq!(tally.first_budget.map(|(seed, _)| seed), Some(5));
}

static SLOW_STARTS: AtomicU64 = AtomicU64::new(0);

/// Every start takes 150 ms: longer than the watcher's progress tick, well inside the limit.
struct Slow;

impl AtStart for Slow {
    fn starts() -> &'static AtomicU64 {
        &SLOW_STARTS
    }
    fn at_start(_: u64) {
        std::thread::sleep(Duration::from_millis(150));
    }
}

#[test]
fn seeds_slower_than_the_progress_tick_are_waited_for() {
    let sim = one_node::<Slow>();
    let tally = watched(&sim, 3..7, Duration::from_secs(5));
    assert_eq!(tally.runs, 4);
    assert!(no_panic_nor_budget(&tally), "{tally:?}");
}

/// A limit the clock cannot count up to (`--seed-timeout` of 2^64 - 1 seconds) is no deadline:
/// a seed slower than the progress tick is waited for, and the watcher does not overflow the
/// time it would give up at.
#[test]
fn a_limit_past_what_the_clock_counts_is_waited_out() {
    let sim = one_node::<Slow>();
    for limit in [Duration::MAX, Duration::from_secs(u64::MAX)] {
        let tally = watched(&sim, 0..2, limit);
        assert_eq!(tally.runs, 2);
        assert!(no_panic_nor_budget(&tally), "{tally:?}");
    }
}

static QUICK_STARTS: AtomicU64 = AtomicU64::new(0);

/// Does nothing besides tossing: runs of a few microseconds.
struct Quick;

impl AtStart for Quick {
    fn starts() -> &'static AtomicU64 {
        &QUICK_STARTS
    }
    fn at_start(_: u64) {}
}

#[test]
fn a_watched_sweep_tallies_exactly_as_an_unwatched_one() {
    let protocol: &'static Toss<Quick> = Box::leak(Box::new(Toss(PhantomData)));
    let sim: Arc<dyn Simulation> = Harness::new(protocol).nodes(3).simulation();
    let never = AtomicBool::new(false);
    let seeds = Seeds {
        start: 7,
        count: 3000,
    };
    let tally = |limit| {
        let options = SweepOptions {
            stop: &never,
            twice: false,
            seed_wall_time: limit,
        };
        sweep::tally_until(&sim, seeds, &|| {}, options).expect("not stopped")
    };
    let (plain, watched) = (tally(None), tally(Some(Duration::from_secs(60))));
    assert_eq!(watched.runs, 3000);
    assert!(
        watched.failed_runs > 0 && watched.failed_runs < 3000,
        "{watched:?}"
    );
    assert_eq!(watched, plain);
}
