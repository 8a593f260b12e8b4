//! Primary-backup's properties: no split brain, replicas agree on what they applied, no
//! acknowledged write lost, every write answered, and failover actually exercised.

use std::collections::BTreeMap;

use ftsim_api::{NodeId, Property, World};

use super::process::{Node, Obs, Role, WriteId};

/// At most one live replica acts as primary in any one view.
#[derive(Default)]
pub struct SinglePrimary;

impl Property<Node> for SinglePrimary {
    fn watches_state(&self) -> bool {
        true
    }
    fn check_state(&mut self, w: &World<'_, Node>) -> Result<(), String> {
        let mut by_view: BTreeMap<u64, NodeId> = BTreeMap::new();
        for i in w.nodes().filter(|&i| w.is_up(i)) {
            if let Some(view) = w.state(i).acting_primary(i) {
                if let Some(other) = by_view.insert(view, i) {
                    return Err(format!(
                        "split brain: nodes {other} and {i} both act as primary of view {view}"
                    ));
                }
            }
        }
        Ok(())
    }
}

/// Replicas agree on the prefix they applied: no two apply different writes at one position.
#[derive(Default)]
pub struct PrefixAgreement {
    /// Position → the first replica to apply it, what, and at which event.
    at: BTreeMap<usize, (NodeId, WriteId, u64)>,
    conflict: Option<u64>,
}

impl Property<Node> for PrefixAgreement {
    fn observe(&mut self, w: &World<'_, Node>, node: NodeId, obs: &Obs) -> Result<(), String> {
        let Obs::Applied { index, id } = obs else {
            return Ok(());
        };
        match self.at.get(index) {
            Some(&(other, was, at)) if was != *id => {
                self.conflict = Some(at);
                Err(format!(
                    "replica {node} applied write {id:?} at position {index}, replica {other} \
                     applied {was:?}"
                ))
            }
            Some(_) => Ok(()),
            None => {
                self.at.insert(*index, (node, *id, w.event()));
                Ok(())
            }
        }
    }
    fn related_events(&self) -> Vec<u64> {
        self.conflict.into_iter().collect()
    }
}

/// No acknowledged write is lost: a position a client was told holds its write never holds
/// anything else at any replica.
#[derive(Default)]
pub struct AckedWritesKept {
    acked: BTreeMap<usize, WriteId>,
    applied: BTreeMap<usize, (NodeId, WriteId)>,
}

impl Property<Node> for AckedWritesKept {
    fn observe(&mut self, _: &World<'_, Node>, node: NodeId, obs: &Obs) -> Result<(), String> {
        let conflict = match *obs {
            Obs::Acked { index, id } => {
                self.acked.insert(index, id);
                self.applied
                    .get(&index)
                    .filter(|(_, w)| *w != id)
                    .map(|&(r, w)| (r, w, id, index))
            }
            Obs::Applied { index, id } => {
                self.applied.entry(index).or_insert((node, id));
                self.acked
                    .get(&index)
                    .filter(|&&w| w != id)
                    .map(|&w| (node, id, w, index))
            }
            _ => None,
        };
        match conflict {
            Some((replica, there, acked, index)) => Err(format!(
                "acknowledged write {acked:?} at position {index} lost: replica {replica} holds \
                 {there:?} there"
            )),
            None => Ok(()),
        }
    }
}

/// Every write of a correct client is eventually acknowledged, while a majority of replicas is
/// up at the end (the fenced variant cannot make progress without one).
#[derive(Default)]
pub struct RequestsAnswered {
    issued: BTreeMap<WriteId, bool>,
}

impl Property<Node> for RequestsAnswered {
    fn observe(&mut self, _: &World<'_, Node>, _: NodeId, obs: &Obs) -> Result<(), String> {
        match *obs {
            Obs::Issued { id } => {
                self.issued.entry(id).or_insert(false);
            }
            Obs::Acked { id, .. } => {
                self.issued.insert(id, true);
            }
            _ => {}
        }
        Ok(())
    }
    fn finish(&mut self, w: &World<'_, Node>) -> Result<(), String> {
        let replicas = w
            .nodes()
            .filter(|&i| matches!(w.state(i).role, Role::Replica(_)))
            .collect::<Vec<_>>();
        let up = replicas.iter().filter(|&&i| w.is_up(i)).count();
        if up < replicas.len() / 2 + 1 {
            return Ok(());
        }
        for (id, done) in &self.issued {
            if !done && w.is_correct(id.0) {
                return Err(format!(
                    "write {id:?} of client {} was never answered",
                    id.0
                ));
            }
        }
        // A client that never got to issue all its writes is stuck too.
        for i in w.nodes().filter(|&i| w.is_correct(i)) {
            if let Role::Client(c) = &w.state(i).role {
                if c.next < w.state(i).cfg.writes {
                    return Err(format!("client {i} issued only {} of its writes", c.next));
                }
            }
        }
        Ok(())
    }
}

/// Reached when some replica other than the first primary took over: failover was exercised.
#[derive(Default)]
pub struct Failover {
    reached: bool,
}

impl Property<Node> for Failover {
    fn observe(&mut self, _: &World<'_, Node>, node: NodeId, obs: &Obs) -> Result<(), String> {
        if matches!(obs, Obs::Primary { .. }) && node != 0 {
            self.reached = true;
        }
        Ok(())
    }
    fn finish(&mut self, _: &World<'_, Node>) -> Result<(), String> {
        if self.reached {
            Ok(())
        } else {
            Err("no failover happened".into())
        }
    }
}
