//! Maelstrom's workloads as ftsim protocols: the external nodes are the servers (`n0`…), the
//! workload's clients (`c1`…) are ftsim's own nodes, and each workload's checker is a set of
//! ftsim properties over what the clients and the nodes observed.

pub mod answered;
pub mod broadcast;
pub mod cas_register;
pub mod counter;
pub mod counter_checks;
pub mod decisions;
pub mod echo;
pub mod floodset;
pub mod kafka;
pub mod kafka_checks;
pub mod lin_kv;
pub mod two_phase;
pub mod unique_ids;

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;

use ftsim_api::command::Command;
use ftsim_api::metrics::{measures::Requests, Metrics};
use ftsim_api::{choice, FaultClass, Model, NodeId, Params, SpecError};

use crate::client::Client;
use crate::member::Member;
use crate::messages::Obs;
use crate::names::Names;
use crate::node::ExternalNode;
use crate::program::Limits;

choice! {
    /// The protocol a node program speaks.
    pub enum Speaks {
        /// Maelstrom's messages with ftsim's extension (virtual time, `done`, timers,
        /// randomness and storage through ftsim), as the libraries do.
        Ftsim = "ftsim",
        /// Plain Maelstrom: a step ends when the node waits on its stdin again (on Linux,
        /// from `/proc`); each life is a fresh program, with no timers, storage or notices
        /// from ftsim.
        Maelstrom = "maelstrom",
    }
}

choice! {
    /// The network faults a workload's nodes claim to tolerate.
    pub enum Tolerates {
        /// A network that delivers everything, in any order.
        Nothing = "nothing",
        /// Lost messages and partitions too.
        Partitions = "partitions",
    }
}

impl Tolerates {
    /// `model` widened by the faults claimed.
    pub fn widen(self, model: Model) -> Model {
        match self {
            Tolerates::Nothing => model,
            Tolerates::Partitions => model
                .tolerates(FaultClass::Loss)
                .tolerates(FaultClass::Partition),
        }
    }
}

/// The most external nodes a scenario may start (each is a process of the machine).
pub const SERVERS_MAX: usize = 128;

/// Checks the `node` command (given, and its program found) and the group (at least one
/// server beside the clients and services, at most [`SERVERS_MAX`]).
pub fn validate_group(node: &Command, names: &Names) -> Result<(), SpecError> {
    let Some(program) = node.words().first() else {
        return Err(SpecError::new(
            "params.node",
            "expected the command that runs a node, such as \"python3 echo.py\" (a file \
             beside the scenario is found there)",
        ));
    };
    if !program_exists(program) {
        return Err(SpecError::new(
            "params.node",
            format!(
                "cannot find the program {program:?}: expected a file beside the scenario, \
                 an absolute path or a program on the PATH"
            ),
        ));
    }
    let others = names.nodes() - names.servers();
    if names.servers() == 0 {
        return Err(SpecError::new(
            "nodes",
            format!(
                "the group holds the servers, then {} client(s){}: expected more than \
                 {others} nodes",
                names.clients(),
                services_in_words(names)
            ),
        ));
    }
    if names.servers() > SERVERS_MAX {
        return Err(SpecError::new(
            "nodes",
            format!(
                "each external node is a process of this machine: expected at most \
                 {SERVERS_MAX} of them beside the {others} client(s) and services, found {}",
                names.servers()
            ),
        ));
    }
    Ok(())
}

/// ", then the service seq-kv" (empty without services).
fn services_in_words(names: &Names) -> String {
    let services: Vec<String> = (names.servers() + names.clients()..names.nodes())
        .map(|n| names.name(n))
        .collect();
    match services.len() {
        0 => String::new(),
        1 => format!(", then the service {}", services[0]),
        _ => format!(", then the services {}", services.join(", ")),
    }
}

/// What every workload assumes: messages may be reordered; its clients and services never
/// fail.
pub fn base_model(names: &Names) -> Model {
    Model::new()
        .tolerates(FaultClass::Reordering)
        .never_faulted(names.servers()..names.nodes(), "the clients and services")
}

/// Whether `program` names an executable file: a path, or a name found on the `PATH`.
fn program_exists(program: &str) -> bool {
    if program.contains('/') {
        return Path::new(program).is_file();
    }
    std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(program).is_file()))
}

/// Node `node` of the group `names`: an external node running `command` (speaking `speaks`),
/// a client made by `client` or a service.
pub fn member(
    command: &Command,
    speaks: Speaks,
    params: &impl Params,
    limits: Limits,
    names: Names,
    node: NodeId,
    client: impl FnOnce() -> Box<dyn Client>,
) -> Member {
    if names.is_server(node) {
        let command = Arc::new(command.clone());
        let params = serde_json::to_value(params.to_values()).unwrap_or_default();
        let names = Arc::new(names);
        let mut external = ExternalNode::new(command, names, node, limits, Arc::new(params));
        if speaks == Speaks::Maelstrom {
            external = external.plain();
        }
        Member::Node(Box::new(external))
    } else if let Some(service) = names.service(node) {
        Member::Service(service.start())
    } else {
        Member::Client(client(), Arc::new(names), BTreeSet::new())
    }
}

/// A node's limits: `step_timeout` of wall-clock time per step, `memory_max_mb` MiB resident.
pub fn limits(step_timeout: ftsim_api::Duration, memory_max_mb: u64) -> Limits {
    Limits {
        step_time: std::time::Duration::from_nanos(step_timeout.as_nanos()),
        resident_bytes_max: memory_max_mb.saturating_mul(1 << 20),
        ..Limits::default()
    }
}

/// The label diagrams show: Maelstrom's name of the node.
pub fn label(names: &Names, node: NodeId) -> String {
    names.name(node)
}

/// Latency from each client request to its first answer, under `name`; each sample an
/// operation, so sweeps report messages per operation.
pub fn request_latency(name: &'static str, help: &'static str) -> Metrics<Member> {
    Metrics::measured_by(|| Requests::new(issued, completed))
        .latency(name, help)
        .per_operation()
}

/// The key of a request a client issued (for latency): the client and the request's number.
pub fn issued(node: NodeId, obs: &Obs) -> Option<(NodeId, u64)> {
    match obs {
        Obs::Invoke { op, .. } => Some((node, *op)),
        _ => None,
    }
}

/// The key of a request a client saw answered.
pub fn completed(node: NodeId, obs: &Obs) -> Option<(NodeId, u64)> {
    match obs {
        Obs::Complete { op, .. } => Some((node, *op)),
        _ => None,
    }
}
