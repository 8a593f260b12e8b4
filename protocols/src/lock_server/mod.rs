//! A lock server for mutual exclusion that survives crashes.
//!
//! **Model.** Crash-recover processes: the server and the clients may crash and restart, with
//! volatile state lost (the stateful server keeps its owner and queue on stable storage).
//! Reliable FIFO links, like TCP connections (a scenario must set `fifo = true`: a grant sent
//! before the server crashed arrives before its hello). A perfect failure detector, which the
//! server uses to drop crashed clients. Bounded delays: the reconnect-window server assumes
//! every live client answers within `window`, so the window must exceed a round trip.
//!
//! **Algorithm.** Node 0 is the server, the others are clients that `enter` (request the lock,
//! wait for the grant, hold it 1-8ms) and `leave` (release), `requests` times each after 0-10ms
//! of thinking. The server keeps the owner and a queue; each queued request gets a ticket,
//! which the client learns, so the queue order can be rebuilt. A client crash is handled
//! through the failure detector: a queued client is removed, an owner's lock goes to the next
//! in line. A restarted client first resets its standing with the server (and waits for the
//! answer), so old grants cannot confuse it.
//!
//! On reboot the server says hello and every client answers with what it knows: holding or
//! not, waiting or not, and its ticket. The variants differ in what the server trusts:
//! - `stateful`: owner, queue and ticket counter are on stable storage, written at every
//!   change; the answers only repair messages lost while the server was down;
//! - `reconnect-window`: a stateless server that rebuilds owner and queue (in ticket order)
//!   from the answers, granting nothing until the window closes;
//! - `stateless`: rebuilds from the answers but grants at once; a waiting client's answer can
//!   arrive before the owner's, so the lock is granted while still held.
//!
//! With `queue = "lowest-id"` the server grants the waiting client with the lowest id instead
//! of the first in line.
//!
//! **Invariants.** Mutual exclusion (no client enters while another live client is inside; a
//! crashed client is out, a restarted one says so) and FIFO grants (clients enter in the order
//! their requests reached the server, crashed ones skipped) always; every request of a client
//! that is up at the end is granted, judged at the end of a run. Reachability: the server
//! rebooted while a live client held the lock.
//!
//! **Known result.** The stateful and reconnect-window servers keep all three through one or
//! two crash-recoveries of any nodes, server included, and reboot while the lock is held
//! (`scenarios/lock-server-stateful.toml`, `lock-server-reconnect-window.toml`). The stateless
//! server must be caught with two owners, violating mutual exclusion
//! (`lock-server-stateless-two-owners.toml`, about one seed in 35). The lowest-id server keeps
//! mutual exclusion but must be caught violating FIFO grants without any fault
//! (`lock-server-lowest-id-unfair.toml`).

mod client;
mod messages;
mod process;
mod properties;
mod server;
#[cfg(test)]
mod tests;

use ftsim_api::metrics::{measures::Requests, Metrics};
use ftsim_api::properties::mutex::MutualExclusion;
use ftsim_api::DetectorClass;
use ftsim_api::Exploring;
use ftsim_api::{
    choice, params, DetectorModel, Duration, FaultClass, Model, NodeId, Properties, Protocol,
    SpecError, Timing,
};

pub use messages::{Msg, Obs, Stable, Timer, SERVER};
pub use process::LockProcess;
pub use properties::{EveryRequestGranted, FifoGrants, RebootWhileHeld};

choice! {
    /// What the server keeps across a reboot, and when it grants again.
    pub enum ServerVariant {
        /// Owner and queue on stable storage.
        Stateful = "stateful",
        /// Rebuilt from the clients' answers, granting nothing until the window closes.
        ReconnectWindow = "reconnect-window",
        /// Rebuilt from the clients' answers, granting at once.
        Stateless = "stateless",
    }
}

choice! {
    /// Whom the server grants the lock next.
    pub enum QueueOrder {
        /// The first in arrival order.
        Fifo = "fifo",
        /// The waiting client with the lowest id.
        LowestId = "lowest-id",
    }
}

params! {
    /// Parameters of the lock server.
    pub struct LockServerParams {
        /// stateful: owner and queue on stable storage; reconnect-window: rebuilt from the
        /// clients' answers after a reboot, granting nothing until the window closes;
        /// stateless: rebuilt from the answers but granting at once
        server: ServerVariant = ServerVariant::Stateful;
        /// reconnect-window: how long the rebooted server waits for the clients (must exceed
        /// a round trip)
        window: Duration = Duration::from_millis(15), range "1ms"..="10s";
        /// fifo: grant in arrival order; lowest-id: grant the waiting client with the lowest id
        queue: QueueOrder = QueueOrder::Fifo;
        /// critical sections per client (0-10ms thinking before each, 1-8ms inside)
        requests: u64 = 3, range 1..=1_000;
    }
}

/// The declaration of the lock server.
pub struct LockServer;

impl Protocol for LockServer {
    type Process = LockProcess;
    type Params = LockServerParams;

    fn name(&self) -> &'static str {
        "lock-server"
    }

    fn summary(&self) -> &'static str {
        "Lock server for mutual exclusion (node 0 serves, the others are clients) surviving \
         client and server crashes; needs FIFO links"
    }

    fn properties(&self) -> Properties<LockProcess> {
        Properties::new()
            .always(
                "mutual-exclusion",
                "no client enters the critical section while another live client is in it",
                MutualExclusion::default,
            )
            .always(
                "fifo-grants",
                "clients enter in the order their requests reached the server (crashed ones \
                 skipped)",
                FifoGrants::default,
            )
            .eventually(
                "every-request-granted",
                "every request of a client that is up at the end was granted",
                EveryRequestGranted::default,
            )
            .sometimes(
                "reboot-while-held",
                "the server rebooted while a live client held the lock",
                RebootWhileHeld::default,
            )
    }

    fn detector(&self) -> Option<DetectorModel> {
        Some(DetectorModel::Perfect {
            delay: Duration::from_millis(2),
        })
    }

    fn validate(&self, _: &LockServerParams, nodes: usize) -> Result<(), SpecError> {
        if nodes < 2 {
            return Err(SpecError::new(
                "nodes",
                "the lock server needs a server and at least one client: expected 2 nodes or more",
            ));
        }
        Ok(())
    }

    fn model(&self, params: &LockServerParams, _: usize) -> Model {
        // Reliable FIFO links, like TCP connections.
        // The server hands a suspected owner's lock on: a live owner wrongly suspected would
        // share it.
        let model = Model::new()
            .tolerates(FaultClass::CrashRecover)
            .tolerates(FaultClass::StorageLoss)
            .needs_detector(DetectorClass::Perfect);
        match params.server {
            // Every live client must answer within the window: a round trip must fit in it.
            // Half the window, rounded down to a whole millisecond.
            ServerVariant::ReconnectWindow => model.timing(Timing::DeliveredWithin {
                bound: Duration::from_millis(params.window.as_nanos() / 2_000_000),
                rule: "half of params.window: a round trip must fit in the window".into(),
            }),
            ServerVariant::Stateful | ServerVariant::Stateless => model,
        }
    }

    fn metrics(&self, _: &LockServerParams) -> Metrics<Self::Process> {
        let requested = |node, obs: &Obs| (*obs == Obs::Request).then_some(node);
        let entered = |node, obs: &Obs| (*obs == Obs::Enter).then_some(node);
        Metrics::measured_by(move || Requests::new(requested, entered)).latency(
            "time to acquire",
            "from a client's request to its entry into the critical section",
        )
    }
    /// The lock server (node 0) and its clients.
    fn node_label(&self, _: &LockServerParams, node: NodeId, _: usize) -> Option<String> {
        Some(if node == SERVER { "server" } else { "client" }.to_string())
    }

    fn process(&self, params: &LockServerParams, node: NodeId, _: usize) -> LockProcess {
        LockProcess::new(node, params.clone())
    }

    fn exploration<E: Exploring<Self>>(&self, explorer: E) -> Option<E::Explorer> {
        Some(explorer.searchable())
    }
}
