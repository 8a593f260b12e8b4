//! The one place errors become exit codes: 0 every expectation met (or a replayed run passed),
//! 1 some expectation not met (or a replayed run failed, or a history is not linearizable), 2
//! bad input, bad usage or an output that cannot be written, 3 a history undecided within its
//! limits, 130 a sweep interrupted by Ctrl-C.

use std::fmt;
use std::path::PathBuf;
use std::process::ExitCode;

use ftsim_runner::repro::ReproError;
use ftsim_runner::ScenarioError;

/// How a command that ran ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Every expectation met, or the replayed run passed.
    Met,
    /// Some expectation not met, or the replayed run failed.
    NotMet,
    /// The user interrupted the sweep (Ctrl-C); what finished was summarised.
    Interrupted,
    /// A history could not be judged within its limits (`ftsim history`).
    Undecided,
}

/// The exit code of a history undecided within its limits.
pub const UNDECIDED_EXIT: u8 = 3;

/// Why a command could not do its job.
#[derive(Debug)]
pub enum CliError {
    /// Scenario files that cannot be used (each printed on its own line).
    Scenarios(Vec<ScenarioError>),
    /// A wrong command line, in words.
    Usage(String),
    /// An output file or directory that cannot be written (or, for a results file that a
    /// sweep adds to, read). An input that cannot be read is a scenario or repro error.
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
    /// A protocol added to the catalogue is declared wrongly or reuses a name.
    Catalog(String),
    /// A repro file that cannot be replayed here, with the reason.
    Repro(ReproError),
    /// A history file that cannot be read: where, and what was expected (line 0: the file
    /// as a whole).
    History {
        path: PathBuf,
        line: usize,
        message: String,
    },
}

impl From<ReproError> for CliError {
    fn from(e: ReproError) -> Self {
        CliError::Repro(e)
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CliError::Scenarios(errors) => {
                let lines: Vec<String> = errors.iter().map(|e| format!("error: {e}")).collect();
                f.write_str(&lines.join("\n"))
            }
            CliError::Usage(message) | CliError::Catalog(message) => {
                write!(f, "error: {message}")
            }
            CliError::Io { path, error } => {
                write!(f, "error: cannot write {}: {error}", path.display())
            }
            CliError::Repro(e) => write!(f, "error: {e}"),
            CliError::History {
                path,
                line: 0,
                message,
            } => {
                write!(f, "error: {}: {message}", path.display())
            }
            CliError::History {
                path,
                line,
                message,
            } => write!(f, "error: {}:{line}: {message}", path.display()),
        }
    }
}

/// Prints an error (if any) and maps the outcome to the process's exit code.
pub fn exit_code(result: Result<Status, CliError>) -> ExitCode {
    match result {
        Ok(Status::Met) => ExitCode::SUCCESS,
        Ok(Status::NotMet) => ExitCode::from(1),
        Ok(Status::Interrupted) => ExitCode::from(super::interrupt::INTERRUPTED_EXIT),
        Ok(Status::Undecided) => ExitCode::from(UNDECIDED_EXIT),
        Err(e) => {
            eprint!("{}", super::output::ewrapped_lines(&e.to_string()));
            ExitCode::from(2)
        }
    }
}
