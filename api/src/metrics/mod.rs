//! Metrics a protocol declares next to its properties: a latency (time to decide, deliver,
//! commit, answer) and, for a replicated service, its availability. A sweep reports them per
//! scenario and grid point: the latency's median and 99th percentile over every sample of
//! every run, the availability as the share of watched virtual time the service answered.
//!
//! A metric reads the same observations the properties judge, so a protocol exposes one
//! without new instrumentation: it names a [`Measure`] (the reusable ones in [`measures`]
//! cover decisions, deliveries and requests) and says what its figures mean:
//!
//! ```
//! # use ftsim_api::{Ctx, NodeId, Process};
//! # use ftsim_api::properties::consensus::Decision;
//! use ftsim_api::metrics::{measures::TimeToDecide, Metrics};
//! # #[derive(Debug)] struct P;
//! # #[derive(Clone, Debug, Hash)] struct Decide(u64);
//! # impl Decision for Decide {
//! #     fn proposed(&self) -> Option<u64> { None }
//! #     fn decided(&self) -> Option<u64> { Some(self.0) }
//! # }
//! # impl Process for P {
//! #     type Msg = (); type Timer = (); type Obs = Decide; type Stable = ();
//! #     fn on_start(&mut self, _: &mut Ctx<'_, Self>) {}
//! #     fn on_message(&mut self, _: &mut Ctx<'_, Self>, _: NodeId, _: ()) {}
//! # }
//! let metrics = Metrics::<P>::measured_by(TimeToDecide::default)
//!     .latency("time to decide", "from the start of the run to each process's decision");
//! assert_eq!(metrics.info().latency.unwrap().name, "time to decide");
//! ```
//!
//! Metrics never change a run: the measure sees observations after the engine made them, and
//! its figures are kept outside the trace hash (`RunReport::measured`).

pub mod measures;

use serde::{Deserialize, Serialize};
use sim_core::{Measured, NodeId, Process, Time, World};

/// What a protocol's metric measures in one run, fed every observation in order.
pub trait Measure<P: Process> {
    /// One observation by `node` (the time is `world.now`); latency samples go into `out`.
    fn observe(&mut self, world: &World<'_, P>, node: NodeId, obs: &P::Obs, out: &mut Measured);

    /// The run ended at `end` (whatever ended it): close what is still open (an availability
    /// measure counts a request still unanswered as down until the end).
    fn finish(&mut self, end: Time, out: &mut Measured) {
        let _ = (end, out);
    }
}

/// A figure's name and what it means, as summaries and `ftsim list` show it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetricInfo {
    /// A few words: "time to decide".
    pub name: &'static str,
    /// What is measured, from what to what.
    pub help: &'static str,
}

/// Which figures a protocol's metric yields.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MetricsInfo {
    /// The latency, if the protocol measures one.
    pub latency: Option<MetricInfo>,
    /// Whether each latency sample is one operation completed (a client's request answered),
    /// so that sweeps report messages per operation beside it.
    pub latency_per_operation: bool,
    /// The availability, if the protocol is a service that measures one.
    pub availability: Option<MetricInfo>,
}

type MakeMeasure<P> = Box<dyn Fn() -> Box<dyn Measure<P>> + Send + Sync>;

/// A protocol's declared metric: how to measure a run, and what the figures are called.
pub struct Metrics<P: Process> {
    info: MetricsInfo,
    make: Option<MakeMeasure<P>>,
}

impl<P: Process + 'static> Metrics<P> {
    /// No metric: summaries show no latency and no availability.
    pub fn none() -> Self {
        Metrics {
            info: MetricsInfo::default(),
            make: None,
        }
    }

    /// A metric measured by a fresh `make()` per run; name its figures with
    /// [`latency`](Metrics::latency) and [`availability`](Metrics::availability).
    pub fn measured_by<M: Measure<P> + 'static>(
        make: impl Fn() -> M + Send + Sync + 'static,
    ) -> Self {
        Metrics {
            info: MetricsInfo::default(),
            make: Some(Box::new(move || Box::new(make()))),
        }
    }

    /// The measure's latency samples are this figure.
    pub fn latency(mut self, name: &'static str, help: &'static str) -> Self {
        self.info.latency = Some(MetricInfo { name, help });
        self
    }

    /// Each latency sample is one operation completed (a client's request answered): sweeps
    /// report the messages per operation (all the run's messages over its samples).
    pub fn per_operation(mut self) -> Self {
        self.info.latency_per_operation = true;
        self
    }

    /// The measure's available and watched times are this figure.
    pub fn availability(mut self, name: &'static str, help: &'static str) -> Self {
        self.info.availability = Some(MetricInfo { name, help });
        self
    }
}

impl<P: Process> Metrics<P> {
    /// The figures' names.
    pub fn info(&self) -> MetricsInfo {
        self.info
    }

    /// A fresh measure for one run, if there is a metric.
    pub fn measure(&self) -> Option<Box<dyn Measure<P>>> {
        self.make.as_ref().map(|make| make())
    }
}
