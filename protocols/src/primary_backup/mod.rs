//! Primary-backup replication with heartbeat failure detection and failover.
//!
//! **Model.** Nodes `0..replicas` are replicas, crash-recover with stable storage (view, last
//! normal view and log survive a crash; what was applied does not). The other nodes are
//! clients, crash-stop: each issues a sequence of writes, one at a time, and retries at the
//! next replica when no answer comes. Links may lose, delay (with long tails) and be
//! partitioned; there is no failure detector: the primary's log shipment is its heartbeat, and
//! a backup that hears nothing for a timeout fails over.
//!
//! **Algorithm.** The primary orders writes into a log, ships the whole log to the backups and
//! answers a client once its write is committed. Two failover rules:
//! - **fenced** (view-numbered): a backup that times out moves to view `v + 1`, whose primary
//!   is `(v + 1) mod replicas`, and sends it its log; the new primary starts the view once a
//!   majority joined, taking the log with the latest normal view (then the longest), as in
//!   Viewstamped Replication. A write commits once a majority holds it in the primary's view,
//!   and replicas ignore (and answer with their view) messages of older views, so a deposed
//!   primary cannot commit. Needs a majority of replicas up to make progress.
//! - **timeout-only** (the known bug): no views. A backup that misses heartbeats promotes the
//!   next replica, and a primary commits with the acknowledgements of the backups it still
//!   hears from.
//!
//! **Invariants.** At most one live primary per view (`single-primary`); replicas apply the
//! same write at each log position (`prefix-agreement`); no acknowledged write is lost or
//! replaced (`acked-writes-kept`); the clients' writes are linearizable as appends to one log
//! whose acknowledgements say where each landed (`linearizable`, the shared checker with
//! [`AppendLog`]: two writes acknowledged at one position, or positions out of real-time
//! order, cannot be linearized); every write of a correct client is answered while a
//! majority of replicas is up at the end (`requests-answered`). `failover` is reached when a
//! replica other than the first primary took over.
//!
//! **Known result.** Fenced failover keeps every invariant under crashes, recoveries, a
//! partition, loss and long-tailed delays (`scenarios/primary-backup-fenced.toml`, where
//! failover must happen, and `scenarios/primary-backup-fenced-long-delays.toml`). Timeout-only
//! failover must be caught with two primaries at once (split brain), after which acknowledged
//! writes are overwritten: under a partition that cuts the primary off
//! (`scenarios/primary-backup-timeout-only-partition.toml`) and with no faults at all, when a
//! late heartbeat looks like a dead primary
//! (`scenarios/primary-backup-timeout-only-long-delays.toml`).

mod client;
mod messages;
mod process;
mod properties;
mod replica;
#[cfg(test)]
mod tests;

use ftsim_api::metrics::{measures::Requests, Metrics};
use ftsim_api::properties::linearizability::{AppendLog, Linearizability};
use ftsim_api::Exploring;
use ftsim_api::{
    choice, params, Duration, FaultClass, Model, NodeId, Properties, Protocol, SpecError,
};

pub use messages::{Config, Durable, Msg, Obs, Timer, WriteId};
pub use process::Node;
pub use properties::{AckedWritesKept, Failover, PrefixAgreement, RequestsAnswered, SinglePrimary};

choice! {
    /// How a backup takes over from a silent primary.
    pub enum FailoverRule {
        /// View numbers, majority commits and view changes.
        Fenced = "fenced",
        /// A backup promotes the next replica when heartbeats stop (the known bug).
        TimeoutOnly = "timeout-only",
    }
}

params! {
    /// Parameters of primary-backup replication.
    pub struct PrimaryBackupParams {
        /// Nodes 0..replicas are replicas; the rest are clients.
        replicas: usize = 3, range 2..=64;
        /// fenced: view numbers, majority commits and view changes; timeout-only: a backup
        /// promotes the next replica when heartbeats stop (the known bug).
        failover: FailoverRule = FailoverRule::Fenced;
        /// Writes each client issues, one after the other.
        writes: u64 = 5, range 1..=10_000;
        /// Time between primary heartbeats.
        heartbeat: Duration = Duration::from_millis(5), range "1ms"..="100s";
        /// Time without a heartbeat before failover.
        timeout: Duration = Duration::from_millis(20), range "1ms"..="100s";
        /// Time before a client retries at the next replica.
        client_retry: Duration = Duration::from_millis(30), range "1ms"..="100s";
    }
}

impl From<&PrimaryBackupParams> for Config {
    fn from(p: &PrimaryBackupParams) -> Config {
        Config {
            replicas: p.replicas,
            fenced: p.failover == FailoverRule::Fenced,
            writes: p.writes,
            heartbeat: p.heartbeat,
            timeout: p.timeout,
            client_retry: p.client_retry,
        }
    }
}

/// The declaration of primary-backup replication.
pub struct PrimaryBackup;

impl Protocol for PrimaryBackup {
    type Process = Node;
    type Params = PrimaryBackupParams;

    fn name(&self) -> &'static str {
        "primary-backup"
    }

    fn summary(&self) -> &'static str {
        "Primary-backup replication with heartbeats and failover: view-numbered and fenced, or \
         timeout-only (split brain)"
    }

    fn properties(&self) -> Properties<Node> {
        Properties::new()
            .always(
                "single-primary",
                "at most one live replica acts as primary per view (no split brain)",
                SinglePrimary::default,
            )
            .always(
                "prefix-agreement",
                "replicas agree on the prefix of writes they applied",
                PrefixAgreement::default,
            )
            .always(
                "acked-writes-kept",
                "no acknowledged write is lost or replaced",
                AckedWritesKept::default,
            )
            .always(
                "linearizable",
                "clients' writes, as appends to one log, are linearizable: the positions they \
                 were acknowledged at fit one order that respects real time",
                || Linearizability::new(AppendLog::default(), Obs::op_event),
            )
            .eventually(
                "requests-answered",
                "every correct client's writes are answered while a majority of replicas is up",
                RequestsAnswered::default,
            )
            .sometimes(
                "failover",
                "a replica other than the first primary became primary",
                Failover::default,
            )
    }

    fn validate(&self, params: &PrimaryBackupParams, nodes: usize) -> Result<(), SpecError> {
        let replicas = params.replicas;
        if nodes <= replicas {
            return Err(SpecError::new(
                "nodes",
                format!(
                    "{replicas} replicas need at least one client: expected more than {replicas} \
                     nodes, found {nodes}"
                ),
            ));
        }
        Ok(())
    }

    fn model(&self, _: &PrimaryBackupParams, _: usize) -> Model {
        // Both failover rules claim the same model; timeout-only is the one that breaks it.
        Model::new()
            .tolerates(FaultClass::CrashRecover)
            .tolerates(FaultClass::Loss)
            .tolerates(FaultClass::Duplication)
            .tolerates(FaultClass::Reordering)
            .tolerates(FaultClass::Partition)
            .tolerates(FaultClass::StorageLoss)
    }

    fn metrics(&self, params: &PrimaryBackupParams) -> Metrics<Self::Process> {
        let grace = params.client_retry;
        let issued = |_, obs: &Obs| match *obs {
            Obs::Issued { id } => Some(id),
            _ => None,
        };
        let answered = |_, obs: &Obs| match *obs {
            Obs::Acked { id, .. } => Some(id),
            _ => None,
        };
        Metrics::measured_by(move || Requests::new(issued, answered).available_within(grace))
            .latency(
                "write latency",
                "from a client's write to its acknowledgement",
            )
            .availability(
                "writes answered",
                "share of virtual time no write waited longer than client_retry for its \
                 acknowledgement",
            )
    }
    /// As the properties name them: "replica 1 applied", "client 3 issued only".
    fn node_label(&self, params: &PrimaryBackupParams, node: NodeId, _: usize) -> Option<String> {
        Some(ftsim_api::replica_or_client(node, params.replicas))
    }

    fn process(&self, params: &PrimaryBackupParams, node: NodeId, _: usize) -> Node {
        Node::new(Config::from(params), node)
    }

    fn exploration<E: Exploring<Self>>(&self, explorer: E) -> Option<E::Explorer> {
        Some(explorer.searchable())
    }
}
