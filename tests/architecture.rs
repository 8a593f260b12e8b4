//! Architecture invariants that the compiler does not check, read from the source text:
//! - no import loop between the top-level modules of any crate, nor between the files of one
//!   folder (a family's roles import its shared process module, never the other way round);
//!   a module's `mod.rs` and its own files are one room, and may refer to each other;
//! - the declaration crate (`api/`) depends on the engine only: an author's crate compiles
//!   and documents no TOML parsing, no sweep and no search;
//! - the explorer (`explore/`) depends on the engine only.
//!
//! An import is any `crate::…` or `super::…` path in a file, doc links and tests included,
//! since a reader follows those too. A name that `lib.rs` re-exports counts as the module that
//! defines it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The crates of the workspace, by their source folder.
const CRATES: &[&str] = &[
    "sim-core/src",
    "api/src",
    "explore/src",
    "runner/src",
    "protocols/src",
    "reports/src",
    "history/src",
    "external/src",
    "src",
];

type ModPath = Vec<String>;

/// Every `.rs` file under `dir`, by its module path (`a/b.rs` and `a/b/mod.rs` are `[a, b]`).
fn modules(dir: &Path) -> BTreeMap<ModPath, PathBuf> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.insert(module_path(dir, &path), path);
            }
        }
    }
    out
}

fn module_path(root: &Path, file: &Path) -> ModPath {
    let rel = file.strip_prefix(root).unwrap().with_extension("");
    let mut parts: ModPath = rel
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    if matches!(
        parts.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    ) {
        parts.pop();
    }
    parts
}

/// The paths a file names after `crate::` or `super::` (as many `super`s as written),
/// resolved to absolute module paths (not yet to a file). `crate::{a, b::c}` gives `a` and
/// `b::c`.
fn named_paths(text: &str, here: &ModPath) -> Vec<ModPath> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if !text.is_char_boundary(i) {
            i += 1;
            continue;
        }
        let rest = &text[i..];
        let at_word = i == 0 || !is_ident(bytes[i - 1]);
        let (base, len) = if at_word && rest.starts_with("crate::") {
            (Some(Vec::new()), "crate::".len())
        } else if at_word && rest.starts_with("super::") {
            supers(rest, here)
        } else {
            (None, 1)
        };
        i += len;
        let Some(base) = base else { continue };
        if text[i..].starts_with('{') {
            let end = text[i..].find('}').map_or(text.len(), |e| i + e);
            for item in text[i + 1..end].split(',') {
                out.push(join(&base, item));
            }
            i = end;
        } else {
            let end = text[i..]
                .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                .map_or(text.len(), |e| i + e);
            out.push(join(&base, &text[i..end]));
            i = end;
        }
    }
    out
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// The module `super::super::…` names from `here`, and how many bytes it spans.
fn supers(rest: &str, here: &ModPath) -> (Option<ModPath>, usize) {
    let mut n = 0;
    let mut len = 0;
    while rest[len..].starts_with("super::") {
        n += 1;
        len += "super::".len();
    }
    let base = (n <= here.len()).then(|| here[..here.len() - n].to_vec());
    (base, len)
}

fn join(base: &ModPath, path: &str) -> ModPath {
    let mut out = base.clone();
    out.extend(
        path.split("::")
            .map(str::trim)
            .filter(|s| !s.is_empty() && s.chars().all(|c| c.is_alphanumeric() || c == '_'))
            .map(String::from),
    );
    out
}

/// The names `lib.rs` re-exports from a top-level module: `pub use engine::{Engine, …}`.
fn root_exports(lib: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for stmt in lib.split(';') {
        let Some(start) = stmt.find("pub use ") else {
            continue;
        };
        let path = stmt[start + "pub use ".len()..].trim();
        let Some((module, names)) = path.split_once("::") else {
            continue;
        };
        let names = names.trim_matches(|c| c == '{' || c == '}');
        for name in names.split(',') {
            let name = name.split("::").last().unwrap_or("").trim();
            let name = name.rsplit(" as ").next().unwrap_or(name).trim();
            if !name.is_empty() {
                out.insert(name.to_string(), module.trim().to_string());
            }
        }
    }
    out
}

/// The file a path names: its longest prefix that is a module, a root re-export mapped to the
/// module that defines it.
fn target(
    path: &ModPath,
    mods: &BTreeMap<ModPath, PathBuf>,
    exports: &BTreeMap<String, String>,
) -> Option<ModPath> {
    let mut path = path.clone();
    if let Some(module) = path.first().and_then(|first| exports.get(first)) {
        path = vec![module.clone()];
    }
    (1..=path.len())
        .rev()
        .map(|n| path[..n].to_vec())
        .find(|p| mods.contains_key(p))
}

/// The cycles (strongly connected sets of two or more) of `graph`.
fn cycles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<BTreeSet<String>> {
    let nodes: BTreeSet<&String> = graph.keys().chain(graph.values().flatten()).collect();
    let reach = |from: &String| {
        let mut seen = BTreeSet::new();
        let mut stack = vec![from.clone()];
        while let Some(n) = stack.pop() {
            for m in graph.get(&n).into_iter().flatten() {
                if seen.insert(m.clone()) {
                    stack.push(m.clone());
                }
            }
        }
        seen
    };
    let reaches: BTreeMap<&String, BTreeSet<String>> =
        nodes.iter().map(|n| (*n, reach(n))).collect();
    let mut out: Vec<BTreeSet<String>> = Vec::new();
    for n in &nodes {
        let set: BTreeSet<String> = (reaches[n].iter())
            .filter(|m| reaches[m].contains(*n))
            .cloned()
            .collect();
        if set.len() > 1 && !out.contains(&set) {
            out.push(set);
        }
    }
    out
}

/// Every loop in `crate_dir`: between its top-level modules, and between the files of one
/// folder (a file's edge into another file's submodule counts as an edge to that file).
fn loops_in(crate_dir: &Path) -> Vec<String> {
    let mods = modules(crate_dir);
    let lib = ["lib.rs", "main.rs"]
        .iter()
        .find_map(|f| std::fs::read_to_string(crate_dir.join(f)).ok())
        .unwrap_or_default();
    let exports = root_exports(&lib);
    let mut top: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut siblings: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (here, file) in &mods {
        let text = std::fs::read_to_string(file).unwrap();
        for path in named_paths(&text, here) {
            let Some(there) = target(&path, &mods, &exports) else {
                continue;
            };
            if here.is_empty() || there.is_empty() || there == *here {
                continue;
            }
            if here[0] != there[0] {
                top.entry(here[0].clone())
                    .or_default()
                    .insert(there[0].clone());
            }
            let parent = &here[..here.len() - 1];
            if there.len() >= here.len() && there.starts_with(parent) {
                let sibling = there[..here.len()].join("/");
                if sibling != here.join("/") {
                    siblings.entry(here.join("/")).or_default().insert(sibling);
                }
            }
        }
    }
    let name = crate_dir.display();
    let mut out: Vec<String> = cycles(&top)
        .into_iter()
        .map(|c| format!("{name}: top-level modules {c:?} import each other"))
        .collect();
    out.extend(
        cycles(&siblings)
            .into_iter()
            .map(|c| format!("{name}: files {c:?} import each other")),
    );
    out
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn no_crate_has_an_import_loop() {
    let loops: Vec<String> = CRATES
        .iter()
        .flat_map(|dir| loops_in(&root().join(dir)))
        .collect();
    assert!(loops.is_empty(), "import loops:\n{}", loops.join("\n"));
}

#[test]
fn the_checker_sees_a_loop() {
    let dir = std::env::temp_dir().join(format!("ftsim-architecture-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("family")).unwrap();
    let write = |name: &str, text: &str| std::fs::write(dir.join(name), text).unwrap();
    write("lib.rs", "mod family;\nmod clean;\npub use clean::Clean;\n");
    write("clean.rs", "pub struct Clean;\n");
    write("family/mod.rs", "mod process;\nmod role;\n");
    write(
        "family/process.rs",
        "use super::role::Role;\n/// [`crate::Clean`]\n",
    );
    write("family/role.rs", "use super::{process::Msg, other};\n");
    let found = loops_in(&dir);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].contains("family/process") && found[0].contains("family/role"));
    write("family/role.rs", "use crate::Clean;\n");
    write("clean.rs", "/// [`crate::family`]\npub struct Clean;\n");
    let found = loops_in(&dir);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].contains("top-level modules"), "{found:?}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The `[dependencies]` of a crate's manifest, by name.
fn dependencies(manifest: &str) -> BTreeSet<String> {
    let text = std::fs::read_to_string(root().join(manifest)).unwrap();
    let value: toml::Table = toml::from_str(&text).unwrap();
    let deps = value.get("dependencies").and_then(|d| d.as_table());
    deps.map(|t| t.keys().cloned().collect())
        .unwrap_or_default()
}

#[test]
fn the_declaration_and_the_explorer_depend_on_the_engine_only() {
    let ours = [
        "ftsim-runner",
        "ftsim-explore",
        "protocols",
        "reports",
        "ftsim-history",
        "ftsim",
    ];
    for manifest in ["api/Cargo.toml", "explore/Cargo.toml"] {
        let deps = dependencies(manifest);
        let up: Vec<&&str> = ours.iter().filter(|c| deps.contains(**c)).collect();
        assert!(up.is_empty(), "{manifest} depends on {up:?}");
        assert!(deps.contains("sim-core"), "{manifest}: {deps:?}");
    }
    let api = dependencies("api/Cargo.toml");
    for runner_only in ["toml", "rayon", "serde_json", "ftsim-explore"] {
        assert!(!api.contains(runner_only), "api depends on {runner_only}");
    }
}
