//! ftsim, the deterministic simulator for fault-tolerance protocols, as a library: the command
//! line ([`cli::main_with`]) over the bundled protocol catalogue plus a user's own protocols.
//! A protocol crate depends on `ftsim-api` (re-exported here as [`api`]) to declare and test
//! its protocols, and on this crate for a binary of its own.

pub mod cli;

pub use ftsim_api as api;

use ftsim_api::{AnyProtocol, Catalog};

/// The bundled protocols followed by `extra`; an error names a protocol declared wrongly or a
/// name used twice.
pub fn catalog(extra: &[&'static dyn AnyProtocol]) -> Result<Catalog, cli::error::CliError> {
    Catalog::new(protocols::all().iter().chain(extra).copied())
        .map_err(cli::error::CliError::Catalog)
}
