//! Primary-backup's properties: no split brain, replicas agree on what they applied, no
//! acknowledged write lost, every write answered, and failover actually exercised.

use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};

use ftsim_api::sim_core::entropy::DetHasher;

use ftsim_api::properties::{event_ref, Seen, Stuck, Waits, Witnesses};
use ftsim_api::{Explorable, Falsified, NodeId, Property, StateCheck, World};

use super::messages::{Obs, WriteId};
use super::process::{Node, Role};

/// At most one live replica acts as primary in any one view. Judged from states after every
/// event; a violation names the events where each of the two started acting as primary.
#[derive(Clone, Default)]
pub struct SinglePrimary {
    /// Each live acting primary: its view and the event since which it acts as its primary.
    acting: BTreeMap<NodeId, (u64, u64)>,
}

impl SinglePrimary {
    /// What `check_state` judges, as a result.
    fn judge_states(&mut self, w: &World<'_, Node>) -> Result<(), Falsified> {
        let mut by_view: BTreeMap<u64, NodeId> = BTreeMap::new();
        for i in w.nodes() {
            let view = w.state(i).acting_primary(i).filter(|_| w.is_up(i));
            let Some(view) = view else {
                self.acting.remove(&i);
                continue;
            };
            let since = match self.acting.get(&i) {
                Some(&(v, since)) if v == view => since,
                _ => {
                    self.acting.insert(i, (view, w.event()));
                    w.event()
                }
            };
            if let Some(other) = by_view.insert(view, i) {
                let other_since = self.acting[&other].1;
                return Err(Falsified::new(format!(
                    "split brain: nodes {other} and {i} both act as primary of view {view} \
                     (since {} and {})",
                    event_ref(other_since),
                    event_ref(since)
                ))
                .citing([other_since, since]));
            }
        }
        Ok(())
    }
}

impl Property<Node> for SinglePrimary {
    fn check_state(&mut self, w: &World<'_, Node>) -> StateCheck {
        self.judge_states(w).into()
    }
}

impl Explorable<Node> for SinglePrimary {
    /// Who acts as primary of which view (not since when: that only words a verdict).
    fn fingerprint(&self, hasher: &mut DetHasher) {
        for (node, (view, _)) in &self.acting {
            hasher.write_usize(*node);
            hasher.write_u64(*view);
        }
    }
}

/// Replicas agree on the prefix they applied: no two apply different writes at one position.
/// A violation names both applications.
#[derive(Clone, Default)]
pub struct PrefixAgreement {
    /// Per position, what replicas applied there.
    applied: Witnesses<usize, WriteId>,
}

impl Property<Node> for PrefixAgreement {
    fn observe(&mut self, w: &World<'_, Node>, node: NodeId, obs: &Obs) -> Result<(), Falsified> {
        let Obs::Applied { index, id } = *obs else {
            return Ok(());
        };
        self.applied
            .check(index, Seen::new(w, node, id), |was, now| {
                (was.value != now.value).then(|| {
                    format!(
                        "replica {} applied write {:?} at position {index} at {}, replica {} \
                         applied {:?} at {}",
                        now.node,
                        now.value,
                        event_ref(now.event),
                        was.node,
                        was.value,
                        event_ref(was.event)
                    )
                })
            })
    }
}

impl Explorable<Node> for PrefixAgreement {
    fn fingerprint(&self, hasher: &mut DetHasher) {
        self.applied.fingerprint(hasher);
    }
}

/// No acknowledged write is lost: a position a client was told holds its write never holds
/// anything else at any replica. A violation names the acknowledgement and the application.
#[derive(Clone, Default)]
pub struct AckedWritesKept {
    /// Per position: the acknowledged write and the event of the acknowledgement.
    acked: BTreeMap<usize, (WriteId, u64)>,
    /// Per position: the first replica to apply something there, what, and where.
    applied: BTreeMap<usize, Seen<WriteId>>,
}

impl Property<Node> for AckedWritesKept {
    fn observe(&mut self, w: &World<'_, Node>, node: NodeId, obs: &Obs) -> Result<(), Falsified> {
        let (index, acked, applied) = match *obs {
            Obs::Acked { index, id } => {
                self.acked.entry(index).or_insert((id, w.event()));
                let Some(applied) = self.applied.get(&index) else {
                    return Ok(());
                };
                (index, (id, w.event()), applied.clone())
            }
            Obs::Applied { index, id } => {
                let applied = Seen::new(w, node, id);
                self.applied.entry(index).or_insert_with(|| applied.clone());
                let Some(&acked) = self.acked.get(&index) else {
                    return Ok(());
                };
                (index, acked, applied)
            }
            _ => return Ok(()),
        };
        if acked.0 == applied.value {
            return Ok(());
        }
        Err(Falsified::new(format!(
            "acknowledged write {:?} at position {index} (acknowledged at {}) lost: replica {} \
             holds {:?} there (applied at {})",
            acked.0,
            event_ref(acked.1),
            applied.node,
            applied.value,
            event_ref(applied.event)
        ))
        .citing([acked.1, applied.event]))
    }
}

impl Explorable<Node> for AckedWritesKept {
    /// The acknowledged and the first applied write at each position (not the events).
    fn fingerprint(&self, hasher: &mut DetHasher) {
        for (index, (id, _)) in &self.acked {
            hasher.write_usize(*index);
            id.hash(hasher);
        }
        hasher.write_u8(0xff);
        for (index, seen) in &self.applied {
            hasher.write_usize(*index);
            seen.value.hash(hasher);
        }
    }
}

/// Every write of a correct client is eventually acknowledged, while a majority of replicas is
/// up at the end (the fenced variant cannot make progress without one). A violation names the
/// write's issue and the client's last step.
#[derive(Clone, Default)]
pub struct RequestsAnswered {
    /// Writes issued and not yet acknowledged.
    waiting: Waits<WriteId>,
    /// Per client, the event of its latest write.
    last_issued: BTreeMap<NodeId, u64>,
}

impl Property<Node> for RequestsAnswered {
    fn observe(&mut self, w: &World<'_, Node>, node: NodeId, obs: &Obs) -> Result<(), Falsified> {
        match *obs {
            Obs::Issued { id } => {
                self.waiting.begin(w, node, id);
                self.last_issued.insert(node, w.event());
            }
            Obs::Acked { id, .. } => self.waiting.end(&id),
            _ => {}
        }
        Ok(())
    }
    fn finish(&mut self, w: &World<'_, Node>) -> Result<(), Falsified> {
        let replicas = w
            .nodes()
            .filter(|&i| matches!(w.state(i).role, Role::Replica(_)))
            .collect::<Vec<_>>();
        let up = replicas.iter().filter(|&&i| w.is_up(i)).count();
        if up < replicas.len() / 2 + 1 {
            return Ok(());
        }
        let unanswered = self.waiting.stuck(w, |id, _| w.is_correct(id.0));
        if let Some((id, stuck)) = unanswered.first() {
            return Err(Falsified::new(format!(
                "write {id:?} of client {} was never answered: {}",
                id.0,
                Stuck::details(&[*stuck], "issued it at")
            ))
            .citing(Stuck::evidence(&[*stuck])));
        }
        // A client that never got to issue all its writes is stuck too.
        for i in w.nodes().filter(|&i| w.is_correct(i)) {
            if let Role::Client(c) = &w.state(i).role {
                if c.next < w.state(i).cfg.writes {
                    let stuck = Stuck::new(w, i, self.last_issued.get(&i).copied());
                    return Err(Falsified::new(format!(
                        "client {i} issued only {} of its writes: {}",
                        c.next,
                        Stuck::details(&[stuck], "issued the last at")
                    ))
                    .citing(Stuck::evidence(&[stuck])));
                }
            }
        }
        Ok(())
    }
}

impl Explorable<Node> for RequestsAnswered {
    /// The writes still waiting (the events of the latest issues only word a verdict).
    fn fingerprint(&self, hasher: &mut DetHasher) {
        self.waiting.fingerprint(hasher);
    }
}

/// Reached when some replica other than the first primary took over: failover was exercised.
#[derive(Default)]
pub struct Failover {
    reached: bool,
}

impl Property<Node> for Failover {
    fn observe(&mut self, _: &World<'_, Node>, node: NodeId, obs: &Obs) -> Result<(), Falsified> {
        if matches!(obs, Obs::Primary { .. }) && node != 0 {
            self.reached = true;
        }
        Ok(())
    }
    fn finish(&mut self, _: &World<'_, Node>) -> Result<(), Falsified> {
        if self.reached {
            Ok(())
        } else {
            Err("no failover happened".into())
        }
    }
}
