//! A sweep worker's seed runner: runs seed after seed on one engine, resetting it between
//! seeds instead of building a new one, so the queue, buffers, per-node columns and timer
//! slabs are allocated once per worker rather than once per seed, and the spec (network,
//! configuration) is not copied per seed. Each run is the run [`Simulation::run`] makes with
//! the default options: same report, same trace hash.
//!
//! [`Simulation::run`]: crate::Simulation::run

use sim_core::engine::guarded;
use sim_core::{Engine, FaultPlan, Monitor, RunReport};

use super::{panicked, Prepared};
use ftsim_api::protocol::Protocol;

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
    /// engine is then in no state to reuse). Boxed and reset in place: an engine is a few
    /// kilobytes, and moving it in and out of the panic guard for every seed cost more than
    /// a tenth of a short run.
    engine: Option<Box<Engine<T::Process>>>,
}

impl<'a, T: Protocol> EngineWorker<'a, T> {
    pub(crate) fn new(prepared: &'a Prepared<T>) -> Self {
        EngineWorker {
            prepared,
            engine: None,
        }
    }

    /// The engine made ready for `seed` (built for the first seed); a panic of the
    /// protocol's factories or properties is returned instead, and the engine dropped.
    fn set_up(
        &mut self,
        seed: u64,
        plan: FaultPlan,
        metric: Option<Monitor<T::Process>>,
    ) -> Result<&mut Engine<T::Process>, String> {
        let prepared = self.prepared;
        let engine = match self.engine.take() {
            Some(mut engine) => guarded(move || {
                let mut monitors = prepared.monitors();
                monitors.extend(metric);
                engine.reseed(seed, plan, monitors);
                engine
            }),
            None => guarded(move || {
                let mut setup = prepared.setup(plan, false);
                setup.properties.extend(metric);
                Box::new(Engine::new(setup, seed))
            }),
        }?;
        Ok(self.engine.insert(engine))
    }
}

impl<T: Protocol> Worker for EngineWorker<'_, T> {
    fn run(&mut self, seed: u64) -> RunReport {
        let plan = match self.prepared.plan_of(seed, None) {
            Ok(plan) => plan,
            Err(report) => return *report,
        };
        let (probe, metric_monitor) = self.prepared.probe().unzip();
        let mut report = match self.set_up(seed, plan, metric_monitor) {
            Ok(engine) => {
                let mut report = engine.run_to_report();
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
