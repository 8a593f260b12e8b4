//! Maelstrom's broadcast workload: the first client tells every node its neighbours
//! (`topology`, sent again every `read_every` to the nodes that have not answered it), the
//! clients broadcast unique integers (`broadcast`, answered `broadcast_ok`),
//! and once done they read every node (`read`, answered `read_ok` with `messages`) again and
//! again until the run ends. A read may only return values some client broadcast, and at the
//! end every node's latest read holds every value acknowledged before it was sent.

use std::collections::{BTreeMap, BTreeSet};
use std::hash::{Hash, Hasher};

use ftsim_api::command::Command;
use ftsim_api::metrics::Metrics;
use ftsim_api::properties::event_ref;
use ftsim_api::sim_core::entropy::DetHasher;
use ftsim_api::{
    choice, params, Duration, Explorable, Exploring, Falsified, FaultClass, Model, NodeId,
    Properties, Property, Protocol, SpecError, World,
};
use serde_json::{json, Map, Value};

use super::{Speaks, Tolerates};
use crate::client::{any_server, jitter, Client, Fixed, Io};
use crate::member::Member;
use crate::messages::Obs;
use crate::names::Names;

choice! {
    /// The neighbours the first client gives each node.
    pub enum Topology {
        /// Nodes on a square grid, each with the nodes above, below, left and right.
        Grid = "grid",
        /// A line: each node with the one before and the one after.
        Line = "line",
        /// Every node with every other.
        Total = "total",
    }
}

params! {
    /// Parameters of the broadcast workload.
    pub struct BroadcastParams {
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
        /// values each client broadcasts
        ops: u64 = 10, range 1..=100_000;
        /// the time between a client's broadcasts
        interval: Duration = Duration::from_millis(10), range "0ms"..="3600s";
        /// after its broadcasts, the time between a client's reads of every node
        read_every: Duration = Duration::from_millis(100), range "1ms"..="3600s";
        /// how many times a client reads every node after its broadcasts (0: until the run
        /// ends), then reads again only the nodes whose last read is unanswered, until each
        /// answers; a search (`ftsim explore`) needs a client that stops, for a run to end
        reads: u64 = 0, range 0..=1_000_000;
        /// the neighbours each node is told: grid, line or total
        topology: Topology = Topology::Grid;
        /// the faults the nodes claim to tolerate: nothing (reordering only) or partitions
        /// (lost messages and partitions too)
        tolerates: Tolerates = Tolerates::Nothing;
    }
}

/// The broadcast workload over external nodes.
pub struct Broadcast;

impl Protocol for Broadcast {
    type Process = Member;
    type Params = BroadcastParams;

    fn name(&self) -> &'static str {
        "maelstrom-broadcast"
    }

    fn summary(&self) -> &'static str {
        "Maelstrom's broadcast workload over external nodes (params.node): every acknowledged \
         value is eventually read on every node"
    }

    fn properties(&self) -> Properties<Member> {
        Properties::new()
            .always(
                "reads-valid",
                "a read returns only values some client broadcast",
                ReadsValid::default,
            )
            .eventually(
                "acknowledged-read-everywhere",
                "every node's last read holds every value acknowledged before it was sent",
                ReadEverywhere::default,
            )
    }

    fn validate(&self, params: &BroadcastParams, nodes: usize) -> Result<(), SpecError> {
        super::validate_group(&params.node, &group(params, nodes))
    }

    fn model(&self, params: &BroadcastParams, nodes: usize) -> Model {
        let model = super::base_model(&group(params, nodes)).tolerates(FaultClass::Duplication);
        params.tolerates.widen(model)
    }

    fn metrics(&self, _: &BroadcastParams) -> Metrics<Member> {
        super::request_latency("request latency", "from a client's request to its reply")
    }

    fn node_label(&self, params: &BroadcastParams, node: NodeId, nodes: usize) -> Option<String> {
        Some(super::label(&group(params, nodes), node))
    }

    fn process(&self, params: &BroadcastParams, node: NodeId, nodes: usize) -> Member {
        super::member(
            &params.node,
            params.speaks,
            params,
            super::limits(params.step_timeout, params.node_memory_max_mb),
            group(params, nodes),
            node,
            || {
                Box::new(BroadcastClient {
                    params: Fixed(params.clone()),
                    sent: 0,
                    next_op: 0,
                    reads: 0,
                    unread: BTreeSet::new(),
                    told: BTreeSet::new(),
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
fn group(params: &BroadcastParams, nodes: usize) -> Names {
    Names::of_group(nodes, params.clients as usize, &[])
}

const BROADCAST: u32 = 0;
const READ: u32 = 1;
const TOPOLOGY: u32 = 2;

/// A client: the topology (the first client, until every node has answered it), `ops`
/// broadcasts, then reads of every node, `reads` times or until the run ends.
#[derive(Clone, Debug, Hash)]
struct BroadcastClient {
    params: Fixed<BroadcastParams>,
    sent: u64,
    next_op: u64,
    /// Its reads of every node so far.
    reads: u64,
    /// The nodes whose last read is not answered yet.
    unread: BTreeSet<NodeId>,
    /// The nodes that answered the topology.
    told: BTreeSet<NodeId>,
}

impl BroadcastClient {
    fn request(&mut self, io: &mut dyn Io, server: NodeId, body: Value) {
        self.next_op += 1;
        io.request(server, self.next_op, body);
    }

    /// Reads every node (the `reads` first times, or always where `reads` is 0), then only
    /// those whose last read is unanswered; reads again later while there is one.
    fn read(&mut self, io: &mut dyn Io) {
        let rounds_left = self.params.reads == 0 || self.reads < self.params.reads;
        let servers: Vec<NodeId> = if rounds_left {
            self.reads += 1;
            (0..io.servers()).collect()
        } else {
            self.unread.iter().copied().collect()
        };
        for &server in &servers {
            self.request(io, server, json!({"type": "read"}));
        }
        self.unread.extend(servers);
        if rounds_left || !self.unread.is_empty() {
            io.set_timer(self.params.read_every, READ);
        }
    }

    /// Tells the nodes that have not answered yet their neighbours, and checks again later.
    fn tell_topology(&mut self, io: &mut dyn Io) {
        let topology = topology(self.params.topology, io.servers());
        let untold: Vec<NodeId> = (0..io.servers())
            .filter(|s| !self.told.contains(s))
            .collect();
        for &server in &untold {
            self.request(
                io,
                server,
                json!({"type": "topology", "topology": topology}),
            );
        }
        if !untold.is_empty() {
            io.set_timer(self.params.read_every, TOPOLOGY);
        }
    }
}

impl Client for BroadcastClient {
    fn on_start(&mut self, io: &mut dyn Io) {
        if io.client_index() == 0 {
            self.tell_topology(io);
        }
        let first = jitter(io, self.params.interval);
        io.set_timer(first, BROADCAST);
    }

    fn on_reply(&mut self, _: &mut dyn Io, server: NodeId, _: u64, body: &Value) {
        if body["type"] == "topology_ok" {
            self.told.insert(server);
        }
        if body["type"] == "read_ok" {
            self.unread.remove(&server);
        }
    }

    fn on_timer(&mut self, io: &mut dyn Io, tick: u32) {
        if tick == TOPOLOGY {
            self.tell_topology(io);
            return;
        }
        if tick == READ {
            self.read(io);
            return;
        }
        let value = io.client_index() as u64 + io.clients() as u64 * self.sent;
        self.sent += 1;
        let server = any_server(io);
        self.request(io, server, json!({"type": "broadcast", "message": value}));
        if self.sent < self.params.ops {
            io.set_timer(self.params.interval, BROADCAST);
        } else {
            io.set_timer(self.params.read_every, READ);
        }
    }
}

/// Each node's neighbours, by name.
fn topology(shape: Topology, servers: usize) -> Map<String, Value> {
    let side = (1..=servers).find(|s| s * s >= servers).unwrap_or(1);
    let neighbours = |i: usize| -> Vec<usize> {
        match shape {
            Topology::Total => (0..servers).filter(|&j| j != i).collect(),
            Topology::Line => [i.checked_sub(1), Some(i + 1)]
                .into_iter()
                .flatten()
                .filter(|&j| j < servers)
                .collect(),
            Topology::Grid => {
                let (row, col) = (i / side, i % side);
                let up = row.checked_sub(1).map(|r| r * side + col);
                let left = col.checked_sub(1).map(|c| row * side + c);
                let right = (col + 1 < side).then_some(i + 1);
                [up, left, right, Some(i + side)]
                    .into_iter()
                    .flatten()
                    .filter(|&j| j < servers)
                    .collect()
            }
        }
    };
    (0..servers)
        .map(|i| {
            let names = neighbours(i).into_iter().map(|j| json!(format!("n{j}")));
            (format!("n{i}"), Value::Array(names.collect()))
        })
        .collect()
}

fn read_values(reply: &Value) -> Option<Vec<u64>> {
    reply["messages"]
        .as_array()?
        .iter()
        .map(Value::as_u64)
        .collect()
}

/// A read returns only values some client broadcast before the read's reply.
#[derive(Clone, Default)]
pub struct ReadsValid {
    broadcast: BTreeSet<u64>,
}

impl Property<Member> for ReadsValid {
    fn observe(&mut self, _: &World<'_, Member>, node: NodeId, obs: &Obs) -> Result<(), Falsified> {
        match obs {
            Obs::Invoke { request, .. } => {
                if let Some(v) = request.json()["message"].as_u64() {
                    self.broadcast.insert(v);
                }
            }
            Obs::Complete { server, reply, .. } => {
                let body = reply.json();
                if body["type"] != "read_ok" {
                    return Ok(());
                }
                let Some(values) = read_values(&body) else {
                    return Err(Falsified::new(format!(
                        "node {server} answered a read of client node {node} without a list \
                         of integers \"messages\": {reply:?}"
                    )));
                };
                if let Some(v) = values.iter().find(|v| !self.broadcast.contains(v)) {
                    return Err(Falsified::new(format!(
                        "node {server} read {v}, which no client broadcast"
                    )));
                }
            }
            Obs::Node { .. } => {}
        }
        Ok(())
    }
}

/// At the end, each node that is up has answered a read, and its latest read holds every
/// value acknowledged (`broadcast_ok`) before that read was sent.
#[derive(Clone, Default)]
pub struct ReadEverywhere {
    /// Each request by client and number: its body, its event, and how many values were
    /// acknowledged when it was sent.
    sent: BTreeMap<(NodeId, u64), (Value, u64, usize)>,
    /// Acknowledged values, with the event of their acknowledgement, in order.
    acked: Vec<(u64, u64)>,
    /// Per node, its latest completed read: how many values were acknowledged when it was
    /// sent, what it returned, and the events of its sending and its reply.
    latest: BTreeMap<NodeId, (usize, BTreeSet<u64>, u64, u64)>,
}

impl Property<Member> for ReadEverywhere {
    fn observe(&mut self, w: &World<'_, Member>, node: NodeId, obs: &Obs) -> Result<(), Falsified> {
        match obs {
            Obs::Invoke { op, request, .. } => {
                let known = self.acked.len();
                self.sent
                    .insert((node, *op), (request.json(), w.event(), known));
            }
            Obs::Complete { op, server, reply } => {
                let Some((request, sent_at, known)) = self.sent.get(&(node, *op)) else {
                    return Ok(());
                };
                let body = reply.json();
                match (request["type"].as_str(), body["type"].as_str()) {
                    (Some("broadcast"), Some("broadcast_ok")) => {
                        if let Some(v) = request["message"].as_u64() {
                            self.acked.push((v, w.event()));
                        }
                    }
                    (Some("read"), Some("read_ok")) => {
                        let values = read_values(&body).unwrap_or_default();
                        let entry = (*known, values.into_iter().collect(), *sent_at, w.event());
                        self.latest.insert(*server, entry);
                    }
                    _ => {}
                }
            }
            Obs::Node { .. } => {}
        }
        Ok(())
    }

    fn finish(&mut self, w: &World<'_, Member>) -> Result<(), Falsified> {
        for server in w
            .nodes()
            .filter(|&n| w.is_up(n) && matches!(w.state(n), Member::Node(_)))
        {
            let Some((known, values, sent_at, read_at)) = self.latest.get(&server) else {
                return Err(Falsified::new(format!("node {server} answered no read")));
            };
            let missing: Vec<&(u64, u64)> = self.acked[..*known]
                .iter()
                .filter(|(v, _)| !values.contains(v))
                .collect();
            if let Some(&&(value, acked_at)) = missing.first() {
                return Err(Falsified::new(format!(
                    "node {server}'s last read (sent at {}, answered at {}) lacks {} value(s) \
                     acknowledged before it, {value} first (acknowledged at {})",
                    event_ref(*sent_at),
                    event_ref(*read_at),
                    missing.len(),
                    event_ref(acked_at)
                ))
                .citing([acked_at, *sent_at, *read_at]));
            }
        }
        Ok(())
    }
}

impl Explorable<Member> for ReadsValid {
    fn fingerprint(&self, hasher: &mut DetHasher) {
        self.broadcast.hash(hasher);
    }
}

impl Explorable<Member> for ReadEverywhere {
    /// The requests, values acknowledged and latest reads, without their events.
    fn fingerprint(&self, hasher: &mut DetHasher) {
        hasher.write_usize(self.sent.len());
        for (key, (request, _, known)) in &self.sent {
            (key, request, known).hash(hasher);
        }
        hasher.write_usize(self.acked.len());
        self.acked.iter().for_each(|(value, _)| value.hash(hasher));
        hasher.write_usize(self.latest.len());
        for (node, (known, values, _, _)) in &self.latest {
            (node, known, values).hash(hasher);
        }
    }
}
