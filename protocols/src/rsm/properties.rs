//! The replicated state machine's properties: replicas apply the same command at each log
//! position (no divergence), and the reachability properties that prove a sweep exercised
//! concurrent puts, held-back commands, leader changes and recovered acceptors.
//! Linearizability and operations returning are the shared ones ([`ftsim_api::properties`]).

use ftsim_api::properties::linearizability::{KvOp, KvOutput};
use ftsim_api::properties::operations::{OperationsReturn, Overlap};
use ftsim_api::properties::{event_ref, Seen, Witnesses};
use ftsim_api::sim_core::entropy::DetHasher;
use ftsim_api::{Explorable, Falsified, NodeId, Property, World};

use super::messages::Obs;
use super::process::Node;
use super::Variant;

/// Replicas agree on their applied logs: no two apply different commands (or a command and a
/// no-op) at one position. A violation names both applications.
#[derive(Clone, Default)]
pub struct PrefixAgreement {
    applied: Witnesses<u64, Option<(NodeId, u64)>>,
}

impl Property<Node> for PrefixAgreement {
    fn observe(&mut self, w: &World<'_, Node>, node: NodeId, obs: &Obs) -> Result<(), Falsified> {
        let Obs::Applied { index, cmd } = *obs else {
            return Ok(());
        };
        self.applied
            .check(index, Seen::new(w, node, cmd), |was, now| {
                (was.value != now.value).then(|| {
                    format!(
                        "replicas diverge at log position {index}: replica {} applied {} at {}, \
                         replica {} applied {} at {}",
                        now.node,
                        command(now.value),
                        event_ref(now.event),
                        was.node,
                        command(was.value),
                        event_ref(was.event)
                    )
                })
            })
    }
}

impl Explorable<Node> for PrefixAgreement {
    fn fingerprint(&self, hasher: &mut DetHasher) {
        self.applied.fingerprint(hasher);
    }
}

/// "command 2 of client 4", or "a no-op".
fn command(cmd: Option<(NodeId, u64)>) -> String {
    match cmd {
        Some((client, seq)) => format!("command {seq} of client {client}"),
        None => "a no-op".to_string(),
    }
}

/// Every operation of a correct client returns, while the servers the variant needs are up
/// at the end: one (broadcast), the sequencer (total order), a majority (Multi-Paxos).
pub fn operations_return() -> OperationsReturn<Node, KvOp<u64, u64>, KvOutput<u64>> {
    OperationsReturn::new(
        Obs::op_event,
        |w: &World<'_, Node>| {
            let cfg = w.state(0).cfg;
            let up = (0..cfg.servers).filter(|&s| w.is_up(s)).count();
            match cfg.variant {
                Variant::Broadcast => up > 0,
                Variant::TotalOrder => w.is_up(0),
                Variant::MultiPaxos => up >= cfg.majority(),
            }
        },
        |w, i| w.state(i).unfinished_client(),
    )
}

/// Reached when two clients' puts ran concurrently: their order is what replicas must agree
/// on.
pub fn concurrent_puts() -> Overlap<Node, KvOp<u64, u64>, KvOutput<u64>> {
    let put = |op: &KvOp<u64, u64>| matches!(op, KvOp::Put(..));
    Overlap::new(Obs::op_event, put, put)
}

/// Reached when some observation `wanted` picks happened: the name says which.
pub struct Reached {
    wanted: fn(NodeId, &Obs) -> bool,
    what: &'static str,
    reached: bool,
}

impl Reached {
    /// A server other than the first became leader.
    pub fn leader_changed() -> Self {
        Reached {
            wanted: |node, obs| matches!(obs, Obs::Leader { .. }) && node != 0,
            what: "no server other than 0 became leader",
            reached: false,
        }
    }

    /// A replica held back a command that came ahead of a gap.
    pub fn held_back() -> Self {
        Reached {
            wanted: |_, obs| matches!(obs, Obs::HeldBack { .. }),
            what: "no command came ahead of a gap",
            reached: false,
        }
    }

    /// A server accepted an entry after recovering from a crash.
    pub fn recovered_acceptor() -> Self {
        Reached {
            wanted: |_, obs| matches!(obs, Obs::AcceptedAfterRecovery),
            what: "no recovered server accepted anything",
            reached: false,
        }
    }
}

impl Property<Node> for Reached {
    fn observe(&mut self, _: &World<'_, Node>, node: NodeId, obs: &Obs) -> Result<(), Falsified> {
        self.reached |= (self.wanted)(node, obs);
        Ok(())
    }
    fn finish(&mut self, _: &World<'_, Node>) -> Result<(), Falsified> {
        if self.reached {
            Ok(())
        } else {
            Err(self.what.into())
        }
    }
}
