//! The application being checkpointed: money transfers. Every process starts with the same
//! balance and sends random amounts to random peers, a few milliseconds apart; money is
//! neither created nor destroyed, so the total is an invariant of every consistent global
//! state. Transfers carry a per-channel sequence number, so a checkpoint's counters say how
//! many transfers it sent to and received from each peer.

use ftsim_api::{Duration, NodeId};

use super::messages::{Msg, Timer};
use super::process::{CheckpointProcess, C};

/// Transfers are 1 to this many milliseconds apart.
const TRANSFER_GAP_MS: u64 = 4;

impl CheckpointProcess {
    /// The time to the next transfer.
    pub(super) fn transfer_gap(ctx: C) -> Duration {
        Duration::from_millis(1 + ctx.random_below(TRANSFER_GAP_MS))
    }

    /// The transfer timer: sends one transfer, and arms the next while some are left.
    pub(super) fn transfer_tick(&mut self, ctx: C) {
        self.transfer(ctx);
        if self.done < self.cfg.transfers {
            let epoch = self.epoch;
            let gap = Self::transfer_gap(ctx);
            ctx.set_timer(gap, Timer::Transfer { epoch });
        }
    }

    /// Sends a random amount (logged first, with `logging`) to a random peer.
    fn transfer(&mut self, ctx: C) {
        if self.done >= self.cfg.transfers || self.balance == 0 || ctx.n() < 2 {
            return;
        }
        let peer = ctx.random_below(ctx.n() as u64 - 1) as NodeId;
        let to = if peer >= ctx.id() { peer + 1 } else { peer };
        let amount = 1 + ctx.random_below(self.balance.min(self.cfg.amount_max));
        self.balance -= amount;
        self.sent[to] += 1;
        self.done += 1;
        let seq = self.sent[to];
        if self.cfg.logging {
            let n = ctx.n();
            let log = &mut ctx.stable_mut().log;
            log.resize(n, Vec::new());
            log[to].push((seq, amount));
            ctx.sync(); // logged before it leaves
        }
        let epoch = self.epoch;
        ctx.send(to, Msg::Transfer { epoch, seq, amount });
    }

    /// Takes a transfer in, recording it in the channel of a snapshot in progress if that
    /// channel's marker has not arrived yet.
    pub(super) fn receive(&mut self, from: NodeId, seq: u64, amount: u64) {
        // Links are FIFO and reliable, so a smaller seq is a replay we already have; a gap is
        // transfers lost in a rollback without logging (their money is gone).
        if seq <= self.recv[from] {
            return;
        }
        self.recv[from] = seq;
        self.balance += amount;
        if let Some(r) = &mut self.recording {
            if !r.markers.contains(from) {
                r.state.channel[from].push(amount);
            }
        }
    }
}
