//! The guide (`docs/`, an mdBook) cannot drift from the tool: its command-line reference is
//! the one the parser's definitions make, every relative link and anchor in it and in the
//! README resolves, every chapter is in its table of contents, and every TOML snippet is a
//! scenario `ftsim check` accepts (a fragment, on top of a minimal scenario), unless the
//! line before it marks it as a deliberate error, which it must then be.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

mod common;
use common::guide_pages::{guide_pages, root};
use common::{ftsim, scratch, stderr};

/// The guide's pages and the README, as (path, text).
fn pages() -> Vec<(PathBuf, String)> {
    (guide_pages().into_iter())
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            (p, text)
        })
        .collect()
}

/// Lines outside fenced code blocks, with their numbers (1-based).
fn prose(text: &str) -> Vec<(usize, &str)> {
    let mut fenced = false;
    let mut lines = Vec::new();
    for (k, line) in text.lines().enumerate() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if !fenced {
            lines.push((k + 1, line));
        }
    }
    lines
}

/// The anchor mdBook and GitHub give a heading: lower case, spaces to dashes, punctuation
/// other than `-` and `_` dropped.
fn slug(heading: &str) -> String {
    (heading.trim().chars())
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c.to_lowercase().next()?),
            _ => None,
        })
        .collect()
}

fn anchors(text: &str) -> BTreeSet<String> {
    (prose(text).into_iter())
        .filter_map(|(_, line)| line.strip_prefix('#'))
        .map(|rest| slug(rest.trim_start_matches('#')))
        .collect()
}

/// Every `[text](target)` in a page's prose, with its line.
fn links(text: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    for (number, line) in prose(text) {
        let mut rest = line;
        while let Some(at) = rest.find("](") {
            let after = &rest[at + 2..];
            let Some(end) = after.find(')') else { break };
            found.push((number, after[..end].to_string()));
            rest = &after[end..];
        }
    }
    found
}

#[test]
fn the_cli_reference_is_generated_from_the_parser() {
    let path = root().join("docs/reference/cli.md");
    let made = ftsim::cli::reference_markdown();
    if std::env::var_os("FTSIM_BLESS").is_some() {
        std::fs::write(&path, &made).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == made,
        "docs/reference/cli.md differs from the command line's definitions: \
         FTSIM_BLESS=1 cargo test --test guide rewrites it"
    );
    // Every option of every subcommand has its heading.
    for option in ["run --shard <K/N|auto>", "explore --por", "list <NAME>"] {
        assert!(made.contains(&format!("### `{option}`")), "{option}");
    }
}

#[test]
fn the_protocol_reference_is_generated_from_the_declarations() {
    let path = root().join("docs/reference/protocols.md");
    let made = ftsim::cli::protocols_markdown(&root().join("scenarios")).unwrap();
    if std::env::var_os("FTSIM_BLESS").is_some() {
        std::fs::write(&path, &made).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == made,
        "docs/reference/protocols.md differs from the declarations and scenarios/: \
         FTSIM_BLESS=1 cargo test --test guide rewrites it"
    );
    // Every bundled protocol has its section, and a bundled scenario row names its expect.
    let names = ftsim::catalog(&[]).unwrap().names();
    for name in names {
        assert!(made.contains(&format!("\n## `{name}`\n")), "{name}");
    }
    assert!(made.contains(
        "| [`flooding-f1-one-round`](../../scenarios/flooding-f1-one-round.toml) | outside agreement |"
    ));
}

#[test]
fn every_link_and_anchor_resolves() {
    let mut broken = Vec::new();
    for (path, text) in pages() {
        let dir = path.parent().unwrap();
        for (line, target) in links(&text) {
            if target.starts_with("http://") || target.starts_with("https://") {
                continue;
            }
            let (file, anchor) = match target.split_once('#') {
                Some((file, anchor)) => (file, Some(anchor)),
                None => (target.as_str(), None),
            };
            let linked = if file.is_empty() {
                path.clone()
            } else {
                dir.join(file)
            };
            let whole = format!("{}:{line}: {target}", path.display());
            if !linked.exists() {
                broken.push(format!("{whole} (no such file)"));
                continue;
            }
            if let Some(anchor) = anchor {
                let text = std::fs::read_to_string(&linked).unwrap_or_default();
                if !anchors(&text).contains(anchor) {
                    broken.push(format!("{whole} (no such heading)"));
                }
            }
        }
    }
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

#[test]
fn every_chapter_is_in_the_table_of_contents() {
    let summary = std::fs::read_to_string(root().join("docs/SUMMARY.md")).unwrap();
    let listed: BTreeSet<String> = (links(&summary).into_iter())
        .map(|(_, target)| target)
        .collect();
    for (path, _) in pages() {
        let Ok(relative) = path.strip_prefix(root().join("docs")) else {
            continue;
        };
        let relative = relative.display().to_string();
        if relative != "SUMMARY.md" {
            assert!(
                listed.contains(&relative),
                "docs/SUMMARY.md lists no {relative}"
            );
        }
    }
}

/// The line that marks the TOML block below it as a deliberate error, and says the words its
/// error must contain.
const ERROR_MARK: &str = "<!-- error: ";

/// The scenario a fragment of one is checked on top of.
const FRAGMENT_BASE: &str = "name = \"snippet\"\nprotocol = \"flooding\"\nnodes = 5\n\
    seeds = { start = 0, count = 1 }\nexpect = \"pass\"\n";

#[test]
fn every_toml_snippet_is_a_scenario_check_accepts() {
    let dir = scratch("guide-snippets");
    let mut checked = 0;
    for (path, text) in pages() {
        let lines: Vec<&str> = text.lines().collect();
        let mut k = 0;
        while k < lines.len() {
            if lines[k].trim() != "```toml" {
                k += 1;
                continue;
            }
            let start = k + 1;
            let end = start
                + lines[start..]
                    .iter()
                    .position(|l| l.trim() == "```")
                    .unwrap();
            let block = lines[start..end].join("\n") + "\n";
            k = end + 1;
            if block.contains("[dependencies]") || block.contains("[package]") {
                continue; // a Cargo manifest, not a scenario
            }
            let place = format!("{}:{start}", path.display());
            if let Some(file) = example_quoted(&block) {
                quoted_from(&place, &block, &file);
                checked += 1;
                continue;
            }
            let mark = if start >= 2 { lines[start - 2] } else { "" };
            let file = dir.join(format!("snippet-{checked}.toml"));
            let scenario = match block.contains("protocol = ") {
                true => block.clone(),
                false => format!("{}{block}", fragment_base(&block)),
            };
            std::fs::write(&file, &scenario).unwrap();
            let o = ftsim(&["check", file.to_str().unwrap()]);
            match mark
                .strip_prefix(ERROR_MARK)
                .and_then(|m| m.strip_suffix(" -->"))
            {
                Some(words) => {
                    assert_eq!(o.status.code(), Some(2), "{place}: marked as an error");
                    let said = common::words(&stderr(&o));
                    assert!(said.contains(words), "{place}: {said}");
                }
                None => assert_eq!(
                    o.status.code(),
                    Some(0),
                    "{place}: {}\n{scenario}",
                    stderr(&o)
                ),
            }
            checked += 1;
        }
    }
    assert!(checked >= 4, "{checked} snippets");
}

/// [`FRAGMENT_BASE`] without the keys `fragment` sets at its top level (before any table).
fn fragment_base(fragment: &str) -> String {
    let set: Vec<&str> = (fragment.lines())
        .take_while(|l| !l.starts_with('['))
        .filter_map(|l| l.split_once(" = ").map(|(key, _)| key.trim()))
        .collect();
    (FRAGMENT_BASE.lines())
        .filter(|l| !set.iter().any(|key| l.starts_with(&format!("{key} = "))))
        .map(|l| format!("{l}\n"))
        .collect()
}

/// The example crate's scenario file a snippet quotes, if it names a protocol only that crate
/// has (its own binary checks and runs the file in CI).
fn example_quoted(block: &str) -> Option<PathBuf> {
    let name_line = block.lines().find(|l| l.starts_with("name = "))?;
    let bundled = ftsim::catalog(&[]).unwrap().names();
    let protocol = (block.lines())
        .find_map(|l| l.strip_prefix("protocol = "))?
        .trim_matches('"');
    if bundled.contains(&protocol) {
        return None;
    }
    let scenarios = root().join("examples/leader-election/scenarios");
    (std::fs::read_dir(scenarios).ok()?)
        .map(|e| e.unwrap().path())
        .find(|p| std::fs::read_to_string(p).is_ok_and(|t| t.lines().any(|l| l == name_line)))
}

/// Every line of `block` is a line of `file`, in the same order: the snippet quotes it.
fn quoted_from(place: &str, block: &str, file: &Path) {
    let text = std::fs::read_to_string(file).unwrap();
    let mut rest = text.lines();
    for line in block.lines().filter(|l| !l.trim().is_empty()) {
        assert!(
            rest.any(|l| l == line),
            "{place}: {line:?} is not in {} (in that order)",
            file.display()
        );
    }
}

/// Each table of a scenario file, as docs/reference/scenario.md heads it, and a scenario
/// that puts an unknown key in it (the parser refuses it by listing the keys it takes).
const TABLES: &[(&str, &str)] = &[
    (
        "The top level",
        "seeds = { start = 0, count = 1 }\nprobe_key = 1\n",
    ),
    (
        "`seeds`",
        "seeds = { start = 0, count = 1, probe_key = 1 }\n",
    ),
    (
        "`[budget]`",
        "seeds = { start = 0, count = 1 }\n[budget]\nprobe_key = 1\n",
    ),
    (
        "`[network]`",
        "seeds = { start = 0, count = 1 }\n[network]\nprobe_key = 1\n",
    ),
    (
        "`[[network.link]]`",
        "seeds = { start = 0, count = 1 }\n[[network.link]]\nprobe_key = 1\n",
    ),
    (
        "`[detector]`",
        "seeds = { start = 0, count = 1 }\n[detector]\nkind = \"perfect\"\nprobe_key = 1\n",
    ),
    (
        "`[faults]`",
        "seeds = { start = 0, count = 1 }\n[faults]\nprobe_key = 1\n",
    ),
    (
        "`[faults.crashes]`",
        "seeds = { start = 0, count = 1 }\n[faults.crashes]\nprobe_key = 1\n",
    ),
    (
        "`[faults.partitions]`",
        "seeds = { start = 0, count = 1 }\n[faults.partitions]\nprobe_key = 1\n",
    ),
    (
        "`[faults.omissions]`",
        "seeds = { start = 0, count = 1 }\n[faults.omissions]\nprobe_key = 1\n",
    ),
    (
        "`[faults.byzantine]`",
        "seeds = { start = 0, count = 1 }\n[faults.byzantine]\nprobe_key = 1\n",
    ),
    (
        "`[faults.intermittent]`",
        "seeds = { start = 0, count = 1 }\n[faults.intermittent]\nprobe_key = 1\n",
    ),
    (
        "`[faults.clocks]`",
        "seeds = { start = 0, count = 1 }\n[faults.clocks]\nprobe_key = 1\n",
    ),
    (
        "`[faults.slow]`",
        "seeds = { start = 0, count = 1 }\n[faults.slow]\nprobe_key = 1\n",
    ),
    (
        "`[[faults.schedule]]`",
        "seeds = { start = 0, count = 1 }\n[[faults.schedule]]\nat = \"1ms\"\nprobe_key = 1\n",
    ),
];

/// The keys the parser says a table takes, from its refusal of `probe_key`.
fn keys_the_parser_takes(dir: &Path, table: &str, probe: &str) -> BTreeSet<String> {
    let file = dir.join("probe.toml");
    let text =
        format!("name = \"probe\"\nprotocol = \"flooding\"\nnodes = 5\nexpect = \"pass\"\n{probe}");
    std::fs::write(&file, text).unwrap();
    let o = ftsim(&["check", file.to_str().unwrap()]);
    let said = common::words(&stderr(&o));
    let listed = (said.split("unknown key `probe_key`: expected ").nth(1))
        .unwrap_or_else(|| panic!("{table}: the parser did not list its keys: {said}"));
    let listed = listed.strip_prefix("one of ").unwrap_or(listed);
    (listed.split(", ").flat_map(|part| part.split(" or ")))
        .map(|key| key.trim().to_string())
        .collect()
}

/// The keys docs/reference/scenario.md gives under each `## ` heading.
fn keys_documented() -> std::collections::BTreeMap<String, BTreeSet<String>> {
    let text = std::fs::read_to_string(root().join("docs/reference/scenario.md")).unwrap();
    let mut tables = std::collections::BTreeMap::new();
    let mut heading = String::new();
    for (_, line) in prose(&text) {
        if let Some(title) = line.strip_prefix("## ") {
            heading = title.to_string();
        } else if let Some(key) = (line.strip_prefix("| `"))
            .and_then(|rest| rest.split_once("` |"))
            .map(|(key, _)| key.to_string())
        {
            tables
                .entry(heading.clone())
                .or_insert_with(BTreeSet::new)
                .insert(key);
        }
    }
    tables
}

#[test]
fn every_scenario_key_the_parser_takes_has_a_reference_entry() {
    let dir = scratch("guide-keys");
    let documented = keys_documented();
    for (table, probe) in TABLES {
        let taken = keys_the_parser_takes(&dir, table, probe);
        assert!(taken.len() >= 2, "{table}: {taken:?}");
        let listed = documented.get(*table).cloned().unwrap_or_default();
        let missing: Vec<&String> = taken.difference(&listed).collect();
        let stale: Vec<&String> = listed.difference(&taken).collect();
        assert!(
            missing.is_empty() && stale.is_empty(),
            "docs/reference/scenario.md, {table}: no entry for {missing:?}; \
             entries the parser does not take: {stale:?}"
        );
    }
    assert_eq!(
        documented.len(),
        TABLES.len(),
        "a heading per table: {documented:?}"
    );
}

/// The README's set-up commands are the two the guide's front page gives.
#[test]
fn the_readme_and_the_guide_give_the_same_two_commands() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let front = std::fs::read_to_string(root().join("docs/introduction.md")).unwrap();
    for command in [
        "cargo run --release -- run scenarios/*.toml",
        "cargo test --workspace",
    ] {
        assert!(
            readme.contains(command) && front.contains(command),
            "{command}"
        );
    }
    let lines = readme.lines().count();
    assert!(
        lines <= 150,
        "README.md has {lines} lines: the guide is for the rest"
    );
}
