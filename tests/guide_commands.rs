//! The guide's shown commands run, and say what the guide says they say. A fenced block whose
//! first line is `$ ftsim ...` is a transcript: each `$ ` line is a command, run with the built
//! binary at 80 columns from a scratch folder (where the files it writes land) that sees the
//! repository's `scenarios/`, `studies/`, `examples/` and `docs/`; the lines under it are its
//! output as shown. Every shown line must appear in the real output, in order; a shown line may
//! leave out a start or an end with `...`, and wrapping may differ (lines are compared by words).
//! Every other command shown in a `sh` block (`ftsim ...`, `cargo run --release -- ...`) must
//! be one the command line accepts, naming scenario files that exist.

use std::path::Path;
use std::process::Command;

mod common;
use common::guide_pages::{guide_pages, root};
use common::{scratch, words};

/// One transcript: where it is, and its commands with the lines shown under each.
struct Transcript {
    place: String,
    commands: Vec<(String, Vec<String>)>,
}

fn transcripts_in(path: &Path) -> Vec<Transcript> {
    let text = std::fs::read_to_string(path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let mut found = Vec::new();
    let mut k = 0;
    while k < lines.len() {
        let fence = lines[k].trim_start();
        let opens = fence == "```" || fence == "```text" || fence == "```console";
        if !opens || !lines.get(k + 1).is_some_and(|l| l.starts_with("$ ftsim ")) {
            // Skip over any other block whole, so its closing fence is not taken for an opening.
            if fence.starts_with("```") {
                k += 1;
                while k < lines.len() && !lines[k].trim_start().starts_with("```") {
                    k += 1;
                }
            }
            k += 1;
            continue;
        }
        let mut commands: Vec<(String, Vec<String>)> = Vec::new();
        let start = k + 1;
        k += 1;
        while k < lines.len() && !lines[k].trim_start().starts_with("```") {
            match lines[k].strip_prefix("$ ") {
                Some(command) => commands.push((command.to_string(), Vec::new())),
                None => commands.last_mut().unwrap().1.push(lines[k].to_string()),
            }
            k += 1;
        }
        found.push(Transcript {
            place: format!("{}:{}", path.display(), start + 1),
            commands,
        });
        k += 1;
    }
    found
}

/// Every transcript of the README and the guide.
fn transcripts() -> Vec<Transcript> {
    guide_pages()
        .iter()
        .flat_map(|p| transcripts_in(p))
        .collect()
}

/// Runs `command` (its first word `ftsim`) in `dir`: stdout and stderr, as a reader sees them.
fn run(dir: &Path, command: &str) -> String {
    let mut words = command.split_whitespace();
    assert_eq!(words.next(), Some("ftsim"), "{command}");
    let o = Command::new(env!("CARGO_BIN_EXE_ftsim"))
        .args(words)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("COLUMNS", "80")
        .output()
        .expect("ftsim runs");
    format!(
        "{}\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Whether every shown line is in `output`, in order (by words; `...` ends elided).
fn missing_line(shown: &[String], output: &str) -> Option<String> {
    let output = words(output);
    let mut from = 0;
    for line in shown {
        let line = words(
            line.trim()
                .trim_start_matches("...")
                .trim_end_matches("..."),
        );
        if line.is_empty() {
            continue;
        }
        match output[from..].find(&line) {
            Some(at) => from += at + line.len(),
            None => return Some(line),
        }
    }
    None
}

#[test]
fn every_transcript_in_the_guide_says_what_ftsim_says() {
    let all = transcripts();
    assert!(all.len() >= 8, "{} transcripts", all.len());
    let mut wrong = Vec::new();
    for transcript in &all {
        let dir = scratch("guide-commands");
        for folder in ["scenarios", "studies", "examples", "docs"] {
            let link = dir.join(folder);
            if !link.exists() {
                std::os::unix::fs::symlink(root().join(folder), link).unwrap();
            }
        }
        for (command, shown) in &transcript.commands {
            let output = run(&dir, command);
            if let Some(line) = missing_line(shown, &output) {
                wrong.push(format!(
                    "{}: `{command}` did not print {line:?}; it printed:\n{output}",
                    transcript.place
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n\n"));
}

/// The `ftsim` command lines of the `sh` blocks of `text` (after `ftsim` or `cargo run
/// --release --`, a trailing `# comment` dropped), with their line numbers; lines with shell
/// syntax beyond words (`$VAR`, pipes, redirections) are left out.
fn shown_commands(text: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    let mut in_sh = false;
    for (k, line) in text.lines().enumerate() {
        let fence = line.trim_start();
        if fence.starts_with("```") {
            in_sh = !in_sh && fence == "```sh";
            continue;
        }
        if !in_sh {
            continue;
        }
        let line = line.split("  #").next().unwrap_or_default().trim();
        let args =
            (line.strip_prefix("ftsim ")).or_else(|| line.strip_prefix("cargo run --release -- "));
        match args {
            Some(args) if !args.contains(['$', '|', '>', '<', ';', '`']) => {
                found.push((k + 1, args.to_string()))
            }
            _ => {}
        }
    }
    found
}

#[test]
fn every_command_shown_is_one_ftsim_accepts() {
    let mut checked = 0;
    let mut wrong = Vec::new();
    for page in guide_pages() {
        let text = std::fs::read_to_string(&page).unwrap();
        for (line, args) in shown_commands(&text) {
            let place = format!("{}:{line}: ftsim {args}", page.display());
            let words: Vec<&str> = args.split_whitespace().collect();
            if let Err(why) = ftsim::cli::accepts(&words) {
                wrong.push(format!("{place}\n{why}"));
            }
            // A scenario file it names exists, here or in the example crate it is run from.
            for file in words
                .iter()
                .filter(|w| w.ends_with(".toml") && !w.contains('*'))
            {
                let found = [root(), root().join("examples/leader-election")]
                    .iter()
                    .any(|dir| dir.join(file).is_file());
                if !found {
                    wrong.push(format!("{place}\nno such scenario file: {file}"));
                }
            }
            checked += 1;
        }
    }
    assert!(checked >= 30, "{checked} commands");
    assert!(wrong.is_empty(), "{}", wrong.join("\n\n"));
}
