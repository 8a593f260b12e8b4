//! The checkpointing process: its messages, timers and observations, what it keeps on stable
//! storage, and the core every mode shares: taking a checkpoint, arming the timers of an
//! epoch, and routing messages by epoch (older ones are dropped, newer ones wait for the
//! rollback into that epoch).

use std::collections::BTreeMap;
use std::sync::Arc;

use ftsim_api::{Ctx, Duration, NodeId, NodeSet, Process, Time};

use super::coordinated::Recording;
use super::independent::Round;
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
    fn epoch(&self) -> Option<u64> {
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

/// `Clone + Hash` for `ftsim explore` (the settings are hashed too: the same in every state).
#[derive(Clone, Debug, Hash)]
pub struct CheckpointProcess {
    pub(super) cfg: Config,
    pub(super) epoch: u64,
    pub(super) recovering: bool,
    /// Requests for a recovery repeated since the restart.
    pub(super) retries: u64,
    /// Reported our checkpoints to a recovery round: take no new ones until the line is set.
    pub(super) frozen: bool,
    pub(super) balance: u64,
    pub(super) done: u64,
    pub(super) sent: Vec<u64>,
    pub(super) recv: Vec<u64>,
    pub(super) next_index: u64,
    pub(super) recording: Option<Recording>,
    /// Messages of an epoch we have not rolled into yet.
    pub(super) future: Vec<(NodeId, Msg)>,
    // The manager's volatile state.
    pub(super) round: Option<Round>,
    /// Per snapshot: the processes whose part is on stable storage.
    pub(super) acks: BTreeMap<u64, NodeSet>,
    pub(super) snapshot_running: bool,
}

pub(super) type C<'a, 'b> = &'a mut Ctx<'b, CheckpointProcess>;

impl CheckpointProcess {
    pub fn new(n: usize, cfg: Config) -> Self {
        CheckpointProcess {
            cfg,
            epoch: 0,
            recovering: false,
            retries: 0,
            frozen: false,
            balance: INITIAL_BALANCE,
            done: 0,
            sent: vec![0; n],
            recv: vec![0; n],
            next_index: 0,
            recording: None,
            future: Vec::new(),
            round: None,
            acks: BTreeMap::new(),
            snapshot_running: false,
        }
    }

    /// The current state as a checkpoint (not yet stored).
    pub(super) fn state(&self, ctx: &Ctx<'_, Self>, snapshot: Option<u64>) -> Checkpoint {
        Checkpoint {
            index: 0,
            snapshot,
            at: ctx.now(),
            balance: self.balance,
            done: self.done,
            sent: self.sent.clone(),
            recv: self.recv.clone(),
            channel: vec![Vec::new(); ctx.n()],
        }
    }

    /// Puts a checkpoint on stable storage. Coordinated snapshots are tentative until node 0
    /// commits them; independent checkpoints are permanent at once.
    pub(super) fn store(&mut self, ctx: C, mut c: Checkpoint) {
        c.index = self.next_index;
        self.next_index += 1;
        ctx.observe(Obs::Checkpoint {
            index: c.index,
            snapshot: c.snapshot,
            at: c.at,
            balance: c.balance,
            channel: c.channel.iter().flatten().sum(),
            sent: c.sent.clone(),
            recv: c.recv.clone(),
            permanent: c.snapshot.is_none() || c.snapshot == Some(0),
        });
        ctx.stable_mut().checkpoints.push(Arc::new(c));
        ctx.sync();
    }

    /// Starts the timers of the current epoch: the next transfer, and the snapshot (manager,
    /// coordinated) or checkpoint (independent) schedule.
    pub(super) fn arm(&mut self, ctx: C) {
        let epoch = self.epoch;
        let gap = super::app::transfer_gap(ctx);
        ctx.set_timer(gap, Timer::Transfer { epoch });
        match self.cfg.mode {
            Mode::Coordinated if ctx.id() == MANAGER && self.snapshots_left(ctx) => {
                ctx.set_timer(self.cfg.interval, Timer::Snapshot { epoch });
            }
            Mode::Coordinated => {}
            Mode::Independent | Mode::IndependentLatest if self.checkpoints_left() => {
                let d = super::independent::checkpoint_gap(ctx, &self.cfg);
                ctx.set_timer(d, Timer::Checkpoint { epoch });
            }
            Mode::Independent | Mode::IndependentLatest => {}
        }
    }

    /// Routes a message (received, or delivered locally by the manager): messages of older
    /// epochs are dropped, those of an epoch not rolled into yet wait for it.
    pub(super) fn handle(&mut self, ctx: C, from: NodeId, msg: Msg) {
        if let Some(e) = msg.epoch() {
            if e > self.epoch || (self.recovering && e >= self.epoch) {
                self.future.push((from, msg));
                return;
            }
            if e < self.epoch {
                return;
            }
        }
        match msg {
            Msg::Transfer { seq, amount, .. } => self.receive(from, seq, amount),
            Msg::Marker { snapshot, .. } => self.marker(ctx, Some(from), snapshot),
            Msg::Done { snapshot, .. } => {
                if self.round.is_none() {
                    self.snapshot_done(ctx, from, snapshot);
                }
            }
            Msg::Commit { snapshot, .. } => self.commit(ctx, snapshot),
            Msg::NeedRecovery { incarnation } => self.need_recovery(ctx, from, incarnation),
            Msg::Collect { epoch, previous } => self.on_collect(ctx, epoch, previous),
            Msg::Checkpoints { epoch, metas } => self.collected(ctx, from, epoch, metas),
            Msg::Rollback { epoch, line, recv } => {
                if epoch > ctx.stable().epoch {
                    self.rollback(ctx, epoch, &line, &recv);
                }
            }
        }
    }
}

impl Process for CheckpointProcess {
    type Msg = Msg;
    type Timer = Timer;
    type Obs = Obs;
    type Stable = Stable;

    fn on_start(&mut self, ctx: &mut Ctx<'_, Self>) {
        let snapshot = (self.cfg.mode == Mode::Coordinated).then_some(0);
        let initial = self.state(ctx, snapshot);
        self.store(ctx, initial);
        self.arm(ctx);
    }

    fn on_recover(&mut self, ctx: &mut Ctx<'_, Self>) {
        self.restart(ctx);
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, msg: Msg) {
        self.handle(ctx, from, msg);
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, Self>, timer: Timer) {
        match timer {
            Timer::Retry => self.retry_recovery(ctx),
            // Timers of an epoch we rolled out of are dead.
            Timer::Transfer { epoch } | Timer::Checkpoint { epoch } | Timer::Snapshot { epoch }
                if epoch != self.epoch || self.recovering => {}
            Timer::Transfer { .. } => self.transfer_tick(ctx),
            Timer::Checkpoint { epoch } => self.checkpoint_tick(ctx, epoch),
            Timer::Snapshot { epoch } => self.snapshot_tick(ctx, epoch),
        }
    }
}
