//! `[detector]`: the failure detector the engine gives processes, read key by key so that an
//! error names `detector.delay` or `detector.mistakes` rather than the whole table.

use sim_core::{DetectorModel, Duration};

use super::error::{ScenarioError, Source};
use super::limits;
use super::raw::RawDetector;
use super::words::clip;

const KINDS: &str = "expected \"none\", \"perfect\" or \"eventually_perfect\"";

/// The detector a `[detector]` table describes.
pub(crate) fn detector_of(c: &Source, raw: &RawDetector) -> Result<DetectorModel, ScenarioError> {
    let given = [
        ("delay", raw.delay.is_some()),
        ("stabilize_at", raw.stabilize_at.is_some()),
        ("mistakes", raw.mistakes.is_some()),
    ];
    let takes: &[&str] = match raw.kind.as_str() {
        "none" => &[],
        "perfect" => &["delay"],
        "eventually_perfect" => &["delay", "stabilize_at", "mistakes"],
        other => {
            return Err(c.err(
                "detector.kind",
                format!("unknown kind \"{}\": {KINDS}", clip(other)),
            ))
        }
    };
    for (key, present) in given {
        if present && !takes.contains(&key) {
            return Err(c.err(
                format!("detector.{key}"),
                format!("`{key}` does not go with kind = \"{}\"", raw.kind),
            ));
        }
    }
    let delay = || -> Result<Duration, ScenarioError> {
        let d = raw.delay.ok_or_else(|| {
            c.err(
                "detector.delay",
                "missing: how long after a crash live processes are told, such as \"5ms\"",
            )
        })?;
        limits::duration(c, "detector.delay", d)
    };
    Ok(match raw.kind.as_str() {
        "perfect" => DetectorModel::Perfect { delay: delay()? },
        "eventually_perfect" => DetectorModel::EventuallyPerfect {
            delay: delay()?,
            stabilize_at: limits::time(
                c,
                "detector.stabilize_at",
                raw.stabilize_at.ok_or_else(|| {
                    c.err(
                        "detector.stabilize_at",
                        "missing: when the detector stops making mistakes, such as \"50ms\"",
                    )
                })?,
            )?,
            mistakes: limits::count(
                c,
                "detector.mistakes",
                raw.mistakes.ok_or_else(|| {
                    c.err(
                        "detector.mistakes",
                        "missing: how many false suspicions before `stabilize_at`, such as 3",
                    )
                })?,
            )?,
        },
        _ => DetectorModel::None,
    })
}
