//! What runs an ftsim protocol, given its declaration (`ftsim-api`): scenario files
//! ([`scenario`]), a protocol prepared for a scenario ([`Simulation`]), sweeps ([`sweep`]),
//! shrinking a failure ([`shrink`]), self-contained repro files ([`repro`]), the bridge from a
//! declaration to the explorer ([`explore`]) and the `cargo test` harness ([`Harness`]).
//!
//! [`AnyProtocol`] erases a protocol's types once per run, for the `ftsim` command line and
//! the harness alike; the engine stays statically dispatched inside.

#![warn(missing_docs)]

pub mod any_protocol;
pub mod catalog;
pub mod explore;
pub mod harness;
pub mod input;
pub mod repro;
pub mod scenario;
pub mod seeds;
pub mod shrink;
pub mod simulation;
pub mod swarm;
pub mod sweep;

pub use any_protocol::AnyProtocol;
pub use catalog::Catalog;
pub use harness::{check_scenario, Harness};
pub use scenario::{error_at_key, Expect, Scenario, ScenarioError};
pub use simulation::Worker;
pub use simulation::{Recorded, RunOptions, Simulation, TapeFit};

pub use ftsim_api;
pub use ftsim_explore;
