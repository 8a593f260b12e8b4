//! A lock service with leases (Gray & Cheriton): the server grants the lock for a bounded
//! time and takes it back when the lease runs out, even if the holder never says it is done.
//!
//! **Model.** No crashes are needed to show the point: clocks. Reliable links (not FIFO) with
//! bounded delay; node clocks may be off by any offset and drift a little. The server counts a
//! lease from the grant on its clock; a client must stop using the lock before the server
//! counts the lease as over.
//!
//! **Algorithm.** Node 0 serves; clients ask for the lock `requests` times each and want to
//! hold it `hold`, longer than a lease, so the lease's end is what stops them. Variants of
//! how a client knows when its lease ends:
//! - `local-duration` (correct): it measures the lease from the grant's arrival on its own
//!   clock, shortened by a safety margin that covers the grant's delay and clock drift (it
//!   compares intervals, so clock offsets do not matter);
//! - `server-timestamp` (the bug): the grant carries the server's expiry date, and the client
//!   stops when its own clock reaches it; a client whose clock is behind keeps the lock after
//!   the server gave it to someone else.
//!
//! **Invariants.** Mutual exclusion (never two clients in the critical section); every
//! client's requests are granted by the end. Reachability: a lease's end cut a holder short.
//!
//! **Known result.** With delays within half the margin and drift within a fifth of it,
//! local-duration leases keep mutual exclusion under clock offsets and drift
//! (`scenarios/lease-local-duration-skew.toml`); server timestamps are caught with two holders
//! as soon as clocks are off (`lease-server-timestamp-skew.toml`), a real bug; drift beyond
//! what the margin covers breaks even the correct variant, outside its assumptions
//! (`lease-drift-beyond-margin.toml`).

mod process;
#[cfg(test)]
mod tests;

use std::collections::BTreeSet;

use ftsim_api::properties::mutex::MutualExclusion;
use ftsim_api::{
    choice, params, Duration, Falsified, FaultClass, Model, NodeId, Properties, Property, Protocol,
    SpecError, Timing, World,
};

pub use process::{LeaseNode, Msg, Obs, Timer, SERVER};

choice! {
    /// How a client knows its lease ended.
    pub enum Expiry {
        /// From the grant's arrival, on its own clock, minus the margin.
        LocalDuration = "local-duration",
        /// The server's expiry date, read on the client's clock.
        ServerTimestamp = "server-timestamp",
    }
}

params! {
    /// Parameters of the lease lock.
    pub struct LeaseParams {
        /// How long a lease lasts, on the server's clock.
        lease: Duration = Duration::from_millis(20), range "1ms"..="100s";
        /// local-duration: the share of the lease a client leaves unused, in percent, for the
        /// grant's delay and clock drift.
        margin_pct: u64 = 40, range 0..=99;
        /// How long a client would like to hold the lock (longer than a lease: the lease's
        /// end is what stops it).
        hold: Duration = Duration::from_millis(30), range "1ms"..="100s";
        /// How many times each client asks for the lock.
        requests: u32 = 3, range 1..=1_000;
        /// local-duration (correct) or server-timestamp (compares dates across clocks).
        expiry: Expiry = Expiry::LocalDuration;
    }
}

/// Liveness: every request of every client was granted by the end.
#[derive(Default)]
pub struct EveryRequestGranted {
    waiting: BTreeSet<NodeId>,
    asked: BTreeSet<NodeId>,
}

impl Property<LeaseNode> for EveryRequestGranted {
    fn observe(
        &mut self,
        _: &World<'_, LeaseNode>,
        node: NodeId,
        obs: &Obs,
    ) -> Result<(), Falsified> {
        if let Obs::Enter = obs {
            self.waiting.remove(&node);
            self.asked.insert(node);
        }
        Ok(())
    }
    fn finish(&mut self, w: &World<'_, LeaseNode>) -> Result<(), Falsified> {
        let starved: Vec<NodeId> = w
            .nodes()
            .filter(|&i| i != SERVER && !self.asked.contains(&i))
            .collect();
        match starved.is_empty() {
            true => Ok(()),
            false => {
                Err(format!("{} never got the lock", ftsim_api::nodes_phrase(&starved)).into())
            }
        }
    }
}

/// Reached when a lease's end cut a holder short.
#[derive(Default)]
pub struct LeaseCut(bool);

impl Property<LeaseNode> for LeaseCut {
    fn observe(&mut self, _: &World<'_, LeaseNode>, _: NodeId, obs: &Obs) -> Result<(), Falsified> {
        self.0 |= *obs == Obs::Exit { cut: true };
        Ok(())
    }
    fn finish(&mut self, _: &World<'_, LeaseNode>) -> Result<(), Falsified> {
        match self.0 {
            true => Ok(()),
            false => Err("no lease ever ran out on its holder".into()),
        }
    }
}

/// The declaration of the lease lock.
pub struct LeaseLock;

impl Protocol for LeaseLock {
    type Process = LeaseNode;
    type Params = LeaseParams;

    fn name(&self) -> &'static str {
        "lease"
    }

    fn summary(&self) -> &'static str {
        "Lock service with leases (node 0 serves): the lock comes back when the lease runs out; \
         clients time leases on their own clocks, or read the server's expiry date"
    }

    fn properties(&self) -> Properties<LeaseNode> {
        Properties::new()
            .always(
                "mutual-exclusion",
                "no two clients in the critical section at once",
                MutualExclusion::default,
            )
            .eventually_in_runs(
                "every-client-served",
                "every client got the lock at least once",
                EveryRequestGranted::default,
            )
            .sometimes(
                "lease-cut",
                "a lease's end cut a holder short",
                LeaseCut::default,
            )
    }

    fn validate(&self, _: &LeaseParams, nodes: usize) -> Result<(), SpecError> {
        if nodes < 2 {
            return Err(SpecError::new(
                "nodes",
                "a lease lock needs a server and a client: expected 2 nodes or more",
            ));
        }
        Ok(())
    }

    fn model(&self, p: &LeaseParams, _: usize) -> Model {
        // The margin covers a delayed grant (half of it) and drift (a fifth of it): then
        // delay + lease (1 - margin) / (1 - drift) <= lease / (1 + drift).
        let margin = p.margin_pct as f64 / 100.0;
        Model::new()
            .tolerates(FaultClass::ClockSkew)
            .tolerates(FaultClass::Reordering)
            .timing(Timing::DeliveredWithin {
                bound: Duration((p.lease.0 as f64 * margin / 2.0) as u64),
                rule: "half of params.margin_pct of params.lease".into(),
            })
            .timing(Timing::DriftAtMost {
                ppm: (margin / 5.0 * 1e6) as u32,
                rule: "a fifth of params.margin_pct".into(),
            })
    }

    fn process(&self, params: &LeaseParams, node: NodeId, _: usize) -> LeaseNode {
        LeaseNode::new(params, node)
    }
}
