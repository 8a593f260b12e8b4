//! The explorer as the runner offers it: the state-search core (`ftsim-explore`, re-exported
//! here), built from a prepared scenario and a protocol's consent (`build`), and the
//! search over the engine's runs ([`search_decisions`]), which runs prepared simulations and
//! so belongs to the runner.

mod build;
mod config;
mod decisions;

pub(crate) use build::{Builder, Checked, Parts};
pub(crate) use config::search_config;
pub use decisions::{search_decisions, DecisionEnd, DecisionLimits, DecisionReport, FoundRun};
pub use ftsim_explore::*;
