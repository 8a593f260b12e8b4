//! `ftsim new NAME`: a protocol of one's own to start from, ready to test. In Rust (`rust.rs`)
//! a crate: a process, a safety, a liveness and a reachability property, a scenario that
//! passes, a broken variant the sweep catches, harness tests and the `main.rs` that is the
//! whole CLI. In Python, JavaScript or Go (`external.rs`) a node with its library, a scenario that
//! passes and a broken twin (in Go, a module with the library as a module beside it). The files are ftsim's own examples, taken into the binary when it
//! is built, so what `new` writes is what CI tests.

mod external;
mod rust;

use std::path::{Path, PathBuf};

use super::error::{CliError, Status};
use super::output::outln;

/// Files to write: (path in the new directory, text).
type Template = Vec<(String, String)>;

/// The language of `ftsim new`.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Lang {
    Rust,
    Python,
    Js,
    Go,
}

/// Write a protocol of your own to start from, ready to test
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
    /// rust (a crate), python, js or go (a node) [default: rust]
    ///
    /// The language: rust writes a crate depending on ftsim (a leader election); python, js
    /// and go write an external node (Maelstrom's broadcast) with ftsim's node library beside
    /// it and its two scenarios. [default: rust]
    #[arg(
        long,
        value_enum,
        default_value = "rust",
        hide_default_value = true,
        hide_possible_values = true
    )]
    pub lang: Lang,
}

/// `ftsim new PATH`: the files written, and what to run next said.
pub fn main(args: NewArgs) -> Result<Status, CliError> {
    let name = crate_name(&args.path)?;
    // A crate depends on the checkout; a node only names its guide chapter in it.
    let checkout = ftsim_checkout(args.ftsim.as_deref());
    let ftsim = match (args.lang, checkout) {
        (Lang::Rust, checkout) => checkout?,
        (_, checkout) => checkout.unwrap_or_else(|_| PathBuf::from("ftsim")),
    };
    if args.path.exists() {
        return Err(CliError::Usage(format!(
            "{} exists already: `ftsim new` writes a new directory",
            args.path.display()
        )));
    }
    let template = match args.lang {
        Lang::Rust => rust::template(&name, &ftsim),
        Lang::Python => external::template("python", &name),
        Lang::Js => external::template("js", &name),
        Lang::Go => external::template("go", &name),
    };
    for (file, text) in template {
        let path = args.path.join(file);
        let written = (path.parent().map_or(Ok(()), std::fs::create_dir_all))
            .and_then(|()| std::fs::write(&path, text));
        written.map_err(|error| CliError::Io { path, error })?;
    }
    let shown = args.path.display();
    match args.lang {
        Lang::Rust => {
            outln(&format!(
                "wrote {shown} (a leader election, `bully`, to make your own):"
            ));
            outln(&format!("  cd {shown}"));
            outln("  cargo test                                   # the harness's sweeps");
            outln("  cargo run --release -- run scenarios/*.toml  # your own ftsim");
        }
        Lang::Python | Lang::Js | Lang::Go => {
            outln(&format!(
                "wrote {shown} (Maelstrom's broadcast, to make your own):"
            ));
            outln(&format!("  cd {shown}"));
            outln("  ftsim run scenarios/*.toml   # the node, and its naive twin caught");
        }
    }
    let guide = match args.lang {
        Lang::Rust => "docs/writing-a-protocol.md",
        Lang::Python | Lang::Js | Lang::Go => "docs/external-nodes.md",
    };
    outln(&format!("{} walks through it", ftsim.join(guide).display()));
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
