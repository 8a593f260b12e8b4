//! `ftsim shrink`: a failing seed, or the run of a repro file, shrunk to the smallest run that
//! fails the same way and written as a repro file; and the shrinking `run --shrink` does for
//! each scenario of a sweep.

mod args;
mod print;
mod repro;
mod seed;

pub use args::{budget, ShrinkArgs};
pub use print::print_plan_of;
pub use seed::{shrink_sweep, DEFAULT_REPRO_DIR};

use crate::cli::app::App;
use crate::cli::error::{CliError, Status};
use crate::cli::scenarios::load::Chosen;

/// `ftsim shrink`: the budget checked, then the seed or the repro shrunk.
pub fn main(args: ShrinkArgs, app: &App) -> Result<Status, CliError> {
    let budget = budget("", args.max_runs, args.max_events)?;
    let output = args.output.as_deref();
    match (&args.repro, &args.file, args.seed) {
        (Some(path), _, _) => repro::shrink_repro(app, path, output, budget),
        (None, Some(file), Some(seed)) => {
            let chosen = Chosen {
                point: args.point,
                variant: args.variant.as_deref(),
            };
            seed::shrink_seed(app, file, seed, chosen, output, budget)
        }
        _ => Err(CliError::Usage(
            "shrink takes a scenario file and --seed, or --repro".into(),
        )),
    }
}
