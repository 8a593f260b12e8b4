//! The guide's catalogue reference (`docs/reference/protocols.md`): each protocol's
//! declaration, as `ftsim list NAME` prints it, with the bundled scenarios that use it and
//! what each expects (the family's known results). Generated, so it cannot drift:
//! `tests/guide.rs` holds the committed page to what this makes.

use std::fmt::Write;

use ftsim_api::ProtocolInfo;

/// A bundled scenario file, as the catalogue page lists it.
pub struct BundledScenario {
    /// Its path from the repository's root (`scenarios/x.toml`).
    pub path: String,
    pub name: String,
    pub protocol: String,
    /// "pass", "violation P" or "outside P".
    pub expect: String,
    pub description: String,
}

/// The page: a section per protocol, in catalogue order.
pub fn catalogue(infos: &[&ProtocolInfo], scenarios: &[BundledScenario]) -> String {
    let mut page = String::from(
        "# Protocols\n\n\
         <!-- Generated from the protocols' declarations and scenarios/: do not edit. \
         `FTSIM_BLESS=1 cargo test --test guide` rewrites it. -->\n\n\
         Every bundled protocol as it declares itself (`ftsim list NAME` prints the same), \
         and the bundled scenarios that run it: `pass` is a result that holds, `violation` \
         a bug the sweep must catch, `outside` a failure beyond what the protocol claims to \
         tolerate. [What is bundled](../catalogue.md) groups them by family.\n",
    );
    for info in infos {
        let mine: Vec<&BundledScenario> = (scenarios.iter())
            .filter(|s| s.protocol == info.name)
            .collect();
        section(&mut page, info, &mine);
    }
    page
}

/// One protocol's section.
fn section(page: &mut String, info: &ProtocolInfo, scenarios: &[&BundledScenario]) {
    let _ = write!(page, "\n## `{}`\n\n{}\n", info.name, info.summary);
    if !info.params.is_empty() {
        page.push_str("\n| parameter | default | values | meaning |\n|---|---|---|---|\n");
        for p in &info.params {
            let _ = writeln!(
                page,
                "| `{}` | `{}` | {} | {} |",
                p.name,
                p.default,
                cell(&p.kind.expected()),
                cell(&p.help)
            );
        }
    }
    page.push_str("\n| property | kind | asserts |\n|---|---|---|\n");
    for p in &info.properties {
        let _ = writeln!(page, "| `{}` | {} | {} |", p.name, p.kind, cell(p.help));
    }
    if !info.adversaries.is_empty() {
        page.push_str("\n| adversary | what it does |\n|---|---|\n");
        for a in &info.adversaries {
            let _ = writeln!(page, "| `{}` | {} |", a.name, cell(a.help));
        }
    }
    let _ = writeln!(
        page,
        "\nIt assumes (with the defaults and {} nodes):\n",
        ftsim_api::protocol::DEFAULT_NODES
    );
    for line in info.model.describe() {
        let _ = writeln!(page, "- {line}");
    }
    extras(page, info);
    if !scenarios.is_empty() {
        page.push_str("\n| bundled scenario | expects | what it shows |\n|---|---|---|\n");
        for s in scenarios {
            let _ = writeln!(
                page,
                "| [`{}`](../../{}) | {} | {} |",
                s.name,
                s.path,
                s.expect,
                cell(&s.description)
            );
        }
    }
}

/// The detector it needs and the figures it measures, in `list NAME`'s words, a line each.
fn extras(page: &mut String, info: &ProtocolInfo) {
    if let Some(detector) = super::declaration::detector_words(info) {
        let _ = write!(page, "\nIt {detector}.\n");
    }
    for line in super::declaration::measures(info) {
        let _ = write!(page, "\nIt measures {line}.\n");
    }
}

/// `text` fit for a table cell: one line, its bars escaped.
fn cell(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace('|', "\\|")
}

/// The scenario files in `dir` (sorted by file name), as the page lists them; `path` is
/// `dir`'s last component and the file's name. A file that is not a scenario is skipped.
pub fn bundled_scenarios(dir: &std::path::Path) -> std::io::Result<Vec<BundledScenario>> {
    let folder = (dir.file_name())
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut files: Vec<std::path::PathBuf> = (std::fs::read_dir(dir)?)
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    let mut found = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file)?;
        let Ok(table) = text.parse::<toml::Table>() else {
            continue;
        };
        let word = |key: &str| table.get(key).and_then(|v| v.as_str()).map(str::to_string);
        let (Some(name), Some(protocol)) = (word("name"), word("protocol")) else {
            continue;
        };
        let file_name = file.file_name().unwrap_or_default().to_string_lossy();
        found.push(BundledScenario {
            path: format!("{folder}/{file_name}"),
            name,
            protocol,
            expect: expect_in_words(table.get("expect")),
            description: word("description").unwrap_or_default(),
        });
    }
    Ok(found)
}

/// `expect` as a report says it: "pass", "violation agreement", "outside agreement".
fn expect_in_words(expect: Option<&toml::Value>) -> String {
    match expect {
        Some(toml::Value::String(word)) => word.clone(),
        Some(toml::Value::Table(table)) => (table.iter())
            .map(|(kind, property)| format!("{kind} {}", property.as_str().unwrap_or("?")))
            .collect::<Vec<_>>()
            .join(", "),
        _ => String::new(),
    }
}
