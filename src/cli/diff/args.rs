//! `ftsim diff`'s command line: its arguments with their help.

use std::path::PathBuf;

/// Show where two runs part: two repros, or one against this build
#[derive(clap::Args)]
#[command(long_about = LONG_ABOUT)]
pub struct DiffArgs {
    /// A repro file
    pub first: PathBuf,
    /// Another (default: the first, run by this build)
    ///
    /// Another repro file (default: the first one replayed by this build).
    pub second: Option<PathBuf>,
    /// Entries shown each side of it
    ///
    /// Trace entries to show on each side of the difference.
    #[arg(long, default_value_t = 4)]
    pub context: usize,
}

/// `ftsim help diff`.
const LONG_ABOUT: &str = "Compare two runs and show the first trace entry where they differ, \
    with a few entries of context on each side. Given two repro files, compare their \
    recorded traces; given one, compare its recorded trace with the run this build makes \
    from the same scenario, fault plan and decisions: what a change to the protocol did \
    first. Exits 0 if the runs are the same, 1 if they differ, 2 if a file cannot be used \
    (another repro or trace format version is refused with the reason).";
