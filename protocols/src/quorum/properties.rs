//! Quorum replication's own reachability properties; linearizability, operations returning
//! and reads overlapping writes are the shared ones ([`ftsim_api::properties`]).

use ftsim_api::properties::linearizability::{RegisterOp, RegisterOutput};
use ftsim_api::properties::operations::{OperationsReturn, Overlap};
use ftsim_api::{Falsified, NodeId, Property, World};

use super::messages::Obs;
use super::process::{Node, Role};

/// Every operation of a correct client returns, while at most the quorum slack of replicas
/// is down at the end (`replicas - max(W, R)`: a quorum of each kind is up).
pub fn operations_return() -> OperationsReturn<Node, RegisterOp<u64>, RegisterOutput<u64>> {
    OperationsReturn::new(
        Obs::op_event,
        |w: &World<'_, Node>| {
            let cfg = w.state(0).cfg;
            let down = (0..cfg.replicas).filter(|&r| !w.is_up(r)).count();
            down <= cfg.replicas - cfg.write_quorum.max(cfg.read_quorum)
        },
        |w, i| w.state(i).unfinished_client(),
    )
}

/// Reached when a read and a write by two clients ran concurrently.
pub fn read_during_write() -> Overlap<Node, RegisterOp<u64>, RegisterOutput<u64>> {
    Overlap::new(
        Obs::op_event,
        |op| *op == RegisterOp::Read,
        |op| matches!(op, RegisterOp::Write(_)),
    )
}

/// Reached when a replica took a newer value from a read's write-back: a read saw a write
/// that had not reached a quorum yet, and finished it.
#[derive(Default)]
pub struct WriteBackRepaired {
    reached: bool,
}

impl Property<Node> for WriteBackRepaired {
    fn observe(&mut self, _: &World<'_, Node>, _: NodeId, obs: &Obs) -> Result<(), Falsified> {
        self.reached |= matches!(obs, Obs::Repaired { .. });
        Ok(())
    }
    fn finish(&mut self, _: &World<'_, Node>) -> Result<(), Falsified> {
        if self.reached {
            Ok(())
        } else {
            Err("no write-back changed a replica".into())
        }
    }
}

/// Reached when an operation returned while a replica was down.
#[derive(Default)]
pub struct ServedWithReplicaDown {
    reached: bool,
}

impl Property<Node> for ServedWithReplicaDown {
    fn observe(&mut self, w: &World<'_, Node>, _: NodeId, obs: &Obs) -> Result<(), Falsified> {
        if matches!(obs, Obs::Return { .. }) {
            self.reached |= w
                .nodes()
                .any(|i| matches!(w.state(i).role, Role::Replica(_)) && !w.is_up(i));
        }
        Ok(())
    }
    fn finish(&mut self, _: &World<'_, Node>) -> Result<(), Falsified> {
        if self.reached {
            Ok(())
        } else {
            Err("no operation returned while a replica was down".into())
        }
    }
}
