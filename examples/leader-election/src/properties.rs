//! What a run of the election must satisfy. Each property is judged from the observations
//! (and, for liveness, the nodes' final states); its name and kind are written once, in the
//! protocol's table in `lib.rs`.

use std::collections::BTreeMap;

use ftsim_api::{NodeId, Property, World};

use crate::process::{Node, Obs};

/// Safety: no two live nodes lead the same epoch. A violation names both leaders.
#[derive(Default)]
pub struct OneLeaderPerEpoch {
    /// Each epoch's leader and the event where it took over.
    leaders: BTreeMap<u64, (NodeId, u64)>,
    /// After a violation: the other leader's event, for the diagram.
    other: Option<u64>,
}

impl Property<Node> for OneLeaderPerEpoch {
    fn observe(&mut self, w: &World<'_, Node>, node: NodeId, obs: &Obs) -> Result<(), String> {
        let Obs::Leader { epoch } = *obs else {
            return Ok(());
        };
        match self.leaders.get(&epoch) {
            Some(&(other, event)) if other != node && w.is_up(other) => {
                self.other = Some(event);
                Err(format!(
                    "node {node} became leader of epoch {epoch}, which live node {other} leads"
                ))
            }
            _ => {
                self.leaders.insert(epoch, (node, w.event()));
                Ok(())
            }
        }
    }

    fn related_events(&self) -> Vec<u64> {
        self.other.into_iter().collect()
    }
}

/// Liveness: at the end, every live node follows the highest live id.
#[derive(Default)]
pub struct FollowsHighestLive;

impl Property<Node> for FollowsHighestLive {
    fn finish(&mut self, w: &World<'_, Node>) -> Result<(), String> {
        let Some(highest) = w.nodes().filter(|&i| w.is_up(i)).max() else {
            return Ok(());
        };
        let stray: Vec<String> = w
            .nodes()
            .filter(|&i| w.is_up(i) && w.state(i).leader() != Some(highest))
            .map(|i| format!("node {i} follows {:?}", w.state(i).leader()))
            .collect();
        if stray.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "at {} the highest live node is {highest}, but {}",
                w.now,
                stray.join(", ")
            ))
        }
    }
}

/// Reachability: a leader crashed and another node took over after it.
#[derive(Default)]
pub struct LeaderReplaced {
    leaders: Vec<NodeId>,
    reached: bool,
}

impl Property<Node> for LeaderReplaced {
    fn observe(&mut self, w: &World<'_, Node>, node: NodeId, obs: &Obs) -> Result<(), String> {
        if let Obs::Leader { .. } = obs {
            self.reached |= self.leaders.iter().any(|&l| l != node && w.ever_crashed(l));
            self.leaders.push(node);
        }
        Ok(())
    }

    fn finish(&mut self, _: &World<'_, Node>) -> Result<(), String> {
        if self.reached {
            Ok(())
        } else {
            Err("no leader crashed and was replaced".into())
        }
    }
}
