//! ftsim, the deterministic simulator for fault-tolerance protocols, as a library: the command
//! line ([`cli::main_with`]) over a user's own protocols, after the bundled catalogue when the
//! `catalogue` feature is on (the default; the `ftsim` binary needs it). A protocol crate
//! depends on `ftsim-api` (re-exported here as [`api`]) to declare its protocols, and on this
//! crate, with `default-features = false`, for a binary of its own and for the test harness
//! ([`Harness`], from the runner, re-exported here as [`runner`]).

mod allocator;
pub mod cli;

pub use ftsim_api as api;
pub use ftsim_runner as runner;
pub use ftsim_runner::{check_scenario, Harness};

/// The allocator the `ftsim` binary runs with (mimalloc: a sweep's per-seed objects and a
/// search's states cost a fraction of what the system allocator takes; [`cli::main_with`]
/// has it give freed memory back within 10 ms). A protocol crate's own binary opts in the same
/// way: `#[global_allocator] static A: ftsim::Allocator = ftsim::Allocator;`.
pub use mimalloc::MiMalloc as Allocator;

use ftsim_runner::{AnyProtocol, Catalog};

/// The bundled protocols (with the `catalogue` feature) followed by `extra`; an error names a
/// protocol declared wrongly or a name used twice.
pub fn catalog(extra: &[&'static dyn AnyProtocol]) -> Result<Catalog, cli::error::CliError> {
    let protocols = bundled().iter().chain(external()).chain(extra).copied();
    Catalog::new(protocols).map_err(cli::error::CliError::Catalog)
}

/// The workloads whose nodes are external programs (with the `external` feature).
#[cfg(feature = "external")]
fn external() -> &'static [&'static dyn AnyProtocol] {
    ftsim_external::all()
}

/// No workloads over external programs: the `external` feature is off.
#[cfg(not(feature = "external"))]
fn external() -> &'static [&'static dyn AnyProtocol] {
    &[]
}

/// The bundled catalogue's protocols.
#[cfg(feature = "catalogue")]
fn bundled() -> &'static [&'static dyn AnyProtocol] {
    protocols::all()
}

/// No bundled protocols: the `catalogue` feature is off.
#[cfg(not(feature = "catalogue"))]
fn bundled() -> &'static [&'static dyn AnyProtocol] {
    &[]
}
