//! The engine's interface for searches and scripted runs (`ftsim explore`): what a search over
//! a protocol's states or runs, and the replay of a path it found, ask of sim-core besides the
//! event loop.
//! - [`step`] runs one handler outside the engine, for a search that keeps its own copy of
//!   every node and decides itself what happens next;
//! - [`timer_names`] hashes timer handles by canonical names inside a search's fingerprints,
//!   so that states differing only in how often a timer was re-armed are one state;
//! - [`enumerate`] answers a run's decisions by enumerating their outcomes instead of drawing
//!   them, for a search over the engine's own runs;
//! - [`script`] makes a path a search found an ordinary run: its timing is scripted, not
//!   drawn;
//! - [`rename`] renames node ids inside a protocol's values, for a search's symmetry
//!   reduction over interchangeable nodes.
//!
//! No other module of sim-core imports these: the engine meets a script only as the
//! [`Schedule`](crate::Schedule) a [`Choices`](crate::Choices) source may hand it, and a timer
//! handle hashes through the `Hash` impl that `timer_names` gives it.

use std::hash::Hash;

use crate::Process;

pub mod enumerate;
pub mod rename;
pub mod script;
pub mod step;
pub mod timer_names;

/// What a search needs of a process: copies (`Clone`) and fingerprints (`Hash`) of the
/// process and of its stable storage, and every part `Send` and `Sync` (a breadth-first
/// search rebuilds and expands states on several threads, each reading the parent they were
/// reached from; a state shares a node's armed timers with the states after it until they
/// change). Derived types are, with ordered collections and no `Rc`, `Cell` or `RefCell`.
/// Implemented for every such process.
pub trait Searchable:
    Process<Stable: Hash + Send + Sync, Msg: Send + Sync, Timer: Send + Sync>
    + Clone
    + Hash
    + Send
    + Sync
{
}

impl<P> Searchable for P where
    P: Process<Stable: Hash + Send + Sync, Msg: Send + Sync, Timer: Send + Sync>
        + Clone
        + Hash
        + Send
        + Sync
{
}
