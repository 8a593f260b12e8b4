//! The sweep as one JSON document (`ftsim.sweep`, docs/json.md): what `run --format json`
//! prints, a report's summary.json, and what `merge` prints of the shards it combines.

use ftsim_runner::sweep::{self, ScenarioSummary};

/// The sweep as one JSON document (also written to a report's summary.json); its fields are
/// documented, and checked against it, in docs/json.md.
pub fn sweep_json(summaries: &[ScenarioSummary], all_ok: bool) -> String {
    sweep_json_of_shard(summaries, all_ok, None)
}

/// [`sweep_json`] of one shard's slice of a sweep (`shard`: "K/N"), for `ftsim merge`.
pub fn sweep_json_of_shard(
    summaries: &[ScenarioSummary],
    all_ok: bool,
    shard: Option<&str>,
) -> String {
    let doc = serde_json::json!({
        "schema": "ftsim.sweep",
        "schema_version": sweep::SCHEMA_VERSION,
        "ok": all_ok,
        "shard": shard,
        "scenarios": summaries,
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default()
}
