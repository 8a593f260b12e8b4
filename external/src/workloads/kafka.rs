//! Maelstrom's kafka workload: a replicated log per key. Clients `send` a message to a key
//! (answered `send_ok` with its `offset`), `poll` keys from offsets (`poll_ok` with `msgs`:
//! per key, `[offset, message]` pairs), `commit_offsets` they have read, and
//! `list_committed_offsets` of keys. The checks (`kafka_checks`) are Maelstrom's rules for
//! offsets and lost writes.

use std::collections::BTreeMap;

use ftsim_api::command::Command;
use ftsim_api::metrics::Metrics;
use ftsim_api::{
    params, Duration, Exploring, FaultClass, Model, NodeId, Properties, Protocol, SpecError,
};
use serde_json::{json, Map, Value};

use super::kafka_checks::{CommitsValid, NoLostWrites, OffsetsConsistent, PollsOrdered};
use super::Speaks;
use crate::client::{any_server, jitter, Client, Fixed, Io};
use crate::member::Member;
use crate::names::Names;
use crate::services::ServiceKind;

params! {
    /// Parameters of the kafka workload.
    pub struct KafkaParams {
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
        ops: u64 = 30, range 1..=100_000;
        /// the time between a client's operations
        interval: Duration = Duration::from_millis(10), range "0ms"..="3600s";
        /// how many keys (logs) the operations touch
        keys: u64 = 2, range 1..=1_000;
    }
}

/// The services kafka offers its nodes.
const SERVICES: &[ServiceKind] = &[ServiceKind::LinKv, ServiceKind::SeqKv, ServiceKind::LwwKv];

/// The kafka workload over external nodes.
pub struct Kafka;

impl Protocol for Kafka {
    type Process = Member;
    type Params = KafkaParams;

    fn name(&self) -> &'static str {
        "maelstrom-kafka"
    }

    fn summary(&self) -> &'static str {
        "Maelstrom's kafka workload over external nodes (params.node, with lin-kv, seq-kv \
         and lww-kv): a log per key whose offsets are consistent and whose writes are not lost"
    }

    fn properties(&self) -> Properties<Member> {
        Properties::new()
            .always(
                "offsets-consistent",
                "an offset of a key holds one message: sends and polls agree, and no two \
                 acknowledged sends share an offset",
                OffsetsConsistent::default,
            )
            .always(
                "polls-ordered",
                "a poll returns each key's messages in increasing offsets, from the one asked \
                 for",
                PollsOrdered::default,
            )
            .always(
                "no-lost-writes",
                "a poll that returns messages of a key past an offset acknowledged before it \
                 was sent returns that offset's message too",
                NoLostWrites::default,
            )
            .always(
                "commits-valid",
                "a listed committed offset is one a client asked to commit for that key",
                CommitsValid::default,
            )
    }

    fn validate(&self, params: &KafkaParams, nodes: usize) -> Result<(), SpecError> {
        super::validate_group(&params.node, &group(params, nodes))
    }

    fn model(&self, params: &KafkaParams, nodes: usize) -> Model {
        // No duplication: a send delivered twice is appended twice by a node that trusts its
        // network, as Maelstrom's does.
        super::base_model(&group(params, nodes))
            .tolerates(FaultClass::Loss)
            .tolerates(FaultClass::Partition)
    }

    fn metrics(&self, _: &KafkaParams) -> Metrics<Member> {
        super::request_latency(
            "operation latency",
            "from a client's operation to its answer",
        )
    }

    fn node_label(&self, params: &KafkaParams, node: NodeId, nodes: usize) -> Option<String> {
        Some(super::label(&group(params, nodes), node))
    }

    fn process(&self, params: &KafkaParams, node: NodeId, nodes: usize) -> Member {
        super::member(
            &params.node,
            params.speaks,
            params,
            super::limits(params.step_timeout, params.node_memory_max_mb),
            group(params, nodes),
            node,
            || {
                Box::new(KafkaClient {
                    params: Fixed(params.clone()),
                    sent: 0,
                    next_offset: BTreeMap::new(),
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
fn group(params: &KafkaParams, nodes: usize) -> Names {
    Names::of_group(nodes, params.clients as usize, SERVICES)
}

/// A client: `ops` operations, one every `interval`, to a node drawn afresh each time: half
/// of them sends, the rest polls, commits and lists, which follow the offsets this client has
/// polled so far.
#[derive(Clone, Debug, Hash)]
struct KafkaClient {
    params: Fixed<KafkaParams>,
    sent: u64,
    /// Per key, the offset this client polls from next.
    next_offset: BTreeMap<String, u64>,
}

impl KafkaClient {
    fn key(&self, io: &mut dyn Io) -> String {
        format!("k{}", io.random_below(self.params.keys))
    }

    /// The keys and offsets this client polls from (every key, from 0 at first).
    fn positions(&self) -> Map<String, Value> {
        (0..self.params.keys)
            .map(|k| {
                let key = format!("k{k}");
                let at = self.next_offset.get(&key).copied().unwrap_or(0);
                (key, json!(at))
            })
            .collect()
    }

    fn operation(&mut self, io: &mut dyn Io) -> Value {
        match io.random_below(10) {
            0..=4 => {
                let key = self.key(io);
                let message = io.client_index() as u64 * 1_000_000 + self.sent;
                json!({"type": "send", "key": key, "msg": message})
            }
            5..=7 => json!({"type": "poll", "offsets": self.positions()}),
            8 => {
                let read: Map<String, Value> = self
                    .next_offset
                    .iter()
                    .filter(|(_, &next)| next > 0)
                    .map(|(key, &next)| (key.clone(), json!(next - 1)))
                    .collect();
                json!({"type": "commit_offsets", "offsets": read})
            }
            _ => {
                let keys: Vec<String> = (0..self.params.keys).map(|k| format!("k{k}")).collect();
                json!({"type": "list_committed_offsets", "keys": keys})
            }
        }
    }
}

impl Client for KafkaClient {
    fn on_start(&mut self, io: &mut dyn Io) {
        let first = jitter(io, self.params.interval);
        io.set_timer(first, 0);
    }

    fn on_timer(&mut self, io: &mut dyn Io, _: u32) {
        self.sent += 1;
        let body = self.operation(io);
        let server = any_server(io);
        io.request(server, self.sent, body);
        if self.sent < self.params.ops {
            io.set_timer(self.params.interval, 0);
        }
    }

    fn on_reply(&mut self, _: &mut dyn Io, _: NodeId, _: u64, body: &Value) {
        let Some(msgs) = body["msgs"]
            .as_object()
            .filter(|_| body["type"] == "poll_ok")
        else {
            return;
        };
        for (key, pairs) in msgs {
            let last = pairs.as_array().and_then(|p| p.last());
            if let Some(offset) = last.and_then(|pair| pair[0].as_u64()) {
                let next = self.next_offset.entry(key.clone()).or_default();
                *next = (*next).max(offset + 1);
            }
        }
    }
}
