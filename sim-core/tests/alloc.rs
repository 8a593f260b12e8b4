//! The hot loop must not allocate per event once warmed up: a run of 200,000 events makes no
//! more allocations than a run of 20,000 events of the same workload.

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

fn allocations_for(events: u64, delay: DelayDist) -> u64 {
    let setup = ping::ping_setup(4, 8, events, delay);
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    let report = Engine::new(setup, 1).run();
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
