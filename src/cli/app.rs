//! What every command needs: the protocols scenarios may name, and this program's name for the
//! replay commands it prints.

use std::path::PathBuf;

use ftsim_runner::Catalog;

/// What every command needs: the protocols scenarios may name, and this program's name for
/// the replay commands it prints.
pub struct App {
    pub catalog: Catalog,
    pub program: String,
}

/// The program's name as the user ran it, for the replay commands it prints.
pub fn program_name() -> String {
    std::env::args_os()
        .next()
        .map(PathBuf::from)
        .and_then(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "ftsim".to_string())
}
