//! Scenario files: TOML parsed strictly (unknown keys and wrong types are errors naming the key
//! path), then validated against the protocol and the group size into a [`Scenario`] whose
//! [`Simulation`] runs any seed. Nothing runs until a whole file has been validated.

mod budget;
mod detector;
mod error;
mod expect;
mod faults;
mod grid;
mod limits;
mod network;
mod raw;
mod schedule;
mod shape;
mod toml_key;
mod values;
mod words;
mod write;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use sim_core::{Duration, RunConfig};

use crate::catalog::Catalog;
use crate::seeds::Seeds;
use crate::simulation::Simulation;
use ftsim_api::params::ParamValues;
use ftsim_api::RunSpec;

pub use budget::MAX_MEMORY_MIB;
pub use error::ScenarioError;
use error::Source;
pub use expect::Expect;
pub use grid::{load_points, parse_points, GridPoint, MAX_POINTS};
pub use limits::{MAX_DURATION, MAX_FAULTS, MAX_SEEDS};
use raw::RawScenario;
use toml_key::too_big;
pub use write::{to_toml, Header};

/// The most nodes a scenario may have.
pub const MAX_NODES: i64 = 1024;

/// The event budget of a run when the scenario sets none.
pub const DEFAULT_MAX_EVENTS: u64 = 1_000_000;

/// A validated scenario: what to run, over which seeds, and what to expect.
pub struct Scenario {
    /// The file it was read from.
    pub file: PathBuf,
    /// Its name, for tables and reports.
    pub name: String,
    /// What it shows, in a sentence or two.
    pub description: String,
    /// The seeds a sweep runs.
    pub seeds: Seeds,
    /// What the sweep must find.
    pub expect: Expect,
    /// The protocol prepared with the scenario's parameters, network, faults and checks.
    pub simulation: Arc<dyn Simulation>,
    /// Which point of its file's `[sweep]` grid it is (None: the file has no grid).
    pub point: Option<GridPoint>,
}

/// Reads and validates one scenario file (one without a `[sweep]` grid: [`load_points`] reads
/// either kind).
pub fn load(file: &Path, catalog: &Catalog) -> Result<Scenario, ScenarioError> {
    let text = crate::input::read_text(file, crate::input::SCENARIO_BYTES_MAX)
        .map_err(|e| ScenarioError::unreadable(file, &e))?;
    parse(file, &text, catalog)
}

/// An error at `key` of the scenario read from `file`, found after it loaded (what `explore`
/// refuses, say), with the line defining the key when the file can still be read.
pub fn error_at_key(file: &Path, key: &str, message: &str) -> ScenarioError {
    let text = crate::input::read_text(file, crate::input::SCENARIO_BYTES_MAX).unwrap_or_default();
    Source { file, text: &text }.err(key, message)
}

/// Validates scenario text (`file` names it in errors).
pub fn parse(file: &Path, text: &str, catalog: &Catalog) -> Result<Scenario, ScenarioError> {
    let c = Source { file, text };
    let doc: toml::Table = toml::from_str(text).map_err(|e| toml_error(&c, &e))?;
    shape::check(&c, &doc)?;
    let raw: RawScenario = deserialize(&c)?;
    limits::check(&c, &raw)?;
    printable(&c, "name", &raw.name, false)?;
    printable(&c, "description", &raw.description, true)?;
    let (protocol, info) = catalog.find(&raw.protocol).ok_or_else(|| {
        c.err(
            "protocol",
            format!(
                "unknown protocol \"{}\": expected one of {}",
                words::clip(&raw.protocol),
                catalog.names().join(", ")
            ),
        )
    })?;
    let seeds = seeds_of(&c, &raw)?;
    let spec = spec_of(&c, &raw)?;
    let mut params = ParamValues::new();
    for (k, v) in &raw.params {
        params.insert(k.clone(), values::param_of(&c, &format!("params.{k}"), v)?);
    }
    values::resolve_commands(&c, &info.params, &mut params)?;
    let simulation = protocol
        .prepare(&params, spec)
        .map_err(|e| c.err(e.key, e.message))?;
    let invariants = simulation.spec().invariants.clone().unwrap_or_default();
    let expect = expect::expect_of(&c, &raw.expect, &invariants)?;
    Ok(Scenario {
        file: file.to_path_buf(),
        name: raw.name,
        description: raw.description,
        seeds,
        expect,
        simulation,
        point: None,
    })
}

/// Text printed to a terminal and into reports as it is: no control characters (an escape
/// sequence would recolour or rewrite the terminal; `newlines` allows line breaks and tabs)
/// and no bidirectional overrides (which make a name read as another).
fn printable(c: &Source, key: &str, text: &str, newlines: bool) -> Result<(), ScenarioError> {
    let bad = text.chars().find(|&ch| {
        let layout = newlines && matches!(ch, '\n' | '\r' | '\t');
        (ch.is_control() && !layout)
            || matches!(ch, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    });
    let Some(ch) = bad else { return Ok(()) };
    let what = if ch.is_control() {
        "control character"
    } else {
        "direction override"
    };
    let found = format!(
        "expected printable text, found the {what} U+{:04X}",
        u32::from(ch)
    );
    Err(c.err(key, found))
}

fn seeds_of(c: &Source, raw: &RawScenario) -> Result<Seeds, ScenarioError> {
    if raw.seeds.count == 0 {
        return Err(c.err("seeds.count", "expected at least one seed"));
    }
    if raw.seeds.count > MAX_SEEDS {
        return Err(c.err(
            "seeds.count",
            format!(
                "expected at most {MAX_SEEDS} seeds (for more, files with other starts), \
                 found {}",
                raw.seeds.count
            ),
        ));
    }
    if raw.seeds.start.checked_add(raw.seeds.count).is_none() {
        return Err(c.err(
            "seeds.count",
            format!(
                "start + count is past the last seed: expected start + count to be at most {} \
                 (found start {} and count {})",
                u64::MAX,
                raw.seeds.start,
                raw.seeds.count
            ),
        ));
    }
    Ok(Seeds {
        start: raw.seeds.start,
        count: raw.seeds.count,
    })
}

/// Everything but the parameters, before the protocol resolves its defaults.
fn spec_of(c: &Source, raw: &RawScenario) -> Result<RunSpec, ScenarioError> {
    if !(1..=MAX_NODES).contains(&raw.nodes) {
        return Err(c.err(
            "nodes",
            format!(
                "expected a node count from 1 to {MAX_NODES}, found {}",
                raw.nodes
            ),
        ));
    }
    let n = raw.nodes as usize;
    if raw.duration == Duration::ZERO {
        return Err(c.err("duration", "expected a fault phase longer than zero"));
    }
    let (max_events, budgets) = budget::budgets_of(c, raw)?;
    let (faults, schedule) = faults::faults_of(c, &raw.faults, n, raw.duration)?;
    Ok(RunSpec {
        nodes: n,
        network: network::network_of(c, &raw.network, n)?,
        detector: raw
            .detector
            .as_ref()
            .map(|d| detector::detector_of(c, d))
            .transpose()?,
        config: RunConfig {
            duration: raw.duration,
            settle: raw.settle,
            max_events,
            trace: false,
            budgets,
        },
        invariants: raw.invariants.clone(),
        sometimes: raw.sometimes.clone(),
        adversary: raw.adversary.clone(),
        faults,
        schedule,
    })
}

/// A file that is not TOML: where, and, for a value TOML cannot hold, which key.
fn toml_error(c: &Source, e: &toml::de::Error) -> ScenarioError {
    let offset = e.span().map(|s| s.start);
    if let Some(message) = too_big(e.message()) {
        if let Some(key) = offset.and_then(|o| toml_key::key_at(c.text, o)) {
            let mut err = c.err_at(offset, message);
            err.key = Some(key);
            return err;
        }
    }
    c.err_at(
        offset,
        format!("not valid TOML: {}", words::clip_quoted(e.message())),
    )
}

fn deserialize<T: serde::de::DeserializeOwned>(c: &Source) -> Result<T, ScenarioError> {
    let de = toml::Deserializer::parse(c.text).map_err(|e| toml_error(c, &e))?;
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let key = (path != ".").then_some(path);
        let (key, message) = words::rewrite(key, inner.message());
        let mut err = c.err_at(inner.span().map(|s| s.start), message);
        err.key = key;
        err
    })
}
