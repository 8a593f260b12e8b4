//! `[sweep]`: a parameter grid over any scenario key. Each key of the table is a dotted path
//! into the scenario (`nodes`, `params.rounds`, `faults.crashes.max`, `network.loss`) and its
//! value a list; the scenario is run at every point of the product of the lists, each point an
//! ordinary scenario: the file with the point's values written in and `[sweep]` removed, then
//! validated as any file is. So a point's figures are those of a one-point scenario with the
//! same values, and everything a sweep does (results, shards, JUnit) works per point.
//!
//! ```toml
//! [sweep]
//! nodes = [3, 4, 5]
//! "params.rounds" = [1, 2]
//! ```

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::error::{ScenarioError, Source};
use super::{parse, Scenario};
use crate::catalog::Catalog;

/// The most points a grid may have.
pub const MAX_POINTS: usize = 10_000;

/// Which point of its file's grid a scenario is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GridPoint {
    /// 1-based, in the order the grid is run (`replay --point`).
    pub index: usize,
    /// How many points the grid has.
    pub of: usize,
    /// Key → value at this point, as written in TOML.
    pub values: BTreeMap<String, String>,
}

impl GridPoint {
    /// "nodes=4 params.rounds=2".
    pub fn label(&self) -> String {
        let pairs: Vec<String> = self
            .values
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        pairs.join(" ")
    }
}

/// Reads a file that may hold a `[sweep]` grid: one scenario, or one per point.
pub fn load_points(file: &Path, catalog: &Catalog) -> Result<Vec<Scenario>, ScenarioError> {
    let text = crate::input::read_text(file, crate::input::SCENARIO_BYTES_MAX)
        .map_err(|e| ScenarioError::unreadable(file, &e))?;
    parse_points(file, &text, catalog)
}

/// [`load_points`] of scenario text.
pub fn parse_points(
    file: &Path,
    text: &str,
    catalog: &Catalog,
) -> Result<Vec<Scenario>, ScenarioError> {
    let c = Source { file, text };
    let Ok(mut table) = text.parse::<toml::Table>() else {
        return parse(file, text, catalog).map(|s| vec![s]); // its error, with the line
    };
    let Some(grid) = table.remove("sweep") else {
        return parse(file, text, catalog).map(|s| vec![s]);
    };
    let axes = axes_of(&c, grid)?;
    let points: usize = axes.iter().map(|(_, values)| values.len()).product();
    if points > MAX_POINTS {
        return Err(c.err(
            "sweep",
            format!("expected at most {MAX_POINTS} grid points, found {points}"),
        ));
    }
    (0..points)
        .map(|index| point(&c, &table, &axes, index, points, catalog))
        .collect()
}

/// The grid's keys (sorted) with their values: each a non-empty list.
fn axes_of(
    c: &Source,
    grid: toml::Value,
) -> Result<Vec<(String, Vec<toml::Value>)>, ScenarioError> {
    let toml::Value::Table(grid) = grid else {
        return Err(c.err("sweep", "expected a table of key = [values]"));
    };
    if grid.is_empty() {
        return Err(c.err("sweep", "expected at least one key = [values]"));
    }
    let mut axes = Vec::new();
    for (key, values) in grid {
        let path = format!("sweep.{key}");
        if key == "sweep" || key.starts_with("sweep.") {
            return Err(c.err(path, "a grid cannot sweep over [sweep] itself"));
        }
        match values {
            toml::Value::Array(list) if !list.is_empty() => axes.push((key, list)),
            _ => {
                return Err(c.err(
                    path,
                    "expected a non-empty list of values, e.g. nodes = [3, 4, 5]",
                ))
            }
        }
    }
    axes.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(axes)
}

/// Point `index` (0-based; the last key varies fastest) as a scenario.
fn point(
    c: &Source,
    base: &toml::Table,
    axes: &[(String, Vec<toml::Value>)],
    index: usize,
    of: usize,
    catalog: &Catalog,
) -> Result<Scenario, ScenarioError> {
    let mut table = base.clone();
    let mut values = BTreeMap::new();
    let mut rest = index;
    for (key, list) in axes.iter().rev() {
        let value = &list[rest % list.len()];
        rest /= list.len();
        set(&mut table, key, value.clone()).map_err(|why| c.err(format!("sweep.{key}"), why))?;
        values.insert(key.clone(), value.to_string());
    }
    let grid_point = GridPoint {
        index: index + 1,
        of,
        values,
    };
    let text = toml::to_string(&table).map_err(|e| c.err("sweep", e.to_string()))?;
    let mut scenario = parse(c.file, &text, catalog).map_err(|e| ScenarioError {
        file: c.file.to_path_buf(),
        line: c
            .text
            .lines()
            .position(|l| l.trim() == "[sweep]")
            .map(|i| i + 1),
        key: e.key.map(|k| format!("sweep: {k}")),
        message: format!(
            "at grid point {} ({}): {}",
            index + 1,
            grid_point.label(),
            e.message
        ),
    })?;
    scenario.name = format!("{} [{}]", scenario.name, grid_point.label());
    scenario.point = Some(grid_point);
    Ok(scenario)
}

/// Sets a dotted `key` in `table` to `value`, making the tables on the way.
fn set(table: &mut toml::Table, key: &str, value: toml::Value) -> Result<(), String> {
    let parts: Vec<&str> = key.split('.').collect();
    let (last, path) = parts.split_last().expect("split gives at least one part");
    let mut here = table;
    for (i, part) in path.iter().enumerate() {
        let next = here
            .entry(part.to_string())
            .or_insert_with(|| toml::Value::Table(toml::Table::new()));
        here = match next {
            toml::Value::Table(t) => t,
            _ => {
                return Err(format!(
                    "`{}` is not a table, so `{key}` cannot be set",
                    parts[..=i].join(".")
                ))
            }
        };
    }
    here.insert(last.to_string(), value);
    Ok(())
}
