//! `ftsim new NAME`: the example crate, renamed and pointed at this checkout, refusing what
//! it cannot write (CI builds and tests a crate it writes: `.ci/run`); with `--lang python`,
//! `js` or `go`, a node whose scenario passes and whose naive twin is caught.

use std::path::Path;

mod common;
use common::{ftsim_in, scratch, stderr, stdout};

/// Every file of the example crate that `new` copies, with its path there.
const COPIED: &[&str] = &[
    "Cargo.toml",
    "Cargo.lock",
    ".gitignore",
    "clippy.toml",
    "src/lib.rs",
    "src/main.rs",
    "src/process.rs",
    "src/properties.rs",
    "tests/harness.rs",
    "tests/repro.rs",
    "scenarios/bully-crashes.toml",
    "scenarios/bully-impatient.toml",
];

#[test]
fn new_writes_the_example_renamed_and_pointed_at_this_checkout() {
    let dir = scratch("new");
    let o = ftsim_in(&dir, &["new", "my-election"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("cd my-election"), "{}", stdout(&o));
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let example = root.join("examples/leader-election");
    let made = dir.join("my-election");
    let mut written: Vec<String> = Vec::new();
    collect(&made, &made, &mut written);
    written.sort();
    let mut expected: Vec<String> = COPIED.iter().map(|f| f.to_string()).collect();
    expected.sort();
    assert_eq!(written, expected, "the files of the example, and no others");
    for file in COPIED {
        let text = std::fs::read_to_string(made.join(file)).unwrap();
        let original = std::fs::read_to_string(example.join(file)).unwrap();
        assert!(
            !text.contains("leader_election") && !text.contains("leader-election"),
            "{file}"
        );
        // Only names and paths change: the same number of lines.
        assert_eq!(text.lines().count(), original.lines().count(), "{file}");
    }
    let manifest = std::fs::read_to_string(made.join("Cargo.toml")).unwrap();
    assert!(manifest.contains("name = \"my-election\""), "{manifest}");
    let api = format!("path = \"{}/api\"", root.display());
    assert!(manifest.contains(&api), "{manifest}");
    let main = std::fs::read_to_string(made.join("src/main.rs")).unwrap();
    assert!(
        main.contains("ftsim::cli::main_with(&[&my_election::Bully])"),
        "{main}"
    );
    let test = std::fs::read_to_string(made.join("tests/repro.rs")).unwrap();
    assert!(test.contains("CARGO_BIN_EXE_my-election"), "{test}");
}

#[test]
fn new_refuses_what_it_cannot_write() {
    let dir = scratch("new-refused");
    std::fs::create_dir_all(dir.join("taken")).unwrap();
    for (args, said) in [
        (&["new", "taken"][..], "exists already"),
        (&["new", "Bad"][..], "a crate's name is a lower-case letter"),
        (
            &["new", "9lives"][..],
            "a crate's name is a lower-case letter",
        ),
        (
            &["new", "x", "--ftsim", "/nonexistent"][..],
            "is not an ftsim checkout",
        ),
    ] {
        let o = ftsim_in(&dir, args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(stderr(&o).contains(said), "{args:?}: {}", stderr(&o));
    }
    assert!(
        !dir.join("x").exists(),
        "nothing written for a bad checkout"
    );
}

#[test]
fn new_lang_writes_a_node_whose_scenarios_meet_their_expectations() {
    let go_files = [
        ".gitignore",
        "ftsimnode/go.mod",
        "ftsimnode/node.go",
        "go.mod",
        "main.go",
        "run.sh",
    ];
    for (lang, files) in [
        ("python", &["node.py", "ftsim_node.py"][..]),
        ("js", &["node.js", "ftsim_node.js"][..]),
        ("go", &go_files[..]),
    ] {
        let dir = scratch(&format!("new-{lang}"));
        let o = ftsim_in(&dir, &["new", "gossip", "--lang", lang]);
        assert_eq!(o.status.code(), Some(0), "{lang}: {}", stderr(&o));
        let made = dir.join("gossip");
        let mut written: Vec<String> = Vec::new();
        collect(&made, &made, &mut written);
        written.sort();
        let mut expected: Vec<&str> = files.to_vec();
        expected.extend([
            "README.md",
            "scenarios/gossip-no-retry.toml",
            "scenarios/gossip.toml",
        ]);
        expected.sort();
        assert_eq!(written, expected, "{lang}");
        for file in files {
            let text = std::fs::read_to_string(made.join(file)).unwrap();
            assert!(
                !text.contains("../libraries"),
                "{lang}: {file} reads the library beside it"
            );
        }
        // The node passes, its naive twin is caught: both expectations met.
        let o = ftsim_in(&made, &["run", "scenarios/", "--seeds", "20"]);
        let out = stdout(&o);
        assert_eq!(o.status.code(), Some(0), "{lang}: {out}{}", stderr(&o));
        assert!(
            out.contains("violated: acknowledged-read-everywhere"),
            "{lang}: {out}"
        );
        assert!(
            out.contains("2 scenario(s), every expectation met"),
            "{lang}: {out}"
        );
    }
}

fn collect(root: &Path, dir: &Path, into: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect(root, &path, into);
        } else {
            into.push(path.strip_prefix(root).unwrap().display().to_string());
        }
    }
}
