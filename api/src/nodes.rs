//! Small helpers about sets of nodes that many protocols need: [`NodeSet`] and
//! [`nodes_phrase`] (from the engine), the group-size check that goes with a `NodeSet`, and
//! [`replica_or_client`] for a service's node labels.

pub use sim_core::nodes::{nodes_phrase, NodeSet};
use sim_core::NodeId;

use crate::spec_error::SpecError;

/// Rejects groups larger than a [`NodeSet`] holds, for protocols that keep node sets in one
/// (call it from `Protocol::validate`) and for `explore`, whose
/// states do; `who` names what refuses them.
pub fn fits_node_set(who: &str, nodes: usize) -> Result<(), SpecError> {
    if nodes > NodeSet::CAPACITY {
        return Err(SpecError::new(
            "nodes",
            format!(
                "{who} supports at most {} nodes, found {nodes}",
                NodeSet::CAPACITY
            ),
        ));
    }
    Ok(())
}

/// A node's label (`Protocol::node_label`) in a service whose nodes `0..replicas`
/// are replicas and the others its clients: "replica 1", "client 3".
///
/// ```
/// assert_eq!(ftsim_api::replica_or_client(1, 3), "replica 1");
/// assert_eq!(ftsim_api::replica_or_client(3, 3), "client 3");
/// ```
pub fn replica_or_client(node: NodeId, replicas: usize) -> String {
    let role = if node < replicas { "replica" } else { "client" };
    format!("{role} {node}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_set_bound() {
        assert!(fits_node_set("x", 65).is_err() && fits_node_set("x", 64).is_ok());
    }
}
