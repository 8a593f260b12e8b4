//! The ftsim engine: a deterministic discrete-event simulator of processes exchanging messages
//! over a faulty network. A run is a pure function of its [`Setup`] and seed: every random
//! decision (delays, loss, duplication, fault times, a process's own randomness) flows through
//! [`Choices`] from seeded ChaCha8 streams, time is integer nanoseconds, and every collection
//! that affects a run is ordered. Protocols implement [`Process`] and push effects into a
//! [`Ctx`]; [`Property`]s judge each run (safety after every event, liveness at the end,
//! reachability across a sweep). sim-core knows no protocol, no CLI and no report format.

#![warn(missing_docs)]

mod chacha;
pub mod client_history;
pub mod engine;
pub mod entropy;
pub mod faults;
pub mod message;
pub mod network;
pub mod nodes;
pub mod process;
pub mod property;
pub mod search;
pub mod tape;
pub mod time;
pub mod timer;
pub mod trace;

/// A node's index in the group, from 0 to n - 1.
pub type NodeId = usize;

pub use client_history::{ClientHistory, FileRecord, FileValue};
pub use engine::{
    in_simulation, Budgets, DetectorModel, Engine, RunConfig, Setup, StatesWanted, TraceSink,
    CLIPPED, STABLE_TEXT_BYTES_MAX,
};
pub use entropy::{Choices, Draw, Schedule, Seeded, Stream, PPM};
pub use faults::{FaultEvent, FaultKind, FaultPlan, FaultSpec};
pub use message::{DropReason, MsgKey};
pub use network::{DelayDist, LinkModel, NetworkModel};
pub use nodes::{nodes_phrase, NodeSet};
pub use process::{Adversary, AdversaryCtx, AdversarySnapshot, Ctx, Process, Silent};
pub use property::{
    Explorable, Falsified, Monitor, Property, PropertyKind, SearchMonitor, StateCheck, World,
};
pub use search::rename::Rename;
pub use search::script::{Cue, Happening, Script, Scripted};
pub use search::Searchable;
pub use search::{enumerate, script, step, timer_names};
pub use tape::{Choice, Divergence, Recorder, Tape};
pub use time::{Duration, Time};
pub use timer::TimerId;
pub use trace::{
    thousands, Budget, Measured, Outcome, ProcessState, RunReport, Stats, TraceEvent, TraceKind,
    Violation, TRACE_FORMAT,
};
