//! Coordinated checkpointing: Chandy-Lamport snapshots. Node 0 records its state and sends a
//! marker on every channel; a process records its state at the first marker and then records
//! each incoming channel until that channel's marker arrives. FIFO links make the cut
//! consistent and the recorded channels hold exactly the transfers in flight. A recorded part
//! is a tentative checkpoint; node 0 commits the snapshot once every process has stored its
//! part, and the committed snapshot is the recovery line.

use ftsim_api::{Ctx, NodeId, NodeSet};

use super::messages::{Msg, Obs, Timer, MANAGER};
use super::process::{CheckpointProcess, Recording, C};

impl CheckpointProcess {
    /// The manager's snapshot timer, kept while snapshots are left under `checkpoint_limit`.
    pub(super) fn snapshot_tick(&mut self, ctx: C, epoch: u64) {
        self.start_snapshot(ctx);
        if self.snapshots_left(ctx) {
            ctx.set_timer(self.cfg.interval, Timer::Snapshot { epoch });
        }
    }

    /// Whether the manager may start another snapshot (they are numbered from 1).
    pub(super) fn snapshots_left(&self, ctx: &Ctx<'_, Self>) -> bool {
        let next = ctx.stable().next_snapshot.max(1);
        self.cfg.checkpoint_limit.is_none_or(|l| next <= l)
    }

    /// The manager starts the next snapshot, unless one or a recovery is under way. (Its
    /// timer is armed only while snapshots are left, and only this starts one.)
    fn start_snapshot(&mut self, ctx: C) {
        if self.snapshot_running || self.round.is_some() || self.recovering {
            return;
        }
        self.snapshot_running = true;
        let st = ctx.stable_mut();
        st.next_snapshot = st.next_snapshot.max(1);
        let snapshot = st.next_snapshot;
        st.next_snapshot += 1;
        ctx.sync();
        self.marker(ctx, None, snapshot);
    }

    /// A marker of `snapshot` from `from` (`None`: the manager starting it).
    pub(super) fn marker(&mut self, ctx: C, from: Option<NodeId>, snapshot: u64) {
        if self
            .recording
            .as_ref()
            .is_none_or(|r| r.snapshot < snapshot)
        {
            self.record(ctx, snapshot);
        }
        let Some(r) = &mut self.recording else { return };
        if r.snapshot != snapshot {
            return;
        }
        if let Some(j) = from {
            r.markers.insert(j);
        }
        let mut peers = NodeSet::all(ctx.n());
        peers.remove(ctx.id());
        if r.markers == peers {
            self.recorded(ctx, snapshot);
        }
    }

    /// Records the local state for `snapshot` and sends a marker on every channel.
    fn record(&mut self, ctx: C, snapshot: u64) {
        let state = self.state(ctx, Some(snapshot));
        self.recording = Some(Recording {
            snapshot,
            state,
            markers: NodeSet::EMPTY,
        });
        let epoch = self.epoch;
        ctx.broadcast(Msg::Marker { epoch, snapshot });
    }

    /// Every channel is recorded: stores the part and tells the manager.
    fn recorded(&mut self, ctx: C, snapshot: u64) {
        let Some(r) = self.recording.take() else {
            return;
        };
        self.store(ctx, r.state);
        let epoch = self.epoch;
        if ctx.id() == MANAGER {
            self.snapshot_done(ctx, MANAGER, snapshot);
        } else {
            ctx.send(MANAGER, Msg::Done { epoch, snapshot });
        }
    }

    /// The manager: `from`'s part of `snapshot` is stored; commits once every part is.
    pub(super) fn snapshot_done(&mut self, ctx: C, from: NodeId, snapshot: u64) {
        let acks = self.acks.entry(snapshot).or_default();
        acks.insert(from);
        if *acks == NodeSet::all(ctx.n()) {
            self.acks.remove(&snapshot);
            self.snapshot_running = false;
            ctx.stable_mut().committed = snapshot;
            ctx.sync();
            let epoch = self.epoch;
            ctx.broadcast(Msg::Commit { epoch, snapshot });
            self.commit(ctx, snapshot);
        }
    }

    /// `snapshot` is committed: its part becomes permanent here.
    pub(super) fn commit(&mut self, ctx: C, snapshot: u64) {
        // Older checkpoints are no longer needed: the committed one is the recovery line.
        let st = ctx.stable_mut();
        st.checkpoints
            .retain(|c| c.snapshot.is_none_or(|s| s >= snapshot));
        if let Some(c) = st.checkpoints.iter().find(|c| c.snapshot == Some(snapshot)) {
            let index = c.index;
            ctx.observe(Obs::Permanent { index });
        }
        ctx.sync();
    }
}
