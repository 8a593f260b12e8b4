//! `ftsim new NAME`: a protocol crate of one's own, ready to build and test. It is the
//! example crate (`examples/leader-election`, which CI builds, lints, tests and runs) with
//! its names changed to NAME and its dependencies pointed at an ftsim checkout: a process,
//! a safety, a liveness and a reachability property, a scenario that passes, a broken
//! variant the sweep catches, harness tests and the `main.rs` that is the whole CLI. The
//! files are taken into the binary when it is built, so what `new` writes is what CI tests.

use std::path::{Path, PathBuf};

use super::error::{CliError, Status};
use super::output::outln;

/// Write a protocol crate of your own, ready for `cargo test`
#[derive(clap::Args)]
pub struct NewArgs {
    /// The crate's directory; its last part names the crate
    ///
    /// The directory to create (it must not exist); its last part is the crate's name: a
    /// lower-case letter, then lower-case letters, digits, `-` or `_`.
    pub path: PathBuf,
    /// The ftsim checkout to depend on
    ///
    /// The ftsim repository the crate depends on by path (default: the one this `ftsim` was
    /// built from).
    #[arg(long, value_name = "DIR")]
    pub ftsim: Option<PathBuf>,
}

/// The example's name, as a package and as a Rust path, which `new` replaces.
const EXAMPLE_PACKAGE: &str = "leader-election";
const EXAMPLE_CRATE: &str = "leader_election";

/// The example crate's files: (path in the new crate, text).
const FILES: &[(&str, &str)] = &[
    (
        "Cargo.toml",
        include_str!("../../examples/leader-election/Cargo.toml"),
    ),
    (
        "Cargo.lock",
        include_str!("../../examples/leader-election/Cargo.lock"),
    ),
    (
        ".gitignore",
        include_str!("../../examples/leader-election/.gitignore"),
    ),
    (
        "clippy.toml",
        include_str!("../../examples/leader-election/clippy.toml"),
    ),
    (
        "src/lib.rs",
        include_str!("../../examples/leader-election/src/lib.rs"),
    ),
    (
        "src/main.rs",
        include_str!("../../examples/leader-election/src/main.rs"),
    ),
    (
        "src/process.rs",
        include_str!("../../examples/leader-election/src/process.rs"),
    ),
    (
        "src/properties.rs",
        include_str!("../../examples/leader-election/src/properties.rs"),
    ),
    (
        "tests/harness.rs",
        include_str!("../../examples/leader-election/tests/harness.rs"),
    ),
    (
        "tests/repro.rs",
        include_str!("../../examples/leader-election/tests/repro.rs"),
    ),
    (
        "scenarios/bully-crashes.toml",
        include_str!("../../examples/leader-election/scenarios/bully-crashes.toml"),
    ),
    (
        "scenarios/bully-impatient.toml",
        include_str!("../../examples/leader-election/scenarios/bully-impatient.toml"),
    ),
];

/// `ftsim new PATH`: the crate written, and what to run next said.
pub fn main(args: NewArgs) -> Result<Status, CliError> {
    let name = crate_name(&args.path)?;
    let ftsim = ftsim_checkout(args.ftsim.as_deref())?;
    if args.path.exists() {
        return Err(CliError::Usage(format!(
            "{} exists already: `ftsim new` writes a new directory",
            args.path.display()
        )));
    }
    for (file, text) in FILES {
        let path = args.path.join(file);
        let text = renamed(text, &name, &ftsim);
        let written = (path.parent().map_or(Ok(()), std::fs::create_dir_all))
            .and_then(|()| std::fs::write(&path, text));
        written.map_err(|error| CliError::Io { path, error })?;
    }
    outln(&format!(
        "wrote {} (the protocol `bully`, a leader election, to make your own):",
        args.path.display()
    ));
    outln(&format!("  cd {}", args.path.display()));
    outln("  cargo test                                   # the harness's sweeps");
    outln("  cargo run --release -- run scenarios/*.toml  # your own ftsim");
    outln(&format!(
        "{} walks through every file",
        ftsim.join("docs/writing-a-protocol.md").display()
    ));
    Ok(Status::Met)
}

/// The crate name `path` gives: its last part, if cargo takes it as a package name.
fn crate_name(path: &Path) -> Result<String, CliError> {
    let name = (path.file_name())
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut chars = name.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_lowercase());
    let rest_ok =
        chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
    if !first_ok || !rest_ok || name.len() > 64 {
        return Err(CliError::Usage(format!(
            "{}: a crate's name is a lower-case letter, then lower-case letters, digits, \
             `-` or `_` (at most 64)",
            path.display()
        )));
    }
    Ok(name)
}

/// The ftsim checkout to depend on: `given`, or the one this binary was built from; it must
/// hold ftsim's `api` crate.
fn ftsim_checkout(given: Option<&Path>) -> Result<PathBuf, CliError> {
    let dir = given.map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")),
        Path::to_path_buf,
    );
    let dir = std::path::absolute(&dir).unwrap_or(dir);
    if !dir.join("api/Cargo.toml").is_file() {
        return Err(CliError::Usage(format!(
            "{} is not an ftsim checkout (it has no api/Cargo.toml): pass --ftsim DIR, \
             a clone of ftsim's repository",
            dir.display()
        )));
    }
    Ok(dir)
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
