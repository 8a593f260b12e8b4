//! Independent checkpointing: each process checkpoints on its own schedule (every checkpoint
//! is permanent at once). To recover, node 0 opens a round that collects every process's
//! checkpoints (a process that reported them takes no new ones until the line is set), then
//! picks the recovery line: the latest consistent one (`independent`) or everyone's latest
//! checkpoint (`independent-latest`).

use std::collections::BTreeMap;

use ftsim_api::{Ctx, Duration, NodeId};

use super::line::{consistent_line, latest_line};
use super::messages::{Config, Meta, Msg, Timer, MANAGER};
use super::process::{CheckpointProcess, Round, C};
use super::Mode;

impl CheckpointProcess {
    /// The time to a process's next checkpoint: from half to 1.5 times the interval.
    pub(super) fn checkpoint_gap(ctx: C, cfg: &Config) -> Duration {
        let half = cfg.interval.0 / 2;
        ctx.random_duration(Duration(half), Duration(half * 3))
    }

    /// The checkpoint timer (armed only while numbers are left under `checkpoint_limit`):
    /// takes a checkpoint unless frozen by a recovery round, and keeps the schedule while
    /// numbers are still left.
    pub(super) fn checkpoint_tick(&mut self, ctx: C, epoch: u64) {
        if !self.frozen {
            let c = self.state(ctx, None);
            self.store(ctx, c);
        }
        if self.checkpoints_left() {
            let d = Self::checkpoint_gap(ctx, &self.cfg);
            ctx.set_timer(d, Timer::Checkpoint { epoch });
        }
    }

    /// Whether the next checkpoint's number is within `checkpoint_limit` (the initial
    /// checkpoint is number 0).
    pub(super) fn checkpoints_left(&self) -> bool {
        self.cfg
            .checkpoint_limit
            .is_none_or(|l| self.next_index <= l)
    }

    /// The manager opens the recovery round of `epoch`: asks everyone for their checkpoints
    /// and reports its own.
    pub(super) fn start_round(&mut self, ctx: C, epoch: u64) {
        self.round = Some(Round {
            epoch,
            metas: BTreeMap::new(),
        });
        let previous = ctx.stable().last_rollback.clone();
        ctx.broadcast(Msg::Collect { epoch, previous });
        self.frozen = true;
        let metas = self.metas(ctx);
        self.collected(ctx, MANAGER, epoch, metas);
    }

    /// The counters of every checkpoint on stable storage.
    pub(super) fn metas(&self, ctx: &Ctx<'_, Self>) -> Vec<Meta> {
        ctx.stable()
            .checkpoints
            .iter()
            .map(|c| Meta {
                index: c.index,
                sent: c.sent.clone(),
                recv: c.recv.clone(),
            })
            .collect()
    }

    /// The manager asks for our checkpoints: first drop those of a history abandoned by a
    /// rollback we missed while down, then report the rest and take no new ones.
    pub(super) fn on_collect(&mut self, ctx: C, epoch: u64, previous: Option<(u64, Vec<u64>)>) {
        self.frozen = true;
        if let Some((e, line)) = previous {
            let me = ctx.id();
            let st = ctx.stable_mut();
            if st.epoch < e {
                st.checkpoints.retain(|c| c.index <= line[me]);
            }
            ctx.sync();
        }
        let metas = self.metas(ctx);
        ctx.send(MANAGER, Msg::Checkpoints { epoch, metas });
    }

    /// The manager: `from`'s checkpoints for the round of `epoch`. Once everyone's are in,
    /// picks the line by the mode and rolls everyone back to it.
    pub(super) fn collected(&mut self, ctx: C, from: NodeId, epoch: u64, metas: Vec<Meta>) {
        let Some(round) = &mut self.round else { return };
        if round.epoch != epoch {
            return;
        }
        round.metas.insert(from, metas);
        if round.metas.len() < ctx.n() {
            return;
        }
        let Some(round) = self.round.take() else {
            return;
        };
        let lists: Vec<Vec<Meta>> = round.metas.into_values().collect();
        let chosen = match self.cfg.mode {
            Mode::IndependentLatest => latest_line(&lists),
            _ => consistent_line(&lists),
        };
        let line = chosen.iter().map(|&(i, _)| lists[i.0][i.1].index).collect();
        let recv = chosen
            .iter()
            .map(|&(i, _)| lists[i.0][i.1].recv.clone())
            .collect();
        self.rollback_all(ctx, epoch, line, recv);
    }
}
