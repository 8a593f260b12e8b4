//! The bookkeeping behind checkpointing's properties: the cuts they judge (snapshots and
//! recovery lines, assembled from the processes' observations, each part with its event) and
//! the transfer log (where each transfer was sent and received, read from the processes'
//! counters), so a violation can name the events of an orphan's or a lost transfer's send and
//! receipt.

use std::collections::BTreeMap;

use ftsim_api::{NodeId, World};

use super::process::{CheckpointProcess, Obs};

/// The cuts the properties judge: snapshots (by id) and recovery lines (by epoch), as their
/// parts arrive, complete once every process has contributed.
#[derive(Default)]
pub(super) struct Cuts {
    snapshots: BTreeMap<u64, BTreeMap<NodeId, Part>>,
    lines: BTreeMap<u64, BTreeMap<NodeId, Part>>,
}

/// One process's part of a cut.
#[derive(Clone, Debug)]
pub(super) struct Part {
    /// The event of the observation that recorded it.
    pub(super) event: u64,
    pub(super) balance: u64,
    pub(super) channel: u64,
    pub(super) sent: Vec<u64>,
    pub(super) recv: Vec<u64>,
    pub(super) replay: Vec<u64>,
}

pub(super) enum Cut {
    Snapshot(u64),
    Line(u64),
}

impl Cut {
    pub(super) fn describe(&self) -> String {
        match self {
            Cut::Snapshot(s) => format!("snapshot {s}"),
            Cut::Line(e) => format!("the recovery line of epoch {e}"),
        }
    }
}

impl Cuts {
    /// Records a part observed at `event`; returns the cut if this completed it, with its
    /// parts in node order.
    pub(super) fn add(
        &mut self,
        n: usize,
        node: NodeId,
        event: u64,
        obs: &Obs,
    ) -> Option<(Cut, Vec<Part>)> {
        let (key, map, part) = match obs {
            Obs::Checkpoint {
                snapshot: Some(s),
                balance,
                channel,
                sent,
                recv,
                ..
            } => (
                Cut::Snapshot(*s),
                self.snapshots.entry(*s).or_default(),
                Part {
                    event,
                    balance: *balance,
                    channel: *channel,
                    sent: sent.clone(),
                    recv: recv.clone(),
                    replay: vec![0; n],
                },
            ),
            Obs::RolledBack {
                epoch,
                balance,
                sent,
                recv,
                replay,
                replayed,
                ..
            } => (
                Cut::Line(*epoch),
                self.lines.entry(*epoch).or_default(),
                Part {
                    event,
                    balance: *balance,
                    channel: *replayed,
                    sent: sent.clone(),
                    recv: recv.clone(),
                    replay: replay.clone(),
                },
            ),
            _ => return None,
        };
        map.insert(node, part);
        (map.len() == n).then(|| (key, map.values().cloned().collect()))
    }
}

/// Where transfers were sent and received, read from the processes' `sent` and `recv`
/// counters: when node `i`'s count of transfers sent to `j` goes up by one, the transfer with
/// that number left at that event. A rollback or restart restores counters without sending or
/// receiving anything: the properties resynchronise instead of recording it. Histories repeat
/// after a rollback, so each transfer number keeps every event it was reached at.
#[derive(Default)]
pub(super) struct TransferLog {
    sent: Vec<Vec<u64>>,
    recv: Vec<Vec<u64>>,
    /// (from, to, k) → the events at which `from`'s count of transfers sent to `to` reached k.
    sent_at: BTreeMap<(NodeId, NodeId, u64), Vec<u64>>,
    /// (from, to, k) → the events at which `to`'s count of transfers from `from` reached k.
    recv_at: BTreeMap<(NodeId, NodeId, u64), Vec<u64>>,
}

impl TransferLog {
    /// Notes an observation: a rollback or restart resynchronises its node's counters, then
    /// every other change since the last look is recorded.
    pub(super) fn note(&mut self, w: &World<'_, CheckpointProcess>, node: NodeId, obs: &Obs) {
        self.size(w.n());
        if matches!(obs, Obs::RolledBack { .. } | Obs::Restarted) {
            self.sent[node].clone_from(&w.state(node).sent);
            self.recv[node].clone_from(&w.state(node).recv);
        }
        self.watch(w);
    }

    /// Records every counter that went up by one since the last look, at the current event.
    pub(super) fn watch(&mut self, w: &World<'_, CheckpointProcess>) {
        self.size(w.n());
        for i in w.nodes() {
            let state = w.state(i);
            for (j, &now) in state.sent.iter().enumerate() {
                step(
                    &mut self.sent[i][j],
                    now,
                    &mut self.sent_at,
                    (i, j),
                    w.event(),
                );
            }
            for (j, &now) in state.recv.iter().enumerate() {
                step(
                    &mut self.recv[i][j],
                    now,
                    &mut self.recv_at,
                    (j, i),
                    w.event(),
                );
            }
        }
    }

    fn size(&mut self, n: usize) {
        if self.sent.len() != n {
            self.sent = vec![vec![0; n]; n];
            self.recv = vec![vec![0; n]; n];
        }
    }

    /// The latest event, at or before `bound`, at which transfer `k` from `from` to `to` left.
    pub(super) fn sent(&self, from: NodeId, to: NodeId, k: u64, bound: u64) -> Option<u64> {
        latest(&self.sent_at, (from, to, k), bound)
    }

    /// The latest event, at or before `bound`, at which transfer `k` from `from` reached `to`.
    pub(super) fn received(&self, from: NodeId, to: NodeId, k: u64, bound: u64) -> Option<u64> {
        latest(&self.recv_at, (from, to, k), bound)
    }
}

/// A counter seen at `now` after `seen`: a step of one is recorded at `event`; any other change
/// (a restore) is only remembered.
fn step(
    seen: &mut u64,
    now: u64,
    at: &mut BTreeMap<(NodeId, NodeId, u64), Vec<u64>>,
    (from, to): (NodeId, NodeId),
    event: u64,
) {
    if now == *seen + 1 {
        at.entry((from, to, now)).or_default().push(event);
    }
    *seen = now;
}

fn latest(
    at: &BTreeMap<(NodeId, NodeId, u64), Vec<u64>>,
    key: (NodeId, NodeId, u64),
    bound: u64,
) -> Option<u64> {
    at.get(&key)?.iter().rev().find(|&&e| e <= bound).copied()
}
