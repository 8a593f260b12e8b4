//! `--help` fits a terminal: at most 40 lines at 80 columns, one line per argument and
//! option, and a last line naming the command's guide chapter, which exists. The whole text
//! of each option is `ftsim help COMMAND` (and the guide's generated reference).

use std::path::Path;

mod common;
use common::{ftsim, stdout};

/// The subcommands `ftsim --help` lists (and `help` itself, which has no `--help`).
fn subcommands() -> Vec<String> {
    let text = stdout(&ftsim(&["--help"]));
    let listed = text.split("Commands:\n").nth(1).expect("a command list");
    (listed.lines())
        .take_while(|line| !line.trim().is_empty())
        .filter_map(|line| line.split_whitespace().next())
        .filter(|name| *name != "help")
        .map(str::to_string)
        .collect()
}

/// Checks one `--help` text; `what` names it in failures.
fn assert_short(what: &str, text: &str) {
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines.len() <= 40, "{what}: {} lines\n{text}", lines.len());
    for line in &lines {
        let columns = reports::columns::width(line);
        assert!(columns <= 80, "{what} ({columns} columns): {line:?}");
    }
    // In the lists of arguments and options, every entry is one line: a line indented
    // further than an entry continues the one above.
    let mut in_list = false;
    for line in &lines {
        if line.ends_with(':') && !line.starts_with(' ') {
            in_list = matches!(*line, "Arguments:" | "Options:" | "Commands:");
            continue;
        }
        if in_list && !line.trim().is_empty() {
            let indent = line.len() - line.trim_start().len();
            assert!(
                indent <= 6,
                "{what}: a description on two lines: {line:?}\n{text}"
            );
        }
    }
    let last = lines.last().copied().unwrap_or_default();
    let chapter = last.rsplit("The guide: ").next().unwrap_or_default();
    assert!(
        last.contains("The guide: "),
        "{what}: no guide chapter named: {last:?}"
    );
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(chapter);
    assert!(path.is_file(), "{what}: {chapter} does not exist");
}

#[test]
fn every_help_fits_a_terminal_and_names_its_chapter() {
    let commands = subcommands();
    assert!(commands.len() >= 11, "{commands:?}");
    assert_short("ftsim --help", &stdout(&ftsim(&["--help"])));
    for command in &commands {
        for flag in ["--help", "-h"] {
            let o = ftsim(&[command, flag]);
            assert_eq!(o.status.code(), Some(0), "{command} {flag}");
            assert_short(&format!("ftsim {command} {flag}"), &stdout(&o));
        }
    }
}

/// The long form has every option the short one has, with its whole text.
#[test]
fn help_command_prints_the_whole_text() {
    let short = stdout(&ftsim(&["explore", "--help"]));
    let long = stdout(&ftsim(&["help", "explore"]));
    assert!(long.lines().count() > short.lines().count());
    for option in ["--strategy", "--threads", "--por", "--symmetry", "--repro"] {
        assert!(short.contains(option) && long.contains(option), "{option}");
    }
    assert!(long.contains("Godefroid"), "the long text of --por: {long}");
    assert!(!short.contains("Godefroid"), "{short}");
}
