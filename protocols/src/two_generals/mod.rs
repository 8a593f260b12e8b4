//! The two generals (coordinated attack) over a lossy link: a family of protocols with a
//! bounded number of messages, and the simulator finding, for each, the seed that breaks it.
//!
//! **Model.** Two generals (node 0 and node 1) that never crash, joined by one link that may
//! lose, duplicate and reorder messengers, with delays bounded so that the whole chain fits
//! before the deadline. This is the problem's own model: the protocol claims to coordinate
//! over a lossy link, so a failure here is a violation inside the model, not its edge.
//!
//! **Algorithm.** General 0 sends the plan ("attack at dawn", messenger 1); whoever receives
//! messenger n sends messenger n + 1 back, up to messenger `rounds` + 1 (`rounds`
//! acknowledgement rounds); each messenger goes out `copies` times. At the deadline each
//! general attacks if it received every messenger addressed to it; with `rounds = 0`, general
//! 0 attacks on its own plan. A larger `rounds` or `copies` makes the chain sturdier but keeps
//! the number of messages bounded.
//!
//! **Why no such protocol works.** Take a run where every copy of the chain's last messenger
//! is lost and everything before it arrives. Its sender cannot tell this run from the one
//! where it arrived (it hears nothing either way: the last messenger is never acknowledged),
//! so it decides as it would there: it attacks. Its receiver is missing a messenger it
//! expected, and holds back; if it attacked anyway, the last messenger would not be needed,
//! and the same argument applies to the one before. A lossy link loses that last messenger
//! for some seed, whatever `rounds` and `copies` are: the chance is only smaller (for each of
//! its copies, the loss rate).
//!
//! **Invariants.** Both attack or neither does (`coordinated`); when the chain's last
//! messenger arrived, both attack (`validity`: holding back forever would trivially be
//! coordinated). Reachability: both attacked (`both-attack`).
//!
//! **Known result.** Over a link that loses 30% of messages, three acknowledgement rounds
//! are caught breaking coordination within a few seeds (`scenarios/two-generals-lossy.toml`),
//! and eight rounds with three copies of each messenger only take more seeds
//! (`two-generals-many-rounds.toml`); with no loss the same protocol passes, every run ending
//! in a joint attack (`two-generals-no-loss.toml`).

mod process;
mod properties;
#[cfg(test)]
mod tests;

use ftsim_api::Exploring;
use ftsim_api::{
    params, Duration, FaultClass, Model, NodeId, Properties, Protocol, SpecError, Timing,
};

pub use process::{addressee, General, Msg, Obs, Timer};
pub use properties::{coordinated, AttackIfDelivered, BothAttack};

params! {
    /// Parameters of the two generals.
    pub struct TwoGeneralsParams {
        /// acknowledgement rounds after the plan: the chain has rounds + 1 messengers
        rounds: u32 = 2, range 0..=1_000;
        /// how many times each messenger is sent
        copies: u32 = 1, range 1..=1_000;
        /// when both generals decide
        deadline: Duration = Duration::from_millis(100), range "1ms"..="1000s";
    }
}

/// The declaration of the two generals.
pub struct TwoGenerals;

impl Protocol for TwoGenerals {
    type Process = General;
    type Params = TwoGeneralsParams;

    fn name(&self) -> &'static str {
        "two-generals"
    }

    fn summary(&self) -> &'static str {
        "Two generals over a lossy link: a plan and `rounds` acknowledgements, each sent \
         `copies` times; each attacks if it got every messenger sent to it"
    }

    fn properties(&self) -> Properties<General> {
        Properties::new()
            .always(
                "coordinated",
                "both generals attack or neither does",
                coordinated,
            )
            .eventually_in_runs(
                "validity",
                "when the chain's last messenger arrived, both generals attack",
                AttackIfDelivered::default,
            )
            .sometimes("both-attack", "both generals attacked", BothAttack::default)
    }

    fn validate(&self, _: &TwoGeneralsParams, nodes: usize) -> Result<(), SpecError> {
        if nodes != 2 {
            return Err(SpecError::new(
                "nodes",
                format!("the two generals are two: expected 2 nodes, found {nodes}"),
            ));
        }
        Ok(())
    }

    fn model(&self, p: &TwoGeneralsParams, _: usize) -> Model {
        // The chain must fit before the deadline for `validity`; loss is the problem itself.
        let chain = p.rounds as u64 + 1;
        Model::new()
            .tolerates(FaultClass::Loss)
            .tolerates(FaultClass::Duplication)
            .tolerates(FaultClass::Reordering)
            .timing(Timing::DeliveredWithin {
                bound: Duration(p.deadline.0 / chain),
                rule: "params.deadline shared by the rounds + 1 messengers".into(),
            })
    }

    fn process(&self, p: &TwoGeneralsParams, _: NodeId, _: usize) -> General {
        General::new(p.rounds, p.copies, p.deadline)
    }

    /// A search is asynchronous, and this model bounds delays (the chain fits before the
    /// deadline): each violation found is checked for step times within that bound, so the
    /// one reported is a real last-messenger loss, not a deadline firing over a messenger
    /// still on its way (`scenarios/explore-two-generals-*.toml`).
    fn exploration<E: Exploring<Self>>(&self, explorer: E) -> Option<E::Explorer> {
        Some(explorer.searchable())
    }
}
