//! The bookkeeping behind checkpointing's properties: the cuts they judge (snapshots and
//! recovery lines, assembled from the processes' observations, each part with its event) and
//! the transfer log (where each transfer was sent and received, read from the processes'
//! counters), so a violation can name the events of an orphan's or a lost transfer's send and
//! receipt.

use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use ftsim_api::sim_core::entropy::DetHasher;
use ftsim_api::{NodeId, World};

use super::messages::Obs;
use super::process::CheckpointProcess;

/// The cuts the properties judge: snapshots (by id) and recovery lines (by epoch), as their
/// parts arrive, complete once every process has contributed. Shared copy-on-write: a
/// search's state clones its monitors at every step, and few steps add a part.
#[derive(Clone, Default)]
pub(super) struct Cuts {
    snapshots: Arc<BTreeMap<u64, BTreeMap<NodeId, Part>>>,
    lines: Arc<BTreeMap<u64, BTreeMap<NodeId, Part>>>,
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
    /// For a search: hashes every part's values, not the events that recorded them.
    pub(super) fn fingerprint(&self, hasher: &mut DetHasher) {
        for cuts in [&*self.snapshots, &*self.lines] {
            hasher.write_usize(cuts.len());
            for (id, parts) in cuts {
                hasher.write_u64(*id);
                hasher.write_usize(parts.len());
                for (node, p) in parts {
                    hasher.write_usize(*node);
                    (p.balance, p.channel, &p.sent, &p.recv, &p.replay).hash(hasher);
                }
            }
        }
    }

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
                Arc::make_mut(&mut self.snapshots).entry(*s).or_default(),
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
                Arc::make_mut(&mut self.lines).entry(*epoch).or_default(),
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
/// after a rollback, so every step is kept, in order, per link (appending costs no allocation
/// per event once a link's list has grown). The counters are shared copy-on-write, as
/// [`Cuts`] are: most events move none.
#[derive(Clone, Default)]
pub(super) struct TransferLog {
    /// Whether receipts are logged too (only sends otherwise: cheaper per event).
    receipts: bool,
    links: Arc<Links>,
}

/// The transfer log's counters and steps, per link.
#[derive(Clone, Default)]
struct Links {
    /// `sent[i][j]`: node i's count of transfers sent to j, as last seen.
    sent: Vec<Vec<u64>>,
    /// `recv[i][j]`: node i's count of transfers received from j, as last seen.
    recv: Vec<Vec<u64>>,
    /// `[from][to]`: each step of `from`'s count of transfers sent to `to`: (count, event).
    sent_steps: Vec<Vec<Vec<(u64, u64)>>>,
    /// `[from][to]`: each step of `to`'s count of transfers received from `from`.
    recv_steps: Vec<Vec<Vec<(u64, u64)>>>,
}

impl TransferLog {
    /// A log of sends and receipts.
    pub(super) fn with_receipts() -> Self {
        TransferLog {
            receipts: true,
            ..TransferLog::default()
        }
    }

    /// Notes an observation: a rollback or restart resynchronises its node's counters, then
    /// every other change since the last look is recorded.
    pub(super) fn note(&mut self, w: &World<'_, CheckpointProcess>, node: NodeId, obs: &Obs) {
        self.size(w.n());
        if matches!(obs, Obs::RolledBack { .. } | Obs::Restarted) {
            let links = Arc::make_mut(&mut self.links);
            links.sent[node].clone_from(&w.state(node).sent);
            links.recv[node].clone_from(&w.state(node).recv);
        }
        self.watch(w);
    }

    /// Records every counter that went up by one since the last look, at the current event:
    /// the event's node's only, when the world says which node that is (no other state can
    /// have changed).
    pub(super) fn watch(&mut self, w: &World<'_, CheckpointProcess>) {
        self.size(w.n());
        let nodes = match w.event_node() {
            Some(node) => node..node + 1,
            None => w.nodes(),
        };
        let event = w.event();
        for i in nodes {
            let state = w.state(i);
            // Most events move no counter: one comparison each, then nothing to do.
            if self.links.sent[i] != state.sent {
                let links = Arc::make_mut(&mut self.links);
                let sends = links.sent[i].iter_mut().zip(&state.sent);
                for ((seen, &now), steps) in sends.zip(links.sent_steps[i].iter_mut()) {
                    step(seen, now, steps, event);
                }
            }
            if self.receipts && self.links.recv[i] != state.recv {
                let links = Arc::make_mut(&mut self.links);
                for (j, (seen, &now)) in links.recv[i].iter_mut().zip(&state.recv).enumerate() {
                    step(seen, now, &mut links.recv_steps[j][i], event);
                }
            }
        }
    }

    #[inline]
    fn size(&mut self, n: usize) {
        if self.links.sent.len() != n {
            self.links = Arc::new(Links {
                sent: vec![vec![0; n]; n],
                recv: vec![vec![0; n]; n],
                sent_steps: vec![vec![Vec::new(); n]; n],
                recv_steps: vec![vec![Vec::new(); n]; n],
            });
        }
    }

    /// The latest event, at or before `bound`, at which transfer `k` from `from` to `to` left.
    pub(super) fn sent(&self, from: NodeId, to: NodeId, k: u64, bound: u64) -> Option<u64> {
        latest(self.links.sent_steps.get(from)?.get(to)?, k, bound)
    }

    /// The latest event, at or before `bound`, at which transfer `k` from `from` reached `to`.
    pub(super) fn received(&self, from: NodeId, to: NodeId, k: u64, bound: u64) -> Option<u64> {
        latest(self.links.recv_steps.get(from)?.get(to)?, k, bound)
    }
}

/// A counter seen at `now` after `seen`: a step of one is recorded at `event`; any other change
/// (a restore) is only remembered.
fn step(seen: &mut u64, now: u64, steps: &mut Vec<(u64, u64)>, event: u64) {
    if now == *seen + 1 {
        steps.push((now, event));
    }
    *seen = now;
}

/// The latest event, at or before `bound`, at which a counter reached `k`.
fn latest(steps: &[(u64, u64)], k: u64, bound: u64) -> Option<u64> {
    steps
        .iter()
        .rev()
        .find(|&&(count, event)| count == k && event <= bound)
        .map(|&(_, event)| event)
}
