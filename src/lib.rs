//! ftsim, the deterministic simulator for fault-tolerance protocols, as a library: the command
//! line ([`cli::main_with`]) over the bundled protocol catalogue plus a user's own protocols.
//! A protocol crate depends on `ftsim-api` (re-exported here as [`api`]) to declare and test
//! its protocols, and on this crate for a binary of its own.

pub mod cli;

pub use ftsim_api as api;

/// The allocator the `ftsim` binary runs with (mimalloc: a sweep's per-seed objects and a
/// search's states cost a fraction of what the system allocator takes). A protocol crate's own
/// binary opts in the same way: `#[global_allocator] static A: ftsim::Allocator =
/// ftsim::Allocator;`.
pub use mimalloc::MiMalloc as Allocator;

use ftsim_api::{AnyProtocol, Catalog};

/// The bundled protocols followed by `extra`; an error names a protocol declared wrongly or a
/// name used twice.
pub fn catalog(extra: &[&'static dyn AnyProtocol]) -> Result<Catalog, cli::error::CliError> {
    Catalog::new(protocols::all().iter().chain(extra).copied())
        .map_err(cli::error::CliError::Catalog)
}
