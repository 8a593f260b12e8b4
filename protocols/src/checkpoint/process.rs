//! The checkpointing process: its volatile state, and the core every mode shares: taking a
//! checkpoint, arming the timers of an epoch, and routing messages by epoch (older ones are
//! dropped, newer ones wait for the rollback into that epoch). What the application, the
//! snapshots, the independent checkpoints and the recovery do is in `app.rs`,
//! `coordinated.rs`, `independent.rs` and
//! `recovery.rs`.

use std::collections::BTreeMap;
use std::sync::Arc;

use ftsim_api::{Ctx, NodeId, NodeSet, Process};

use super::messages::{
    Checkpoint, Config, Meta, Msg, Obs, Stable, Timer, INITIAL_BALANCE, MANAGER,
};
use super::Mode;

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

/// A snapshot being recorded here (coordinated; see `coordinated.rs`).
#[derive(Clone, Debug, Hash)]
pub struct Recording {
    pub(super) snapshot: u64,
    pub(super) state: Checkpoint,
    /// The peers whose marker has arrived (their channel is recorded).
    pub(super) markers: NodeSet,
}

/// The manager's recovery round in progress: the checkpoints collected so far (independent
/// modes; see `independent.rs`).
#[derive(Clone, Debug, Hash)]
pub struct Round {
    pub(super) epoch: u64,
    pub(super) metas: BTreeMap<NodeId, Vec<Meta>>,
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
        let gap = Self::transfer_gap(ctx);
        ctx.set_timer(gap, Timer::Transfer { epoch });
        match self.cfg.mode {
            Mode::Coordinated if ctx.id() == MANAGER && self.snapshots_left(ctx) => {
                ctx.set_timer(self.cfg.interval, Timer::Snapshot { epoch });
            }
            Mode::Coordinated => {}
            Mode::Independent | Mode::IndependentLatest if self.checkpoints_left() => {
                let d = Self::checkpoint_gap(ctx, &self.cfg);
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
