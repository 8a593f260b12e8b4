//! The guide's command-line reference (`docs/reference/cli.md`), generated from the same clap
//! definitions the parser uses: every subcommand with its whole text, usage, arguments and
//! options (each a heading, so a chapter can link to it), defaults and accepted values.
//! `tests/guide.rs` fails when the committed page differs from what this makes, so the
//! reference cannot drift from the command line.

use std::fmt::Write;

use clap::{Arg, Command};

/// The reference page in Markdown.
pub fn markdown(mut root: Command) -> String {
    root.build();
    let mut page = String::from(
        "# Command-line reference\n\n\
         <!-- Generated from the command line's definitions: do not edit. \
         `FTSIM_BLESS=1 cargo test --test guide` rewrites it. -->\n\n\
         Every subcommand with the whole text of its help (`ftsim help COMMAND` prints the \
         same), its arguments and options. `ftsim COMMAND --help` prints the one-line form.\n",
    );
    let subcommands: Vec<&Command> = (root.get_subcommands())
        .filter(|sub| sub.get_name() != "help")
        .collect();
    for sub in subcommands {
        command_section(&mut page, sub);
    }
    page
}

/// One subcommand: its heading, text, usage and every argument.
fn command_section(page: &mut String, command: &Command) {
    let name = command.get_name();
    let _ = write!(page, "\n## `ftsim {name}`\n\n");
    let about = (command.get_long_about())
        .or(command.get_about())
        .map(ToString::to_string)
        .unwrap_or_default();
    let _ = writeln!(page, "{}\n", about.trim());
    let usage = command.clone().render_usage().to_string();
    let usage = usage.trim_start_matches("Usage: ").trim();
    let _ = writeln!(page, "```text\n{usage}\n```");
    for arg in command.get_arguments() {
        if arg.is_hide_set() || matches!(arg.get_id().as_str(), "help" | "version") {
            continue;
        }
        arg_section(page, name, arg);
    }
}

/// One argument or option: a heading with how it is written, its whole text, its default
/// and the values it takes.
fn arg_section(page: &mut String, command: &str, arg: &Arg) {
    let _ = write!(page, "\n### `{command} {}`\n\n", spelling(arg));
    let text = (arg.get_long_help())
        .or(arg.get_help())
        .map(ToString::to_string)
        .unwrap_or_default();
    let _ = writeln!(page, "{}", text.trim());
    let defaults: Vec<String> = (arg.get_default_values().iter())
        .map(|v| v.to_string_lossy().into_owned())
        .collect();
    let values: Vec<String> = (arg.get_possible_values().iter())
        .filter(|v| !v.is_hide_set())
        .map(|v| match v.get_help() {
            Some(help) => format!("- `{}`: {help}", v.get_name()),
            None => format!("- `{}`", v.get_name()),
        })
        .collect();
    if !values.is_empty() {
        let _ = writeln!(page, "\nValues:\n\n{}", values.join("\n"));
    }
    if !defaults.is_empty() && !text.contains("[default:") {
        let _ = writeln!(page, "\nDefault: `{}`.", defaults.join(" "));
    }
}

/// How an argument is written: `<FILE>`, `-j, --jobs <JOBS>`, `--quiet`.
fn spelling(arg: &Arg) -> String {
    let value = (arg.get_value_names())
        .map(|names| {
            (names.iter())
                .map(|n| format!("<{n}>"))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_else(|| format!("<{}>", arg.get_id().as_str().to_uppercase()));
    if arg.is_positional() {
        return value;
    }
    let takes_value = arg.get_action().takes_values();
    let mut names = Vec::new();
    if let Some(short) = arg.get_short() {
        names.push(format!("-{short}"));
    }
    if let Some(long) = arg.get_long() {
        names.push(format!("--{long}"));
    }
    match takes_value {
        true => format!("{} {value}", names.join(", ")),
        false => names.join(", "),
    }
}
