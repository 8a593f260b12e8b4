//! The explorer as the runner offers it: the state-search core (`ftsim-explore`, re-exported
//! here), which a prepared simulation builds from a protocol's consent
//! ([`Simulation::explorer`](crate::Simulation::explorer)), and the search over the engine's
//! runs ([`search_decisions`]), which runs prepared simulations and so belongs to the runner.

mod decisions;

pub use decisions::{search_decisions, DecisionEnd, DecisionLimits, DecisionReport, FoundRun};
pub use ftsim_explore::*;
