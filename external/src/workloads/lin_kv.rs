//! Maelstrom's lin-kv workload: clients `read`, `write` and `cas` a few integer keys at any
//! node, which must behave as one linearizable key-value store (Maelstrom's key-value
//! protocol, error codes 20 and 22 included). The history is judged by ftsim's
//! linearizability checker as it grows, so a violation fails the run at the answer that makes
//! it non-linearizable. The nodes may use the `lin-kv`, `seq-kv` and `lww-kv` services.

use ftsim_api::command::Command;
use ftsim_api::metrics::Metrics;
use ftsim_api::properties::linearizability::Linearizability;
use ftsim_api::{
    params, Duration, Exploring, FaultClass, Model, NodeId, Properties, Protocol, SpecError,
};
use serde_json::json;

use super::cas_register::{op_event, CasRegisters};
use super::Speaks;
use crate::client::{any_server, jitter, Client, Fixed, Io};
use crate::member::Member;
use crate::names::Names;
use crate::services::ServiceKind;

params! {
    /// Parameters of the lin-kv workload.
    pub struct LinKvParams {
        /// the command that runs one node (a file beside the scenario is found there)
        node: Command = Command::default();
        /// wall-clock time a node may take for one step before its seed fails (it hangs)
        step_timeout: Duration = Duration::from_secs(10), range "1ms"..="3600s";
        /// resident memory a node may hold, in MiB, before its seed fails (read every 64
        /// steps)
        node_memory_max_mb: u64 = 1024, range 1..=1_048_576;
        /// the protocol the node speaks: ftsim (Maelstrom's with ftsim's extension, as the
        /// libraries do) or maelstrom (plain: a step ends when the node waits on its stdin
        /// again; no timers, storage or randomness from ftsim)
        speaks: Speaks = Speaks::Ftsim;
        /// how many of the scenario's nodes are clients (after the servers; the last three
        /// nodes are the lin-kv, seq-kv and lww-kv services)
        clients: u64 = 2, range 1..=64;
        /// operations each client sends
        ops: u64 = 20, range 1..=100_000;
        /// the time between a client's operations
        interval: Duration = Duration::from_millis(10), range "0ms"..="3600s";
        /// how many keys the operations touch (0, 1, …)
        keys: u64 = 2, range 1..=1_000;
        /// values are written from 0 up to this
        values_max: u64 = 4, range 1..=1_000_000;
    }
}

/// The services lin-kv offers its nodes.
const SERVICES: &[ServiceKind] = &[ServiceKind::LinKv, ServiceKind::SeqKv, ServiceKind::LwwKv];

/// The lin-kv workload over external nodes.
pub struct LinKv;

impl Protocol for LinKv {
    type Process = Member;
    type Params = LinKvParams;

    fn name(&self) -> &'static str {
        "maelstrom-lin-kv"
    }

    fn summary(&self) -> &'static str {
        "Maelstrom's lin-kv workload over external nodes (params.node, with lin-kv, seq-kv \
         and lww-kv): reads, writes and cas are linearizable"
    }

    fn properties(&self) -> Properties<Member> {
        Properties::new().always(
            "linearizable",
            "the clients' reads, writes and cas are linearizable (an operation left \
             unanswered, or answered by an error other than 20 and 22, may have taken effect \
             or not)",
            || Linearizability::new(CasRegisters, op_event),
        )
    }

    fn validate(&self, params: &LinKvParams, nodes: usize) -> Result<(), SpecError> {
        super::validate_group(&params.node, &group(params, nodes))
    }

    fn model(&self, params: &LinKvParams, nodes: usize) -> Model {
        // No duplication: Maelstrom's network delivers a message at most once, and a node may
        // answer a request as often as it arrives.
        super::base_model(&group(params, nodes))
            .tolerates(FaultClass::Loss)
            .tolerates(FaultClass::Partition)
            .tolerates(FaultClass::CrashStop)
            .tolerates(FaultClass::CrashRecover)
            .tolerates(FaultClass::StorageLoss)
    }

    fn metrics(&self, _: &LinKvParams) -> Metrics<Member> {
        super::request_latency(
            "operation latency",
            "from a client's operation to its answer",
        )
    }

    fn node_label(&self, params: &LinKvParams, node: NodeId, nodes: usize) -> Option<String> {
        Some(super::label(&group(params, nodes), node))
    }

    fn process(&self, params: &LinKvParams, node: NodeId, nodes: usize) -> Member {
        super::member(
            &params.node,
            params.speaks,
            params,
            super::limits(params.step_timeout, params.node_memory_max_mb),
            group(params, nodes),
            node,
            || {
                Box::new(KvClient {
                    params: Fixed(params.clone()),
                    sent: 0,
                })
            },
        )
    }

    /// Searchable: a search copies and hashes members (`member::Member`).
    fn exploration<E: Exploring<Self>>(&self, explorer: E) -> Option<E::Explorer> {
        Some(explorer.searchable())
    }
}

/// The group: the servers, `clients` clients, then lin-kv, seq-kv and lww-kv.
fn group(params: &LinKvParams, nodes: usize) -> Names {
    Names::of_group(nodes, params.clients as usize, SERVICES)
}

/// A client: `ops` operations, one every `interval`, each a read, a write or a cas (drawn
/// evenly) of a key drawn among `keys`, to a node drawn afresh.
#[derive(Clone, Debug, Hash)]
struct KvClient {
    params: Fixed<LinKvParams>,
    sent: u64,
}

impl Client for KvClient {
    fn on_start(&mut self, io: &mut dyn Io) {
        let first = jitter(io, self.params.interval);
        io.set_timer(first, 0);
    }

    fn on_timer(&mut self, io: &mut dyn Io, _: u32) {
        self.sent += 1;
        let key = io.random_below(self.params.keys);
        let values = self.params.values_max + 1;
        let body = match io.random_below(3) {
            0 => json!({"type": "read", "key": key}),
            1 => json!({"type": "write", "key": key, "value": io.random_below(values)}),
            _ => {
                let (from, to) = (io.random_below(values), io.random_below(values));
                json!({"type": "cas", "key": key, "from": from, "to": to})
            }
        };
        let server = any_server(io);
        io.request(server, self.sent, body);
        if self.sent < self.params.ops {
            io.set_timer(self.params.interval, 0);
        }
    }
}
