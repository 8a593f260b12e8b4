//! Asking the processor to bring memory into its cache before it is read: a search reads
//! states the queue held for a whole level, long out of every cache, and the seen set's slots
//! at random.

/// The most cache lines [`slice`] asks for: enough for the parts of a state of a few dozen
/// nodes, few enough that a large part does not flood the cache.
const MOST_LINES: usize = 16;

/// Brings the cache line holding `value` in.
pub(crate) fn value<T>(value: &T) {
    line(std::ptr::from_ref(value).cast());
}

/// Brings the first cache lines of `items` in (up to [`MOST_LINES`]).
pub(crate) fn slice<T>(items: &[T]) {
    let bytes = std::mem::size_of_val(items).min(MOST_LINES * 64);
    let start: *const u8 = items.as_ptr().cast();
    for offset in (0..bytes).step_by(64) {
        line(start.wrapping_add(offset));
    }
}

fn line(at: *const u8) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        // SAFETY: SSE is part of every x86_64 processor; a prefetch reads nothing the program
        // sees and never faults, whatever the address.
        unsafe { _mm_prefetch::<_MM_HINT_T0>(at.cast()) };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = at;
}
