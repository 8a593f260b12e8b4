//! A sweep worker's seed runner: runs seed after seed on one engine, resetting it between
//! seeds instead of building a new one, so the queue, buffers, per-node columns and timer
//! slabs are allocated once per worker rather than once per seed, and the spec (network,
//! configuration) is not copied per seed. Each run is the run [`Simulation::run`] makes with
//! the default options: same report, same trace hash.
//!
//! [`Simulation::run`]: crate::Simulation::run

use sim_core::engine::guarded;
use sim_core::{Engine, RunReport, Seeded};

use crate::protocol::Protocol;
use crate::simulation::{panicked, Prepared};

/// Runs seeds one after another for one thread (see [`Simulation::worker`]).
///
/// [`Simulation::worker`]: crate::Simulation::worker
pub trait Worker {
    /// Runs one seed, untraced, with the seed's own fault plan and decisions: the report
    /// `Simulation::run(seed, RunOptions::default())` gives. A panic is the seed's outcome.
    fn run(&mut self, seed: u64) -> RunReport;
}

/// The worker of a typed protocol: its engine, once the first seed has built it.
pub(crate) struct EngineWorker<'a, T: Protocol> {
    prepared: &'a Prepared<T>,
    /// `None` before the first seed, and after a run that panicked while being set up (its
    /// engine is then in no state to reuse).
    engine: Option<Engine<T::Process>>,
}

impl<'a, T: Protocol> EngineWorker<'a, T> {
    pub(crate) fn new(prepared: &'a Prepared<T>) -> Self {
        EngineWorker {
            prepared,
            engine: None,
        }
    }
}

impl<T: Protocol> Worker for EngineWorker<'_, T> {
    fn run(&mut self, seed: u64) -> RunReport {
        let plan = match self.prepared.plan_of(seed, None) {
            Ok(plan) => plan,
            Err(report) => return *report,
        };
        let prepared = self.prepared;
        let mut engine = self.engine.take();
        let (probe, metric_monitor) = prepared.probe().unzip();
        let set_up = guarded(move || match engine.take() {
            Some(mut engine) => {
                let mut monitors = prepared.monitors();
                monitors.extend(metric_monitor);
                engine.reset(seed, plan, monitors, Seeded::new(seed));
                engine
            }
            None => {
                let mut setup = prepared.setup(plan, false);
                setup.properties.extend(metric_monitor);
                Engine::new(setup, seed)
            }
        });
        let mut report = match set_up {
            Ok(mut engine) => {
                let mut report = engine.run_to_report();
                self.engine = Some(engine);
                if let Some(probe) = probe {
                    report.measured = probe.finish(report.stats.end_time);
                }
                report
            }
            // The plan is a pure function of the seed: drawn again rather than copied for
            // every seed in case this one happens.
            Err(message) => {
                let plan = self.prepared.plan_of(seed, None).unwrap_or_default();
                panicked(seed, plan, message, "setting up the run")
            }
        };
        self.prepared.classify(&mut report);
        report
    }
}
