//! How the command line tunes mimalloc, the allocator the `ftsim` binary runs with
//! ([`crate::Allocator`]): memory it frees goes back to the system 10 ms later, not a second.
//!
//! mimalloc keeps freed pages for `purge_delay` milliseconds before it gives them back, so
//! that memory freed and soon asked for again costs no page faults: 1,000 in the version built
//! here (mimalloc 3), 10 in mimalloc 2. A run of a large group grows its event queue by
//! doubling: each doubling copies the old buffer into one twice its size and frees it, and the
//! freed halves stayed resident for the rest of the run. A 1,000-node eager broadcast
//! (`bench/sweep-memory/`) peaked at 377 MB with them and 315 MB at 10 ms, for half again as
//! many page faults (134,900 against 91,900: 0.1 s of system time in a 1.4 s run). At 100 ms
//! it peaked at 314 to 336 MB in three runs, as the queue's doublings and the purges raced;
//! at 10 ms, at 312 to 316. A search of TwoPhase with 7 RMs takes 86,300 page faults against
//! 44,800 (0.05 to 0.1 s of system time in 4.4 s) and peaks 8 MB lower. Sweeps of small runs
//! (two-phase commit, Paxos) purge nothing either way. `MIMALLOC_PURGE_DELAY` in the
//! environment still decides, as mimalloc documents.

use std::ffi::{c_int, c_long};

/// mimalloc's `mi_option_purge_delay`: its number in `mi_option_e` (`mimalloc.h`), where a
/// retired option keeps its number (as `deprecated_…`), so numbers do not move between
/// versions. A test reads the name mimalloc prints for it.
const PURGE_DELAY: c_int = 15;

/// The purge delay the command line runs with, in milliseconds.
const PURGE_DELAY_MS: c_long = 10;

extern "C" {
    fn mi_option_set(option: c_int, value: c_long);
}

/// Sets mimalloc's purge delay to [`PURGE_DELAY_MS`], unless `MIMALLOC_PURGE_DELAY` is set.
/// Called first thing by the command line's `main_with`.
pub(crate) fn purge_freed_memory_promptly() {
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
        // SAFETY: a setter of one of mimalloc's option values, an integer in a static table,
        // read when mimalloc next purges; the number is in range (see the test).
        unsafe { mi_option_set(PURGE_DELAY, PURGE_DELAY_MS) }
    }
}

#[cfg(test)]
mod tests {
    use std::ffi::{c_char, c_void, CStr};

    use super::*;

    type Output = extern "C" fn(message: *const c_char, arg: *mut c_void);

    extern "C" {
        fn mi_options_print_out(out: Output, arg: *mut c_void);
    }

    /// Appends one of mimalloc's messages to the `String` behind `arg`.
    extern "C" fn collect(message: *const c_char, arg: *mut c_void) {
        // SAFETY: mimalloc passes a NUL-terminated message and the `arg` given below, a
        // `String` that outlives the call.
        let (message, text) = unsafe { (CStr::from_ptr(message), &mut *arg.cast::<String>()) };
        text.push_str(&message.to_string_lossy());
    }

    #[test]
    fn the_option_set_is_mimallocs_purge_delay() {
        let mut text = String::new();
        // SAFETY: `collect` matches mimalloc's output function; `text` outlives the call.
        unsafe { mi_options_print_out(collect, (&mut text as *mut String).cast()) };
        let options: Vec<&str> = (text.lines())
            .filter(|line| line.starts_with("option '"))
            .collect();
        let named = options.get(PURGE_DELAY as usize).copied().unwrap_or("none");
        assert!(
            named.starts_with("option 'purge_delay':"),
            "option {PURGE_DELAY} is {named}"
        );
    }
}
