//! `ftsim list`: a line for each protocol of the catalogue; `ftsim list NAME` for one
//! protocol's whole declaration (parameters, properties, adversaries, the model it assumes,
//! its detector and figures), as text or JSON.

mod declaration;
mod json;
pub(crate) mod markdown;

use ftsim_api::ProtocolInfo;
use std::io::IsTerminal;

use reports::columns::{line_width, pad, truncate_words, width};

use super::app::App;
use super::error::{CliError, Status};
use super::output::{outln, Format, FormatFlag};

/// List the protocols, a line each; name one for its whole declaration
#[derive(clap::Args)]
pub struct ListArgs {
    /// Protocols to describe in full
    ///
    /// Protocols to describe in full: parameters, properties, adversaries, assumptions.
    #[arg(value_name = "NAME")]
    pub names: Vec<String>,
    #[command(flatten)]
    pub output: FormatFlag,
}

/// `ftsim list [NAME...]`: the catalogue in a line per protocol, or the named ones in full.
pub fn main(args: ListArgs, app: &App) -> Result<Status, CliError> {
    let chosen = chosen(&args.names, app)?;
    match (args.output.format, args.names.is_empty()) {
        (Format::Json, _) => outln(&json::declarations(&chosen)),
        (Format::Text, true) => one_line_each(&chosen),
        (Format::Text, false) => {
            for (k, info) in chosen.iter().enumerate() {
                if k > 0 {
                    outln("");
                }
                declaration::describe(info);
            }
        }
    }
    Ok(Status::Met)
}

/// The protocols `names` asks for, in that order (every protocol when it is empty); a name
/// not in the catalogue is a usage error that lists the names there are.
fn chosen<'a>(names: &[String], app: &'a App) -> Result<Vec<&'a ProtocolInfo>, CliError> {
    if names.is_empty() {
        return Ok(app.catalog.infos().collect());
    }
    let mut chosen = Vec::with_capacity(names.len());
    for name in names {
        match app.catalog.find(name) {
            Some((_, info)) => chosen.push(info),
            None => {
                return Err(CliError::Usage(format!(
                    "no protocol is named \"{name}\"; `ftsim list` shows the {} there are: {}",
                    app.catalog.names().len(),
                    app.catalog.names().join(", ")
                )))
            }
        }
    }
    Ok(chosen)
}

/// A line per protocol: its name, then its summary cut at a word to the terminal's width
/// (whole when the output is not a terminal).
fn one_line_each(infos: &[&ProtocolInfo]) {
    let name_columns = infos.iter().map(|i| width(i.name)).max().unwrap_or(0);
    for info in infos {
        let room = line_width().saturating_sub(name_columns + 2);
        let summary = truncate_words(info.summary, room);
        outln(&format!("{}  {summary}", pad(info.name, name_columns)));
    }
    if std::io::stdout().is_terminal() {
        eprintln!("`ftsim list NAME` describes one protocol in full");
    }
}
