//! `replay --history F`: the clients' history the run's linearizability property kept, written
//! as JSON lines that `ftsim history` checks, draws and keeps as a test case on its own.

use std::path::Path;

use ftsim_api::sim_core::{ClientHistory, FileValue};
use ftsim_api::RunReport;

use crate::cli::error::CliError;
use crate::cli::files;
use crate::cli::output::ewrapped;

/// Writes the run's client history to `path` and says on stderr where, and the command that
/// checks it. A protocol that keeps none is an error.
pub fn write(
    path: &Path,
    report: &RunReport,
    protocol: &str,
    program: &str,
) -> Result<(), CliError> {
    let Some(history) = report.client_histories.first() else {
        return Err(CliError::Usage(format!(
            "--history: protocol {protocol} keeps no clients' history (none of its \
             properties checks linearizability)"
        )));
    };
    files::write_output(path, history.to_json_lines().as_bytes())?;
    eprint!("{}", ewrapped("", &wrote(path, history)));
    eprint!("{}", ewrapped("", "check it with:"));
    let command = command(path, history, program);
    eprint!("{}", reports::columns::command_line(&command, 2));
    Ok(())
}

/// "wrote the clients' history (property P, N operations): PATH".
fn wrote(path: &Path, history: &ClientHistory) -> String {
    format!(
        "wrote the clients' history (property {}, {} operation{}): {}",
        history.property,
        history.operations,
        if history.operations == 1 { "" } else { "s" },
        path.display()
    )
}

/// The `ftsim history` command that checks the file, with the model's initial state when it
/// is not the model's empty one.
fn command(path: &Path, history: &ClientHistory, program: &str) -> String {
    let mut command = format!(
        "{program} history {} --model {}",
        ftsim_runner::sweep::shell_word(path),
        history.model
    );
    if history.initial != FileValue::Null {
        let initial = ftsim_runner::sweep::shell_word(Path::new(&history.initial.to_json()));
        command.push_str(&format!(" --initial {initial}"));
    }
    command
}
