//! What a run of the election must satisfy. Each property is judged from the observations
//! (and, for liveness, the nodes' final states); its name and kind are written once, in the
//! protocol's table in `lib.rs`.

use ftsim_api::properties::{Pairwise, Stuck};
use ftsim_api::{Falsified, NodeId, Property, World};

use crate::process::{Node, Obs};

/// Safety: no two live nodes lead the same epoch. Built from [`Pairwise`], which remembers
/// where each declaration happened, so a violation names both leaders' events.
pub fn one_leader_per_epoch() -> Pairwise<Node, u64, u64> {
    Pairwise::new(
        |_, _, obs: &Obs| match *obs {
            Obs::Leader { epoch } => Some((epoch, epoch)),
            _ => None,
        },
        |w, earlier, now| {
            (earlier.node != now.node && w.is_up(earlier.node)).then(|| {
                format!(
                    "node {} became leader of epoch {}, which live node {} leads",
                    now.node, now.value, earlier.node
                )
            })
        },
    )
}

/// Liveness: at the end, every live node follows the highest live id. A violation names each
/// stray node's last step, in its message and as its evidence.
#[derive(Default)]
pub struct FollowsHighestLive;

impl Property<Node> for FollowsHighestLive {
    fn finish(&mut self, w: &World<'_, Node>) -> Result<(), Falsified> {
        let Some(highest) = w.nodes().filter(|&i| w.is_up(i)).max() else {
            return Ok(());
        };
        let stray: Vec<NodeId> = w
            .nodes()
            .filter(|&i| w.is_up(i) && w.state(i).leader() != Some(highest))
            .collect();
        if stray.is_empty() {
            return Ok(());
        }
        let stuck: Vec<Stuck> = stray.iter().map(|&i| Stuck::new(w, i, None)).collect();
        let follows: Vec<String> = stray
            .iter()
            .map(|&i| format!("node {i} follows {:?}", w.state(i).leader()))
            .collect();
        let message = format!(
            "at {} the highest live node is {highest}, but {} ({})",
            w.now,
            follows.join(", "),
            Stuck::details(&stuck, "")
        );
        Err(Falsified::new(message).citing(Stuck::evidence(&stuck)))
    }
}

/// Reachability: a leader crashed and another node took over after it.
#[derive(Default)]
pub struct LeaderReplaced {
    leaders: Vec<NodeId>,
    reached: bool,
}

impl Property<Node> for LeaderReplaced {
    fn observe(&mut self, w: &World<'_, Node>, node: NodeId, obs: &Obs) -> Result<(), Falsified> {
        if let Obs::Leader { .. } = obs {
            self.reached |= self.leaders.iter().any(|&l| l != node && w.ever_crashed(l));
            self.leaders.push(node);
        }
        Ok(())
    }

    fn finish(&mut self, _: &World<'_, Node>) -> Result<(), Falsified> {
        if self.reached {
            Ok(())
        } else {
            Err("no leader crashed and was replaced".into())
        }
    }
}
