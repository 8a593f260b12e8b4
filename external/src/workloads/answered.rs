//! Every request a client issued was answered by the end of the run (a liveness property: a
//! request whose answer is lost is the node's to retry only where the workload says so).

use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};

use ftsim_api::properties::event_ref;
use ftsim_api::sim_core::entropy::DetHasher;
use ftsim_api::{Explorable, Falsified, NodeId, Property, Time, World};

use crate::member::Member;
use crate::messages::Obs;

/// Every request (of the types it is about) has its reply by the end.
#[derive(Clone, Default)]
pub struct EveryRequestAnswered {
    /// Open requests by client and number, with the event and time of their invocation.
    open: BTreeMap<(NodeId, u64), (u64, Time)>,
}

impl Property<Member> for EveryRequestAnswered {
    fn observe(&mut self, w: &World<'_, Member>, node: NodeId, obs: &Obs) -> Result<(), Falsified> {
        match obs {
            Obs::Invoke { op, .. } => {
                self.open.insert((node, *op), (w.event(), w.now));
            }
            Obs::Complete { op, .. } => {
                self.open.remove(&(node, *op));
            }
            Obs::Node { .. } => {}
        }
        Ok(())
    }

    fn finish(&mut self, _: &World<'_, Member>) -> Result<(), Falsified> {
        let Some((&(client, op), &(event, since))) = self.open.iter().next() else {
            return Ok(());
        };
        let more = self.open.len() - 1;
        let others = if more == 0 {
            String::new()
        } else {
            format!(" ({more} more unanswered)")
        };
        Err(Falsified::new(format!(
            "request {op} of client node {client}, sent at {}, was never answered{others}",
            event_ref(event)
        ))
        .citing(self.open.values().map(|&(e, _)| e).take(8))
        .waiting_since(since))
    }
}

impl Explorable<Member> for EveryRequestAnswered {
    /// The requests still open (not when they were sent).
    fn fingerprint(&self, hasher: &mut DetHasher) {
        hasher.write_usize(self.open.len());
        self.open.keys().for_each(|key| key.hash(hasher));
    }
}
