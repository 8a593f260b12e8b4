//! What to try when an exhaustive search stops before it visited every state: a smaller
//! scenario of the same protocol written for exploration (the `explore-*` files beside it), a
//! sampling strategy, the reductions not yet on, or more of the limit that stopped it.

use std::path::{Path, PathBuf};

use ftsim_runner::explore::Limits;
use ftsim_runner::Scenario;

/// The most smaller scenarios named.
const SMALLER_SHOWN_MAX: usize = 3;

/// The hint, in one sentence, for a search of `scenario` with `limits` that `which` stopped.
pub fn what_to_try(scenario: &Scenario, limits: &Limits, which: &str) -> String {
    let mut tries = Vec::new();
    let smaller = smaller_scenarios(scenario);
    if !smaller.is_empty() {
        let names: Vec<String> = smaller.iter().map(|p| p.display().to_string()).collect();
        tries.push(format!("a smaller scenario ({})", names.join(", ")));
    }
    tries.push("--strategy pct or random (they sample runs of any size)".to_string());
    let mut reductions = Vec::new();
    if !limits.symmetry {
        reductions.push("--symmetry");
    }
    if !limits.por && !limits.symmetry {
        reductions.push("--por");
    }
    if !reductions.is_empty() {
        tries.push(reductions.join(" or "));
    }
    if let Some(option) = [
        "--max-memory",
        "--time-limit",
        "--max-states",
        "--max-depth",
    ]
    .into_iter()
    .find(|o| which.starts_with(o))
    {
        tries.push(format!("a larger {option}"));
    }
    let last = tries.pop().unwrap_or_default();
    if tries.is_empty() {
        return format!("to go further, try {last}");
    }
    format!("to go further, try {}, or {last}", tries.join(", "))
}

/// The `explore-*` scenario files beside `scenario`'s file that set up the same protocol with
/// fewer nodes, fewest first (then by name).
fn smaller_scenarios(scenario: &Scenario) -> Vec<PathBuf> {
    let dir = scenario.file.parent().unwrap_or(Path::new("."));
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let protocol_line = format!("protocol = \"{}\"", scenario.simulation.protocol());
    let nodes = scenario.simulation.spec().nodes;
    let mut found: Vec<(usize, PathBuf)> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p != &scenario.file)
        .filter(|p| (p.file_name().and_then(|n| n.to_str())).is_some_and(is_exploration_file))
        .filter_map(|p| {
            let text =
                ftsim_runner::input::read_text(&p, ftsim_runner::input::SCENARIO_BYTES_MAX).ok()?;
            let table: toml::Table = text.parse().ok()?;
            let theirs = usize::try_from(table.get("nodes")?.as_integer()?).ok()?;
            (text.contains(&protocol_line) && theirs < nodes).then_some((theirs, p))
        })
        .collect();
    found.sort();
    found.truncate(SMALLER_SHOWN_MAX);
    found.into_iter().map(|(_, p)| p).collect()
}

fn is_exploration_file(name: &str) -> bool {
    name.starts_with("explore-") && name.ends_with(".toml")
}
