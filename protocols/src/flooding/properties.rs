//! Flooding's own property; agreement, validity, integrity and termination are the shared
//! consensus ones.

use ftsim_api::{NodeId, Property, World};

use super::process::{Flooding, Obs};

/// Reached when some process crashed before anyone decided: the run actually tested the
/// interesting case, so a passing sweep is not a vacuous one.
#[derive(Default)]
pub struct CrashBeforeDecision {
    reached: bool,
    decided: bool,
}

impl Property<Flooding> for CrashBeforeDecision {
    fn observe(&mut self, w: &World<'_, Flooding>, _: NodeId, obs: &Obs) -> Result<(), String> {
        if matches!(obs, Obs::Decide(_)) && !self.decided {
            self.decided = true;
            self.reached = w.nodes().any(|i| w.ever_crashed(i));
        }
        Ok(())
    }
    fn finish(&mut self, _: &World<'_, Flooding>) -> Result<(), String> {
        if self.reached {
            Ok(())
        } else {
            Err("no process crashed before the first decision".into())
        }
    }
}
