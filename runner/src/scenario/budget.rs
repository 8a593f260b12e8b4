//! The `[budget]` table: what one run may spend before it ends as "budget exceeded" (an
//! outcome of that seed; the sweep goes on). Every key is optional; the defaults are the
//! engine's ([`Budgets::default`], [`DEFAULT_MAX_EVENTS`](super::DEFAULT_MAX_EVENTS)).
//!
//! ```toml
//! [budget]
//! max_events = 1_000_000     # handled events (also accepted at the top level)
//! max_time = "10s"           # virtual time (default: the run's end bounds it)
//! max_in_flight = 1_000_000  # messages sent and not yet delivered or dropped
//! max_memory_mib = 512       # the engine's count of the run's memory, in MiB
//! ```

use sim_core::{Budgets, Duration};

use super::error::{ScenarioError, Source};
use super::raw::RawScenario;
use super::DEFAULT_MAX_EVENTS;

/// The largest `max_memory_mib`: a budget in bytes must fit 64 bits.
pub const MAX_MEMORY_MIB: u64 = u64::MAX >> 20;

/// The event budget and the other budgets of a scenario, checked.
pub(crate) fn budgets_of(c: &Source, raw: &RawScenario) -> Result<(u64, Budgets), ScenarioError> {
    let table = raw.budget.as_ref();
    let in_table = table.and_then(|b| b.max_events);
    if raw.max_events.is_some() && in_table.is_some() {
        return Err(c.err(
            "budget.max_events",
            "the event budget is set twice: keep `max_events` or `budget.max_events`",
        ));
    }
    let (key, max_events) = match in_table {
        Some(n) => ("budget.max_events", n),
        None => ("max_events", raw.max_events.unwrap_or(DEFAULT_MAX_EVENTS)),
    };
    if max_events == 0 {
        return Err(c.err(key, "expected at least one event"));
    }
    let mut budgets = Budgets::default();
    let Some(table) = table else {
        return Ok((max_events, budgets));
    };
    if let Some(t) = table.max_time {
        if t == Duration::ZERO {
            return Err(c.err(
                "budget.max_time",
                "expected a virtual time longer than zero",
            ));
        }
        budgets.max_time = Some(t);
    }
    if let Some(n) = table.max_in_flight {
        if n == 0 {
            return Err(c.err("budget.max_in_flight", "expected at least one message"));
        }
        budgets.max_in_flight = n;
    }
    if let Some(mib) = table.max_memory_mib {
        if !(1..=MAX_MEMORY_MIB).contains(&mib) {
            return Err(c.err(
                "budget.max_memory_mib",
                format!("expected a number of MiB from 1 to {MAX_MEMORY_MIB}, found {mib}"),
            ));
        }
        budgets.max_memory_bytes = mib << 20;
    }
    Ok((max_events, budgets))
}
