//! How far a search may go ([`Limits`]: depth, states, threads, reductions, a stop raised
//! from outside) and where it is ([`Progress`], what its caller's `stop` is shown).

use std::sync::atomic::{AtomicBool, Ordering};

/// How far a search may go; `None`: no bound.
#[derive(Clone, Copy, Debug, Default)]
pub struct Limits {
    /// Do not expand states this many steps from the initial one.
    pub max_depth: Option<u32>,
    /// Stop once this many unique states were found.
    pub max_states: Option<u64>,
    /// Deduplicate states up to renamings of the protocol's interchangeable nodes.
    pub symmetry: bool,
    /// Threads that expand states in a breadth-first exhaustive search (0 or 1: the calling
    /// thread only). Every count gives the same report; other strategies use one thread.
    pub threads: usize,
    /// Partial-order reduction (sleep sets) in the exhaustive safety search: the same states,
    /// depth and verdict, fewer transitions taken. Not with symmetry; liveness unreduced.
    pub por: bool,
    /// Raised by the caller (from another thread: a watch of time or memory) to stop the
    /// search at once: the breadth-first search reads it between successors, then asks its
    /// `stop` which limit it was.
    pub stop_now: Option<&'static AtomicBool>,
}

impl Limits {
    /// Whether the caller raised [`Limits::stop_now`].
    pub(crate) fn stopping(&self) -> bool {
        self.stop_now
            .is_some_and(|flag| flag.load(Ordering::Relaxed))
    }

    /// The limit that ends a search once it found `unique` distinct states, in the words of
    /// its option (`--max-states M`, M as given: the figures say how many were found).
    pub(crate) fn states_reached(&self, unique: u64) -> Option<String> {
        let max = self.max_states.filter(|&max| unique >= max)?;
        Some(format!("--max-states {max}"))
    }
}

/// Where a search is, for a progress line and a time limit.
#[derive(Clone, Copy, Debug, Default)]
pub struct Progress {
    /// Transitions taken (states generated, counting revisits).
    pub states: u64,
    /// Distinct states found.
    pub unique: u64,
    /// The deepest level reached.
    pub depth: u32,
}
