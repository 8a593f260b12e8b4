//! Programs kept running between seeds, per thread: a node whose run ended (or whose node
//! crashed) hands its program back, and the next node of the same command takes it and sends
//! it `init`, which under ftsim's extension starts the node over. So a sweep of thousands of
//! seeds starts each program once per thread, not once per seed.

use std::cell::RefCell;

use ftsim_api::command::Command;

use crate::program::Program;

/// The most idle programs a thread keeps (beyond it, a returned program is stopped).
const IDLE_MAX: usize = 256;

thread_local! {
    static IDLE: RefCell<Vec<(Command, Program)>> = const { RefCell::new(Vec::new()) };
}

/// A program running `command`: an idle one of this thread if there is one, else a new one.
pub fn take(command: &Command) -> Result<Program, String> {
    let idle = IDLE.with(|idle| {
        let mut idle = idle.borrow_mut();
        let at = idle.iter().rposition(|(c, _)| c == command)?;
        Some(idle.swap_remove(at).1)
    });
    match idle {
        Some(program) => Ok(program),
        None => Program::spawn(command),
    }
}

/// Keeps `program` (between steps, healthy) for the next node of `command` on this thread.
pub fn give_back(command: &Command, program: Program) {
    // A thread that is ending has no pool left: the program is stopped with it.
    let _ = IDLE.try_with(|idle| {
        let mut idle = idle.borrow_mut();
        if idle.len() < IDLE_MAX {
            idle.push((command.clone(), program));
        }
    });
}

/// Stops this thread's idle programs: the next nodes start fresh ones.
pub fn stop_idle() {
    IDLE.with(|idle| idle.borrow_mut().clear());
}

/// How many idle programs this thread keeps (for tests).
pub fn idle_count() -> usize {
    IDLE.with(|idle| idle.borrow().len())
}
