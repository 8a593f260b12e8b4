//! An observation that proposes and decides one value: what the tests' toy protocols report
//! for the consensus properties.

use ftsim_api::properties::consensus::Decision;

#[derive(Clone, Debug, Hash)]
pub struct Decide(pub u64);

impl Decision for Decide {
    fn proposed(&self) -> Option<u64> {
        Some(self.0)
    }
    fn decided(&self) -> Option<u64> {
        Some(self.0)
    }
}
