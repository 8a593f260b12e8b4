//! `ftsim explore`: a search over a scenario's states, or over the engine's runs decision by
//! decision, instead of its seeds; judged against the scenario's `expect`, its counterexample
//! written as a repro file. `--time-limit` and `--max-memory` are watched on a thread of their
//! own (`limit_watch.rs`), and a search stopped early says what to try (`hint.rs`).

mod args;
mod decisions;
mod hint;
mod limit_watch;
mod memory;
mod repro;
mod states;
mod timing;

pub use args::ExploreArgs;
pub(crate) use repro::{repro_of, AsRun};

use crate::cli::app::App;
use crate::cli::error::{CliError, Status};

use args::Strategy;

/// `ftsim explore`: the decision search, or a state search, as `--strategy` asks.
pub fn main(args: ExploreArgs, app: &App) -> Result<Status, CliError> {
    match args.strategy {
        Strategy::Decisions => decisions::explore(app, &args),
        Strategy::Exhaustive | Strategy::Pct | Strategy::Random => states::explore(app, &args),
    }
}
