//! The scenarios `classify` derives from a file, each with a name, so that `replay --variant`
//! derives the same one again and every seed `classify` names can be replayed.
//!
//! A variant is the file's text edited and parsed again (validated like a file):
//! - a fault class (`none`, `loss`, `crash-stop`, `crash-recover`, `partition`, `byzantine`):
//!   the file without its own faults and loss, with that one class set, timed within its fault
//!   phase;
//! - an envelope point (`n5-crashes2`, `n4-byzantine1`): the file at group size 5 with its own
//!   crash spec (or Byzantine spec) counted to 2, its other faults kept.
//!
//! Either way the grid (`[sweep]`), `sometimes` and the expectation are dropped: a variant
//! judges safety and liveness itself.

use std::path::Path;

use ftsim_api::Duration;
use ftsim_runner::{Scenario, ScenarioError};

use crate::cli::app::App;
use crate::cli::error::CliError;

/// A fault class: its name and the keys it sets.
pub struct Class {
    pub name: &'static str,
    pub set: Vec<(&'static str, toml::Value)>,
}

/// The names of the fault classes, in the order `classify` runs them.
const CLASS_NAMES: [&str; 6] = [
    "none",
    "loss",
    "crash-stop",
    "crash-recover",
    "partition",
    "byzantine",
];

fn value(text: &str) -> toml::Value {
    text.parse::<toml::Table>()
        .ok()
        .and_then(|t| t.get("v").cloned())
        .unwrap_or(toml::Value::Boolean(false))
}

/// The classes, timed within the scenario's fault phase `d`.
pub fn classes(d: Duration, byzantine: bool) -> Vec<Class> {
    // Faults start within the fault phase, which ends at `d` (exclusive).
    let (d, half, tenth) = (
        Duration(d.0 / 10 * 9),
        Duration(d.0 / 2),
        Duration((d.0 / 10).max(1)),
    );
    let crash = format!("v = {{ min = 1, max = 1, between = [\"0ms\", \"{d}\"] }}");
    let recover = format!(
        "v = {{ min = 1, max = 1, between = [\"0ms\", \"{d}\"], recover_after = [\"{tenth}\", \"{half}\"] }}"
    );
    let partition = format!(
        "v = {{ min = 1, max = 1, between = [\"0ms\", \"{d}\"], lasting = [\"{tenth}\", \"{half}\"] }}"
    );
    let sets = [
        vec![],
        vec![("network.loss", value("v = 0.2"))],
        vec![("faults.crashes", value(&crash))],
        vec![("faults.crashes", value(&recover))],
        vec![("faults.partitions", value(&partition))],
        vec![("faults.byzantine", value("v = { count = 1 }"))],
    ];
    let count = if byzantine { 6 } else { 5 };
    (CLASS_NAMES.into_iter().zip(sets))
        .take(count)
        .map(|(name, set)| Class { name, set })
        .collect()
}

/// The scenario's text as a table without its grid, `sometimes` and expectation (a variant
/// judges safety and liveness itself), and unless `keep_faults`, without its faults and loss.
pub fn base_table(file: &Path, keep_faults: bool) -> Result<toml::Table, CliError> {
    let text = ftsim_runner::input::read_text(file, ftsim_runner::input::SCENARIO_BYTES_MAX)
        .map_err(|e| unreadable(file, &e))?;
    let mut table: toml::Table = text
        .parse()
        .map_err(|e| CliError::Usage(format!("{}: not valid TOML: {e}", file.display())))?;
    for key in ["sweep", "sometimes"] {
        table.remove(key);
    }
    table.insert("expect".into(), toml::Value::String("pass".into()));
    if keep_faults {
        return Ok(table);
    }
    table.remove("faults");
    if let Some(toml::Value::Table(network)) = table.get_mut("network") {
        network.remove("loss");
    }
    Ok(table)
}

/// A scenario file that cannot be read, reported as `run` and `check` report one.
pub fn unreadable(file: &Path, error: &std::io::Error) -> CliError {
    CliError::Scenarios(vec![ScenarioError::unreadable(file, error)])
}

/// Sets a dotted key, making tables on the way.
fn set(table: &mut toml::Table, key: &str, v: toml::Value) {
    let mut parts: Vec<&str> = key.split('.').collect();
    let last = parts.pop().unwrap_or(key);
    let mut here = table;
    for part in parts {
        let next = here
            .entry(part.to_string())
            .or_insert_with(|| toml::Value::Table(toml::Table::new()));
        if !next.is_table() {
            *next = toml::Value::Table(toml::Table::new());
        }
        here = match next {
            toml::Value::Table(t) => t,
            _ => unreachable!("made a table just above"),
        };
    }
    here.insert(last.to_string(), v);
}

/// The variant of `base` with `keys` set, as a scenario.
pub fn with_keys(
    app: &App,
    file: &Path,
    base: &toml::Table,
    keys: &[(&str, toml::Value)],
) -> Result<Scenario, CliError> {
    let mut table = base.clone();
    for (key, v) in keys {
        set(&mut table, key, v.clone());
    }
    parse_table(app, file, &table)
}

/// A scenario table as a scenario, validated like a file.
pub fn parse_table(app: &App, file: &Path, table: &toml::Table) -> Result<Scenario, CliError> {
    let text = toml::to_string(table).map_err(|e| CliError::Usage(e.to_string()))?;
    // The lines are the derived text's, not the file's: an error names its key only.
    ftsim_runner::scenario::parse(file, &text, &app.catalog).map_err(|mut e| {
        e.line = None;
        CliError::Scenarios(vec![e])
    })
}

/// `base` at group size `n` with `f` faults of the counted kind: the file's own crash spec
/// (or Byzantine spec) with its count set to `f`, so the faults come the way the scenario makes
/// them (mid-broadcast, in chains...); crashes in the fault phase if the file has none; no
/// such faults at all for `f = 0`.
pub fn with_faults(
    base: &toml::Table,
    n: usize,
    f: usize,
    byzantine: bool,
    d: Duration,
) -> toml::Table {
    let mut table = base.clone();
    set(&mut table, "nodes", toml::Value::Integer(n as i64));
    let key = if byzantine { "byzantine" } else { "crashes" };
    let mut faults = match table.remove("faults") {
        Some(toml::Value::Table(faults)) => faults,
        _ => toml::Table::new(),
    };
    if f == 0 {
        faults.remove(key);
    } else {
        let mut spec = match faults.remove(key) {
            Some(toml::Value::Table(spec)) => spec,
            _ if byzantine => toml::Table::new(),
            _ => {
                let d = Duration(d.0 / 10 * 9);
                let mut spec = toml::Table::new();
                spec.insert("between".into(), value(&format!("v = [\"0ms\", \"{d}\"]")));
                spec
            }
        };
        let count = toml::Value::Integer(f as i64);
        if byzantine {
            spec.insert("count".into(), count);
        } else {
            spec.insert("min".into(), count.clone());
            spec.insert("max".into(), count);
        }
        faults.insert(key.into(), toml::Value::Table(spec));
    }
    table.insert("faults".into(), toml::Value::Table(faults));
    table
}

/// The name of the envelope's point at group size `n` with `f` faults.
pub fn envelope_name(n: usize, f: usize, byzantine: bool) -> String {
    let kind = if byzantine { "byzantine" } else { "crashes" };
    format!("n{n}-{kind}{f}")
}

/// An envelope point's name taken apart: (n, f, byzantine).
fn parse_envelope(name: &str) -> Option<(usize, usize, bool)> {
    let rest = name.strip_prefix('n')?;
    let (n, rest) = rest.split_once('-')?;
    let (f, byzantine) = match rest.strip_prefix("crashes") {
        Some(f) => (f, false),
        None => (rest.strip_prefix("byzantine")?, true),
    };
    Some((n.parse().ok()?, f.parse().ok()?, byzantine))
}

/// The variant `name` of `file`, derived as `classify` derives it.
pub fn load(app: &App, file: &Path, name: &str) -> Result<Scenario, CliError> {
    if let Some((n, f, byzantine)) = parse_envelope(name) {
        let base = base_table(file, true)?;
        let first = with_keys(app, file, &base, &[])?;
        let d = first.simulation.spec().config.duration;
        return parse_table(app, file, &with_faults(&base, n, f, byzantine, d));
    }
    let base = base_table(file, false)?;
    let first = with_keys(app, file, &base, &[])?;
    let d = first.simulation.spec().config.duration;
    match classes(d, true).into_iter().find(|c| c.name == name) {
        Some(class) => with_keys(app, file, &base, &class.set),
        None => Err(CliError::Usage(format!(
            "--variant {name}: expected a fault class ({}) or an envelope point such as \
             n5-crashes2 or n4-byzantine1, as `classify` prints them",
            CLASS_NAMES.join(", ")
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelope_names_parse_back() {
        for (n, f, b) in [(5, 2, false), (4, 1, true), (12, 0, false)] {
            assert_eq!(parse_envelope(&envelope_name(n, f, b)), Some((n, f, b)));
        }
        for bad in [
            "crash-stop",
            "n5",
            "n-crashes2",
            "n5-crashes",
            "n5-lost2",
            "x5-crashes2",
        ] {
            assert_eq!(parse_envelope(bad), None, "{bad}");
        }
    }
}
