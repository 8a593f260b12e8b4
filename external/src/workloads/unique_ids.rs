//! Maelstrom's unique-ids workload: clients ask the nodes to `generate` an id (answered
//! `generate_ok` with `id`, any JSON value), and no two answers may carry the same id, even
//! when messages are lost, nodes are cut off from each other, or crash and restart. A client
//! sends a request again (with the same `msg_id`, to a node drawn afresh) until it is
//! answered, so every request is answered once the faults stop.

use std::collections::{BTreeMap, BTreeSet};
use std::hash::{Hash, Hasher};

use ftsim_api::command::Command;
use ftsim_api::metrics::Metrics;
use ftsim_api::properties::event_ref;
use ftsim_api::sim_core::entropy::DetHasher;
use ftsim_api::{
    params, Duration, Explorable, Exploring, Falsified, FaultClass, Model, NodeId, Properties,
    Property, Protocol, SpecError, World,
};
use serde_json::json;

use super::answered::EveryRequestAnswered;
use super::Speaks;
use crate::client::{any_server, jitter, Client, Fixed, Io};
use crate::member::Member;
use crate::messages::Obs;
use crate::names::Names;

params! {
    /// Parameters of the unique-ids workload.
    pub struct UniqueIdsParams {
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
        /// how many of the scenario's nodes are clients (the last ones)
        clients: u64 = 1, range 1..=64;
        /// ids each client asks for
        ops: u64 = 10, range 1..=100_000;
        /// the time between a client's requests (the first after up to this long)
        interval: Duration = Duration::from_millis(10), range "0ms"..="3600s";
        /// how long a client waits for an answer before it sends the request again
        retry_after: Duration = Duration::from_millis(100), range "1ms"..="3600s";
    }
}

/// The unique-ids workload over external nodes.
pub struct UniqueIds;

impl Protocol for UniqueIds {
    type Process = Member;
    type Params = UniqueIdsParams;

    fn name(&self) -> &'static str {
        "maelstrom-unique-ids"
    }

    fn summary(&self) -> &'static str {
        "Maelstrom's unique-ids workload over external nodes (params.node): no two generated \
         ids are the same, across partitions and restarts"
    }

    fn properties(&self) -> Properties<Member> {
        Properties::new()
            .always(
                "ids-unique",
                "no two generate_ok answers carry the same id",
                IdsUnique::default,
            )
            .eventually(
                "every-request-answered",
                "every generate a client sent was answered by the end of the run",
                EveryRequestAnswered::default,
            )
    }

    fn validate(&self, params: &UniqueIdsParams, nodes: usize) -> Result<(), SpecError> {
        super::validate_group(&params.node, &group(params, nodes))
    }

    fn model(&self, params: &UniqueIdsParams, nodes: usize) -> Model {
        super::base_model(&group(params, nodes))
            .tolerates(FaultClass::Duplication)
            .tolerates(FaultClass::Loss)
            .tolerates(FaultClass::Partition)
            .tolerates(FaultClass::CrashRecover)
            .tolerates(FaultClass::StorageLoss)
    }

    fn metrics(&self, _: &UniqueIdsParams) -> Metrics<Member> {
        super::request_latency(
            "generate latency",
            "from a client's first request to its answer",
        )
    }

    fn node_label(&self, params: &UniqueIdsParams, node: NodeId, nodes: usize) -> Option<String> {
        Some(super::label(&group(params, nodes), node))
    }

    fn process(&self, params: &UniqueIdsParams, node: NodeId, nodes: usize) -> Member {
        super::member(
            &params.node,
            params.speaks,
            params,
            super::limits(params.step_timeout, params.node_memory_max_mb),
            group(params, nodes),
            node,
            || {
                Box::new(IdsClient {
                    params: Fixed(params.clone()),
                    sent: 0,
                    open: BTreeSet::new(),
                })
            },
        )
    }

    /// Searchable: a search copies and hashes members (`member::Member`).
    fn exploration<E: Exploring<Self>>(&self, explorer: E) -> Option<E::Explorer> {
        Some(explorer.searchable())
    }
}

/// The group: the servers, then `clients` clients.
fn group(params: &UniqueIdsParams, nodes: usize) -> Names {
    Names::of_group(nodes, params.clients as usize, &[])
}

/// The client's next request.
const NEXT: u32 = 0;
/// Ticks from here on: a retry of the request whose number is the tick minus this.
const RETRY: u32 = 1;

/// A client that asks for `ops` ids, one every `interval`, each sent again every
/// `retry_after` until answered.
#[derive(Clone, Debug, Hash)]
struct IdsClient {
    params: Fixed<UniqueIdsParams>,
    sent: u64,
    /// The requests not answered yet.
    open: BTreeSet<u64>,
}

impl IdsClient {
    fn send(&mut self, io: &mut dyn Io, op: u64) {
        let server = any_server(io);
        io.request(server, op, json!({"type": "generate"}));
        let tick = u32::try_from(op).map_or(u32::MAX, |op| op.saturating_add(RETRY));
        io.set_timer(self.params.retry_after, tick);
    }
}

impl Client for IdsClient {
    fn on_start(&mut self, io: &mut dyn Io) {
        let first = jitter(io, self.params.interval);
        io.set_timer(first, NEXT);
    }

    fn on_timer(&mut self, io: &mut dyn Io, tick: u32) {
        if tick == NEXT {
            self.sent += 1;
            self.open.insert(self.sent);
            self.send(io, self.sent);
            if self.sent < self.params.ops {
                io.set_timer(self.params.interval, NEXT);
            }
            return;
        }
        let op = u64::from(tick - RETRY);
        if self.open.contains(&op) {
            self.send(io, op);
        }
    }

    fn on_reply(&mut self, _: &mut dyn Io, _: NodeId, op: u64, _: &serde_json::Value) {
        self.open.remove(&op);
    }
}

/// No two `generate_ok` answers to different requests carry the same id (a request sent
/// again may be answered again with its id). A violation names both answers.
#[derive(Clone, Default)]
pub struct IdsUnique {
    /// Each id given (canonical JSON text): the request it answered (client and number), the
    /// node that gave it and the event.
    given: BTreeMap<String, ((NodeId, u64), NodeId, u64)>,
}

impl Property<Member> for IdsUnique {
    fn observe(&mut self, w: &World<'_, Member>, node: NodeId, obs: &Obs) -> Result<(), Falsified> {
        let Obs::Complete { op, server, reply } = obs else {
            return Ok(());
        };
        let body = reply.json();
        if body["type"] != "generate_ok" {
            return Ok(());
        }
        let Some(id) = body.get("id") else {
            return Err(Falsified::new(format!(
                "node {server} answered a generate of client node {node} without an id: \
                 {reply:?}"
            )));
        };
        let id = id.to_string();
        let request = (node, *op);
        match self.given.get(&id) {
            Some(&(answered, first, at)) if answered != request => {
                return Err(Falsified::new(format!(
                    "node {server} gave the id {id}, which node {first} had given at {} to \
                     another request",
                    event_ref(at)
                ))
                .citing([at, w.event()]));
            }
            Some(_) => {}
            None => {
                self.given.insert(id, (request, *server, w.event()));
            }
        }
        Ok(())
    }
}

impl Explorable<Member> for IdsUnique {
    /// Each id given, the request it answered and the node that gave it (not the event).
    fn fingerprint(&self, hasher: &mut DetHasher) {
        hasher.write_usize(self.given.len());
        for (id, (request, server, _)) in &self.given {
            (id, request, server).hash(hasher);
        }
    }
}
