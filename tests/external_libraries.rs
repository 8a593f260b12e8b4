//! The node libraries' own tests (Python's `unittest`, Node.js's `node:test`, `go test`), run under
//! `cargo test` so that the README's test command covers every language ftsim ships.

use std::path::Path;
use std::process::Command;

fn passes(program: &str, args: &[&str], dir: &str) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let out = Command::new(program)
        .args(args)
        .current_dir(&dir)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {program} (is it installed?): {e}"));
    assert!(
        out.status.success(),
        "{program} {args:?} in {}:\n{}\n{}",
        dir.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_python_library_passes_its_tests() {
    passes(
        "python3",
        &["-m", "unittest", "-q", "test_ftsim_node"],
        "libraries/python",
    );
}

#[test]
fn the_javascript_library_passes_its_tests() {
    passes("node", &["--test", "ftsim_node.test.js"], "libraries/js");
}

#[test]
fn the_go_library_passes_its_tests() {
    passes("go", &["vet", "./..."], "libraries/go");
    passes("go", &["test", "./..."], "libraries/go");
    passes("go", &["vet", "./..."], "examples/external/go");
}
