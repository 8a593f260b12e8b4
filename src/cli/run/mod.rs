//! `ftsim run`: every scenario over its seeds, in parallel, judged against its `expect`; with
//! the flags of a sweep at scale (results kept as they finish and resumed, shards of a job
//! array), and what it may write besides (an HTML report, JUnit XML, shrunk repros).

mod args;
mod progress;
mod report;
mod results;
mod shard;
mod sweep;

pub use args::RunArgs;

use crate::cli::app::App;
use crate::cli::error::{CliError, Status};

/// `ftsim run`: its flags checked, then the sweep.
pub fn main(args: RunArgs, app: &App) -> Result<Status, CliError> {
    let asked = args.sweep()?;
    sweep::run(app, &asked)
}
