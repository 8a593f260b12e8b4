//! What `--help` shows: each command's one-line texts, at most about 40 lines at 80 columns,
//! and where its guide chapter is. The long texts (each flag's whole doc comment) stay in
//! the same definitions: `ftsim help COMMAND` prints them, and the guide's command-line
//! reference (`docs/reference/cli.md`, see [`reference`](super::reference)) is generated
//! from them, so neither can drift from what the parser does.

use clap::{Arg, ArgAction, Command};

/// Each subcommand's chapter of the guide (`docs/`), named at the end of its `--help`.
pub const GUIDE_CHAPTERS: &[(&str, &str)] = &[
    ("run", "docs/sweeps.md"),
    ("replay", "docs/replay.md"),
    ("shrink", "docs/replay.md"),
    ("diff", "docs/replay.md"),
    ("explore", "docs/explore.md"),
    ("debug", "docs/debugger.md"),
    ("check", "docs/scenarios.md"),
    ("history", "docs/histories.md"),
    ("classify", "docs/assumptions.md"),
    ("merge", "docs/sweeps.md"),
    ("list", "docs/catalogue.md"),
    ("new", "docs/writing-a-protocol.md"),
];

/// The guide's front page, named at the end of `ftsim --help`.
const GUIDE_FRONT: &str = "docs/introduction.md";

/// `command` with a short `--help` (the one-line texts, as `-h`) on it and on every
/// subcommand, each ending with where to read more.
pub fn with_short_help(command: Command) -> Command {
    short_help(command, "ftsim help COMMAND", GUIDE_FRONT).mut_subcommands(|sub| {
        let name = sub.get_name().to_string();
        match GUIDE_CHAPTERS.iter().find(|(command, _)| *command == name) {
            Some((_, chapter)) => short_help(sub, &format!("ftsim help {name}"), chapter),
            None => sub,
        }
    })
}

/// One command's `-h`/`--help` made the short form, with a last line naming the long form
/// and the guide chapter.
fn short_help(command: Command, long_form: &str, chapter: &str) -> Command {
    command
        .disable_help_flag(true)
        .arg(
            Arg::new("help")
                .short('h')
                .long("help")
                .action(ArgAction::HelpShort)
                .help("Print help"),
        )
        .after_help(format!("In full: `{long_form}`. The guide: {chapter}"))
        .after_long_help(format!("The guide: {chapter}"))
}
