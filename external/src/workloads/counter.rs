//! Maelstrom's g-counter and pn-counter workloads: clients `add` a `delta` at a node
//! (answered `add_ok`) and `read` the counter (answered `read_ok` with `value`). Once done
//! adding, each client reads every node again and again until the run ends. A read never
//! returns more than was ever added (nor less than was ever subtracted), and at the end every
//! node's latest read holds every add acknowledged before it was sent, give or take the adds
//! whose fate is unknown (sent, never acknowledged). The nodes may use the `seq-kv` service,
//! as in Maelstrom.

use ftsim_api::command::Command;
use ftsim_api::metrics::Metrics;
use ftsim_api::{params, Duration, Exploring, Model, NodeId, Properties, Protocol, SpecError};
use serde_json::json;

use super::{Speaks, Tolerates};
use crate::client::{any_server, jitter, Client, Fixed, Io};
use crate::member::Member;
use crate::names::Names;
use crate::services::ServiceKind;

use super::counter_checks::{FinalReadsSum, ReadsBounded};

params! {
    /// Parameters of the counter workloads.
    pub struct CounterParams {
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
        /// how many of the scenario's nodes are clients (after the servers; the last node
        /// is the seq-kv service)
        clients: u64 = 1, range 1..=64;
        /// adds each client sends
        ops: u64 = 10, range 1..=100_000;
        /// the time between a client's adds
        interval: Duration = Duration::from_millis(10), range "0ms"..="3600s";
        /// after its adds, the time between a client's reads of every node
        read_every: Duration = Duration::from_millis(100), range "1ms"..="3600s";
        /// the faults the nodes claim to tolerate: nothing (reordering only) or partitions
        /// (lost messages and partitions too)
        tolerates: Tolerates = Tolerates::Nothing;
    }
}

/// The services the counters offer their nodes.
const SERVICES: &[ServiceKind] = &[ServiceKind::SeqKv];

/// A counter workload: grow-only (deltas from 0 to 5) or not (from -5 to 5).
pub struct Counter {
    /// Whether deltas may be negative (pn-counter).
    pub negative: bool,
}

/// Maelstrom's g-counter.
pub const G_COUNTER: Counter = Counter { negative: false };
/// Maelstrom's pn-counter.
pub const PN_COUNTER: Counter = Counter { negative: true };

impl Protocol for Counter {
    type Process = Member;
    type Params = CounterParams;

    fn name(&self) -> &'static str {
        if self.negative {
            "maelstrom-pn-counter"
        } else {
            "maelstrom-g-counter"
        }
    }

    fn summary(&self) -> &'static str {
        if self.negative {
            "Maelstrom's pn-counter workload over external nodes (params.node, with seq-kv): \
             every node ends reading the sum of the acknowledged adds, some of them negative"
        } else {
            "Maelstrom's g-counter workload over external nodes (params.node, with seq-kv): \
             every node ends reading the sum of the acknowledged adds"
        }
    }

    fn properties(&self) -> Properties<Member> {
        Properties::new()
            .always(
                "reads-bounded",
                "a read returns a number no add could not explain: at most what was added, \
                 at least what was subtracted, before its answer",
                ReadsBounded::default,
            )
            .eventually(
                "final-reads-sum-acknowledged",
                "every node's last read is the sum of the adds acknowledged before it was \
                 sent, give or take those whose fate is unknown",
                FinalReadsSum::default,
            )
    }

    fn validate(&self, params: &CounterParams, nodes: usize) -> Result<(), SpecError> {
        super::validate_group(&params.node, &group(params, nodes))
    }

    fn model(&self, params: &CounterParams, nodes: usize) -> Model {
        // No duplication: an add delivered twice is counted twice by a node that trusts its
        // network, as Maelstrom's does.
        params
            .tolerates
            .widen(super::base_model(&group(params, nodes)))
    }

    fn metrics(&self, _: &CounterParams) -> Metrics<Member> {
        super::request_latency("request latency", "from a client's request to its reply")
    }

    fn node_label(&self, params: &CounterParams, node: NodeId, nodes: usize) -> Option<String> {
        Some(super::label(&group(params, nodes), node))
    }

    fn process(&self, params: &CounterParams, node: NodeId, nodes: usize) -> Member {
        let negative = self.negative;
        super::member(
            &params.node,
            params.speaks,
            params,
            super::limits(params.step_timeout, params.node_memory_max_mb),
            group(params, nodes),
            node,
            || {
                Box::new(CounterClient {
                    params: Fixed(params.clone()),
                    negative,
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

/// The group: the servers, `clients` clients, then seq-kv.
fn group(params: &CounterParams, nodes: usize) -> Names {
    Names::of_group(nodes, params.clients as usize, SERVICES)
}

const ADD: u32 = 0;
const READ: u32 = 1;

/// A client: `ops` adds, then reads of every node forever.
#[derive(Clone, Debug, Hash)]
struct CounterClient {
    params: Fixed<CounterParams>,
    negative: bool,
    /// Requests sent so far (each request's number).
    sent: u64,
}

impl Client for CounterClient {
    fn on_start(&mut self, io: &mut dyn Io) {
        let first = jitter(io, self.params.interval);
        io.set_timer(first, ADD);
    }

    fn on_timer(&mut self, io: &mut dyn Io, tick: u32) {
        if tick == READ {
            for server in 0..io.servers() {
                self.sent += 1;
                io.request(server, self.sent, json!({"type": "read"}));
            }
            io.set_timer(self.params.read_every, READ);
            return;
        }
        let delta = if self.negative {
            io.random_below(11) as i64 - 5
        } else {
            io.random_below(6) as i64
        };
        self.sent += 1;
        let server = any_server(io);
        io.request(server, self.sent, json!({"type": "add", "delta": delta}));
        if self.sent < self.params.ops {
            io.set_timer(self.params.interval, ADD);
        } else {
            io.set_timer(self.params.read_every, READ);
        }
    }
}
