//! Maelstrom's workloads as ftsim protocols: the external nodes are the servers (`n0`…), the
//! workload's clients (`c1`…) are ftsim's own nodes, and each workload's checker is a set of
//! ftsim properties over what the clients and the nodes observed.

pub mod answered;
pub mod broadcast;
pub mod echo;
pub mod floodset;

use std::path::Path;
use std::sync::Arc;

use ftsim_api::command::Command;
use ftsim_api::{NodeId, Params, SpecError};

use crate::client::Client;
use crate::member::Member;
use crate::messages::Obs;
use crate::names::Names;
use crate::node::ExternalNode;
use crate::program::Limits;

/// The most external nodes a scenario may start (each is a process of the machine).
pub const SERVERS_MAX: usize = 128;

/// Checks the `node` command (given, and its program found) and the group (at least one
/// server beside `clients` clients, at most [`SERVERS_MAX`]).
pub fn validate_group(node: &Command, clients: usize, nodes: usize) -> Result<(), SpecError> {
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
    if nodes <= clients {
        return Err(SpecError::new(
            "nodes",
            format!(
                "the group holds the servers and {clients} client(s): expected more than \
                 {clients} nodes"
            ),
        ));
    }
    if nodes - clients > SERVERS_MAX {
        return Err(SpecError::new(
            "nodes",
            format!(
                "each external node is a process of this machine: expected at most \
                 {SERVERS_MAX} of them beside the {clients} client(s), found {}",
                nodes - clients
            ),
        ));
    }
    Ok(())
}

/// Whether `program` names an executable file: a path, or a name found on the `PATH`.
fn program_exists(program: &str) -> bool {
    if program.contains('/') {
        return Path::new(program).is_file();
    }
    std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(program).is_file()))
}

/// Node `node` of a workload with `clients` clients: an external node running `command`, or
/// a client made by `client`.
pub fn member(
    command: &Command,
    params: &impl Params,
    limits: Limits,
    clients: usize,
    node: NodeId,
    nodes: usize,
    client: impl FnOnce() -> Box<dyn Client>,
) -> Member {
    let names = Arc::new(Names::new(nodes.saturating_sub(clients), nodes));
    if names.is_server(node) {
        let command = Arc::new(command.clone());
        let params = serde_json::to_value(params.to_values()).unwrap_or_default();
        let external = ExternalNode::new(command, names, node, limits, Arc::new(params));
        Member::Node(Box::new(external))
    } else {
        Member::Client(client(), names)
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
pub fn label(clients: usize, node: NodeId, nodes: usize) -> String {
    Names::new(nodes.saturating_sub(clients), nodes).name(node)
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
