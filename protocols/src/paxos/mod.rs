//! Single-decree Paxos (Lamport, "Paxos Made Simple") under crash-recover.
//!
//! **Model.** Crash-recover processes with stable storage: a node may crash and come back
//! with only what it wrote to stable storage. Links may lose, duplicate, reorder and delay
//! messages, and partitions may cut the group for a while; no failure detector. Safety
//! assumes nothing about timing. Liveness needs a quiet period: faults stop at the end of the
//! fault phase and termination is judged after the settle period, during which a proposer
//! must be up.
//!
//! **Algorithm.** Every node is an acceptor and a learner; the first `proposers` nodes also
//! propose (node i proposes the value 100 + i). A proposer picks a ballot above any it has
//! used or seen and runs two phases against a majority of acceptors:
//! 1. *prepare*: an acceptor promises to ignore lower ballots and reports the highest-ballot
//!    value it has accepted;
//! 2. *accept*: with a majority of promises, the proposer asks for the value of the highest
//!    reported ballot (its own value if none); an acceptor accepts unless it promised higher.
//!
//! A value is *chosen* once a majority of acceptors accepted it in the same ballot. Any two
//! majorities share an acceptor, so every later ballot's prepare phase hears of the chosen
//! value and re-proposes it: at most one value is ever chosen. That argument needs the
//! acceptor's promise and accepted value to survive a crash, so they live in stable storage
//! (the proposer's last ballot and the learned value too).
//!
//! A proposer re-sends its current phase to the acceptors that have not answered until it
//! learns; once nacked (preempted) it retries with a higher ballot after a random,
//! exponentially growing backoff, so dueling proposers eventually let one of them finish.
//! Acceptors announce each accept to every learner; a learner that missed them (loss, a
//! crash) asks its peers until someone who learned answers.
//!
//! **Invariants.** At most one value is chosen (`one-chosen`); only a proposed value is chosen
//! (`chosen-proposed`); a learner learns only a chosen value (`learned-chosen`); no learner
//! learns twice, even across a crash (`integrity`); every node up at the end has learned
//! (`termination`).
//!
//! **Known result.** With stable storage, Paxos is safe under any mix of loss, duplication,
//! partitions and crash-recover, and live once the network heals
//! (`scenarios/paxos-lossy.toml`, `paxos-partitions.toml`, `paxos-minority-crash-recover.toml`,
//! `paxos-stable-acceptor.toml`; they must also see a proposer adopt an earlier ballot's value
//! and, with crashes, a recovered acceptor at work). With `acceptor_storage = "volatile"` a
//! recovered acceptor has forgotten its promise and accepted value, can join a second
//! majority that never heard of the first value, and two values get chosen: the simulator
//! must catch it on `one-chosen` (`paxos-volatile-acceptor.toml`, the twin of
//! `paxos-stable-acceptor.toml`). Every node syncs what it writes before it answers, so
//! storage faults (unsynced writes lost at a crash) change nothing
//! (`paxos-storage-faults.toml`); with `acceptor_storage = "unsynced"` an acceptor answers
//! before syncing, and a crash that loses the write must be caught on `one-chosen`
//! (`paxos-unsynced-acceptor.toml`).

mod acceptor;
mod chosen;
mod learner;
mod messages;
mod process;
mod properties;
mod proposer;
#[cfg(test)]
mod tests;

use ftsim_api::metrics::{measures::TimeToDecide, Metrics};
use ftsim_api::properties::consensus::{Integrity, Obliged, Termination};
use ftsim_api::Exploring;
use ftsim_api::{
    choice, params, Duration, FaultClass, Liveness, Model, NodeId, Properties, Protocol, SpecError,
};

pub use chosen::ChosenTracker;
pub use messages::{own_value, AcceptorState, Ballot, Msg, Obs, Stable, Timer};
pub use process::Paxos;
pub use properties::{Adopted, ChosenProposed, LearnedChosen, OneChosen, RecoveredAcceptor};

choice! {
    /// Where an acceptor keeps its promise and accepted value.
    pub enum AcceptorStorage {
        /// In stable storage: they survive a crash.
        Stable = "stable",
        /// In volatile memory (a known-buggy variant): a recovered acceptor has forgotten
        /// them.
        Volatile = "volatile",
        /// In stable storage, but answered before the write is synced (a known-buggy variant):
        /// with storage faults, a crash loses what it promised or accepted.
        Unsynced = "unsynced",
    }
}

params! {
    /// Parameters of single-decree Paxos.
    pub struct PaxosParams {
        /// nodes 0..proposers propose (node i proposes 100 + i)
        proposers: usize = 2, range 1..=64;
        /// stable: promises and accepted values survive a crash; volatile (buggy): a recovered
        /// acceptor has forgotten them; unsynced (buggy): it answers before syncing them
        acceptor_storage: AcceptorStorage = AcceptorStorage::Stable;
        /// how long a proposer waits before asking the acceptors that have not answered
        /// again, and a learner between queries; should exceed a round trip
        retry: Duration = Duration::from_millis(30), range "1ms"..="10s";
        /// base of the random backoff after a preempted (nacked) ballot, doubling with each
        /// one up to 16 times the base
        backoff: Duration = Duration::from_millis(10), range "0ms"..="10s";
    }
}

/// The declaration of single-decree Paxos.
pub struct SingleDecreePaxos;

impl Protocol for SingleDecreePaxos {
    type Process = Paxos;
    type Params = PaxosParams;

    fn name(&self) -> &'static str {
        "paxos"
    }

    fn summary(&self) -> &'static str {
        "Single-decree Paxos: every node an acceptor and a learner, the first `proposers` nodes \
         propose; crash-recover with stable storage"
    }

    fn properties(&self) -> Properties<Paxos> {
        Properties::new()
            .always(
                "one-chosen",
                "at most one value is chosen (accepted by a majority of acceptors in one ballot)",
                OneChosen::default,
            )
            .always(
                "chosen-proposed",
                "only a proposed value is chosen",
                ChosenProposed::default,
            )
            .always(
                "learned-chosen",
                "a learner learns only a chosen value",
                LearnedChosen::default,
            )
            .always(
                "integrity",
                "no learner learns twice, even across a crash",
                Integrity::default,
            )
            .eventually(
                "termination",
                "every node up at the end has learned (faults stop at `duration`; a proposer \
                 must be up during the settle period)",
                || Termination::new(Obliged::UpAtEnd),
            )
            .sometimes(
                "adopted",
                "some ballot carried a value its proposer adopted from an earlier ballot",
                Adopted::default,
            )
            .sometimes(
                "recovered-acceptor",
                "an acceptor accepted something after recovering from a crash",
                RecoveredAcceptor::default,
            )
    }

    fn validate(&self, params: &PaxosParams, nodes: usize) -> Result<(), SpecError> {
        ftsim_api::fits_node_set("Paxos", nodes)?;
        if params.proposers > nodes {
            return Err(SpecError::new(
                "params.proposers",
                format!(
                    "{} proposers asked, but there are only {nodes} nodes",
                    params.proposers
                ),
            ));
        }
        Ok(())
    }

    fn model(&self, _: &PaxosParams, nodes: usize) -> Model {
        // Safe under every fault mix; it decides once a majority of acceptors is up.
        let minority = (nodes - 1) / 2;
        Model::new()
            .tolerates(FaultClass::CrashRecover)
            .tolerates(FaultClass::Loss)
            .tolerates(FaultClass::Duplication)
            .tolerates(FaultClass::Reordering)
            .tolerates(FaultClass::Partition)
            .tolerates(FaultClass::StorageLoss)
            .live_if(Liveness::AtMostDownAtEnd {
                max: minority,
                rule: "a majority of acceptors up".into(),
            })
    }

    fn metrics(&self, _: &PaxosParams) -> Metrics<Self::Process> {
        Metrics::measured_by(TimeToDecide::default).latency(
            "time to learn",
            "from the start of the run to each learner learning the chosen value",
        )
    }
    fn process(&self, params: &PaxosParams, node: NodeId, _: usize) -> Paxos {
        Paxos::new(
            node < params.proposers,
            params.acceptor_storage,
            params.retry,
            params.backoff,
        )
    }

    fn exploration<E: Exploring<Self>>(&self, explorer: E) -> Option<E::Explorer> {
        Some(explorer.searchable())
    }
}
