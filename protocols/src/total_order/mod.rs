//! Total-order multicast with Lamport clocks, over reliable FIFO links.
//!
//! **Model.** Crash-stop processes; reliable FIFO links (a scenario must set `fifo = true`: an
//! ack must not overtake its sender's earlier multicasts); a perfect failure detector. A crash
//! cuts a sender's links at a prefix of what it sent (the network's `send_gap` makes a
//! broadcast leave one message at a time, so a crash can cut it in the middle). Each process
//! multicasts `messages` messages, each after a random 1-20ms gap.
//!
//! **Algorithm.** Each process stamps a multicast with (Lamport clock, sender) and sends it to
//! everyone. A receiver puts it in a hold-back queue ordered by stamp and acknowledges it to
//! everyone. A process delivers the head of its queue once every process has acknowledged it:
//! an ack from `j` is sent after `j` received the head, so `j`'s clock is past the head's stamp
//! and, links being FIFO, every earlier multicast of `j` has already arrived. Nothing smaller
//! can still come, so all processes deliver in stamp order.
//!
//! `membership = "static"` is that algorithm: it waits for the acks of all `n` processes, so
//! one crash blocks every later delivery forever.
//!
//! `membership = "live"` tracks the live members with the failure detector and fetches what a
//! crashed member left behind (ask for the message from a process that acked it). When `p`
//! suspects `x` it stops listening to `x` and sends everyone a *flush* about `x`: every message
//! it has accepted (so messages of `x` that reached only some processes reach all survivors).
//! A head is deliverable once every member `j` either acked it or is suspected and every
//! unsuspected member's flush about `j` has arrived. A flush about `x` is sent after everything
//! its sender accepted from `x`, and its sender accepts nothing from `x` afterwards, so once the
//! flushes are in, no survivor can still introduce a message of `x` (or one relayed by `x`)
//! with a smaller stamp.
//!
//! **Invariants** (the shared delivery properties): uniform total order, causal order and
//! integrity (always); uniform agreement and termination (every message multicast by a correct
//! process is delivered by every correct process: delivery validity under its usual name here),
//! judged at the end of a run.
//!
//! **Known result.** Without crashes the static algorithm delivers everything in one order
//! (`scenarios/total-order-static-no-faults.toml`); with one crash, the crashed process never
//! acks and termination must be caught violated (`total-order-static-crash.toml`). Live
//! membership keeps delivering, in one total and causal order, through one or two crashes that
//! cut broadcasts, and delivers messages multicast after a crash
//! (`total-order-live-crashes.toml`).

mod process;
mod properties;
#[cfg(test)]
mod tests;

use ftsim_api::metrics::{measures::TimeToDeliver, Metrics};
use ftsim_api::properties::delivery::{Agreement, CausalOrder, Integrity, TotalOrder, Validity};
use ftsim_api::DetectorClass;
use ftsim_api::Exploring;
use ftsim_api::{
    choice, params, DetectorModel, Duration, FaultClass, Model, NodeId, Properties, Protocol,
    SpecError,
};

pub use process::{Msg, NextMulticast, Obs, Stamp, TotalOrderProcess};
pub use properties::DeliveredAfterCrash;

choice! {
    /// Whose acks a process waits for.
    pub enum Membership {
        /// The acks of all n processes (blocks on a crash).
        Static = "static",
        /// Only unsuspected members', flushing a suspected member's messages to the survivors.
        Live = "live",
    }
}

params! {
    /// Parameters of total-order multicast.
    pub struct TotalOrderParams {
        /// multicasts per process, each after a random 1-20ms gap
        messages: u64 = 3, range 1..=100;
        /// static: wait for the acks of all n processes (blocks on a crash); live: wait only for
        /// unsuspected members and flush a suspected member's messages to the survivors
        membership: Membership = Membership::Static;
    }
}

/// The declaration of total-order multicast.
pub struct TotalOrderMulticast;

impl Protocol for TotalOrderMulticast {
    type Process = TotalOrderProcess;
    type Params = TotalOrderParams;

    fn name(&self) -> &'static str {
        "total-order"
    }

    fn summary(&self) -> &'static str {
        "Total-order multicast with Lamport clocks: hold-back queue ordered by (clock, sender), \
         acks to all, deliver the head once acked by all; needs FIFO links"
    }

    fn properties(&self) -> Properties<TotalOrderProcess> {
        Properties::new()
            .always(
                "total-order",
                "any two processes (even ones that crash later) deliver common messages in the \
                 same order",
                TotalOrder::default,
            )
            .always(
                "causal-order",
                "a message is delivered only after every message that causally precedes it",
                CausalOrder::default,
            )
            .always(
                "integrity",
                "a message is delivered at most once per process, and only if multicast",
                Integrity::default,
            )
            .eventually(
                "agreement",
                "a message delivered by any process is delivered by every correct process",
                Agreement::uniform,
            )
            .eventually(
                "termination",
                "every message multicast by a correct process is delivered by every correct \
                 process",
                Validity::default,
            )
            .sometimes(
                "delivered-after-crash",
                "a message multicast while a process was down was delivered",
                DeliveredAfterCrash::default,
            )
    }

    fn detector(&self) -> Option<DetectorModel> {
        Some(DetectorModel::Perfect {
            delay: Duration::from_millis(2),
        })
    }

    fn validate(&self, _: &TotalOrderParams, nodes: usize) -> Result<(), SpecError> {
        ftsim_api::fits_node_set("total-order multicast", nodes)
    }

    fn model(&self, params: &TotalOrderParams, _: usize) -> Model {
        // Reliable FIFO links: an ack must not overtake its sender's earlier multicasts.
        match params.membership {
            // Waits for every process's ack: one crash blocks it.
            // It ignores the detector.
            Membership::Static => Model::new().needs_detector(DetectorClass::None),
            // A suspected member is flushed out of the order: a live one wrongly so.
            Membership::Live => Model::new()
                .tolerates(FaultClass::CrashStop)
                .needs_detector(DetectorClass::Perfect),
        }
    }

    fn metrics(&self, _: &TotalOrderParams) -> Metrics<Self::Process> {
        Metrics::measured_by(TimeToDeliver::default).latency(
            "time to deliver",
            "from a multicast to its delivery at each member",
        )
    }
    fn process(&self, params: &TotalOrderParams, _: NodeId, nodes: usize) -> TotalOrderProcess {
        TotalOrderProcess::new(
            nodes,
            params.membership == Membership::Live,
            params.messages,
        )
    }

    fn exploration<E: Exploring<Self>>(&self, explorer: E) -> Option<E::Explorer> {
        Some(explorer.searchable())
    }
}
