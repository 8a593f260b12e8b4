//! Two-phase commit with crash-recover and stable storage.
//!
//! **Model.** Crash-recover processes with stable storage; links may lose, duplicate and delay
//! messages (every message is retransmitted until it has an effect); no failure detector, only
//! timeouts. Node 0 coordinates one transaction; nodes `1..n` are participants.
//!
//! **Algorithm.** The coordinator sends `Prepare`; each participant votes (yes, or no with
//! some probability), logging its vote to stable storage *before* answering; a no voter aborts
//! at once. The coordinator commits only if every vote is yes, aborts on a no or when votes do
//! not arrive in time, logs the decision, and sends it until every participant acknowledges. A
//! participant that voted yes is blocked until it learns the decision, and asks the
//! coordinator for it periodically. A coordinator that recovers without a logged decision
//! aborts (presumed abort).
//!
//! **Invariants.** No process commits while another aborts (`atomicity`: consensus agreement
//! on commit/abort); a commit needs a yes vote from every participant (`commit-validity`); an
//! abort has a cause the history bears out, never one's own after voting yes
//! (`abort-validity`); no process decides twice (`integrity`); every process up at the end has
//! decided (`termination`).
//!
//! **Known result.** With votes and decisions logged, every invariant holds under loss,
//! duplication and crash-recoveries of any node, coordinator included
//! (`scenarios/two-phase-commit-crash-recover.toml`). A coordinator that crashes after
//! `Prepare` and never recovers leaves yes voters blocked forever: termination must be caught
//! violated while atomicity holds, since 2PC is fail-safe, not masking
//! (`scenarios/two-phase-commit-coordinator-crash-blocks.toml`). A participant that forgets its
//! vote across a crash (no stable storage) aborts on its own after voting yes while the others
//! commit: atomicity must be caught violated
//! (`scenarios/two-phase-commit-forgetful-participant.toml`).

mod coordinator;
mod messages;
mod participant;
mod process;
mod properties;
#[cfg(test)]
mod tests;

use ftsim_api::metrics::{measures::TimeToDecide, Metrics};
use ftsim_api::properties::consensus::{Agreement, Integrity, Obliged, Termination};
use ftsim_api::properties::Decision;
use ftsim_api::Exploring;
use ftsim_api::{
    params, Duration, FaultClass, Liveness, Model, NodeId, Process, Properties, Protocol, SpecError,
};

pub use messages::{Config, Log, Msg, Obs, Timer, Why, ABORT, COMMIT, COORDINATOR};
pub use process::Node;
pub use properties::{AbortValidity, CommitEvent, CommitObs, CommitValidity};

params! {
    /// Parameters of two-phase commit.
    pub struct TwoPhaseParams {
        /// Participants log their vote before answering (false: the known bug, a participant
        /// forgets its vote across a crash).
        participant_log: bool = true;
        /// Chance a participant votes no.
        no_vote_percent: u64 = 10, range 0..=100;
        /// How long the coordinator waits for votes before aborting.
        vote_timeout: Duration = Duration::from_millis(20), range "1ms"..="100s";
        /// Time between retransmissions.
        retry: Duration = Duration::from_millis(5), range "1ms"..="100s";
        /// Retransmission rounds each node makes at most; 0: retransmit forever (the
        /// protocol). A bound makes a search's state space finite (`ftsim explore`).
        retry_limit: u64 = 0, range 0..=1_000;
    }
}

impl From<&TwoPhaseParams> for Config {
    fn from(p: &TwoPhaseParams) -> Config {
        Config {
            participant_log: p.participant_log,
            no_percent: p.no_vote_percent,
            vote_timeout: p.vote_timeout,
            retry: p.retry,
            retry_limit: (p.retry_limit > 0).then_some(p.retry_limit),
        }
    }
}

/// The declaration of two-phase commit.
pub struct TwoPhaseCommit;

impl Protocol for TwoPhaseCommit {
    type Process = Node;
    type Params = TwoPhaseParams;

    fn name(&self) -> &'static str {
        "two-phase-commit"
    }

    fn summary(&self) -> &'static str {
        "Two-phase commit: node 0 coordinates, votes and decisions logged to stable storage, \
         crash-recover"
    }

    fn properties(&self) -> Properties<Node> {
        twophase_properties()
    }

    fn validate(&self, _: &TwoPhaseParams, nodes: usize) -> Result<(), SpecError> {
        if nodes < 2 {
            return Err(SpecError::new(
                "nodes",
                "two-phase commit needs a coordinator and at least one participant: expected at \
                 least 2 nodes",
            ));
        }
        Ok(())
    }

    fn model(&self, params: &TwoPhaseParams, _: usize) -> Model {
        twophase_model(params.vote_timeout, params.retry)
    }

    fn metrics(&self, _: &TwoPhaseParams) -> Metrics<Self::Process> {
        twophase_metrics()
    }

    fn node_label(&self, _: &TwoPhaseParams, node: NodeId, _: usize) -> Option<String> {
        Some(twophase_label(node).to_string())
    }

    fn process(&self, params: &TwoPhaseParams, node: NodeId, _: usize) -> Node {
        Node::new(Config::from(params), node)
    }

    fn exploration<E: Exploring<Self>>(&self, explorer: E) -> Option<E::Explorer> {
        Some(explorer.searchable())
    }
}

/// Two-phase commit's property table, for any process whose observations carry votes and
/// decisions (commit as [`COMMIT`], abort as [`ABORT`]): the Rust protocol's and an external
/// node's alike.
pub fn twophase_properties<P: Process + 'static>() -> Properties<P>
where
    P::Obs: Decision + CommitObs,
{
    Properties::new()
        .always(
            "atomicity",
            "no process commits while another aborts",
            Agreement::default,
        )
        .always(
            "commit-validity",
            "commit only if every participant voted yes",
            CommitValidity::default,
        )
        .always(
            "abort-validity",
            "abort only for a no vote, a coordinator timeout or recovery, or on the \
             coordinator's word; never on one's own after voting yes",
            AbortValidity::default,
        )
        .always("integrity", "no process decides twice", Integrity::default)
        .eventually(
            "termination",
            "every process up at the end has decided",
            || Termination::new(Obliged::UpAtEnd),
        )
}

/// Two-phase commit's model with these timeouts: safe under any crashes; it terminates only
/// once crashed nodes are back (fail-safe, not masking), and then within a vote timeout and
/// four re-sends of a decision.
pub fn twophase_model(vote_timeout: Duration, retry: Duration) -> Model {
    let quiescence = vote_timeout + Duration(4 * retry.0);
    Model::new()
        .tolerates(FaultClass::CrashRecover)
        .tolerates(FaultClass::Loss)
        .tolerates(FaultClass::Duplication)
        .tolerates(FaultClass::Reordering)
        .tolerates(FaultClass::StorageLoss)
        .live_if(Liveness::CrashedNodesRecover)
        .quiesces_within(quiescence, "params.vote_timeout + 4 × params.retry")
}

/// Two-phase commit's metric: the time to commit or abort.
pub fn twophase_metrics<P: Process + 'static>() -> Metrics<P>
where
    P::Obs: Decision,
{
    Metrics::measured_by(TimeToDecide::default).latency(
        "time to commit",
        "from the start of the run to each process's commit or abort decision",
    )
}

/// The coordinator (node 0) and the participants.
pub fn twophase_label(node: NodeId) -> &'static str {
    if node == COORDINATOR {
        "coordinator"
    } else {
        "participant"
    }
}
