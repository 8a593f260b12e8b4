//! `run --results FILE`: every finished scenario appended to a JSON-lines file the moment it
//! finishes (one `ftsim.result` object a line: a key and the summary, with its tally), so an
//! interrupted or killed sweep keeps what it finished; with `--resume`, a scenario whose key is
//! in the file, with a tally of exactly the seeds it sweeps, is judged again from that tally
//! instead of being run again.
//!
//! The key is a hash of what decides the scenario's result: its file's path and text, its
//! point of the file's `[sweep]` grid, the scenario as it will run (written out whole, every
//! default and every flag applied to it), the seeds, the shard and the flags that change what
//! a sweep counts (`--swarm`, `--check-determinism`, `--seed-timeout`, budgets). An edited
//! scenario, or another point of the same file, has another key and runs again. A line cut
//! short by a kill is ignored.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::hash::Hasher;
use std::io::Write;
use std::path::{Path, PathBuf};

use ftsim_api::sim_core::entropy::DetHasher;
use ftsim_runner::scenario::{to_toml, Header};
use ftsim_runner::sweep::{ScenarioSummary, Seeds, SCHEMA_VERSION};
use ftsim_runner::Scenario;
use serde::{Deserialize, Serialize};

use crate::cli::error::CliError;
use crate::cli::files;

/// One line of the file.
#[derive(Serialize, Deserialize)]
pub struct ResultLine {
    pub schema: String,
    pub schema_version: u32,
    /// What decides the result (see the module's doc), as 16 hex digits.
    pub key: String,
    pub summary: ScenarioSummary,
}

/// The open file and, when resuming, the results it already held, by key.
pub struct Results {
    path: PathBuf,
    file: File,
    done: BTreeMap<String, ResultLine>,
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> CliError + '_ {
    move |error| CliError::Io {
        path: path.to_path_buf(),
        error,
    }
}

impl Results {
    /// Opens `path`: emptied, or, with `resume`, read and appended to. As every output file
    /// (see `files`), a file is written anew, atomically, replacing a symlink rather than
    /// writing through it; resuming, the new file starts with the lines read back (a line
    /// cut short by a kill is dropped, so the next line appended stands alone). A device or a
    /// pipe is appended to as it is.
    pub fn open(path: &Path, resume: bool) -> Result<Self, CliError> {
        let done = if resume {
            read_done(path)?
        } else {
            BTreeMap::new()
        };
        let file = if files::is_stream(path)? {
            OpenOptions::new().append(true).open(path)
        } else {
            let mut kept = String::new();
            for line in done.values() {
                kept.push_str(&serde_json::to_string(line).unwrap_or_default());
                kept.push('\n');
            }
            files::write_atomic(path, kept.as_bytes())?;
            OpenOptions::new().append(true).open(path)
        };
        Ok(Results {
            path: path.to_path_buf(),
            file: file.map_err(io_error(path))?,
            done,
        })
    }

    /// Where the file is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The stored result of a scenario with this key, if the file held one whose tally is a
    /// whole sweep of `seeds` (the seeds this run of the scenario sweeps): a tally with fewer
    /// or more runs, or one naming a seed outside them, was edited, and its scenario runs
    /// again. Only the tally and the wall time are taken from the line: the caller judges the
    /// tally again, so an edited verdict, count or seed range elsewhere in the line is not
    /// believed.
    pub fn done(&self, key: &str, seeds: Seeds) -> Option<&ResultLine> {
        let line = self.done.get(key)?;
        let tally = &line.summary.tally;
        (tally.runs == seeds.count && tally.contradiction(seeds).is_none()).then_some(line)
    }

    /// Appends one finished scenario as a line, flushed to the file at once.
    pub fn record(&mut self, key: &str, summary: &ScenarioSummary) -> Result<(), CliError> {
        let line = ResultLine {
            schema: "ftsim.result".into(),
            schema_version: SCHEMA_VERSION,
            key: key.to_string(),
            summary: summary.clone(),
        };
        let mut text = serde_json::to_string(&line).unwrap_or_default();
        text.push('\n');
        self.file
            .write_all(text.as_bytes())
            .and_then(|()| self.file.flush())
            .map_err(io_error(&self.path))
    }
}

/// The results already in `path` (none if it does not exist yet), by key; a line that does not
/// parse (cut short by a kill) is skipped: its scenario runs again.
fn read_done(path: &Path) -> Result<BTreeMap<String, ResultLine>, CliError> {
    let text = match ftsim_runner::input::read_text(path, ftsim_runner::input::RECORD_BYTES_MAX) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(BTreeMap::new()),
        Err(e) => return Err(io_error(path)(e)),
    };
    Ok(text
        .lines()
        .filter_map(|line| serde_json::from_str::<ResultLine>(line).ok())
        .filter(|line| line.schema == "ftsim.result" && line.schema_version == SCHEMA_VERSION)
        .map(|line| (line.key.clone(), line))
        .collect())
}

/// The key of a scenario's result: its file's path and text, its grid point, the scenario as
/// it runs (written out, so a grid point's values and the budgets applied are in it), its
/// seeds (`every` of them, and the `run` of them this shard runs), the shard, and the
/// `settings` that change what a sweep counts (swarm, determinism check, seed time limit,
/// budgets), in words.
pub fn result_key(
    scenario: &Scenario,
    every: Seeds,
    run: Seeds,
    shard: &str,
    settings: &str,
) -> String {
    let mut h = DetHasher::default();
    let text = std::fs::read(&scenario.file).unwrap_or_default();
    let point = (scenario.point.as_ref()).map_or(String::new(), |p| {
        format!("{} of {}: {}", p.index, p.of, p.label())
    });
    let header = Header {
        name: &scenario.name,
        description: &scenario.description,
        seeds: scenario.seeds,
        expect: &scenario.expect,
    };
    let written = to_toml(&header, scenario.simulation.as_ref());
    for part in [
        scenario.file.display().to_string().as_bytes(),
        &text,
        point.as_bytes(),
        written.as_bytes(),
        shard.as_bytes(),
        settings.as_bytes(),
    ] {
        h.mix(part.len() as u64);
        h.write(part);
    }
    for seeds in [every, run] {
        h.mix(seeds.start);
        h.mix(seeds.count);
    }
    format!("{:016x}", h.finish())
}
