//! Panic capture: a protocol's panic (in a handler, a property, an adversary, a factory) is
//! caught around the code that calls it and becomes an outcome of its run, while a panic hook
//! asks [`in_simulation`] to stay quiet about it.

use std::panic::{catch_unwind, AssertUnwindSafe};

thread_local! {
    static IN_SIMULATION: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// True while this thread is inside a run's event loop: a panic hook can stay quiet about
/// protocol panics, which are reported as run outcomes instead.
pub fn in_simulation() -> bool {
    IN_SIMULATION.with(|f| f.get())
}

/// Runs `f`, turning a panic into its message. While it runs, [`in_simulation`] is true, so a
/// panic hook can stay quiet: the panic is reported as an outcome of the run instead.
pub fn guarded<R>(f: impl FnOnce() -> R) -> Result<R, String> {
    let was = IN_SIMULATION.with(|flag| flag.replace(true));
    let result = catch_unwind(AssertUnwindSafe(f));
    IN_SIMULATION.with(|flag| flag.set(was));
    result.map_err(|payload| panic_message(payload.as_ref()))
}

/// The text of a panic's payload.
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic with a non-text payload".to_string()
    }
}
