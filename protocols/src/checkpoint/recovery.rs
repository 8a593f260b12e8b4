//! Rollback recovery. A process that restarts after a crash asks node 0 for a recovery (and
//! again until it is rolled back); node 0 opens a new epoch and tells everyone which
//! checkpoint to roll back to: the last committed snapshot (coordinated), or the line its
//! collection round picks (independent modes). Rolling back restores the line checkpoint,
//! re-delivers the transfers its snapshot recorded in flight, drops newer checkpoints and log
//! entries, and, with `logging`, resends the logged transfers that the line shows in flight.

use std::sync::Arc;

use ftsim_api::{Ctx, Duration, NodeId};

use super::messages::{Checkpoint, Msg, Obs, Timer, MANAGER};
use super::process::{CheckpointProcess, C};
use super::Mode;

/// How often a restarted process repeats its request for a recovery.
const RETRY: Duration = Duration::from_millis(20);

/// The logged transfers a rollback resends: per peer, their number; their total amount; and
/// each one as (peer, seq, amount).
struct Replay {
    per_peer: Vec<u64>,
    total: u64,
    transfers: Vec<(NodeId, u64, u64)>,
}

impl CheckpointProcess {
    /// After a crash: counts the incarnation and asks the manager for a recovery.
    pub(super) fn restart(&mut self, ctx: C) {
        self.recovering = true;
        self.retries = 0;
        self.epoch = ctx.stable().epoch;
        let st = ctx.stable_mut();
        st.incarnation += 1;
        let incarnation = st.incarnation;
        ctx.sync();
        ctx.observe(Obs::Restarted);
        if ctx.id() == MANAGER {
            self.need_recovery(ctx, MANAGER, incarnation);
        } else {
            ctx.send(MANAGER, Msg::NeedRecovery { incarnation });
        }
        ctx.set_timer(RETRY, Timer::Retry);
    }

    /// The retry timer: still waiting to be rolled back, ask again (up to `retry_limit`
    /// times).
    pub(super) fn retry_recovery(&mut self, ctx: C) {
        if !self.recovering || self.cfg.retry_limit.is_some_and(|l| self.retries >= l) {
            return;
        }
        self.retries += 1;
        // Our request may have reached a manager that was down.
        let incarnation = ctx.stable().incarnation;
        if ctx.id() != MANAGER {
            ctx.send(MANAGER, Msg::NeedRecovery { incarnation });
        }
        ctx.set_timer(RETRY, Timer::Retry);
    }

    /// The manager: `from` restarted for the `incarnation`-th time. Unless a recovery already
    /// covers it, opens a new epoch and recovers by the mode.
    pub(super) fn need_recovery(&mut self, ctx: C, from: NodeId, incarnation: u64) {
        let n = ctx.n();
        let st = ctx.stable_mut();
        st.covered.resize(n, 0);
        if incarnation <= st.covered[from] {
            return; // the rollback that covers this restart is on its way
        }
        st.covered[from] = incarnation;
        if let Some(round) = &self.round {
            // Still collecting: this restart is covered by the round in progress.
            let epoch = round.epoch;
            let previous = st.last_rollback.clone();
            ctx.sync();
            if from != MANAGER {
                ctx.send(from, Msg::Collect { epoch, previous });
            }
            return;
        }
        st.max_epoch += 1;
        let epoch = st.max_epoch;
        ctx.sync();
        self.snapshot_running = false;
        self.acks.clear();
        match self.cfg.mode {
            Mode::Coordinated => {
                let committed = ctx.stable().committed;
                let line = (0..n).map(|_| committed).collect();
                self.rollback_all(ctx, epoch, line, vec![Vec::new(); n]);
            }
            Mode::Independent | Mode::IndependentLatest => self.start_round(ctx, epoch),
        }
    }

    /// The manager: tells everyone (itself included) to roll back to `line` in `epoch`.
    pub(super) fn rollback_all(&mut self, ctx: C, epoch: u64, line: Vec<u64>, recv: Vec<Vec<u64>>) {
        ctx.stable_mut().last_rollback = Some((epoch, line.clone()));
        ctx.sync();
        let msg = Msg::Rollback { epoch, line, recv };
        ctx.broadcast(msg.clone());
        self.handle(ctx, MANAGER, msg);
    }

    /// Rolls back to this process's checkpoint of `line` and enters `epoch`; then handles the
    /// messages of the epoch that arrived early.
    pub(super) fn rollback(&mut self, ctx: C, epoch: u64, line: &[u64], recv: &[Vec<u64>]) {
        let Some(c) = self.line_checkpoint(ctx, line) else {
            return; // a line names only checkpoints on stable storage; nothing to do otherwise
        };
        self.restore(epoch, &c);
        let replay = Self::truncate(ctx, epoch, &c, recv);
        for (to, seq, amount) in replay.transfers {
            ctx.send(to, Msg::Transfer { epoch, seq, amount });
        }
        ctx.observe(Obs::RolledBack {
            epoch,
            index: c.index,
            at: c.at,
            balance: self.balance,
            sent: self.sent.clone(),
            recv: self.recv.clone(),
            replay: replay.per_peer,
            replayed: replay.total,
        });
        self.arm(ctx);
        let future = std::mem::take(&mut self.future);
        for (from, msg) in future {
            self.handle(ctx, from, msg);
        }
    }

    /// This process's checkpoint of `line`: coordinated lines name snapshots, independent ones
    /// checkpoint indices.
    fn line_checkpoint(&self, ctx: &Ctx<'_, Self>, line: &[u64]) -> Option<Arc<Checkpoint>> {
        let me = ctx.id();
        let coordinated = self.cfg.mode == Mode::Coordinated;
        ctx.stable()
            .checkpoints
            .iter()
            .find(|c| {
                if coordinated {
                    c.snapshot == Some(line[me])
                } else {
                    c.index == line[me]
                }
            })
            .cloned()
    }

    /// Restores checkpoint `c` in `epoch`, re-delivering what its snapshot recorded in flight.
    fn restore(&mut self, epoch: u64, c: &Checkpoint) {
        self.epoch = epoch;
        self.recovering = false;
        self.frozen = false;
        self.recording = None;
        self.balance = c.balance;
        self.done = c.done;
        self.sent = c.sent.clone();
        self.recv = c.recv.clone();
        for (from, amounts) in c.channel.iter().enumerate() {
            self.balance += amounts.iter().sum::<u64>();
            self.recv[from] += amounts.len() as u64;
        }
        self.next_index = c.index + 1;
    }

    /// Cuts stable storage back to checkpoint `c` in `epoch`: newer checkpoints and log entries
    /// go. Returns the logged transfers that each peer's line checkpoint had not received
    /// (`recv[peer][me]` of them had arrived), to be resent.
    fn truncate(ctx: C, epoch: u64, c: &Checkpoint, recv: &[Vec<u64>]) -> Replay {
        let (me, n) = (ctx.id(), ctx.n());
        let mut replay = Replay {
            per_peer: vec![0; n],
            total: 0,
            transfers: Vec::new(),
        };
        let st = ctx.stable_mut();
        st.epoch = epoch;
        st.checkpoints.retain(|k| k.index <= c.index);
        st.log.resize(n, Vec::new());
        for (to, log) in st.log.iter_mut().enumerate() {
            log.retain(|&(seq, _)| seq <= c.sent[to]);
            let Some(&have) = recv.get(to).and_then(|r| r.get(me)) else {
                continue;
            };
            if to != me {
                for &(seq, amount) in log.iter().filter(|&&(s, _)| s > have) {
                    replay.per_peer[to] += 1;
                    replay.total += amount;
                    replay.transfers.push((to, seq, amount));
                }
            }
        }
        ctx.sync();
        replay
    }
}
