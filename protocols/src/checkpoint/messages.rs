//! What the checkpointing processes say and keep: the run's settings, the messages, timers
//! and observations, and stable storage (checkpoints and the transfer log).

use std::sync::Arc;

use ftsim_api::{Duration, NodeId, Time};

use super::Mode;

/// Node 0 initiates snapshots and manages recoveries.
pub const MANAGER: NodeId = 0;

/// Every process's balance at the start: the total is `n` times this.
pub const INITIAL_BALANCE: u64 = 100;

/// The run's settings, as every process reads them.
#[derive(Clone, Copy, Debug, Hash)]
pub struct Config {
    pub mode: Mode,
    pub logging: bool,
    pub interval: Duration,
    pub transfers: u64,
    pub amount_max: u64,
    /// The most snapshots (coordinated) or checkpoints after the initial one (independent).
    pub checkpoint_limit: Option<u64>,
    /// The most repeats of a request for a recovery.
    pub retry_limit: Option<u64>,
}

/// A checkpoint's counters, as the recovery manager sees them.
#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub struct Meta {
    pub index: u64,
    pub sent: Vec<u64>,
    pub recv: Vec<u64>,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub enum Msg {
    Transfer {
        epoch: u64,
        seq: u64,
        amount: u64,
    },
    Marker {
        epoch: u64,
        snapshot: u64,
    },
    /// "My part of `snapshot` is on stable storage."
    Done {
        epoch: u64,
        snapshot: u64,
    },
    Commit {
        epoch: u64,
        snapshot: u64,
    },
    /// "I restarted (for the `incarnation`-th time): roll us back."
    NeedRecovery {
        incarnation: u64,
    },
    /// "Send me your checkpoints." Carries the previous rollback, which a process that was
    /// down when it was sent has missed: its newer checkpoints belong to an abandoned history.
    Collect {
        epoch: u64,
        previous: Option<(u64, Vec<u64>)>,
    },
    Checkpoints {
        epoch: u64,
        metas: Vec<Meta>,
    },
    /// "Roll back to checkpoint `line[you]`"; `recv[j]` is what j's line checkpoint had
    /// received from each peer (for replaying logged transfers).
    Rollback {
        epoch: u64,
        line: Vec<u64>,
        recv: Vec<Vec<u64>>,
    },
}

impl Msg {
    /// The epoch of an application or snapshot message (recovery messages carry none).
    pub(super) fn epoch(&self) -> Option<u64> {
        match self {
            Msg::Transfer { epoch, .. }
            | Msg::Marker { epoch, .. }
            | Msg::Done { epoch, .. }
            | Msg::Commit { epoch, .. } => Some(*epoch),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub enum Timer {
    Transfer { epoch: u64 },
    Checkpoint { epoch: u64 },
    Snapshot { epoch: u64 },
    Retry,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub enum Obs {
    /// A local checkpoint reached stable storage. `channel` is the sum of the transfers
    /// recorded in flight towards this process (coordinated snapshots only).
    Checkpoint {
        index: u64,
        snapshot: Option<u64>,
        at: Time,
        balance: u64,
        channel: u64,
        sent: Vec<u64>,
        recv: Vec<u64>,
        permanent: bool,
    },
    /// A tentative checkpoint became permanent (its snapshot was committed).
    Permanent { index: u64 },
    /// The process restarted after a crash and waits to be rolled back.
    Restarted,
    /// The process rolled back to checkpoint `index` (taken at `at`) in `epoch`. `recv`
    /// includes re-delivered channel contents; `replay[j]` transfers to j are being resent
    /// from the log, worth `replayed` in total.
    RolledBack {
        epoch: u64,
        index: u64,
        at: Time,
        balance: u64,
        sent: Vec<u64>,
        recv: Vec<u64>,
        replay: Vec<u64>,
        replayed: u64,
    },
}

/// A local checkpoint on stable storage.
#[derive(Clone, Debug, Default, Hash)]
pub struct Checkpoint {
    pub(super) index: u64,
    pub(super) snapshot: Option<u64>,
    pub(super) at: Time,
    pub(super) balance: u64,
    pub(super) done: u64,
    pub(super) sent: Vec<u64>,
    pub(super) recv: Vec<u64>,
    /// Transfers recorded in flight towards us, per sender (coordinated snapshots).
    pub(super) channel: Vec<Vec<u64>>,
}

#[derive(Clone, Debug, Default, Hash)]
pub struct Stable {
    pub(super) epoch: u64,
    pub(super) incarnation: u64,
    /// Never changed once stored: shared between the copies a search keeps of this storage.
    pub(super) checkpoints: Vec<Arc<Checkpoint>>,
    /// Logged transfers per destination: (seq, amount).
    pub(super) log: Vec<Vec<(u64, u64)>>,
    /// The manager's: the highest epoch opened, the last committed snapshot, the next snapshot
    /// id, and per node the highest incarnation a recovery already covers.
    pub(super) max_epoch: u64,
    pub(super) committed: u64,
    pub(super) next_snapshot: u64,
    pub(super) covered: Vec<u64>,
    pub(super) last_rollback: Option<(u64, Vec<u64>)>,
}
