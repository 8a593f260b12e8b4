//! The `ftsim` command line as a library: [`main_with`] runs the whole CLI (`run`, `replay`,
//! `shrink`, `diff`, `check`, `list`, HTML, reports, repro files, JSON) over the bundled protocols
//! plus any a user adds, and `history` checks a history file,, so a protocol crate gets the same tool with a three-line `main.rs`:
//!
//! ```no_run
//! # mod my_protocol { pub struct Bully; }
//! # use ftsim::api as _;
//! fn main() -> std::process::ExitCode {
//!     ftsim::cli::main_with(&[/* &my_protocol::Bully */])
//! }
//! ```
//!
//! Arguments are parsed, every scenario is validated, and only then does anything run; each
//! subcommand's entry returns a `Result` and one place ([`error::exit_code`]) maps it to the
//! exit code.
//!
//! Each subcommand is a module of its own (a folder where it has several files) holding its
//! clap arguments struct with its help, and a `main` taking that struct. What several of them
//! share lives in modules below them, none of which imports a subcommand: the app
//! (`app.rs`), errors and exit codes (`error.rs`), printing (`output.rs`), output files
//! (`files.rs`), Ctrl-C (`interrupt.rs`), the budget flags (`budget.rs`), loading scenarios
//! (`scenarios/`), the sweep's JSON (`sweep_json.rs`) and the trace sinks of a streamed run
//! (`trace_sinks.rs`).

// The subcommands.
mod check;
mod classify;
mod debug;
mod diff;
mod explore;
mod history;
mod list;
mod merge;
mod new;
mod replay;
mod run;
mod shrink;

// What they share.
mod app;
mod budget;
pub mod error;
mod files;
mod help;
mod interrupt;
mod output;
mod reference;
mod scenarios;
mod sweep_json;
mod trace_sinks;

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use ftsim_runner::AnyProtocol;

use app::{program_name, App};
use error::{exit_code, CliError, Status};

/// The command line: a subcommand and its arguments.
#[derive(Parser)]
#[command(version, about = ABOUT, long_about = LONG_ABOUT)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// `ftsim --help`'s first line.
const ABOUT: &str = "Deterministic simulator for fault-tolerance protocols";

/// `ftsim help`: the long form.
const LONG_ABOUT: &str = "Deterministic simulator for fault-tolerance protocols.\n\n\
    A run is a pure function of (scenario, seed): run a scenario over many seeds to find \
    what breaks, replay one seed exactly to see how, shrink it to the smallest run that \
    still breaks, and keep that run as a repro file that replays anywhere.\n\n\
    Exit codes: 0 every expectation met; 1 some expectation not met; 2 bad input or usage; \
    3 a history undecided within its limits (`ftsim history`); 130 a sweep interrupted by \
    Ctrl-C.";

/// The subcommands, in the order `--help` lists them; each one's arguments, help and code
/// live in its module.
#[derive(Subcommand)]
enum Command {
    Run(run::RunArgs),
    Replay(replay::ReplayArgs),
    Shrink(shrink::ShrinkArgs),
    Diff(diff::DiffArgs),
    Explore(explore::ExploreArgs),
    Debug(debug::DebugArgs),
    Check(check::CheckArgs),
    History(history::HistoryArgs),
    Classify(classify::ClassifyArgs),
    Merge(merge::MergeArgs),
    List(list::ListArgs),
    New(new::NewArgs),
}

/// Runs the `ftsim` command line with `extra` protocols next to the bundled ones, and returns
/// the exit code. Protocol panics are run outcomes, so the panic hook stays quiet inside runs.
pub fn main_with(extra: &[&'static dyn AnyProtocol]) -> ExitCode {
    crate::allocator::purge_freed_memory_promptly();
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !ftsim_api::sim_core::in_simulation() {
            default_hook(info);
        }
    }));
    output::set_line_widths();
    let program = program_name();
    let matches = command(&program).get_matches();
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    let app = crate::catalog(extra).map(|catalog| App { catalog, program });
    exit_code(app.and_then(|app| dispatch(&app, cli.command)))
}

/// The guide's command-line reference (`docs/reference/cli.md`) in Markdown, generated from
/// the definitions the parser uses (`tests/guide.rs` holds the committed page to it).
pub fn reference_markdown() -> String {
    reference::markdown(Cli::command().bin_name("ftsim"))
}

/// The guide's protocol reference (`docs/reference/protocols.md`) in Markdown: every bundled
/// protocol's declaration, with the scenario files in `scenarios_dir` that run it.
pub fn protocols_markdown(scenarios_dir: &std::path::Path) -> Result<String, String> {
    let catalog = crate::catalog(&[]).map_err(|e| format!("{e:?}"))?;
    let scenarios = list::markdown::bundled_scenarios(scenarios_dir)
        .map_err(|e| format!("{}: {e}", scenarios_dir.display()))?;
    let infos: Vec<_> = catalog.infos().collect();
    Ok(list::markdown::catalogue(&infos, &scenarios))
}

/// Whether `ftsim ARGS` is a command line `ftsim` accepts (its help and version included), or
/// clap's words for why not: the guide's tests hold every command it shows to it.
pub fn accepts(args: &[&str]) -> Result<(), String> {
    match command("ftsim")
        .try_get_matches_from(std::iter::once("ftsim").chain(args.iter().copied()))
    {
        Ok(_) => Ok(()),
        Err(e) if matches!(e.kind(), clap::error::ErrorKind::DisplayHelp) => Ok(()),
        Err(e) if matches!(e.kind(), clap::error::ErrorKind::DisplayVersion) => Ok(()),
        Err(e) => Err(e.to_string()),
    }
}

/// The command line as `ftsim` parses it, under the name `program`: the subcommands with
/// their short `--help` (see `help`).
fn command(program: &str) -> clap::Command {
    help::with_short_help(Cli::command().bin_name(program.to_string()))
}

/// Runs the subcommand asked for.
fn dispatch(app: &App, command: Command) -> Result<Status, CliError> {
    match command {
        Command::Run(args) => run::main(args, app),
        Command::Replay(args) => replay::main(args, app),
        Command::Shrink(args) => shrink::main(args, app),
        Command::Diff(args) => diff::main(args, app),
        Command::Explore(args) => explore::main(args, app),
        Command::Debug(args) => debug::main(args, app),
        Command::Check(args) => check::main(args, app),
        Command::History(args) => history::main(args, app),
        Command::Classify(args) => classify::main(args, app),
        Command::Merge(args) => merge::main(args, app),
        Command::List(args) => list::main(args, app),
        Command::New(args) => new::main(args),
    }
}
