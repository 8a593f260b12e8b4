//! Checkpointing's properties, judged from observations: every snapshot and recovery line is
//! a consistent cut, snapshots conserve the total, a rollback loses no transfer and does not
//! cascade, restarted processes run again, and the balances add up at the end.

use std::collections::{BTreeMap, BTreeSet};

use ftsim_api::{nodes_phrase, NodeId, Property, Time, World};

use super::process::{CheckpointProcess, Obs, INITIAL_BALANCE};

/// The cuts the properties judge: snapshots (by id) and recovery lines (by epoch), as their
/// parts arrive, complete once every process has contributed.
#[derive(Default)]
struct Cuts {
    snapshots: BTreeMap<u64, BTreeMap<NodeId, Part>>,
    lines: BTreeMap<u64, BTreeMap<NodeId, Part>>,
}

#[derive(Clone, Debug)]
struct Part {
    balance: u64,
    channel: u64,
    sent: Vec<u64>,
    recv: Vec<u64>,
    replay: Vec<u64>,
}

enum Cut {
    Snapshot(u64),
    Line(u64),
}

impl Cut {
    fn describe(&self) -> String {
        match self {
            Cut::Snapshot(s) => format!("snapshot {s}"),
            Cut::Line(e) => format!("the recovery line of epoch {e}"),
        }
    }
}

impl Cuts {
    /// Records a part; returns the cut if this completed it.
    fn add(&mut self, n: usize, node: NodeId, obs: &Obs) -> Option<(Cut, Vec<Part>)> {
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

/// Consistent cut: no snapshot or recovery line records a transfer as received that the
/// sender's part does not record as sent (an orphan message).
#[derive(Default)]
pub struct ConsistentCut {
    cuts: Cuts,
}

impl Property<CheckpointProcess> for ConsistentCut {
    fn observe(
        &mut self,
        w: &World<'_, CheckpointProcess>,
        node: NodeId,
        obs: &Obs,
    ) -> Result<(), String> {
        let Some((cut, parts)) = self.cuts.add(w.n(), node, obs) else {
            return Ok(());
        };
        for (j, pj) in parts.iter().enumerate() {
            for (i, pi) in parts.iter().enumerate() {
                if pj.recv[i] > pi.sent[j] {
                    return Err(format!(
                        "{} is inconsistent: node {j} has received {} transfers from node {i}, \
                         which had sent it only {} ({} orphan message(s))",
                        cut.describe(),
                        pj.recv[i],
                        pi.sent[j],
                        pj.recv[i] - pi.sent[j]
                    ));
                }
            }
        }
        Ok(())
    }
}

/// Snapshot total: balances plus the transfers recorded in flight add up to the true total.
#[derive(Default)]
pub struct SnapshotTotal {
    cuts: Cuts,
}

impl Property<CheckpointProcess> for SnapshotTotal {
    fn observe(
        &mut self,
        w: &World<'_, CheckpointProcess>,
        node: NodeId,
        obs: &Obs,
    ) -> Result<(), String> {
        let Some((cut @ Cut::Snapshot(_), parts)) = self.cuts.add(w.n(), node, obs) else {
            return Ok(());
        };
        let balances: u64 = parts.iter().map(|p| p.balance).sum();
        let channels: u64 = parts.iter().map(|p| p.channel).sum();
        let total = INITIAL_BALANCE * w.n() as u64;
        if balances + channels != total {
            return Err(format!(
                "{} records {balances} in balances and {channels} in flight: {} instead of {total}",
                cut.describe(),
                balances + channels
            ));
        }
        Ok(())
    }
}

/// No committed transfer lost: every transfer that a recovery line records as sent is, after
/// the rollback, either received in the line (or re-delivered from a recorded channel) or
/// being replayed from the sender's log.
#[derive(Default)]
pub struct NoLostTransfer {
    cuts: Cuts,
}

impl Property<CheckpointProcess> for NoLostTransfer {
    fn observe(
        &mut self,
        w: &World<'_, CheckpointProcess>,
        node: NodeId,
        obs: &Obs,
    ) -> Result<(), String> {
        let Some((cut @ Cut::Line(_), parts)) = self.cuts.add(w.n(), node, obs) else {
            return Ok(());
        };
        for (i, pi) in parts.iter().enumerate() {
            for (j, pj) in parts.iter().enumerate() {
                let covered = pj.recv[i] + pi.replay[j];
                if covered < pi.sent[j] {
                    return Err(format!(
                        "{} loses transfers: node {i} sent {} to node {j}, which has {} of them \
                         and {} are replayed ({} lost)",
                        cut.describe(),
                        pi.sent[j],
                        pj.recv[i],
                        pi.replay[j],
                        pi.sent[j] - covered
                    ));
                }
            }
        }
        Ok(())
    }
}

/// No domino effect: a recovery rolls no process back past its latest permanent checkpoint.
/// The violation says how far the cascade went.
#[derive(Default)]
pub struct NoDomino {
    /// Per node: its permanent checkpoints (index, time), in order, of its current history.
    permanent: BTreeMap<NodeId, Vec<(u64, Time)>>,
    tentative: BTreeMap<NodeId, BTreeMap<u64, Time>>,
}

impl Property<CheckpointProcess> for NoDomino {
    fn observe(
        &mut self,
        w: &World<'_, CheckpointProcess>,
        node: NodeId,
        obs: &Obs,
    ) -> Result<(), String> {
        match obs {
            Obs::Checkpoint {
                index,
                at,
                permanent: true,
                ..
            } => self.permanent.entry(node).or_default().push((*index, *at)),
            Obs::Checkpoint { index, at, .. } => {
                self.tentative.entry(node).or_default().insert(*index, *at);
            }
            Obs::Permanent { index } => {
                if let Some(at) = self.tentative.entry(node).or_default().remove(index) {
                    self.permanent.entry(node).or_default().push((*index, at));
                }
            }
            Obs::RolledBack {
                epoch, index, at, ..
            } => {
                let list = self.permanent.entry(node).or_default();
                let past = list.iter().filter(|(i, _)| i > index).count();
                list.retain(|(i, _)| i <= index);
                self.tentative.entry(node).or_default().clear();
                if past > 0 {
                    return Err(format!(
                        "the recovery of epoch {epoch} cascaded: node {node} rolled back past \
                         {past} of its checkpoints, to checkpoint #{index} taken at {at} \
                         ({} of work lost)",
                        w.now.since(*at)
                    ));
                }
            }
            Obs::Restarted => {}
        }
        Ok(())
    }
}

/// Every process that restarted was rolled back (and so runs again) by the end of the run.
#[derive(Default)]
pub struct Recovered {
    waiting: BTreeSet<NodeId>,
}

impl Property<CheckpointProcess> for Recovered {
    fn observe(
        &mut self,
        _: &World<'_, CheckpointProcess>,
        node: NodeId,
        obs: &Obs,
    ) -> Result<(), String> {
        match obs {
            Obs::Restarted => {
                self.waiting.insert(node);
            }
            Obs::RolledBack { .. } => {
                self.waiting.remove(&node);
            }
            _ => {}
        }
        Ok(())
    }
    fn finish(&mut self, w: &World<'_, CheckpointProcess>) -> Result<(), String> {
        let stuck: Vec<NodeId> = self
            .waiting
            .iter()
            .copied()
            .filter(|&i| w.is_up(i))
            .collect();
        if stuck.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "{} restarted but never rolled back (at {})",
                nodes_phrase(&stuck),
                w.now
            ))
        }
    }
}

/// Conservation: once everything has settled, the balances add up to the true total (judged
/// from the processes' states, only when every process is up and running).
#[derive(Default)]
pub struct Conservation;

impl Property<CheckpointProcess> for Conservation {
    fn finish(&mut self, w: &World<'_, CheckpointProcess>) -> Result<(), String> {
        if w.nodes().any(|i| !w.is_up(i) || w.state(i).recovering) {
            return Ok(()); // `recovered` speaks for this case
        }
        let total: u64 = w.nodes().map(|i| w.state(i).balance).sum();
        let expected = INITIAL_BALANCE * w.n() as u64;
        if total == expected {
            Ok(())
        } else {
            Err(format!(
                "the balances add up to {total} at the end instead of {expected}"
            ))
        }
    }
}

/// Reached when a whole recovery line was rolled back to.
#[derive(Default)]
pub struct RecoveryLine {
    cuts: Cuts,
    reached: bool,
}

impl Property<CheckpointProcess> for RecoveryLine {
    fn observe(
        &mut self,
        w: &World<'_, CheckpointProcess>,
        node: NodeId,
        obs: &Obs,
    ) -> Result<(), String> {
        if let Some((Cut::Line(_), _)) = self.cuts.add(w.n(), node, obs) {
            self.reached = true;
        }
        Ok(())
    }
    fn finish(&mut self, _: &World<'_, CheckpointProcess>) -> Result<(), String> {
        if self.reached {
            Ok(())
        } else {
            Err("no recovery line was rolled back to".into())
        }
    }
}
