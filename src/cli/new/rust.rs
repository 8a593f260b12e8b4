//! `ftsim new NAME` (Rust): the example crate (`examples/leader-election`, which CI builds,
//! lints, tests and runs) with its names changed to NAME and its dependencies pointed at an
//! ftsim checkout.

use std::path::Path;

use super::Template;

/// The example's name, as a package and as a Rust path, which `new` replaces.
const EXAMPLE_PACKAGE: &str = "leader-election";
const EXAMPLE_CRATE: &str = "leader_election";

/// The example crate's files: (path in the new crate, text).
pub(super) const FILES: &[(&str, &str)] = &[
    (
        "Cargo.toml",
        include_str!("../../../examples/leader-election/Cargo.toml"),
    ),
    (
        "Cargo.lock",
        include_str!("../../../examples/leader-election/Cargo.lock"),
    ),
    (
        ".gitignore",
        include_str!("../../../examples/leader-election/.gitignore"),
    ),
    (
        "clippy.toml",
        include_str!("../../../examples/leader-election/clippy.toml"),
    ),
    (
        "src/lib.rs",
        include_str!("../../../examples/leader-election/src/lib.rs"),
    ),
    (
        "src/main.rs",
        include_str!("../../../examples/leader-election/src/main.rs"),
    ),
    (
        "src/process.rs",
        include_str!("../../../examples/leader-election/src/process.rs"),
    ),
    (
        "src/properties.rs",
        include_str!("../../../examples/leader-election/src/properties.rs"),
    ),
    (
        "tests/harness.rs",
        include_str!("../../../examples/leader-election/tests/harness.rs"),
    ),
    (
        "tests/repro.rs",
        include_str!("../../../examples/leader-election/tests/repro.rs"),
    ),
    (
        "scenarios/bully-crashes.toml",
        include_str!("../../../examples/leader-election/scenarios/bully-crashes.toml"),
    ),
    (
        "scenarios/bully-impatient.toml",
        include_str!("../../../examples/leader-election/scenarios/bully-impatient.toml"),
    ),
];

/// The crate's files, named `name`, depending on the checkout `ftsim`.
pub(super) fn template(name: &str, ftsim: &Path) -> Template {
    (FILES.iter())
        .map(|(path, text)| (path.to_string(), renamed(text, name, ftsim)))
        .collect()
}

/// An example file with the crate's names changed to `name` and its dependencies on ftsim
/// pointed at `ftsim`.
fn renamed(text: &str, name: &str, ftsim: &Path) -> String {
    let ftsim = ftsim.display().to_string().replace('\\', "/");
    text.replace(EXAMPLE_CRATE, &name.replace('-', "_"))
        .replace(EXAMPLE_PACKAGE, name)
        .replace("path = \"../../api\"", &format!("path = \"{ftsim}/api\""))
        .replace("path = \"../..\"", &format!("path = \"{ftsim}\""))
        .replace(
            "the example of docs/writing-a-protocol.md",
            "made by `ftsim new` from ftsim's example",
        )
}
