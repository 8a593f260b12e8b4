//! Finding and loading scenario files: directories expand to their `*.toml` files, and every
//! file is validated before anything runs; all bad files are reported, not just the first.

use std::path::{Path, PathBuf};

use ftsim_runner::{Scenario, ScenarioError};

use crate::cli::app::App;
use crate::cli::error::CliError;

/// Expands directories into their regular *.toml files (sorted), keeps files as given.
fn expand(files: &[PathBuf]) -> Result<Vec<PathBuf>, ScenarioError> {
    let mut out = Vec::new();
    for f in files {
        if f.is_dir() {
            let entries = std::fs::read_dir(f).map_err(|e| ScenarioError::unreadable(f, &e))?;
            let mut found: Vec<PathBuf> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "toml"))
                // Not a pipe or a device that happens to be named so: reading one could block.
                .filter(|p| p.is_file())
                .collect();
            found.sort();
            out.extend(found);
        } else {
            out.push(f.clone());
        }
    }
    Ok(out)
}

/// Loads every file (a file with a `[sweep]` grid gives a scenario per point), reporting every
/// bad one; nothing runs unless all are good.
pub fn load_all(app: &App, files: &[PathBuf]) -> Result<Vec<Scenario>, CliError> {
    let files = expand(files).map_err(|e| CliError::Scenarios(vec![e]))?;
    if files.is_empty() {
        return Err(CliError::Usage("no scenario files given".into()));
    }
    let mut scenarios = Vec::new();
    let mut bad = Vec::new();
    for f in &files {
        match ftsim_runner::scenario::load_points(f, &app.catalog) {
            Ok(points) => scenarios.extend(points),
            Err(e) => bad.push(e),
        }
    }
    if bad.is_empty() {
        Ok(scenarios)
    } else {
        Err(CliError::Scenarios(bad))
    }
}

/// Which scenario of a file a command works on: a point of its grid, or a variant `classify`
/// derived from it.
#[derive(Clone, Copy)]
pub struct Chosen<'a> {
    /// The point of the file's `[sweep]` grid (1-based), if it has one.
    pub point: Option<usize>,
    /// A variant's name (`super::variant`).
    pub variant: Option<&'a str>,
}

impl Chosen<'_> {
    /// The command that replays `seed` of this scenario of `file` (in `swarm` mode), run by
    /// `program`.
    pub fn replay_command(&self, program: &str, file: &Path, seed: u64, swarm: bool) -> String {
        let command = ftsim_runner::sweep::replay_command(program, file, seed, self.point, swarm);
        match self.variant {
            Some(variant) => format!("{command} --variant {variant}"),
            None => command,
        }
    }
}

/// Loads the scenario `chosen` names in `file` (see [`load_one`]).
pub fn load_chosen(app: &App, file: &Path, chosen: Chosen<'_>) -> Result<Scenario, CliError> {
    match chosen.variant {
        Some(name) => super::variant::load(app, file, name),
        None => load_one(app, file, chosen.point),
    }
}

/// Loads the one scenario a command works on (`replay`, `shrink`): the file's only one, or
/// point `point` (1-based) of its grid. A directory is an error naming its scenarios, never
/// its first file silently.
pub fn load_one(app: &App, file: &Path, point: Option<usize>) -> Result<Scenario, CliError> {
    if file.is_dir() {
        let found = expand(&[file.to_path_buf()]).unwrap_or_default();
        let names: Vec<String> = found
            .iter()
            .take(2)
            .filter_map(|f| f.file_name().map(|n| n.to_string_lossy().into_owned()))
            .collect();
        let listing = match (names.is_empty(), found.len() > names.len()) {
            (true, _) => "it holds no *.toml file".to_string(),
            (false, false) => format!("it holds {}", names.join(", ")),
            (false, true) => format!("it holds {}, ... ({} files)", names.join(", "), found.len()),
        };
        return Err(CliError::Usage(format!(
            "{} is a directory: expected one scenario file ({listing})",
            file.display()
        )));
    }
    let mut points = load_all(app, &[file.to_path_buf()])?;
    let count = points.len();
    match point {
        Some(k) if (1..=count).contains(&k) => Ok(points.swap_remove(k - 1)),
        Some(k) if points[0].point.is_none() => Err(CliError::Usage(format!(
            "--point {k}: {} has no [sweep] grid (its one scenario is point 1)",
            file.display()
        ))),
        Some(k) => Err(CliError::Usage(format!(
            "--point {k}: expected 1 to {count}, the points of the [sweep] grid of {}",
            file.display()
        ))),
        None if count == 1 => Ok(points.remove(0)),
        None => Err(CliError::Usage(format!(
            "{} has a [sweep] grid of {count} points: name one with --point K",
            file.display()
        ))),
    }
}
