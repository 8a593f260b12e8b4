//! What a run of the election must satisfy, judged from the observations and, where it matters
//! whether a leader still leads, the nodes' states. Names and kinds are in the table in
//! `mod.rs`.

use std::collections::BTreeMap;

use ftsim_api::properties::{event_ref, Pairwise, Stuck};
use ftsim_api::{Falsified, NodeId, Property, World};

use super::process::{ElectionNode, Obs};

/// Safety: no two live nodes lead the same epoch at once. An earlier leader counts while it is
/// up and still leads that epoch (a crash or a newer epoch ends a leadership). A violation
/// names both leaders' wins.
pub fn one_leader_per_epoch() -> Pairwise<ElectionNode, u64, u64> {
    Pairwise::new(
        |_: &World<'_, ElectionNode>, _, obs: &Obs| match *obs {
            Obs::Leader { epoch } => Some((epoch, epoch)),
            _ => None,
        },
        |w, earlier, now| {
            let epoch = now.value;
            let still = w.is_up(earlier.node) && w.state(earlier.node).leading() == Some(epoch);
            (earlier.node != now.node && still).then(|| {
                format!(
                    "node {} won epoch {epoch}, which live node {} still leads",
                    now.node, earlier.node
                )
            })
        },
    )
}

/// Where a recovered node stood when it came back: the highest epoch it had reached before
/// its crash, with the event that shows it.
#[derive(Clone, Copy, Debug)]
struct Recovery {
    event: u64,
    reached: Option<(u64, u64)>,
}

/// Safety: a node that recovered wins only an epoch newer than every epoch it had reached
/// before its crash (its own past: stable storage) and than every epoch a live node leads when
/// it wins (the group's present: catching up). A violation names the recovery, the win and
/// the epoch it missed (where the node reached it, or the live leader's win).
#[derive(Default)]
pub struct NoMissedEpoch {
    /// Per node, the highest epoch it stood in, led or followed, and where.
    reached: BTreeMap<NodeId, (u64, u64)>,
    /// Per node that recovered, its latest recovery.
    recovered: BTreeMap<NodeId, Recovery>,
    /// Where each (node, epoch) leadership was won.
    wins: BTreeMap<(NodeId, u64), u64>,
}

impl NoMissedEpoch {
    fn reach(&mut self, node: NodeId, epoch: u64, event: u64) {
        let entry = self.reached.entry(node).or_insert((epoch, event));
        if epoch > entry.0 {
            *entry = (epoch, event);
        }
    }

    /// The newest epoch a live node other than `node` leads, with its leader and win.
    fn newest_live_leader(
        &self,
        w: &World<'_, ElectionNode>,
        node: NodeId,
    ) -> Option<(u64, NodeId, u64)> {
        w.nodes()
            .filter(|&i| i != node && w.is_up(i))
            .filter_map(|i| {
                let epoch = w.state(i).leading()?;
                Some((epoch, i, *self.wins.get(&(i, epoch))?))
            })
            .max()
    }

    fn check_win(
        &mut self,
        w: &World<'_, ElectionNode>,
        node: NodeId,
        epoch: u64,
    ) -> Result<(), Falsified> {
        let Some(rec) = self.recovered.get(&node).copied() else {
            return Ok(());
        };
        let now = w.event();
        if let Some((past, at)) = rec.reached.filter(|&(past, _)| past >= epoch) {
            return Err(Falsified::new(format!(
                "node {node} won epoch {epoch} at {} after recovering at {}, but before its \
                 crash it had reached epoch {past} at {}",
                event_ref(now),
                event_ref(rec.event),
                event_ref(at)
            ))
            .citing([at, rec.event, now]));
        }
        if let Some((newer, leader, won)) = self
            .newest_live_leader(w, node)
            .filter(|&(newer, _, _)| newer > epoch)
        {
            return Err(Falsified::new(format!(
                "node {node} won epoch {epoch} at {} after recovering at {}, but live node \
                 {leader} leads the newer epoch {newer}, won at {}",
                event_ref(now),
                event_ref(rec.event),
                event_ref(won)
            ))
            .citing([won, rec.event, now]));
        }
        Ok(())
    }
}

impl Property<ElectionNode> for NoMissedEpoch {
    fn observe(
        &mut self,
        w: &World<'_, ElectionNode>,
        node: NodeId,
        obs: &Obs,
    ) -> Result<(), Falsified> {
        let event = w.event();
        match *obs {
            Obs::Recovered { .. } => {
                let reached = self.reached.get(&node).copied();
                self.recovered.insert(node, Recovery { event, reached });
            }
            Obs::Stand { epoch } | Obs::Follow { epoch, .. } => self.reach(node, epoch, event),
            Obs::Leader { epoch } => {
                self.check_win(w, node, epoch)?;
                self.wins.insert((node, epoch), event);
                self.reach(node, epoch, event);
            }
        }
        Ok(())
    }
}

/// Liveness: at the end, every live node follows the highest live id (which leads). A
/// violation names each stray node's last step.
#[derive(Default)]
pub struct FollowsHighestLive;

impl Property<ElectionNode> for FollowsHighestLive {
    fn finish(&mut self, w: &World<'_, ElectionNode>) -> Result<(), Falsified> {
        let Some(highest) = w.nodes().filter(|&i| w.is_up(i)).max() else {
            return Ok(());
        };
        let stray: Vec<NodeId> = w
            .nodes()
            .filter(|&i| w.is_up(i) && w.state(i).leader(i) != Some(highest))
            .collect();
        if stray.is_empty() {
            return Ok(());
        }
        let stuck: Vec<Stuck> = stray.iter().map(|&i| Stuck::new(w, i, None)).collect();
        let roles: Vec<String> = stray
            .iter()
            .map(|&i| format!("node {i} is {:?}", w.state(i).role))
            .collect();
        Err(Falsified::new(format!(
            "at {} the highest live node is {highest}, but {} ({})",
            w.now,
            roles.join(", "),
            Stuck::details(&stuck, "")
        ))
        .citing(Stuck::evidence(&stuck)))
    }
}

/// Reachability: a leader crashed and another node won after it.
#[derive(Default)]
pub struct LeaderReplaced {
    leaders: Vec<NodeId>,
    reached: bool,
}

impl Property<ElectionNode> for LeaderReplaced {
    fn observe(
        &mut self,
        w: &World<'_, ElectionNode>,
        node: NodeId,
        obs: &Obs,
    ) -> Result<(), Falsified> {
        if let Obs::Leader { .. } = obs {
            self.reached |= self.leaders.iter().any(|&l| l != node && w.ever_crashed(l));
            self.leaders.push(node);
        }
        Ok(())
    }

    fn finish(&mut self, _: &World<'_, ElectionNode>) -> Result<(), Falsified> {
        match self.reached {
            true => Ok(()),
            false => Err("no leader crashed and was replaced".into()),
        }
    }
}

/// Reachability: a node that recovered from a crash won an election afterwards, so the
/// epochs it kept and caught up on were put to the test.
#[derive(Default)]
pub struct RecoveredWon {
    recovered: Vec<NodeId>,
    reached: bool,
}

impl Property<ElectionNode> for RecoveredWon {
    fn observe(
        &mut self,
        _: &World<'_, ElectionNode>,
        node: NodeId,
        obs: &Obs,
    ) -> Result<(), Falsified> {
        match obs {
            Obs::Recovered { .. } => self.recovered.push(node),
            Obs::Leader { .. } => self.reached |= self.recovered.contains(&node),
            _ => {}
        }
        Ok(())
    }

    fn finish(&mut self, _: &World<'_, ElectionNode>) -> Result<(), Falsified> {
        match self.reached {
            true => Ok(()),
            false => Err("no recovered node won an election".into()),
        }
    }
}
