//! Checkpointing's properties, judged from observations: every snapshot and recovery line is
//! a consistent cut, snapshots conserve the total, a rollback loses no transfer and does not
//! cascade, restarted processes run again, and the balances add up at the end.

use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use ftsim_api::properties::{event_ref, events_phrase, Stuck, Waits};
use ftsim_api::sim_core::entropy::DetHasher;
use ftsim_api::{nodes_phrase, Explorable, Falsified, NodeId, Property, StateCheck, Time, World};

use super::cuts::{Cut, Cuts, TransferLog};

use super::messages::{Obs, INITIAL_BALANCE};
use super::process::CheckpointProcess;

/// Consistent cut: no snapshot or recovery line records a transfer as received that the
/// sender's part does not record as sent (an orphan message). A violation names both parts and
/// the first orphan's send and receipt.
#[derive(Clone)]
pub struct ConsistentCut {
    cuts: Cuts,
    log: TransferLog,
}

impl Default for ConsistentCut {
    fn default() -> Self {
        ConsistentCut {
            cuts: Cuts::default(),
            log: TransferLog::with_receipts(),
        }
    }
}

impl Property<CheckpointProcess> for ConsistentCut {
    fn observe(
        &mut self,
        w: &World<'_, CheckpointProcess>,
        node: NodeId,
        obs: &Obs,
    ) -> Result<(), Falsified> {
        self.log.note(w, node, obs);
        let Some((cut, parts)) = self.cuts.add(w.n(), node, w.event(), obs) else {
            return Ok(());
        };
        for (j, pj) in parts.iter().enumerate() {
            for (i, pi) in parts.iter().enumerate() {
                if pj.recv[i] > pi.sent[j] {
                    let first = pi.sent[j] + 1;
                    let received = self.log.received(i, j, first, pj.event);
                    let sent = received.and_then(|r| self.log.sent(i, j, first, r));
                    return Err(Falsified::new(format!(
                        "{} is inconsistent: node {j} has received {} transfers from node {i}, \
                         which had sent it only {} ({} orphan message(s); the first {}; parts \
                         at {} and {})",
                        cut.describe(),
                        pj.recv[i],
                        pi.sent[j],
                        pj.recv[i] - pi.sent[j],
                        sent_and_received(sent, received),
                        event_ref(pi.event),
                        event_ref(pj.event)
                    ))
                    .citing([pi.event, pj.event])
                    .citing(sent)
                    .citing(received));
                }
            }
        }
        Ok(())
    }
    fn check_state(&mut self, w: &World<'_, CheckpointProcess>) -> StateCheck {
        self.log.watch(w);
        StateCheck::Holds
    }
}

impl Explorable<CheckpointProcess> for ConsistentCut {
    /// The cuts' values; the transfer log only finds evidence (events), so it is left out.
    fn fingerprint(&self, hasher: &mut DetHasher) {
        self.cuts.fingerprint(hasher);
    }
}

/// "sent at event #3 and received at event #7", with what is known of a transfer.
fn sent_and_received(sent: Option<u64>, received: Option<u64>) -> String {
    match (sent, received) {
        (Some(s), Some(r)) => format!("sent at {} and received at {}", event_ref(s), event_ref(r)),
        (None, Some(r)) => format!("received at {}", event_ref(r)),
        (Some(s), None) => format!("sent at {}", event_ref(s)),
        (None, None) => "not seen in the processes' counters".to_string(),
    }
}

/// Snapshot total: balances plus the transfers recorded in flight add up to the true total. A
/// violation names every part of the snapshot.
#[derive(Clone, Default)]
pub struct SnapshotTotal {
    cuts: Cuts,
}

impl Property<CheckpointProcess> for SnapshotTotal {
    fn observe(
        &mut self,
        w: &World<'_, CheckpointProcess>,
        node: NodeId,
        obs: &Obs,
    ) -> Result<(), Falsified> {
        let Some((cut @ Cut::Snapshot(_), parts)) = self.cuts.add(w.n(), node, w.event(), obs)
        else {
            return Ok(());
        };
        let balances: u64 = parts.iter().map(|p| p.balance).sum();
        let channels: u64 = parts.iter().map(|p| p.channel).sum();
        let total = INITIAL_BALANCE * w.n() as u64;
        if balances + channels != total {
            let events: Vec<u64> = parts.iter().map(|p| p.event).collect();
            return Err(Falsified::new(format!(
                "{} records {balances} in balances and {channels} in flight: {} instead of \
                 {total} (parts at {})",
                cut.describe(),
                balances + channels,
                events_phrase(&events)
            ))
            .citing(events));
        }
        Ok(())
    }
}

impl Explorable<CheckpointProcess> for SnapshotTotal {
    fn fingerprint(&self, hasher: &mut DetHasher) {
        self.cuts.fingerprint(hasher);
    }
}

/// No committed transfer lost: every transfer that a recovery line records as sent is, after
/// the rollback, either received in the line (or re-delivered from a recorded channel) or
/// being replayed from the sender's log. A violation names both parts and the first lost
/// transfer's send.
#[derive(Clone, Default)]
pub struct NoLostTransfer {
    cuts: Cuts,
    log: TransferLog,
}

impl Property<CheckpointProcess> for NoLostTransfer {
    fn observe(
        &mut self,
        w: &World<'_, CheckpointProcess>,
        node: NodeId,
        obs: &Obs,
    ) -> Result<(), Falsified> {
        self.log.note(w, node, obs);
        let Some((cut @ Cut::Line(_), parts)) = self.cuts.add(w.n(), node, w.event(), obs) else {
            return Ok(());
        };
        for (i, pi) in parts.iter().enumerate() {
            for (j, pj) in parts.iter().enumerate() {
                let covered = pj.recv[i] + pi.replay[j];
                if covered < pi.sent[j] {
                    let sent = self.log.sent(i, j, covered + 1, w.event());
                    return Err(Falsified::new(format!(
                        "{} loses transfers: node {i} sent {} to node {j}, which has {} of them \
                         and {} are replayed ({} lost; the first {}; parts at {} and {})",
                        cut.describe(),
                        pi.sent[j],
                        pj.recv[i],
                        pi.replay[j],
                        pi.sent[j] - covered,
                        sent_and_received(sent, None),
                        event_ref(pi.event),
                        event_ref(pj.event)
                    ))
                    .citing([pi.event, pj.event])
                    .citing(sent));
                }
            }
        }
        Ok(())
    }
    fn check_state(&mut self, w: &World<'_, CheckpointProcess>) -> StateCheck {
        self.log.watch(w);
        StateCheck::Holds
    }
}

impl Explorable<CheckpointProcess> for NoLostTransfer {
    /// The cuts' values; the transfer log only finds evidence (events), so it is left out.
    fn fingerprint(&self, hasher: &mut DetHasher) {
        self.cuts.fingerprint(hasher);
    }
}

/// A checkpoint as [`NoDomino`] keeps it: its index, when it was taken, at which event.
type Taken = (u64, Time, u64);

/// No domino effect: a recovery rolls no process back past its latest permanent checkpoint.
/// The violation says how far the cascade went and names the checkpoints rolled past.
#[derive(Clone, Default)]
pub struct NoDomino {
    /// Shared copy-on-write: a search clones its monitors at every step, and only
    /// checkpoints and rollbacks change these.
    kept: Arc<Kept>,
}

/// The checkpoints [`NoDomino`] keeps.
#[derive(Clone, Default)]
struct Kept {
    /// Per node: its permanent checkpoints, in order, of its current history.
    permanent: BTreeMap<NodeId, Vec<Taken>>,
    tentative: BTreeMap<NodeId, BTreeMap<u64, (Time, u64)>>,
}

impl Property<CheckpointProcess> for NoDomino {
    fn observe(
        &mut self,
        w: &World<'_, CheckpointProcess>,
        node: NodeId,
        obs: &Obs,
    ) -> Result<(), Falsified> {
        if let Obs::Restarted = obs {
            return Ok(());
        }
        let kept = Arc::make_mut(&mut self.kept);
        match obs {
            Obs::Checkpoint {
                index,
                at,
                permanent: true,
                ..
            } => kept
                .permanent
                .entry(node)
                .or_default()
                .push((*index, *at, w.event())),
            Obs::Checkpoint { index, at, .. } => {
                let tentative = kept.tentative.entry(node).or_default();
                tentative.insert(*index, (*at, w.event()));
            }
            Obs::Permanent { index } => {
                if let Some((at, e)) = kept.tentative.entry(node).or_default().remove(index) {
                    kept.permanent
                        .entry(node)
                        .or_default()
                        .push((*index, at, e));
                }
            }
            Obs::RolledBack {
                epoch, index, at, ..
            } => {
                let list = kept.permanent.entry(node).or_default();
                let past: Vec<u64> = list
                    .iter()
                    .filter(|(i, _, _)| i > index)
                    .map(|&(_, _, e)| e)
                    .collect();
                list.retain(|(i, _, _)| i <= index);
                kept.tentative.entry(node).or_default().clear();
                if !past.is_empty() {
                    return Err(Falsified::new(format!(
                        "the recovery of epoch {epoch} cascaded: node {node} rolled back at {} \
                         past {} of its checkpoints (taken at {}), to checkpoint #{index} taken \
                         at {at} ({} of work lost)",
                        event_ref(w.event()),
                        past.len(),
                        events_phrase(&past),
                        w.now.since(*at)
                    ))
                    .citing(past)
                    .citing([w.event()]));
                }
            }
            Obs::Restarted => {} // returned above: a restart changes no checkpoint
        }
        Ok(())
    }
}

impl Explorable<CheckpointProcess> for NoDomino {
    /// The checkpoints' numbers and times, not the events that took them.
    fn fingerprint(&self, hasher: &mut DetHasher) {
        hasher.write_usize(self.kept.permanent.len());
        for (node, list) in &self.kept.permanent {
            hasher.write_usize(*node);
            hasher.write_usize(list.len());
            for (index, at, _) in list {
                (index, at).hash(hasher);
            }
        }
        hasher.write_usize(self.kept.tentative.len());
        for (node, list) in &self.kept.tentative {
            hasher.write_usize(*node);
            hasher.write_usize(list.len());
            for (index, (at, _)) in list {
                (index, at).hash(hasher);
            }
        }
    }
}

/// Every process that restarted was rolled back (and so runs again) by the end of the run. A
/// violation names each stuck process's restart and last step.
#[derive(Clone, Default)]
pub struct Recovered {
    /// Restarted processes waiting for a rollback.
    waiting: Waits<NodeId>,
}

impl Property<CheckpointProcess> for Recovered {
    fn observe(
        &mut self,
        w: &World<'_, CheckpointProcess>,
        node: NodeId,
        obs: &Obs,
    ) -> Result<(), Falsified> {
        match obs {
            Obs::Restarted => self.waiting.begin(w, node, node),
            Obs::RolledBack { .. } => self.waiting.end(&node),
            _ => {}
        }
        Ok(())
    }
    fn finish(&mut self, w: &World<'_, CheckpointProcess>) -> Result<(), Falsified> {
        let stuck: Vec<Stuck> = self
            .waiting
            .stuck(w, |_, i| w.is_up(i))
            .into_iter()
            .map(|(_, s)| s)
            .collect();
        if stuck.is_empty() {
            return Ok(());
        }
        let nodes: Vec<NodeId> = stuck.iter().map(|s| s.node).collect();
        Err(Falsified::new(format!(
            "{} restarted but never rolled back (at {}): {}",
            nodes_phrase(&nodes),
            w.now,
            Stuck::details(&stuck, "restarted at")
        ))
        .citing(Stuck::evidence(&stuck)))
    }
}

impl Explorable<CheckpointProcess> for Recovered {
    fn fingerprint(&self, hasher: &mut DetHasher) {
        self.waiting.fingerprint(hasher);
    }
}

/// Conservation: once everything has settled, the balances add up to the true total (judged
/// from the processes' states, only when every process is up and running). A violation names
/// the link whose transfers never arrived, with both ends' last steps (the last events at
/// which the receiver could still have got them), or else every process's last step.
#[derive(Clone, Default)]
pub struct Conservation;

impl Conservation {
    /// The first link with transfers sent but not received, by the processes' final counters:
    /// (from, to, how many).
    fn missing(w: &World<'_, CheckpointProcess>) -> Option<(NodeId, NodeId, u64)> {
        w.nodes()
            .flat_map(|i| w.nodes().map(move |j| (i, j)))
            .find_map(|(i, j)| {
                let (sent, got) = (w.state(i).sent[j], w.state(j).recv[i]);
                (sent > got).then(|| (i, j, sent - got))
            })
    }
}

impl Property<CheckpointProcess> for Conservation {
    fn finish(&mut self, w: &World<'_, CheckpointProcess>) -> Result<(), Falsified> {
        if w.nodes().any(|i| !w.is_up(i) || w.state(i).recovering) {
            return Ok(()); // `recovered` speaks for this case
        }
        let total: u64 = w.nodes().map(|i| w.state(i).balance).sum();
        let expected = INITIAL_BALANCE * w.n() as u64;
        if total == expected {
            return Ok(());
        }
        let (why, evidence) = match Conservation::missing(w) {
            Some((i, j, count)) => {
                let ends = [Stuck::new(w, j, None), Stuck::new(w, i, None)];
                let why = format!(
                    "node {i} sent node {j} {count} transfer(s) it never received ({})",
                    Stuck::details(&ends, "")
                );
                (why, Stuck::evidence(&ends))
            }
            None => {
                let last: Vec<u64> = w.nodes().filter_map(|i| w.last_event(i)).collect();
                let why = format!(
                    "every transfer sent was received (last steps at {})",
                    events_phrase(&last)
                );
                (why, last)
            }
        };
        Err(Falsified::new(format!(
            "the balances add up to {total} at the end instead of {expected}: {why}"
        ))
        .citing(evidence))
    }
}

impl Explorable<CheckpointProcess> for Conservation {
    /// Nothing: it judges the final states alone.
    fn fingerprint(&self, _: &mut DetHasher) {}
}

/// Reached when a whole recovery line was rolled back to.
#[derive(Clone, Default)]
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
    ) -> Result<(), Falsified> {
        if let Some((Cut::Line(_), _)) = self.cuts.add(w.n(), node, w.event(), obs) {
            self.reached = true;
        }
        Ok(())
    }
    fn finish(&mut self, _: &World<'_, CheckpointProcess>) -> Result<(), Falsified> {
        if self.reached {
            Ok(())
        } else {
            Err("no recovery line was rolled back to".into())
        }
    }
}

impl Explorable<CheckpointProcess> for RecoveryLine {
    fn fingerprint(&self, hasher: &mut DetHasher) {
        self.cuts.fingerprint(hasher);
        hasher.write_u8(u8::from(self.reached));
    }
}
