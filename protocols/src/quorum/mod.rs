//! Quorum-based replication of a read/write register (Gifford's voting; Attiya, Bar-Noy and
//! Dolev's ABD, where a read writes back).
//!
//! **Model.** Nodes `0..replicas` are replicas, crash-recover with stable storage (a
//! replica's timestamp and value, synced before it acknowledges). The other nodes are
//! clients, crash-stop, each running `ops` operations one after the other (reads, and writes
//! of values no one else writes). Links may lose, duplicate, reorder and delay messages and
//! be partitioned; no failure detector, no timing assumption.
//!
//! **Algorithm.** Each replica keeps a value with a timestamp `(counter, writer)`. A write
//! queries the replicas, waits for `read_quorum` answers, and stores its value with timestamp
//! `(highest counter + 1, its id)` at `write_quorum` replicas; a read queries `read_quorum`
//! replicas, takes the value with the highest timestamp and, with write-back, stores it at
//! `write_quorum` replicas before returning. A replica keeps a stored value only if its
//! timestamp is newer. Clients send each phase to every replica and re-send it to the silent
//! ones until a quorum answered.
//!
//! With `W + R > N`, every read quorum meets every write quorum: a read sees the latest
//! completed write (or something newer), and a write's timestamp is above it. Write-back
//! makes a read's value reach a write quorum before the read returns, so a later read cannot
//! see an older one: the register is linearizable.
//!
//! **Invariants.** The clients' history is linearizable (`linearizable`, judged at every
//! response by the shared checker, which names the non-linearizable part); every operation of
//! a correct client returns while at most `N - max(W, R)` replicas are down
//! (`operations-return`). `read-during-write`, `write-back-repaired` and
//! `served-with-replica-down` prove a sweep exercised concurrency, write-back and crashes.
//!
//! **Known result.** `W + R > N` with write-back is linearizable under crashes, loss with
//! retransmission, reordering and partitions that heal (`scenarios/quorum-abd*.toml`).
//! `W + R <= N` is caught on `linearizable`: a read quorum misses the latest write
//! (`quorum-disjoint-quorums.toml`). Reads without write-back are caught too: a read sees a
//! write still in progress, and a later read, whose quorum the write has not reached yet,
//! sees the older value (`quorum-no-write-back.toml`).

mod client;
mod messages;
mod process;
mod properties;
mod replica;
#[cfg(test)]
mod tests;

use ftsim_api::properties::linearizability::{Linearizability, Register};
use ftsim_api::Exploring;
use ftsim_api::{
    choice, params, Duration, FaultClass, Liveness, Model, NodeId, Properties, Protocol, SpecError,
};

pub use messages::{Config, Msg, Obs, Stored, Timer, Ts};
pub use process::Node;
pub use properties::{
    operations_return, read_during_write, ServedWithReplicaDown, WriteBackRepaired,
};

choice! {
    /// What a read does before it returns.
    pub enum ReadRule {
        /// Writes the value it read back to a write quorum (ABD).
        WriteBack = "write-back",
        /// Returns at once (the known bug).
        QueryOnly = "query-only",
    }
}

params! {
    /// Parameters of quorum replication.
    pub struct QuorumParams {
        /// Nodes 0..replicas are replicas (N); the rest are clients.
        replicas: usize = 3, range 1..=64;
        /// W: acknowledgements a store waits for.
        write_quorum: usize = 2, range 1..=64;
        /// R: answers a query waits for; W + R > N is what makes reads see writes.
        read_quorum: usize = 2, range 1..=64;
        /// write-back: a read stores the value it returns at W replicas first (ABD);
        /// query-only: it returns at once (the known bug).
        reads: ReadRule = ReadRule::WriteBack;
        /// Operations each client runs, one after the other.
        ops: u64 = 5, range 1..=1000;
        /// Share of a writing client's operations that are writes, in percent.
        writes_percent: u64 = 50, range 0..=100;
        /// If not 0, only the first this many clients write; the others only read.
        writers: usize = 0, range 0..=64;
        /// Time before a phase is re-sent to the replicas that have not answered.
        retry: Duration = Duration::from_millis(10), range "1ms"..="100s";
        /// Longest pause before each operation.
        think: Duration = Duration::from_millis(5), range "0ms"..="100s";
    }
}

impl From<&QuorumParams> for Config {
    fn from(p: &QuorumParams) -> Config {
        Config {
            replicas: p.replicas,
            write_quorum: p.write_quorum,
            read_quorum: p.read_quorum,
            write_back: p.reads == ReadRule::WriteBack,
            ops: p.ops,
            writes_percent: p.writes_percent,
            writers: p.writers,
            retry: p.retry,
            think: p.think,
        }
    }
}

/// The declaration of quorum replication.
pub struct QuorumRegister;

impl Protocol for QuorumRegister {
    type Process = Node;
    type Params = QuorumParams;

    fn name(&self) -> &'static str {
        "quorum"
    }

    fn summary(&self) -> &'static str {
        "Quorum replication of a register (ABD): timestamped values, reads and writes wait \
         for R and W replicas, reads write back; linearizable when W + R > N"
    }

    fn properties(&self) -> Properties<Node> {
        Properties::new()
            .always(
                "linearizable",
                "the clients' reads and writes are linearizable (the checker names the \
                 operations that are not)",
                || Linearizability::new(Register { initial: 0 }, Obs::op_event),
            )
            .eventually(
                "operations-return",
                "every operation of a correct client returns, while at most N - max(W, R) \
                 replicas are down",
                operations_return,
            )
            .sometimes(
                "read-during-write",
                "a read ran concurrently with another client's write",
                read_during_write,
            )
            .sometimes(
                "write-back-repaired",
                "a read's write-back gave a replica a newer value",
                WriteBackRepaired::default,
            )
            .sometimes(
                "served-with-replica-down",
                "an operation returned while a replica was down",
                ServedWithReplicaDown::default,
            )
    }

    fn validate(&self, params: &QuorumParams, nodes: usize) -> Result<(), SpecError> {
        let n = params.replicas;
        if nodes <= n {
            return Err(SpecError::new(
                "nodes",
                format!(
                    "{n} replicas need at least one client: expected more than {n} nodes, \
                     found {nodes}"
                ),
            ));
        }
        for (key, quorum) in [
            ("params.write_quorum", params.write_quorum),
            ("params.read_quorum", params.read_quorum),
        ] {
            if quorum > n {
                return Err(SpecError::new(
                    key,
                    format!("a quorum of {quorum} out of {n} replicas: expected at most {n}"),
                ));
            }
        }
        Ok(())
    }

    fn model(&self, params: &QuorumParams, _: usize) -> Model {
        // An operation's two phases, each re-sent on loss: four sends of each.
        let quiescence = Duration(8 * params.retry.0);
        // Safe under any faults of these kinds; live while a quorum of each kind is up.
        let slack = params
            .replicas
            .saturating_sub(params.write_quorum.max(params.read_quorum));
        Model::new()
            .tolerates(FaultClass::CrashRecover)
            .tolerates(FaultClass::Loss)
            .tolerates(FaultClass::Duplication)
            .tolerates(FaultClass::Reordering)
            .tolerates(FaultClass::Partition)
            .tolerates(FaultClass::StorageLoss)
            .live_if(Liveness::AtMostDownAtEnd {
                max: slack,
                rule: "N - max(W, R) replicas: a quorum of each kind up".into(),
            })
            .quiesces_within(quiescence, "8 × params.retry: two phases, four sends each")
    }

    /// Replicas (nodes `0..replicas`) and clients (the rest).
    fn node_label(&self, params: &QuorumParams, node: NodeId, _: usize) -> Option<String> {
        Some(ftsim_api::replica_or_client(node, params.replicas))
    }

    fn process(&self, params: &QuorumParams, node: NodeId, _: usize) -> Node {
        Node::new(Config::from(params), node)
    }

    fn exploration<E: Exploring<Self>>(&self, explorer: E) -> Option<E::Explorer> {
        Some(explorer.searchable())
    }
}
