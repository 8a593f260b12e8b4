//! What a run of the membership service must satisfy, judged from the installs, deliveries and
//! multicasts the processes observe and, at the end, their states. Names and kinds are in the
//! table in `mod.rs`.

use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};

use ftsim_api::properties::{event_ref, Pairwise, Stuck};
use ftsim_api::sim_core::entropy::DetHasher;
use ftsim_api::{Explorable, Falsified, NodeId, NodeSet, Property, World};

use super::log::{Digest, MsgId, ViewId};
use super::process::{GroupMember, Obs};

/// An observation's process, its incarnation then, and where it was made: what a property
/// needs to tell whether that process still stands by it.
#[derive(Clone, Copy, Debug)]
struct By {
    node: NodeId,
    inc: u32,
    event: u64,
}

impl By {
    /// Whether the process that made the observation is still up, in the same incarnation.
    /// A process that crashed took its last deliveries and views with it (the coordinator
    /// applies an entry before its members hear of it): they bind nobody alive.
    fn stands(&self, w: &World<'_, GroupMember>) -> bool {
        w.is_up(self.node) && w.state(self.node).incarnation() == self.inc
    }

    /// For a search: who made it, in which incarnation; not where (an event number).
    fn fingerprint(&self, hasher: &mut DetHasher) {
        hasher.write_usize(self.node);
        hasher.write_u32(self.inc);
    }
}

/// For a search: the messages of a [`Delivered`], not the events that delivered them.
fn fingerprint_delivered(delivered: &Delivered, hasher: &mut DetHasher) {
    hasher.write_usize(delivered.len());
    delivered.keys().for_each(|id| id.hash(hasher));
}

/// Safety: every two processes that install view k, while both stand by it (up, in the same
/// incarnation), installed the same members; and each incarnation installs views in
/// increasing order. Together: views are installed in the same order by all who install them.
/// A violation names both installations.
#[derive(Clone, Default)]
pub struct ViewsAgree {
    /// Per view: its installations, with their members.
    installs: BTreeMap<ViewId, Vec<(By, NodeSet)>>,
    /// Per process: its incarnation's last installed view, and where.
    last: BTreeMap<NodeId, (u32, ViewId, u64)>,
}

impl Property<GroupMember> for ViewsAgree {
    fn observe(
        &mut self,
        w: &World<'_, GroupMember>,
        node: NodeId,
        obs: &Obs,
    ) -> Result<(), Falsified> {
        let &Obs::Install {
            view, members, inc, ..
        } = obs
        else {
            return Ok(());
        };
        let now = w.event();
        if let Some(&(_, before, at)) = self
            .last
            .get(&node)
            .filter(|&&(i, v, _)| i == inc && v >= view)
        {
            return Err(Falsified::new(format!(
                "node {node} installed view {view} at {} after view {before} at {}: out of order",
                event_ref(now),
                event_ref(at)
            ))
            .citing([at, now]));
        }
        self.last.insert(node, (inc, view, now));
        let earlier = self.installs.entry(view).or_default();
        if let Some((by, theirs)) = earlier
            .iter()
            .find(|(by, theirs)| *theirs != members && by.stands(w))
        {
            return Err(Falsified::new(format!(
                "node {node} installed view {view} as {members:?} at {}, but node {} installed it \
                 as {theirs:?} at {}",
                event_ref(now),
                by.node,
                event_ref(by.event)
            ))
            .citing([by.event, now]));
        }
        earlier.push((
            By {
                node,
                inc,
                event: now,
            },
            members,
        ));
        Ok(())
    }
}

impl Explorable<GroupMember> for ViewsAgree {
    fn fingerprint(&self, hasher: &mut DetHasher) {
        hasher.write_usize(self.installs.len());
        for (view, installs) in &self.installs {
            hasher.write_u64(*view);
            hasher.write_usize(installs.len());
            for (by, members) in installs {
                by.fingerprint(hasher);
                members.hash(hasher);
            }
        }
        hasher.write_usize(self.last.len());
        for (node, &(inc, view, _)) in &self.last {
            hasher.write_usize(*node);
            hasher.write_u32(inc);
            hasher.write_u64(view);
        }
    }
}

/// What a process delivered in one view, message by message, with the events.
type Delivered = BTreeMap<MsgId, u64>;

/// Safety (view synchrony): processes that install the same two consecutive views, and stand
/// by them, delivered the same messages in between. A violation names both installations of
/// the second view and the delivery one of them lacks.
#[derive(Clone, Default)]
pub struct ViewSynchrony {
    /// Per process: the view it is in and what it delivered there so far.
    current: BTreeMap<NodeId, (ViewId, Delivered)>,
    /// Per pair of consecutive views: the processes that went from one to the other, where,
    /// and what each delivered in the first.
    passed: BTreeMap<(ViewId, ViewId), Vec<(By, Delivered)>>,
}

impl ViewSynchrony {
    fn compare(
        &mut self,
        w: &World<'_, GroupMember>,
        me: By,
        views: (ViewId, ViewId),
        mine: Delivered,
    ) -> Result<(), Falsified> {
        let (node, now) = (me.node, me.event);
        let (prev, view) = views;
        let passed = self.passed.entry(views).or_default();
        for (by, theirs) in passed.iter().filter(|(by, _)| by.stands(w)) {
            let other = by.node;
            if let Some((m, &d)) = theirs.iter().find(|(m, _)| !mine.contains_key(m)) {
                return Err(Falsified::new(format!(
                    "node {node} went from view {prev} to view {view} at {} without delivering \
                     {m:?}, which node {other} delivered in view {prev} at {} before installing \
                     view {view} at {}",
                    event_ref(now),
                    event_ref(d),
                    event_ref(by.event)
                ))
                .citing([by.event, now, d]));
            }
            if let Some((m, &d)) = mine.iter().find(|(m, _)| !theirs.contains_key(m)) {
                return Err(Falsified::new(format!(
                    "node {node} delivered {m:?} in view {prev} at {} and installed view {view} \
                     at {}, but node {other} went from view {prev} to view {view} at {} without \
                     it",
                    event_ref(d),
                    event_ref(now),
                    event_ref(by.event)
                ))
                .citing([by.event, now, d]));
            }
        }
        passed.push((me, mine));
        Ok(())
    }
}

impl Property<GroupMember> for ViewSynchrony {
    fn observe(
        &mut self,
        w: &World<'_, GroupMember>,
        node: NodeId,
        obs: &Obs,
    ) -> Result<(), Falsified> {
        match *obs {
            Obs::Deliver { id, view } => {
                if let Some((v, delivered)) = self.current.get_mut(&node) {
                    if *v == view {
                        delivered.insert(id, w.event());
                    }
                }
                Ok(())
            }
            Obs::Install {
                view, prev, inc, ..
            } => {
                let was = self.current.insert(node, (view, Delivered::new()));
                let me = By {
                    node,
                    inc,
                    event: w.event(),
                };
                match (prev, was) {
                    (Some(prev), Some((v, mine))) if v == prev => {
                        self.compare(w, me, (prev, view), mine)
                    }
                    _ => Ok(()),
                }
            }
            Obs::Recovered { .. } => {
                self.current.remove(&node);
                Ok(())
            }
            Obs::Multicast { .. } | Obs::Repaired { .. } => Ok(()),
        }
    }
}

impl Explorable<GroupMember> for ViewSynchrony {
    fn fingerprint(&self, hasher: &mut DetHasher) {
        hasher.write_usize(self.current.len());
        for (node, (view, delivered)) in &self.current {
            hasher.write_usize(*node);
            hasher.write_u64(*view);
            fingerprint_delivered(delivered, hasher);
        }
        hasher.write_usize(self.passed.len());
        for (&(prev, view), passed) in &self.passed {
            hasher.write_u64(prev);
            hasher.write_u64(view);
            hasher.write_usize(passed.len());
            for (by, delivered) in passed {
                by.fingerprint(hasher);
                fingerprint_delivered(delivered, hasher);
            }
        }
    }
}

/// Safety: every two processes that install view k, while both stand by it, had the same
/// state then (the same messages delivered, in the same order), so a rejoined process starts
/// from the group's state. A violation names both installations.
pub fn joined_state() -> Pairwise<GroupMember, ViewId, (Digest, u32)> {
    Pairwise::new(
        |_: &World<'_, GroupMember>, _, obs: &Obs| match *obs {
            Obs::Install {
                view, state, inc, ..
            } => Some((view, (state, inc))),
            _ => None,
        },
        |w, earlier, now| {
            let by = By {
                node: earlier.node,
                inc: earlier.value.1,
                event: earlier.event,
            };
            let (mine, theirs) = (now.value.0, earlier.value.0);
            (mine != theirs && by.stands(w)).then(|| {
                let how = if mine.messages == theirs.messages {
                    " (as many, but not the same)"
                } else {
                    ""
                };
                format!(
                    "node {} installed a view with a state of {} message(s), but node {} \
                     installed it with {}{how}",
                    now.node, mine.messages, earlier.node, theirs.messages
                )
            })
        },
    )
}

/// Safety: no incarnation of a process delivers a message twice. (A process that crashes
/// loses what it delivered; its next incarnation may deliver the message again, as part of
/// the group's state or anew if the crash lost it everywhere.) A violation names both
/// deliveries.
#[derive(Clone, Default)]
pub struct DeliveredOnce {
    delivered: BTreeMap<NodeId, BTreeMap<MsgId, u64>>,
}

impl Property<GroupMember> for DeliveredOnce {
    fn observe(
        &mut self,
        w: &World<'_, GroupMember>,
        node: NodeId,
        obs: &Obs,
    ) -> Result<(), Falsified> {
        match *obs {
            Obs::Recovered { .. } => {
                self.delivered.remove(&node);
            }
            Obs::Deliver { id, .. } => {
                let now = w.event();
                if let Some(&first) = self.delivered.entry(node).or_default().get(&id) {
                    return Err(Falsified::new(format!(
                        "node {node} delivered {id:?} twice, at {} and at {}",
                        event_ref(first),
                        event_ref(now)
                    ))
                    .citing([first, now]));
                }
                self.delivered.entry(node).or_default().insert(id, now);
            }
            _ => {}
        }
        Ok(())
    }
}

impl Explorable<GroupMember> for DeliveredOnce {
    fn fingerprint(&self, hasher: &mut DetHasher) {
        hasher.write_usize(self.delivered.len());
        for (node, delivered) in &self.delivered {
            hasher.write_usize(*node);
            fingerprint_delivered(delivered, hasher);
        }
    }
}

/// Liveness: at the end every live process is in one view, whose members are exactly the live
/// processes. A violation names the stray processes' last steps.
#[derive(Default)]
pub struct ViewsConverge;

impl Property<GroupMember> for ViewsConverge {
    fn finish(&mut self, w: &World<'_, GroupMember>) -> Result<(), Falsified> {
        let up: NodeSet = w.nodes().filter(|&i| w.is_up(i)).collect();
        let newest = up
            .iter()
            .filter_map(|i| w.state(i).view())
            .max_by_key(|v| v.id);
        let Some(newest) = newest else {
            return Ok(()); // nobody up, or nobody in a view: the strays below say which
        };
        let stray: Vec<NodeId> = up
            .iter()
            .filter(|&i| w.state(i).view() != Some(newest))
            .collect();
        if stray.is_empty() && newest.nodes() == up {
            return Ok(());
        }
        let blame: Vec<NodeId> = if stray.is_empty() {
            up.iter().collect()
        } else {
            stray.clone()
        };
        let stuck: Vec<Stuck> = blame.iter().map(|&i| Stuck::new(w, i, None)).collect();
        let views: Vec<String> = blame
            .iter()
            .map(|&i| format!("node {i} is in {:?}", w.state(i).view()))
            .collect();
        Err(Falsified::new(format!(
            "at {} the live processes are {up:?} and the newest view is {newest:?}: {} ({})",
            w.now,
            views.join(", "),
            Stuck::details(&stuck, "")
        ))
        .citing(Stuck::evidence(&stuck)))
    }
}

/// Liveness: at the end every live process knows (delivered, or got by state transfer) every
/// message multicast by a process that never crashed. A violation names the multicasts and the
/// lacking processes' last steps.
#[derive(Default)]
pub struct AllDelivered {
    multicasts: BTreeMap<MsgId, u64>,
}

impl Property<GroupMember> for AllDelivered {
    fn observe(
        &mut self,
        w: &World<'_, GroupMember>,
        _: NodeId,
        obs: &Obs,
    ) -> Result<(), Falsified> {
        if let Obs::Multicast { id } = *obs {
            self.multicasts.insert(id, w.event());
        }
        Ok(())
    }

    fn finish(&mut self, w: &World<'_, GroupMember>) -> Result<(), Falsified> {
        let mut missing = Vec::new();
        for (&id, &at) in self
            .multicasts
            .iter()
            .filter(|(id, _)| !w.ever_crashed(id.from))
        {
            for node in w.nodes().filter(|&i| w.is_up(i) && !w.state(i).knows(id)) {
                missing.push((node, id, at));
            }
        }
        if missing.is_empty() {
            return Ok(());
        }
        let lacking: NodeSet = missing.iter().map(|&(n, _, _)| n).collect();
        let stuck: Vec<Stuck> = lacking.iter().map(|n| Stuck::new(w, n, None)).collect();
        let mut evidence = Stuck::evidence(&stuck);
        evidence.extend(missing.iter().map(|&(_, _, at)| at));
        evidence.sort_unstable();
        evidence.dedup();
        let shown: Vec<String> = missing
            .iter()
            .take(3)
            .map(|&(n, id, at)| format!("node {n} lacks {id:?}, multicast at {}", event_ref(at)))
            .collect();
        Err(Falsified::new(format!(
            "at {}: {}; {} missing in all ({})",
            w.now,
            shown.join("; "),
            missing.len(),
            Stuck::details(&stuck, "")
        ))
        .citing(evidence))
    }
}

/// Reachability: a process that had crashed installed a view it joined with a non-empty state,
/// so a state transfer did real work.
#[derive(Default)]
pub struct RejoinedWithState(bool);

impl Property<GroupMember> for RejoinedWithState {
    fn observe(
        &mut self,
        w: &World<'_, GroupMember>,
        node: NodeId,
        obs: &Obs,
    ) -> Result<(), Falsified> {
        if let Obs::Install {
            prev: None, state, ..
        } = obs
        {
            self.0 |= w.ever_crashed(node) && state.messages > 0;
        }
        Ok(())
    }

    fn finish(&mut self, _: &World<'_, GroupMember>) -> Result<(), Falsified> {
        match self.0 {
            true => Ok(()),
            false => Err("no recovered process rejoined with a non-empty state".into()),
        }
    }
}

/// Reachability: a new coordinator's flush sent a survivor deliveries it had missed (the old
/// coordinator's multicast reached only some members before it crashed).
#[derive(Default)]
pub struct FlushRepaired(bool);

impl Property<GroupMember> for FlushRepaired {
    fn observe(
        &mut self,
        _: &World<'_, GroupMember>,
        _: NodeId,
        obs: &Obs,
    ) -> Result<(), Falsified> {
        if let Obs::Repaired { messages, .. } = *obs {
            self.0 |= messages > 0;
        }
        Ok(())
    }

    fn finish(&mut self, _: &World<'_, GroupMember>) -> Result<(), Falsified> {
        match self.0 {
            true => Ok(()),
            false => Err("no flush repaired a survivor's deliveries".into()),
        }
    }
}
