//! The budget flags of `run` and `replay`: they override the scenario's `[budget]` table (and
//! `max_events`) for every scenario given, so a sweep can be tried with a tighter or looser
//! limit without editing its files. A run over a budget is that seed's outcome.

use clap::Args;
use ftsim_runner::scenario::MAX_MEMORY_MIB;
use ftsim_runner::Scenario;

use super::error::CliError;

/// What one run may spend, if not what its scenario says.
#[derive(Args, Clone, Copy, Debug, Default)]
pub struct BudgetFlags {
    /// Events a run may handle
    ///
    /// Events one run may handle (default: the scenario's `max_events`, else 1,000,000).
    #[arg(long, value_name = "N")]
    pub max_events: Option<u64>,
    /// Virtual time a run may reach (10s)
    ///
    /// Virtual time one run may reach (e.g. 10s; default: the run's end).
    #[arg(long, value_name = "T")]
    pub max_time: Option<ftsim_api::Duration>,
    /// Messages a run may have in flight
    ///
    /// Messages in flight at once in one run (default: 1,000,000).
    #[arg(long, value_name = "N")]
    pub max_in_flight: Option<u64>,
    /// Memory a run may hold, in MiB
    ///
    /// MiB one run may hold, as the engine counts it (default: 512).
    #[arg(long, value_name = "MIB")]
    pub max_memory_mib: Option<u64>,
}

impl BudgetFlags {
    /// Whether no flag is given.
    pub fn is_empty(&self) -> bool {
        self.max_events.is_none()
            && self.max_time.is_none()
            && self.max_in_flight.is_none()
            && self.max_memory_mib.is_none()
    }

    fn check(&self) -> Result<(), CliError> {
        let zero = |flag: &str| Err(CliError::Usage(format!("{flag} must be at least 1")));
        if self.max_events == Some(0) {
            return zero("--max-events");
        }
        if self.max_time == Some(ftsim_api::Duration::ZERO) {
            return Err(CliError::Usage(
                "--max-time must be longer than zero".into(),
            ));
        }
        if self.max_in_flight == Some(0) {
            return zero("--max-in-flight");
        }
        if let Some(mib) = self.max_memory_mib {
            if !(1..=MAX_MEMORY_MIB).contains(&mib) {
                return Err(CliError::Usage(format!(
                    "--max-memory-mib must be from 1 to {MAX_MEMORY_MIB}"
                )));
            }
        }
        Ok(())
    }

    /// Puts the flags into every scenario's spec (each is prepared again).
    pub fn apply(&self, scenarios: &mut [Scenario]) -> Result<(), CliError> {
        self.check()?;
        if self.is_empty() {
            return Ok(());
        }
        for s in scenarios {
            let mut spec = s.simulation.spec().clone();
            let config = &mut spec.config;
            config.max_events = self.max_events.unwrap_or(config.max_events);
            let budgets = &mut config.budgets;
            budgets.max_time = self.max_time.or(budgets.max_time);
            budgets.max_in_flight = self.max_in_flight.unwrap_or(budgets.max_in_flight);
            if let Some(mib) = self.max_memory_mib {
                budgets.max_memory_bytes = mib << 20;
            }
            s.simulation = s.simulation.with_spec(spec).map_err(|e| {
                CliError::Usage(format!("{}: {}: {}", s.file.display(), e.key, e.message))
            })?;
        }
        Ok(())
    }
}
