//! Replicated state machines: a key-value store replicated on `servers` servers, clients
//! sending gets and puts (seed 004's "replicated service").
//!
//! **Model.** Nodes `0..servers` are servers; the others are clients, each running `ops`
//! operations one after the other on `keys` keys (every put writes a value no one else
//! writes) and re-sending a command until it is answered. The state machine keeps each
//! client's last command and result, so a command applied twice changes nothing the second
//! time. What the servers tolerate depends on the variant (below, and `ftsim list`).
//!
//! **Variants.**
//! - `broadcast` (seed 004's "approach #1", the known bug): the client sends each command to
//!   every server, which applies it on arrival and answers; the client takes the first
//!   answer. Claims only a network that reorders, and breaks under that alone: commands from
//!   two clients reach servers in different orders.
//! - `total-order`: active replication over a sequencer-based total-order broadcast. Server 0
//!   numbers each command once and sends it to every server; servers apply in number order,
//!   holding back what comes ahead of a gap, and all answer. The sequencer re-sends what a
//!   server has not acknowledged. Safe under loss, duplication, reordering and crashes; live
//!   only while every server (the sequencer above all) is up.
//! - `multi-paxos`: a replicated log chosen by Multi-Paxos with a stable leader. A server that
//!   hears no heartbeat runs phase 1 once for all slots from its chosen prefix on,
//!   re-proposes what a majority reported (no-ops for gaps), then gives each command the next
//!   slot and commits it when a majority accepted. Acceptors keep their promise and accepted
//!   entries in stable storage and `sync` before they answer. Safe under crash-recover, loss,
//!   duplication, reordering, partitions and storage faults; live with a majority up.
//!
//! **Invariants.** Replicas apply the same command at each log position
//! (`prefix-agreement`); the clients' history is linearizable (`linearizable`, the shared
//! checker with a key-value model, one register per key); every operation of a correct client
//! returns while the servers the variant needs are up (`operations-return`).
//! `concurrent-puts`, `held-back`, `leader-changed` and `recovered-acceptor` prove a sweep
//! exercised concurrency, reordering, failover and recovery.
//!
//! **Known result.** `broadcast` is caught as divergence (`scenarios/rsm-broadcast.toml`) and,
//! judged on linearizability alone, as a non-linearizable history
//! (`rsm-broadcast-linearizable.toml`). `total-order` passes with loss, duplication and
//! reordering (`rsm-total-order.toml`); `multi-paxos` passes with crash-recover, loss,
//! partitions and storage faults, and keeps serving through leader changes
//! (`rsm-multi-paxos*.toml`).

mod acceptor;
mod broadcast;
mod client;
mod leader;
mod learner;
mod machine;
mod messages;
mod paxos_server;
mod process;
mod properties;
mod sequencer;
#[cfg(test)]
mod tests;

use ftsim_api::properties::linearizability::{KeyValue, Linearizability};
use ftsim_api::Exploring;
use ftsim_api::{
    choice, params, Duration, FaultClass, Liveness, Model, NodeId, Properties, Protocol, SpecError,
};

pub use messages::{Ballot, Cmd, Config, Durable, Entry, Msg, Obs, Timer};
pub use process::Node;
pub use properties::{concurrent_puts, operations_return, PrefixAgreement, Reached};

choice! {
    /// How commands reach the replicas.
    pub enum Variant {
        /// The client sends each command to every server (the known bug).
        Broadcast = "broadcast",
        /// A sequencer numbers commands; every server applies them in order.
        TotalOrder = "total-order",
        /// A replicated log chosen by Multi-Paxos with a stable leader.
        MultiPaxos = "multi-paxos",
    }
}

params! {
    /// Parameters of the replicated state machine.
    pub struct RsmParams {
        /// broadcast: clients send to every server (the known bug); total-order: a sequencer
        /// orders commands; multi-paxos: a log chosen by Multi-Paxos
        variant: Variant = Variant::MultiPaxos;
        /// Nodes 0..servers are servers; the rest are clients.
        servers: usize = 3, range 1..=64;
        /// Operations each client runs, one after the other.
        ops: u64 = 5, range 1..=999;
        /// Keys the operations touch (fewer keys, more conflicts).
        keys: u64 = 2, range 1..=1_000;
        /// Share of the operations that are puts, in percent.
        writes_percent: u64 = 50, range 0..=100;
        /// Time before a client re-sends a command (and the sequencer re-sends what a server
        /// has not acknowledged).
        retry: Duration = Duration::from_millis(20), range "1ms"..="100s";
        /// Longest pause before each operation.
        think: Duration = Duration::from_millis(5), range "0ms"..="100s";
        /// Time between a Multi-Paxos leader's heartbeats.
        heartbeat: Duration = Duration::from_millis(5), range "1ms"..="100s";
        /// Time without a heartbeat before the next server runs for leader.
        election_timeout: Duration = Duration::from_millis(30), range "1ms"..="100s";
    }
}

impl From<&RsmParams> for Config {
    fn from(p: &RsmParams) -> Config {
        Config {
            variant: p.variant,
            servers: p.servers,
            ops: p.ops,
            keys: p.keys,
            writes_percent: p.writes_percent,
            retry: p.retry,
            think: p.think,
            heartbeat: p.heartbeat,
            election_timeout: p.election_timeout,
        }
    }
}

/// The declaration of the replicated state machine.
pub struct ReplicatedStateMachine;

/// How long a command takes to be answered once the faults are over, with its rule: four
/// sends of it (a command and its answer re-sent on loss), after, under Multi-Paxos, an
/// election by each server in turn.
fn quiescence(p: &RsmParams) -> (Duration, &'static str) {
    let resends = Duration(4 * p.retry.0);
    let (elections, rule) = match p.variant {
        Variant::MultiPaxos => (
            Duration(p.election_timeout.0 * p.servers as u64),
            "4 × params.retry, after params.election_timeout × params.servers",
        ),
        Variant::Broadcast | Variant::TotalOrder => (Duration::ZERO, "4 × params.retry"),
    };
    (resends + elections, rule)
}

impl Protocol for ReplicatedStateMachine {
    type Process = Node;
    type Params = RsmParams;

    fn name(&self) -> &'static str {
        "rsm"
    }

    fn summary(&self) -> &'static str {
        "Replicated key-value state machine: commands sent to every server (diverges), \
         ordered by a sequencer, or logged by Multi-Paxos with a stable leader"
    }

    fn properties(&self) -> Properties<Node> {
        Properties::new()
            .always(
                "prefix-agreement",
                "replicas apply the same command at each log position (no divergence)",
                PrefixAgreement::default,
            )
            .always(
                "linearizable",
                "the clients' gets and puts are linearizable, key by key (the checker names \
                 the operations that are not)",
                || Linearizability::new(KeyValue::default(), Obs::op_event),
            )
            .eventually(
                "operations-return",
                "every operation of a correct client returns while the servers the variant \
                 needs are up (one; the sequencer; a majority)",
                operations_return,
            )
            .sometimes(
                "concurrent-puts",
                "two clients' puts ran concurrently",
                concurrent_puts,
            )
            .sometimes(
                "held-back",
                "total order: a command came ahead of a gap and was held back",
                Reached::held_back,
            )
            .sometimes(
                "leader-changed",
                "multi-paxos: a server other than 0 became leader",
                Reached::leader_changed,
            )
            .sometimes(
                "recovered-acceptor",
                "multi-paxos: a server accepted an entry after recovering from a crash",
                Reached::recovered_acceptor,
            )
    }

    fn validate(&self, params: &RsmParams, nodes: usize) -> Result<(), SpecError> {
        ftsim_api::fits_node_set("the replicated state machine", nodes)?;
        let s = params.servers;
        if nodes <= s {
            return Err(SpecError::new(
                "nodes",
                format!(
                    "{s} servers need at least one client: expected more than {s} nodes, found \
                     {nodes}"
                ),
            ));
        }
        Ok(())
    }

    fn model(&self, params: &RsmParams, nodes: usize) -> Model {
        // A client restarted from scratch would number its commands again, and the servers'
        // table of each client's last command would answer a new one with an old result: the
        // claim is about servers, with clients that stay up.
        let clients = params.servers..nodes;
        let (within, rule) = quiescence(params);
        let servers = match params.variant {
            // The notes' approach #1 assumes nothing unusual: an ordinary network reorders.
            Variant::Broadcast => Model::new().tolerates(FaultClass::Reordering),
            Variant::TotalOrder => Model::new()
                .tolerates(FaultClass::CrashStop)
                .tolerates(FaultClass::Loss)
                .tolerates(FaultClass::Duplication)
                .tolerates(FaultClass::Reordering)
                .live_if(Liveness::AtMostDownAtEnd {
                    max: 0,
                    rule: "the sequencer, server 0, is a single point of failure".into(),
                }),
            Variant::MultiPaxos => Model::new()
                .tolerates(FaultClass::CrashRecover)
                .tolerates(FaultClass::Loss)
                .tolerates(FaultClass::Duplication)
                .tolerates(FaultClass::Reordering)
                .tolerates(FaultClass::Partition)
                .tolerates(FaultClass::StorageLoss)
                .live_if(Liveness::AtMostDownAtEnd {
                    max: (params.servers - 1) / 2,
                    rule: "a majority of servers up".into(),
                }),
        };
        servers
            .never_faulted(clients, "the clients")
            .quiesces_within(within, rule)
    }

    /// As the properties name them: "replica 0 applied", "command 2 of client 4".
    fn node_label(&self, params: &RsmParams, node: NodeId, _: usize) -> Option<String> {
        Some(ftsim_api::replica_or_client(node, params.servers))
    }

    fn process(&self, params: &RsmParams, node: NodeId, _: usize) -> Node {
        Node::new(Config::from(params), node)
    }

    fn exploration<E: Exploring<Self>>(&self, explorer: E) -> Option<E::Explorer> {
        Some(explorer.searchable())
    }
}
