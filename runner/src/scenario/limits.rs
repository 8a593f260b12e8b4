//! What the engine can actually do, as limits on a scenario's values, checked when the file is
//! read so that `check` rejects what `run` could not do: every duration and time at most
//! [`MAX_DURATION`] (sums of a few of them stay far from 2^64 ns, and exact as floating
//! point), every count of random faults at most [`MAX_FAULTS`] (a plan is drawn in memory
//! before the run). Each error names the key and the accepted range.

use sim_core::{Duration, Time};

use super::error::{ScenarioError, Source};
use super::raw::{RawFaults, RawScenario, RawScheduled};

/// The longest duration (and the latest time) a scenario may give: 1,000,000 s, about 11.6
/// days of virtual time.
pub const MAX_DURATION: Duration = Duration::from_secs(1_000_000);

/// The most faults of one kind a random fault spec may draw for a run (partitions, omission
/// windows, slow windows, an intermittent node's outages, a detector's false suspicions).
pub const MAX_FAULTS: u32 = 10_000;

/// The most seeds one scenario may run: a billion runs take hours even at 100,000 runs a
/// second, and a count past it (2^64 - 1, say) is a typo that would never end.
pub const MAX_SEEDS: u64 = 1_000_000_000;

/// A duration within [`MAX_DURATION`].
pub(crate) fn duration(c: &Source, key: &str, d: Duration) -> Result<Duration, ScenarioError> {
    if d > MAX_DURATION {
        return Err(c.err(
            key,
            format!("expected a duration from 0ms to {MAX_DURATION} (about 11.6 days), found {d}"),
        ));
    }
    Ok(d)
}

/// A time within [`MAX_DURATION`] of the start of the run.
pub(crate) fn time(c: &Source, key: &str, t: Time) -> Result<Time, ScenarioError> {
    duration(c, key, Duration(t.0)).map(|_| t)
}

/// Times and durations alike, as nanoseconds.
pub(crate) trait Nanos: Copy {
    fn nanos(self) -> u64;
}

impl Nanos for Time {
    fn nanos(self) -> u64 {
        self.0
    }
}

impl Nanos for Duration {
    fn nanos(self) -> u64 {
        self.0
    }
}

/// Both ends of a window (`key[0]`, `key[1]`).
pub(crate) fn window<T: Nanos>(c: &Source, key: &str, w: [T; 2]) -> Result<(), ScenarioError> {
    for (i, end) in w.iter().enumerate() {
        duration(c, &format!("{key}[{i}]"), Duration(end.nanos()))?;
    }
    Ok(())
}

/// A count of random faults within [`MAX_FAULTS`].
pub(crate) fn count(c: &Source, key: &str, n: u32) -> Result<u32, ScenarioError> {
    if n > MAX_FAULTS {
        return Err(c.err(
            key,
            format!(
                "expected a whole number from 0 to {MAX_FAULTS} (the most faults of one kind \
                 in a run), found {n}"
            ),
        ));
    }
    Ok(n)
}

/// The typed values of a scenario (the others are checked where they are converted).
pub(crate) fn check(c: &Source, raw: &RawScenario) -> Result<(), ScenarioError> {
    duration(c, "duration", raw.duration)?;
    duration(c, "settle", raw.settle)?;
    if let Some(gap) = raw.network.send_gap {
        duration(c, "network.send_gap", gap)?;
    }
    faults(c, &raw.faults)?;
    for (i, entry) in raw.faults.schedule.iter().enumerate() {
        scheduled(c, &format!("faults.schedule[{i}]"), entry)?;
    }
    Ok(())
}

fn faults(c: &Source, f: &RawFaults) -> Result<(), ScenarioError> {
    if let Some(p) = &f.partitions {
        count(c, "faults.partitions.min", p.min)?;
        count(c, "faults.partitions.max", p.max)?;
        window(c, "faults.partitions.between", p.between)?;
        window(c, "faults.partitions.lasting", p.lasting)?;
    }
    if let Some(o) = &f.omissions {
        count(c, "faults.omissions.min", o.min)?;
        count(c, "faults.omissions.max", o.max)?;
        window(c, "faults.omissions.between", o.between)?;
        window(c, "faults.omissions.lasting", o.lasting)?;
    }
    if let Some(i) = &f.intermittent {
        count(c, "faults.intermittent.times[0]", i.times[0])?;
        count(c, "faults.intermittent.times[1]", i.times[1])?;
        window(c, "faults.intermittent.between", i.between)?;
        window(c, "faults.intermittent.down", i.down)?;
        window(c, "faults.intermittent.up", i.up)?;
    }
    if let Some(s) = &f.slow {
        count(c, "faults.slow.min", s.min)?;
        count(c, "faults.slow.max", s.max)?;
        window(c, "faults.slow.between", s.between)?;
        window(c, "faults.slow.lasting", s.lasting)?;
    }
    Ok(())
}

fn scheduled(c: &Source, key: &str, s: &RawScheduled) -> Result<(), ScenarioError> {
    let times = [("at", s.at), ("until", s.until)];
    for (field, t) in times {
        if let Some(t) = t {
            time(c, &format!("{key}.{field}"), t)?;
        }
    }
    if let Some(d) = s.recover_after {
        duration(c, &format!("{key}.recover_after"), d)?;
    }
    Ok(())
}
