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
mod explore_decisions;
mod explore_flags;
mod explore_hint;
mod explore_repro;
mod explore_timing;
mod files;
mod interrupt;
mod limit_watch;
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
    /// Search a scenario's states instead of its seeds: every interleaving, loss and crash
    #[command(
        long_about = "Search the states of one scenario under the asynchronous semantics \
        instead of running its seeds: at each step any message in flight may be delivered and \
        any armed timer may fire; where the scenario allows it, a message may be lost (lossy \
        links; a crashed sender's messages) or delivered again (duplicating links keep a set), \
        a node may crash (up to the scenario's crash budget) or recover, and a failure-detector \
        notice may arrive. A handler's random draws are branches too (each outcome, a chance \
        happening or not; a draw of more than 16 outcomes and the nodes' start answered with \
        the first, counted in the report). States are deduplicated by a fingerprint of every \
        process, the messages in flight, timers (by canonical names: a timer re-armed forever \
        makes no new states) and property monitors. Safety properties are checked at \
        every state. A search has no clock: where the protocol's model bounds message delays \
        (every message delivered within a bound), each violation found is checked for step \
        times within that bound (every timer at its delay, simultaneous steps in the engine's \
        order); one without them is set aside (counted), the search goes on, and a search \
        that set any aside is not a pass. A violation reported prints its step times and its \
        run is at them; eventually properties are not checked under such a bound. --strategy exhaustive visits every reachable state: breadth-first \
        (--order bfs, the default) the first violation found comes with a shortest path; \
        depth-first (--order dfs) holds only the current path and the fingerprints seen. \
        Breadth-first, --threads N expands states on N threads and merges them in queue \
        order: the same states, depth and counterexample for every N. --por adds \
        partial-order reduction (Godefroid's sleep sets) to the exhaustive safety search: a \
        transition is not taken where an order of independent steps (handlers at different \
        nodes that emit no observation; a loss and a step at neither end of its link) already \
        covers it, so every state is still visited, at the same depth, with the same verdict \
        and counterexample length, from fewer transitions; crashes and recoveries are \
        dependent on everything; not with --symmetry; the liveness (lasso) search stays \
        unreduced, since sleep sets do not keep cycles. --strategy pct and \
        random sample seeded runs instead (same command, same runs; the seeds default to the \
        scenario's): random takes a uniformly random enabled transition \
        at each step, and an eventually property is judged wherever a run may stop (nothing \
        left that must happen; a sample finds no cycles); pct (Probabilistic Concurrency Testing, Burckhardt et al. 2010) gives \
        each node (the node whose handler a step runs) a random distinct priority, always runs \
        the highest-priority node that has an event, and lowers the running node at d - 1 \
        change points drawn among the first k steps (k: --max-depth, else the longest run so \
        far). For a program with n threads and k steps, each run finds a given bug of depth d \
        with probability at least 1/(n*k^(d-1)). Faults (a loss, a crash within the budget, a \
        duplicate delivery) are the environment's: pct takes one instead of the scheduled \
        step with probability 1/k (about one per run), so a bug that needs a fault is found \
        less often than the bound. A sample proves nothing: a `pass` scenario is met only by \
        an exhaustive search that completes. --strategy decisions searches the engine's own \
        runs instead (concrete time, every clock; any protocol): every decision of a run, from \
        its fault plan to each delay, loss and process draw, takes each of a few outcomes (a \
        chance: happens or not; at most 16 outcomes: each; a ranged one: --values K of them, \
        its two ends by default), runs with the fewest decisions moved from their simplest \
        outcome first, each once, so the first failing run moves the fewest; \
        --max-deviations B and --runs N bound it (a bound is no pass). Prints states generated, unique states, depth \
        and unique states per second (sampling: runs, steps, distinct states and runs per \
        second) and peak memory. The protocol must declare `exploration` (its process Clone \
        + Hash, its types Send). Exits 0 if the scenario's `expect` is met (a violation of \
        the expected property found; for `pass`, every state visited and none failing), 1 if \
        not, 2 on bad input."
    )]
    Explore(explore_flags::ExploreFlags),
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
        Command::Explore(flags) => explore::cmd_explore(app, flags),
        Command::List => list::cmd_list(app),
    }
}
