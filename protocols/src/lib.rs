//! The protocol catalogue of ftsim. Each family lives in its own folder: its process, its own
//! properties, its adversaries, its tests, and a module doc stating its model, invariants and
//! known result. Each is declared once through [`ftsim_api::Protocol`]; properties shared by
//! several families (agreement, validity, no duplication…) come from [`ftsim_api::properties`].

pub mod broadcast;
pub mod byzantine;
pub mod checkpoint;
pub mod election;
pub mod flooding;
pub mod lease;
pub mod lock_server;
pub mod membership;
pub mod paxos;
pub mod paxos_abstract;
pub mod primary_backup;
pub mod quorum;
pub mod rsm;
pub mod total_order;
pub mod transactions;
pub mod two_generals;
pub mod twophase;
pub mod twophase_tla;

use ftsim_runner::AnyProtocol;

/// Every bundled protocol family, in the order `ftsim list` shows them.
pub fn all() -> &'static [&'static dyn AnyProtocol] {
    &[
        &flooding::FloodingConsensus,
        &flooding::AsyncFloodingConsensus,
        &broadcast::Broadcast,
        &primary_backup::PrimaryBackup,
        &twophase::TwoPhaseCommit,
        &checkpoint::Checkpointing,
        &total_order::TotalOrderMulticast,
        &lock_server::LockServer,
        &lease::LeaseLock,
        &byzantine::OralMessages,
        &paxos::SingleDecreePaxos,
        &election::CoordinatorElection,
        &membership::GroupMembership,
        &quorum::QuorumRegister,
        &rsm::ReplicatedStateMachine,
        &transactions::Transactions,
        &two_generals::TwoGenerals,
        &twophase_tla::TwoPhaseTla,
        &paxos_abstract::PaxosAbstract,
    ]
}
