//! Checkpointing and rollback recovery of a money-transfer application.
//!
//! **Model.** Crash-recover processes with stable storage (checkpoints, the transfer log and
//! the manager's bookkeeping survive a crash; everything else is lost). Links are reliable and
//! FIFO (markers depend on it), with delays; there is no failure detector: a process that
//! restarts says so itself. Node 0 also initiates snapshots and manages recoveries; it can
//! crash and recover too. From 2 to 64 processes.
//!
//! **Algorithm.** Every process starts with the same balance and sends random amounts to
//! random peers (`app.rs`); money is neither created nor destroyed, so the total is an
//! invariant of every consistent global state. Transfers carry a per-channel sequence number,
//! so a checkpoint records how many transfers it sent to and received from each peer; a set
//! of checkpoints (a cut) is consistent when no channel shows more received than sent (no
//! orphan message). After a crash a process restarts from stable storage and asks node 0 for
//! a recovery: node 0 opens a new epoch and tells everyone which checkpoint to roll back to
//! (the recovery line); transfers of older epochs are dropped from then on. Modes:
//! - `coordinated`: Chandy-Lamport snapshots (`coordinated.rs`). FIFO links make the cut
//!   consistent and the recorded channels hold exactly the transfers in flight, so a snapshot
//!   conserves the total. Recovery rolls everyone back to the last committed snapshot and
//!   re-delivers its recorded channels.
//! - `independent`: each process checkpoints on its own schedule (`independent.rs`); node 0
//!   collects everyone's checkpoints and searches for the latest consistent line (`line.rs`),
//!   rolling receivers of orphan messages back further.
//! - `independent-latest`: rolls everyone back to their latest checkpoint, without the search.
//!
//! With `logging` (independent modes), senders log each transfer on stable storage before
//! sending it, and after a rollback replay those the line shows in flight. Without it (and
//! without recorded channels), those transfers are lost.
//!
//! **Invariants.** Every complete snapshot and recovery line is a consistent cut
//! (`consistent-cut`); a snapshot's balances and recorded channels add up to the total
//! (`snapshot-total`); after a rollback every transfer the line records as sent is received,
//! re-delivered or replayed (`no-lost-transfer`); no recovery rolls a process back past its
//! latest permanent checkpoint (`no-domino`); every restarted process up at the end was rolled
//! back (`recovered`); with everyone up and running at the end, the balances add up to the
//! total (`conservation`). `recovery-line` is reached when a whole line was rolled back to.
//!
//! **Known result.** Coordinated snapshots keep every invariant through crashes of any
//! process, the initiator included (`scenarios/checkpoint-coordinated.toml`). Independent
//! checkpoints with the consistent-line search and logging keep the cut consistent and lose
//! nothing (`scenarios/checkpoint-independent-logged-consistent.toml`, judged without
//! `no-domino`), but the search must be caught cascading, the domino effect, possibly to the
//! initial state (`scenarios/checkpoint-independent-domino.toml`). Rolling back to everyone's
//! latest checkpoint must be caught with an inconsistent cut: money received that was never
//! sent (`scenarios/checkpoint-independent-latest-orphans.toml`). Without logging, transfers
//! in flight across the line must be caught lost
//! (`scenarios/checkpoint-independent-unlogged-loss.toml`).

mod app;
mod coordinated;
mod cuts;
mod independent;
mod line;
mod messages;
mod process;
mod properties;
mod recovery;
#[cfg(test)]
mod tests;

use ftsim_api::Exploring;
use ftsim_api::{
    choice, params, Duration, FaultClass, Model, NodeId, NodeSet, Properties, Protocol, SpecError,
};

pub use line::{consistent_line, latest_line};
pub use messages::{Config, Meta, Msg, Obs, Stable, Timer, INITIAL_BALANCE, MANAGER};
pub use process::CheckpointProcess;
pub use properties::{
    Conservation, ConsistentCut, NoDomino, NoLostTransfer, Recovered, RecoveryLine, SnapshotTotal,
};

choice! {
    /// How processes checkpoint and which line a recovery rolls back to.
    pub enum Mode {
        /// Marker snapshots; roll back to the last committed one.
        Coordinated = "coordinated",
        /// Own schedules; roll back to the latest consistent line (may cascade).
        Independent = "independent",
        /// Own schedules; roll back to everyone's latest checkpoint, consistent or not.
        IndependentLatest = "independent-latest",
    }
}

params! {
    /// Parameters of checkpointing and rollback recovery.
    pub struct CheckpointParams {
        /// coordinated: marker snapshots, roll back to the last committed one; independent: own
        /// schedules, roll back to the latest consistent line (may cascade); independent-latest:
        /// roll back to everyone's latest checkpoint, consistent or not.
        mode: Mode = Mode::Coordinated;
        /// Independent modes: senders log transfers on stable storage and replay those in
        /// flight across the recovery line (coordinated snapshots record channels instead).
        logging: bool = false;
        /// Time between snapshots (coordinated) or mean time between a process's checkpoints
        /// (independent, drawn from half to 1.5 times it).
        interval: Duration = Duration::from_millis(10), range "1ms"..="10s";
        /// Transfers each process makes (1-4ms apart, 1 to `amount_max` units each).
        transfers: u64 = 20, range 0..=10_000;
        /// The largest amount of one transfer (1: every transfer is worth 1, so a search
        /// branches on its receiver only).
        amount_max: u64 = 10, range 1..=100;
        /// The most snapshots node 0 starts (coordinated) or checkpoints a process takes
        /// after its initial one (independent: its checkpoint numbers stop there); 0: no
        /// limit. Keeps a search's state space finite.
        checkpoint_limit: u64 = 0, range 0..=10_000;
        /// The most times a restarted process repeats its request for a recovery; 0: no
        /// limit. Keeps a search's state space finite.
        retry_limit: u64 = 0, range 0..=10_000;
    }
}

impl From<&CheckpointParams> for Config {
    fn from(p: &CheckpointParams) -> Config {
        Config {
            mode: p.mode,
            logging: p.logging,
            interval: p.interval,
            transfers: p.transfers,
            amount_max: p.amount_max,
            checkpoint_limit: (p.checkpoint_limit > 0).then_some(p.checkpoint_limit),
            retry_limit: (p.retry_limit > 0).then_some(p.retry_limit),
        }
    }
}

/// The declaration of checkpointing and rollback recovery.
pub struct Checkpointing;

impl Protocol for Checkpointing {
    type Process = CheckpointProcess;
    type Params = CheckpointParams;

    fn name(&self) -> &'static str {
        "checkpoint"
    }

    fn summary(&self) -> &'static str {
        "Checkpointing and rollback recovery of a money-transfer application: Chandy-Lamport \
         coordinated snapshots or independent checkpoints, optional message logging; node 0 \
         initiates snapshots and manages recoveries; needs FIFO links"
    }

    fn properties(&self) -> Properties<CheckpointProcess> {
        Properties::new()
            .always(
                "consistent-cut",
                "every snapshot and recovery line is a consistent cut (no orphan message: \
                 received but not sent)",
                ConsistentCut::default,
            )
            .always(
                "snapshot-total",
                "every complete snapshot's balances plus recorded in-flight transfers equal the \
                 true total",
                SnapshotTotal::default,
            )
            .always(
                "no-lost-transfer",
                "after a rollback, every transfer the recovery line records as sent is \
                 received, re-delivered or replayed",
                NoLostTransfer::default,
            )
            .always(
                "no-domino",
                "no recovery rolls a process back past its latest permanent checkpoint (says \
                 how far a cascade went)",
                NoDomino::default,
            )
            .eventually(
                "recovered",
                "every restarted process that is up at the end was rolled back and runs again",
                Recovered::default,
            )
            .eventually(
                "conservation",
                "at the end, with every process up and running, the balances add up to the \
                 true total",
                Conservation::default,
            )
            .sometimes(
                "recovery-line",
                "every process rolled back to a recovery line",
                RecoveryLine::default,
            )
    }

    fn validate(&self, params: &CheckpointParams, nodes: usize) -> Result<(), SpecError> {
        if !(2..=NodeSet::CAPACITY).contains(&nodes) {
            return Err(SpecError::new(
                "nodes",
                format!(
                    "checkpointing needs from 2 to {} nodes, found {nodes}",
                    NodeSet::CAPACITY
                ),
            ));
        }
        if params.logging && params.mode == Mode::Coordinated {
            return Err(SpecError::new(
                "params.logging",
                "coordinated snapshots record in-flight transfers themselves: logging applies \
                 to the independent modes only",
            ));
        }
        Ok(())
    }

    fn model(&self, _: &CheckpointParams, _: usize) -> Model {
        // Reliable FIFO links: markers and the per-channel counts depend on both.
        Model::new()
            .tolerates(FaultClass::CrashRecover)
            .tolerates(FaultClass::StorageLoss)
    }

    fn process(&self, params: &CheckpointParams, _: NodeId, nodes: usize) -> CheckpointProcess {
        CheckpointProcess::new(nodes, Config::from(params))
    }

    fn exploration<E: Exploring<Self>>(&self, explorer: E) -> Option<E::Explorer> {
        Some(explorer.searchable())
    }
}
