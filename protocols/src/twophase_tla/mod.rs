//! The abstract two-phase commit of the TLA+ specification `TwoPhase` (Lamport and Gray,
//! *Consensus on Transaction Commit*; tlaplus/Examples, `transaction_commit/TwoPhase.tla`),
//! written as ftsim processes so that `ftsim explore` can be checked against TLC.
//!
//! **Model.** Node 0 is the transaction manager (TM), nodes `1..n` the resource managers
//! (RMs). The spec's messages are a set that only grows: a message, once sent, can be received
//! any number of times. That is a duplicating network, so scenarios of this protocol enable
//! duplication, under which a search keeps each link's messages as a set. No crashes, no loss.
//!
//! **Algorithm.** Each spec action is one step: an RM that is working prepares (a timer, then
//! `Prepared` to the TM) or chooses to abort (another timer); the TM records `Prepared`
//! messages while undecided, may commit (a timer armed once every RM prepared) and may abort at
//! any time while undecided (a timer armed at the start), sending its decision to every RM; an
//! RM adopts the decision it receives. The timers an RM or the TM holds are exactly the
//! actions the spec enables in its state, so the explored states are the spec's states.
//!
//! **Invariants.** `consistent` (the spec's `TCConsistent`): no RM has committed while another
//! has aborted.
//!
//! **Symmetry.** The RMs are interchangeable: with `explore --symmetry` a state is counted once
//! per renaming of the RMs, exactly: 80, 166, 314 and 553 states for 3 to 6 RMs, the numbers
//! of orbits a brute-force search of the spec finds (stateright's 665 for 5 RMs comes from a
//! representative that is not a canonical form).
//!
//! **Known result.** TLC finds 288 distinct states for 3 RMs, 1,568 for 4, 8,832 for 5 and
//! 50,816 for 6, and no violation; `ftsim explore` must find the same counts
//! (`scenarios/explore-two-phase-tla-3.toml`; the tests compare 3 to 6 RMs against an
//! independent brute-force search of the spec). With `early_commit`, the TM commits once any
//! RM prepared, and `consistent` must be caught violated.

mod process;
#[cfg(test)]
mod tests;

use ftsim_api::Exploring;
use ftsim_api::{params, FaultClass, Model, NodeId, Properties, Protocol, SpecError};

pub use process::{Consistent, Msg, RmState, Timer, TmState, TwoPhaseNode};

params! {
    /// Parameters of the TwoPhase model.
    pub struct TwoPhaseTlaParams {
        /// The known bug: the TM may commit as soon as one RM prepared (the spec waits for
        /// all).
        early_commit: bool = false;
    }
}

/// The declaration of the TwoPhase model.
pub struct TwoPhaseTla;

impl Protocol for TwoPhaseTla {
    type Process = TwoPhaseNode;
    type Params = TwoPhaseTlaParams;

    fn name(&self) -> &'static str {
        "two-phase-tla"
    }

    fn summary(&self) -> &'static str {
        "The TLA+ TwoPhase spec as processes (node 0 the TM, the rest RMs), for checking \
         `ftsim explore` against TLC's state counts"
    }

    fn properties(&self) -> Properties<TwoPhaseNode> {
        Properties::new().always(
            "consistent",
            "no RM has committed while another has aborted (TCConsistent)",
            || Consistent,
        )
    }

    fn validate(&self, _: &TwoPhaseTlaParams, nodes: usize) -> Result<(), SpecError> {
        if !(2..=64).contains(&nodes) {
            return Err(SpecError::new(
                "nodes",
                format!("expected 2 to 64 nodes (the TM and 1 to 63 RMs), found {nodes}"),
            ));
        }
        Ok(())
    }

    fn model(&self, _: &TwoPhaseTlaParams, _: usize) -> Model {
        Model::new()
            .tolerates(FaultClass::Duplication)
            .tolerates(FaultClass::Reordering)
    }

    fn process(&self, params: &TwoPhaseTlaParams, node: NodeId, _: usize) -> TwoPhaseNode {
        TwoPhaseNode::new(node, params.early_commit)
    }

    fn exploration<E: Exploring<Self>>(&self, explorer: E) -> Option<E::Explorer> {
        // The RMs are interchangeable (the spec's symmetry set).
        Some(explorer.symmetric(|_, nodes| (1..nodes).collect()))
    }
}
