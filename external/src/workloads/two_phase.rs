//! Two-phase commit in any language, declared by the catalogue's own (`protocol =
//! "two-phase-commit"`): the same property table (atomicity, commit-validity, abort-validity,
//! integrity, termination), the same model (crash-recover with storage faults, loss,
//! duplication; live once crashed nodes recover) and the same metric. Node `n0` coordinates;
//! each node reads `participant_log`, `no_vote_percent`, `vote_timeout`, `retry` and
//! `retry_limit` from `init`'s `ftsim.params`, and observes its vote and its decision (see
//! `decisions`). So a two-phase commit written in another language runs the
//! `two-phase-commit` scenarios with only their `protocol` and `node` lines changed, and must
//! get their verdicts.

use ftsim_api::command::Command;
use ftsim_api::metrics::Metrics;
use ftsim_api::{params, Duration, Exploring, Model, NodeId, Properties, Protocol, SpecError};
use protocols::twophase::{twophase_label, twophase_metrics, twophase_model, twophase_properties};

use super::Speaks;
use crate::member::Member;
use crate::names::Names;

params! {
    /// Parameters of two-phase commit over external nodes: the catalogue's, given to the
    /// nodes, and the node's command and limits.
    pub struct TwoPhaseParams {
        /// the command that runs one node (a file beside the scenario is found there)
        node: Command = Command::default();
        /// wall-clock time a node may take for one step before its seed fails (it hangs)
        step_timeout: Duration = Duration::from_secs(10), range "1ms"..="3600s";
        /// resident memory a node may hold, in MiB, before its seed fails (read every 64
        /// steps)
        node_memory_max_mb: u64 = 1024, range 1..=1_048_576;
        /// participants log their vote before answering (false: the known bug, a
        /// participant forgets its vote across a crash)
        participant_log: bool = true;
        /// chance a participant votes no
        no_vote_percent: u64 = 10, range 0..=100;
        /// how long the coordinator waits for votes before aborting
        vote_timeout: Duration = Duration::from_millis(20), range "1ms"..="100s";
        /// time between retransmissions
        retry: Duration = Duration::from_millis(5), range "1ms"..="100s";
        /// retransmission rounds each node makes at most; 0: retransmit forever
        retry_limit: u64 = 0, range 0..=1_000;
    }
}

/// Two-phase commit over external nodes.
pub struct ExternalTwoPhase;

impl Protocol for ExternalTwoPhase {
    type Process = Member;
    type Params = TwoPhaseParams;

    fn name(&self) -> &'static str {
        "external-two-phase-commit"
    }

    fn summary(&self) -> &'static str {
        "Two-phase commit over external nodes (params.node), declared as the catalogue's \
         two-phase-commit: its properties and model"
    }

    fn properties(&self) -> Properties<Member> {
        twophase_properties()
    }

    fn validate(&self, params: &TwoPhaseParams, nodes: usize) -> Result<(), SpecError> {
        if nodes < 2 {
            return Err(SpecError::new(
                "nodes",
                "two-phase commit needs a coordinator and at least one participant: expected \
                 at least 2 nodes",
            ));
        }
        super::validate_group(&params.node, &Names::of_group(nodes, 0, &[]))
    }

    fn model(&self, params: &TwoPhaseParams, _: usize) -> Model {
        twophase_model(params.vote_timeout, params.retry)
    }

    fn metrics(&self, _: &TwoPhaseParams) -> Metrics<Member> {
        twophase_metrics()
    }

    fn node_label(&self, _: &TwoPhaseParams, node: NodeId, _: usize) -> Option<String> {
        Some(twophase_label(node).to_string())
    }

    fn process(&self, params: &TwoPhaseParams, node: NodeId, nodes: usize) -> Member {
        super::member(
            &params.node,
            // Its observations are ftsim's extension: a plain Maelstrom node has none.
            Speaks::Ftsim,
            params,
            super::limits(params.step_timeout, params.node_memory_max_mb),
            Names::of_group(nodes, 0, &[]),
            node,
            || unreachable!("two-phase commit has no clients"),
        )
    }

    /// Searchable: a search copies and hashes members (`member::Member`).
    fn exploration<E: Exploring<Self>>(&self, explorer: E) -> Option<E::Explorer> {
        Some(explorer.searchable())
    }
}
