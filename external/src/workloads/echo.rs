//! Maelstrom's echo workload: clients send `{"type": "echo", "echo": text}` to the nodes, and
//! every reply must be `echo_ok` with the same text. The first workload of Maelstrom's guide,
//! and the smallest check that a node speaks the protocol.

use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};

use ftsim_api::command::Command;
use ftsim_api::metrics::Metrics;
use ftsim_api::properties::event_ref;
use ftsim_api::sim_core::entropy::DetHasher;
use ftsim_api::{
    params, Duration, Explorable, Exploring, Falsified, FaultClass, Model, NodeId, Properties,
    Property, Protocol, SpecError, World,
};
use serde_json::{json, Value};

use super::answered::EveryRequestAnswered;
use super::Speaks;
use crate::client::{any_server, jitter, Client, Io};
use crate::member::Member;
use crate::messages::Obs;
use crate::names::Names;

params! {
    /// Parameters of the echo workload.
    pub struct EchoParams {
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
        /// how many of the scenario's nodes are clients (the last ones); the others run the
        /// node
        clients: u64 = 1, range 1..=64;
        /// echo requests per client
        ops: u64 = 10, range 1..=100_000;
        /// the time between a client's requests (the first after up to this long)
        interval: Duration = Duration::from_millis(10), range "0ms"..="3600s";
    }
}

/// The echo workload over external nodes.
pub struct Echo;

impl Protocol for Echo {
    type Process = Member;
    type Params = EchoParams;

    fn name(&self) -> &'static str {
        "maelstrom-echo"
    }

    fn summary(&self) -> &'static str {
        "Maelstrom's echo workload over external nodes (params.node): every echo is answered \
         with the same text"
    }

    fn properties(&self) -> Properties<Member> {
        Properties::new()
            .always(
                "echo-matches",
                "every reply to an echo is echo_ok with the text that was sent",
                EchoMatches::default,
            )
            .eventually(
                "every-request-answered",
                "every echo a client sent was answered by the end of the run",
                EveryRequestAnswered::default,
            )
    }

    fn validate(&self, params: &EchoParams, nodes: usize) -> Result<(), SpecError> {
        super::validate_group(&params.node, &group(params, nodes))
    }

    fn model(&self, params: &EchoParams, nodes: usize) -> Model {
        super::base_model(&group(params, nodes)).tolerates(FaultClass::Duplication)
    }

    fn metrics(&self, _: &EchoParams) -> Metrics<Member> {
        super::request_latency("echo latency", "from a client's echo to its reply")
    }

    fn node_label(&self, params: &EchoParams, node: NodeId, nodes: usize) -> Option<String> {
        Some(super::label(&group(params, nodes), node))
    }

    fn process(&self, params: &EchoParams, node: NodeId, nodes: usize) -> Member {
        super::member(
            &params.node,
            params.speaks,
            params,
            super::limits(params.step_timeout, params.node_memory_max_mb),
            group(params, nodes),
            node,
            || {
                Box::new(EchoClient {
                    ops: params.ops,
                    interval: params.interval,
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

/// The group: the servers, then `clients` clients.
fn group(params: &EchoParams, nodes: usize) -> Names {
    Names::of_group(nodes, params.clients as usize, &[])
}

/// A client that sends `ops` echoes, one every `interval`, each to a node drawn at random.
#[derive(Clone, Debug, Hash)]
struct EchoClient {
    ops: u64,
    interval: Duration,
    sent: u64,
}

impl Client for EchoClient {
    fn on_start(&mut self, io: &mut dyn Io) {
        let first = jitter(io, self.interval);
        io.set_timer(first, 0);
    }

    fn on_timer(&mut self, io: &mut dyn Io, _: u32) {
        self.sent += 1;
        let text = format!(
            "c{} #{} {}",
            io.client_index() + 1,
            self.sent,
            io.random_below(1 << 20)
        );
        let server = any_server(io);
        io.request(server, self.sent, json!({"type": "echo", "echo": text}));
        if self.sent < self.ops {
            io.set_timer(self.interval, 0);
        }
    }
}

/// Every reply to an echo is `echo_ok` with the text sent. A violation names the request.
#[derive(Clone, Default)]
pub struct EchoMatches {
    /// Each request's text and the event that sent it, by client and number.
    sent: BTreeMap<(NodeId, u64), (Value, u64)>,
}

impl Property<Member> for EchoMatches {
    fn observe(&mut self, w: &World<'_, Member>, node: NodeId, obs: &Obs) -> Result<(), Falsified> {
        match obs {
            Obs::Invoke { op, request, .. } => {
                let text = request.json()["echo"].clone();
                self.sent.insert((node, *op), (text, w.event()));
            }
            Obs::Complete { op, server, reply } => {
                let Some((text, sent_at)) = self.sent.get(&(node, *op)) else {
                    return Err(Falsified::new(format!(
                        "node {server} answered request {op} of client node {node}, which it \
                         never sent: {reply:?}"
                    )));
                };
                let body = reply.json();
                if body["type"] != "echo_ok" || body["echo"] != *text {
                    return Err(Falsified::new(format!(
                        "node {server} answered the echo of {text} sent at {} with {reply:?}",
                        event_ref(*sent_at)
                    ))
                    .citing([*sent_at]));
                }
            }
            Obs::Node { .. } => {}
        }
        Ok(())
    }
}

impl Explorable<Member> for EchoMatches {
    /// Each request's text (not the event that sent it).
    fn fingerprint(&self, hasher: &mut DetHasher) {
        hasher.write_usize(self.sent.len());
        for (key, (text, _)) in &self.sent {
            key.hash(hasher);
            text.hash(hasher);
        }
    }
}
