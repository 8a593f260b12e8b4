//! The `ftsim` command line as a library: [`main_with`] runs the whole CLI (`run`, `replay`,
//! `shrink`, `diff`, `check`, `list`, HTML, reports, repro files, JSON) over the bundled protocols
//! plus any a user adds, so a protocol crate gets the same tool with a three-line `main.rs`:
//!
//! ```no_run
//! # mod my_protocol { pub struct Bully; }
//! # use ftsim::api as _;
//! fn main() -> std::process::ExitCode {
//!     ftsim::cli::main_with(&[/* &my_protocol::Bully */])
//! }
//! ```
//!
//! Arguments are parsed, every scenario is validated, and only then does anything run; one
//! place ([`error::exit_code`]) maps the outcome to the exit code.

mod app;
mod budget;
mod check;
mod classify;
mod diff;
pub mod error;
mod explore;
mod files;
mod interrupt;
mod list;
mod merge;
mod output;
mod replay;
mod run;
mod scenarios;
mod shrink;
mod sweep_json;
mod trace_sinks;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use ftsim_api::AnyProtocol;

use app::{program_name, App};
use error::{exit_code, CliError, Status};
use output::Format;

#[derive(Parser)]
#[command(
    version,
    about = "Deterministic simulator for fault-tolerance protocols",
    long_about = "Deterministic simulator for fault-tolerance protocols.\n\n\
        A run is a pure function of (scenario, seed): run a scenario over many seeds to find \
        what breaks, replay one seed exactly to see how, shrink it to the smallest run that \
        still breaks, and keep that run as a repro file that replays anywhere.\n\n\
        Exit codes: 0 every expectation met; 1 some expectation not met; 2 bad input or usage; \
        130 a sweep interrupted by Ctrl-C."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    Run(run::RunArgs),
    Replay(replay::ReplayArgs),
    Shrink(shrink::ShrinkArgs),
    Diff(diff::DiffArgs),
    Explore(explore::ExploreArgs),
    /// Validate scenario files without running them
    Check {
        /// Scenario files, or directories of *.toml files
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Output format (JSON: docs/json.md)
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// The fault-tolerance class of a protocol under each fault class, or its fault envelope
    #[command(
        long_about = "Run the protocol a scenario sets up under one fault class at a time \
        (none, message loss, crash-stop, crash-recover, partitions, a Byzantine node if the \
        protocol has adversaries), the scenario's own faults removed, and print per class \
        whether it is masking (safe and live), fail-safe (safe, not live), non-masking (live, \
        not safe) or unsafe, with the shortest run that shows it. With --envelope: per group \
        size (the file's [sweep] nodes, or its nodes), the largest number of crashes (or \
        Byzantine nodes, --byzantine) with no violation, and the first that breaks."
    )]
    Classify {
        /// The scenario file
        file: PathBuf,
        /// Seeds per class (default: the scenario's count)
        #[arg(long)]
        seeds: Option<u64>,
        /// Print the fault envelope instead: the most faults with no violation per group size
        #[arg(long)]
        envelope: bool,
        /// Envelope: count Byzantine nodes (the scenario's adversary) instead of crashes
        #[arg(long, requires = "envelope")]
        byzantine: bool,
        /// Envelope: try at most this many faults per group size
        #[arg(long, requires = "envelope")]
        max_faults: Option<usize>,
    },
    /// Combine the JSON of a sweep's shards into the summary one machine would print
    #[command(
        long_about = "Combine the --format json output of every shard of one sweep (`ftsim \
        run --shard K/N --format json`, K from 1 to N) into the summary one machine would \
        have printed: each scenario's tallies are added and judged again, identical to an \
        unsharded run apart from wall times. Exits like `run`: 0 every expectation met, 1 \
        not, 2 if a part is missing, repeated, or from another sweep."
    )]
    Merge {
        /// The shards' JSON files
        #[arg(required = true)]
        parts: Vec<PathBuf>,
        /// Output format (JSON: docs/json.md)
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// List protocols, their parameters with defaults, and their invariants
    List,
}

/// Runs the `ftsim` command line with `extra` protocols next to the bundled ones, and returns
/// the exit code. Protocol panics are run outcomes, so the panic hook stays quiet inside runs.
pub fn main_with(extra: &[&'static dyn AnyProtocol]) -> ExitCode {
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !ftsim_api::sim_core::in_simulation() {
            default_hook(info);
        }
    }));
    output::set_line_widths();
    let program = program_name();
    let matches = Cli::command().bin_name(program.clone()).get_matches();
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    let app = crate::catalog(extra).map(|catalog| App { catalog, program });
    exit_code(app.and_then(|app| dispatch(&app, cli.command)))
}

fn dispatch(app: &App, command: Command) -> Result<Status, CliError> {
    match command {
        Command::Run(args) => run::main(args, app),
        Command::Replay(args) => replay::main(args, app),
        Command::Shrink(args) => shrink::main(args, app),
        Command::Diff(args) => diff::main(args, app),
        Command::Check { files, format } => check::cmd_check(app, &files, format),
        Command::Merge { parts, format } => merge::cmd_merge(app, &parts, format),
        Command::Classify {
            file,
            seeds,
            envelope,
            byzantine,
            max_faults,
        } => classify::cmd_classify(
            app,
            classify::ClassifyArgs {
                file: &file,
                seeds,
                envelope,
                byzantine,
                max_faults,
            },
        ),
        Command::Explore(args) => explore::main(args, app),
        Command::List => list::cmd_list(app),
    }
}
