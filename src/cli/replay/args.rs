//! `ftsim replay`'s command line: its flags with their help, and what they ask to replay (a
//! seed of a scenario, or a repro file) and which timeline entries to show.

use std::path::{Path, PathBuf};

use crate::cli::budget::BudgetFlags;
use crate::cli::error::CliError;
use crate::cli::scenarios::load::Chosen;

/// Re-run one seed, or a repro file, traced, and print its timeline
#[derive(clap::Args)]
#[command(long_about = LONG_ABOUT)]
pub struct ReplayArgs {
    /// The scenario file
    #[arg(required_unless_present = "repro")]
    pub file: Option<PathBuf>,
    /// The seed to replay
    #[arg(long, required_unless_present = "repro")]
    pub seed: Option<u64>,
    /// Grid point K of the file's [sweep]
    ///
    /// The point of the file's [sweep] grid (1-based, as `run` prints it).
    #[arg(long, value_name = "K", conflicts_with = "repro")]
    pub point: Option<usize>,
    /// The seed draws its fault mix (`run --swarm`)
    ///
    /// The seed draws its own fault mix, as in `run --swarm`.
    #[arg(long, conflicts_with = "repro")]
    pub swarm: bool,
    /// A scenario `classify` derived from the file
    ///
    /// The scenario `classify` derived from the file: a fault class (crash-stop, ...)
    /// or an envelope point (n5-crashes2), as its evidence commands name it.
    #[arg(long, value_name = "NAME", conflicts_with_all = ["repro", "point", "swarm"])]
    pub variant: Option<String>,
    /// Replay this repro file instead of a seed
    ///
    /// Replay this repro file instead of a scenario's seed: from its recorded decisions,
    /// its trace hash checked.
    #[arg(long, value_name = "REPRO.json", conflicts_with_all = ["file", "seed"])]
    pub repro: Option<PathBuf>,
    /// Output: text, json or shiviz [default: text]
    ///
    /// Output format: text (a readable timeline), json (seed, trace_hash, outcome,
    /// violations, plan and events), or shiviz (a log with vector clocks for the ShiViz
    /// visualiser).
    #[arg(
        long,
        value_enum,
        default_value = "text",
        hide_default_value = true,
        hide_possible_values = true
    )]
    pub format: ReplayFormat,
    /// Write an HTML space-time diagram
    ///
    /// Also write the run as a self-contained HTML space-time diagram to this file.
    #[arg(long, value_name = "OUT.html")]
    pub html: Option<PathBuf>,
    /// Write the clients' history for `ftsim history`
    ///
    /// Also write the clients' history (of a protocol that checks linearizability) as JSON
    /// lines to this file, for `ftsim history`.
    #[arg(long, value_name = "OUT.jsonl")]
    pub history: Option<PathBuf>,
    /// Show only node N's entries (repeatable)
    ///
    /// Timeline: only entries at node N or about it (messages to or from it, suspicions
    /// of it), and network-wide ones; repeat for several nodes.
    #[arg(long, value_name = "N")]
    pub node: Vec<usize>,
    /// Show only entries from this time (10ms)
    ///
    /// Timeline: only entries at or after this virtual time (e.g. 10ms).
    #[arg(long, value_name = "T")]
    pub from: Option<ftsim_api::Duration>,
    /// Show only entries until this time (25ms)
    ///
    /// Timeline: only entries at or before this virtual time (e.g. 25ms).
    #[arg(long, value_name = "T")]
    pub to: Option<ftsim_api::Duration>,
    /// Show only the last N entries
    ///
    /// Timeline: only the last N entries (after the other filters).
    #[arg(long, value_name = "N")]
    pub last: Option<usize>,
    #[command(flatten)]
    pub budget: BudgetFlags,
}

/// `ftsim help replay`.
const LONG_ABOUT: &str = "Re-run one seed with full tracing and print the timeline (time, \
    node, event), ending with the verdict and the trace hash. The run is bit-identical to \
    the one `run` reported. With --repro, replay a repro file (from `shrink` or `run \
    --shrink`) from its recorded decisions, without its seed, and check its trace hash: \
    a different hash is reported on stderr with where the run left its recording and why \
    it may (another protocol build or ftsim version). Exits 1 if the run violated a \
    property, panicked or exceeded its budget, 0 if it passed.";

/// `--format` of `replay`.
#[derive(Clone, Copy, clap::ValueEnum, PartialEq, Eq)]
pub enum ReplayFormat {
    /// A readable timeline
    Text,
    /// JSON with seed, trace_hash, outcome, violations, plan and events
    Json,
    /// A log with vector clocks for the ShiViz visualiser
    Shiviz,
}

/// What to replay.
pub enum Target<'a> {
    /// One seed of a scenario file.
    Seed {
        file: &'a Path,
        seed: u64,
        /// Its grid point or `classify` variant, if it names one.
        chosen: Chosen<'a>,
        /// The seed draws its own fault mix (`run --swarm`).
        swarm: bool,
    },
    /// The run of a repro file.
    Repro(&'a Path),
}

impl ReplayArgs {
    /// What to replay: a repro file, or a scenario file and a seed (clap makes sure one of
    /// them is given; this says so if not).
    pub fn target(&self) -> Result<Target<'_>, CliError> {
        let chosen = Chosen {
            point: self.point,
            variant: self.variant.as_deref(),
        };
        match (&self.repro, &self.file, self.seed) {
            (Some(path), _, _) => Ok(Target::Repro(path)),
            (None, Some(file), Some(seed)) => Ok(Target::Seed {
                file,
                seed,
                chosen,
                swarm: self.swarm,
            }),
            _ => Err(CliError::Usage(
                "expected FILE --seed S, or --repro FILE".into(),
            )),
        }
    }

    /// Which entries the text timeline shows.
    pub fn filter(&self) -> reports::timeline::Filter {
        let since_start = |d: ftsim_api::Duration| ftsim_api::Time::ZERO + d;
        reports::timeline::Filter {
            nodes: self.node.clone(),
            from: self.from.map(since_start),
            to: self.to.map(since_start),
            last: self.last,
        }
    }
}
