//! Total-order multicast's own property; total and causal order, integrity, agreement and
//! termination are the shared delivery ones.

use std::collections::BTreeSet;

use ftsim_api::{Falsified, NodeId, Property, World};

use super::process::{Obs, TotalOrderProcess};

/// Reached when a message multicast while some process was down got delivered: the run tested
/// delivery after a crash, not only before it.
#[derive(Default)]
pub struct DeliveredAfterCrash {
    after_crash: BTreeSet<(NodeId, u64)>,
    reached: bool,
}

impl Property<TotalOrderProcess> for DeliveredAfterCrash {
    fn observe(
        &mut self,
        w: &World<'_, TotalOrderProcess>,
        node: NodeId,
        obs: &Obs,
    ) -> Result<(), Falsified> {
        match *obs {
            Obs::Multicast { seq } if w.nodes().any(|i| !w.is_up(i)) => {
                self.after_crash.insert((node, seq));
            }
            Obs::Deliver { origin, seq } if self.after_crash.contains(&(origin, seq)) => {
                self.reached = true;
            }
            _ => {}
        }
        Ok(())
    }

    fn finish(&mut self, _: &World<'_, TotalOrderProcess>) -> Result<(), Falsified> {
        if self.reached {
            Ok(())
        } else {
            Err("no message multicast after a crash was delivered".into())
        }
    }
}
