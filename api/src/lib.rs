//! What a protocol author writes against, and nothing that runs it: the engine's types
//! ([`Process`], [`Ctx`], [`Property`], faults and networks), the protocol declaration
//! ([`Protocol`], [`params!`], [`Properties`], [`Adversaries`], the [`Model`] it assumes, its
//! [`Metrics`]), reusable properties ([`properties`]) and the consent to be searched
//! ([`Exploring`]). Scenario files, sweeps, shrinking, repro files, the explorer and the
//! `cargo test` harness live in the runner (`ftsim-runner`, re-exported by `ftsim`).
//!
//! A protocol is declared once: its process type, a typed parameter struct, a table that is the
//! only place each property's name and kind are written, its adversaries, the failure detector
//! it needs and the checks its parameters need. The runner erases the type once per run, for
//! the `ftsim` command line (see `ftsim::cli::main_with`) and the harness alike.
//!
//! # Determinism rules for protocol crates
//! A run must be a pure function of (scenario, seed). In protocol code: no `HashMap`/`HashSet`
//! (iteration order differs between runs; use `BTreeMap`/`BTreeSet`), no wall clock, no
//! `thread_rng` (draw through [`Ctx::random_below`]), no state in statics. Copy ftsim's
//! `clippy.toml` (it bans these) next to your `Cargo.toml`; the harness reruns seeds and fails
//! on a trace-hash difference.

#![warn(missing_docs)]

pub mod command;
mod macros;
pub mod metrics;
pub mod model;
pub mod nodes;
pub mod params;
pub mod properties;
pub mod protocol;
pub mod run_spec;
pub mod spec_error;
pub mod table;

pub use metrics::{Measure, Metrics};
pub use model::{DetectorClass, FaultClass, Liveness, Model, Timing};
pub use nodes::{fits_node_set, nodes_phrase, replica_or_client, NodeSet};
pub use params::{NoParams, ParamInfo, ParamKind, ParamType, ParamValue, ParamValues, Params};
pub use protocol::{
    Adversaries, AdversaryInfo, Exploring, NodeClass, Protocol, ProtocolInfo, Renamable, Searchable,
};
pub use run_spec::RunSpec;
pub use spec_error::SpecError;
pub use table::{Properties, PropertyDef, PropertyInfo, SearchFactory};

pub use sim_core;
pub use sim_core::{
    Adversary, AdversaryCtx, AdversarySnapshot, Choice, Ctx, DelayDist, DetectorModel, Duration,
    Explorable, Falsified, FaultEvent, FaultKind, FaultPlan, FaultSpec, LinkModel, NetworkModel,
    NodeId, Outcome, Process, Property, PropertyKind, Rename, RunConfig, RunReport, SearchMonitor,
    Silent, StateCheck, Time, TimerId, TraceEvent, TraceKind, Violation, World,
};

#[doc(hidden)]
pub mod __private {
    pub use serde;
}
