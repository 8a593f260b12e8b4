//! Consensus in any language, judged by the very properties the catalogue's consensus
//! protocols are (agreement, validity, integrity, termination): each node observes its
//! proposal (`{"ftsim": "observe", "kind": "propose", "value": 7}`) and its decision
//! (`"kind": "decide"`). The model is flooding consensus's (FloodSet, `protocol =
//! "flooding"`): crash-stop, at most `rounds − 1` crashes, a perfect failure detector whose
//! notice comes after a crashed node's last message; the nodes read `rounds` and `proposals`
//! from `init`'s `ftsim.params`. So a FloodSet written in another language runs the flooding
//! scenarios with only its `protocol` and `node` lines changed, and must get their verdicts.

use ftsim_api::command::Command;
use ftsim_api::metrics::{measures::TimeToDecide, Metrics};
use ftsim_api::properties::consensus::{
    Agreement, CrashBeforeDecision, Decision, Integrity, Obliged, Termination, Validity,
};
use ftsim_api::{
    choice, params, DetectorClass, DetectorModel, Duration, FaultClass, Model, NodeId, Properties,
    Protocol, SpecError, Timing,
};

use crate::member::Member;
use crate::messages::Obs;

choice! {
    /// How nodes pick what they propose (they read it from `init`).
    pub enum Proposals {
        /// Each node draws a value in 0..100 from its own seeded randomness.
        Random = "random",
        /// Node i proposes i.
        ById = "by-id",
    }
}

params! {
    /// Parameters of consensus over external nodes.
    pub struct ConsensusParams {
        /// the command that runs one node (a file beside the scenario is found there)
        node: Command = Command::default();
        /// wall-clock time a node may take for one step before its seed fails (it hangs)
        step_timeout: Duration = Duration::from_secs(10), range "1ms"..="3600s";
        /// resident memory a node may hold, in MiB, before its seed fails (read every 64
        /// steps)
        node_memory_max_mb: u64 = 1024, range 1..=1_048_576;
        /// rounds before deciding (f + 1 tolerates f crashes); given to the nodes
        rounds: u32 = 2, range 1..=64;
        /// random: each node proposes a value in 0..100 from its seeded randomness; by-id:
        /// node i proposes i; given to the nodes
        proposals: Proposals = Proposals::Random;
    }
}

impl Decision for Obs {
    fn proposed(&self) -> Option<u64> {
        self.node_number("propose")
    }
    fn decided(&self) -> Option<u64> {
        self.node_number("decide")
    }
}

/// Round-based consensus over external nodes.
pub struct ExternalConsensus;

impl Protocol for ExternalConsensus {
    type Process = Member;
    type Params = ConsensusParams;

    fn name(&self) -> &'static str {
        "external-consensus"
    }

    fn summary(&self) -> &'static str {
        "Round-based consensus over external nodes (params.node) with flooding's model, \
         judged by the catalogue's consensus properties"
    }

    fn properties(&self) -> Properties<Member> {
        Properties::new()
            .always(
                "agreement",
                "no two processes decide differently (uniform: including ones that crash later)",
                Agreement::default,
            )
            .always(
                "validity",
                "a decided value was proposed",
                Validity::default,
            )
            .always("integrity", "no process decides twice", Integrity::default)
            .eventually(
                "termination",
                "every process that never crashed decides",
                || Termination::new(Obliged::Correct),
            )
            .sometimes(
                "crash-before-decision",
                "some process crashed before the first decision",
                CrashBeforeDecision::default,
            )
    }

    fn detector(&self) -> Option<DetectorModel> {
        Some(DetectorModel::Perfect {
            delay: Duration::from_millis(6),
        })
    }

    fn validate(&self, params: &ConsensusParams, nodes: usize) -> Result<(), SpecError> {
        super::validate_group(&params.node, 0, nodes)
    }

    fn model(&self, params: &ConsensusParams, _: usize) -> Model {
        Model::new()
            .tolerates_at_most(
                FaultClass::CrashStop,
                params.rounds as usize - 1,
                "rounds − 1",
            )
            .tolerates(FaultClass::Duplication)
            .tolerates(FaultClass::Reordering)
            .needs_detector(DetectorClass::Perfect)
            .timing(Timing::DetectorAfterLastMessage)
    }

    fn metrics(&self, _: &ConsensusParams) -> Metrics<Member> {
        Metrics::measured_by(TimeToDecide::default).latency(
            "time to decide",
            "from the start of the run to each process's decision",
        )
    }

    fn process(&self, params: &ConsensusParams, node: NodeId, nodes: usize) -> Member {
        super::member(
            &params.node,
            params,
            super::limits(params.step_timeout, params.node_memory_max_mb),
            0,
            node,
            nodes,
            || unreachable!("consensus has no clients"),
        )
    }
}
