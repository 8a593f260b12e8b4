//! The hot loop must not allocate per event once warmed up: on an engine reused from the same
//! run (as a sweep worker reuses its engine between seeds), a run of 200,000 events makes no
//! more allocations than a run of 20,000 events of the same workload.
//!
//! (A first run, or a run of another seed, may allocate a little more the longer it is: each
//! of the event queue's 129 buckets is allocated the first time a key lands in it and grows
//! to the most keys it ever held, a bounded number of times however many events run.)

#[path = "common/ping.rs"]
mod ping;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicU64, Ordering};

use sim_core::*;

struct Counting;
static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// The allocations of a run of `events` events on an engine warmed up by the same run.
fn allocations_for(events: u64, delay: DelayDist) -> u64 {
    let mut engine = Engine::new(ping::ping_setup(4, 8, events, delay), 1);
    let warm_up = engine.run_to_report();
    assert_eq!(warm_up.stats.events, events);
    drop(warm_up);
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    engine.reset(1, FaultPlan::default(), Vec::new(), Seeded::new(1));
    let report = engine.run_to_report();
    let after = ALLOCATIONS.load(Ordering::Relaxed);
    assert_eq!(report.stats.events, events);
    drop(report);
    after - before
}

#[test]
fn no_allocation_per_event_once_warmed_up() {
    // One test function, so no other test allocates concurrently in this binary.
    for delay in [
        DelayDist::Constant(Duration::from_millis(1)),
        DelayDist::Uniform {
            min: Duration::from_millis(1),
            max: Duration::from_millis(5),
        },
        DelayDist::Exponential {
            min: Duration::from_millis(1),
            mean: Duration::from_millis(2),
        },
    ] {
        let short = allocations_for(20_000, delay);
        let long = allocations_for(200_000, delay);
        assert!(
            long <= short,
            "{delay:?}: 20k events made {short} allocations, 200k made {long}"
        );
    }
}
