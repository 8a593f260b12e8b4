//! Two-phase commit's own properties: commit and abort validity. Atomicity, integrity and
//! termination are the shared consensus ones, over commit and abort as decided values.

use std::hash::{Hash, Hasher};

use ftsim_api::properties::{event_ref, events_phrase, ByNode};
use ftsim_api::sim_core::entropy::DetHasher;
use ftsim_api::{nodes_phrase, Explorable, Falsified, NodeId, Property, World};

use super::messages::{Obs, Why, COORDINATOR};
use super::process::Node;

/// Commit-validity: a commit requires a yes vote from every participant. A violation names the
/// commit and, for each participant without a yes vote, its no vote or its last step.
#[derive(Clone, Default)]
pub struct CommitValidity {
    /// Each participant's vote and the event it was cast at.
    votes: ByNode<(bool, u64)>,
}

impl Property<Node> for CommitValidity {
    fn observe(&mut self, w: &World<'_, Node>, node: NodeId, obs: &Obs) -> Result<(), Falsified> {
        match obs {
            Obs::Vote { yes } => {
                self.votes.insert(node, (*yes, w.event()));
                Ok(())
            }
            Obs::Decide { commit: true, .. } => {
                let missing: Vec<NodeId> = (1..w.n())
                    .filter(|p| !matches!(self.votes.get(*p), Some((true, _))))
                    .collect();
                if missing.is_empty() {
                    return Ok(());
                }
                let mut evidence = vec![w.event()];
                let why: Vec<String> = missing
                    .iter()
                    .map(|&p| match self.votes.get(p) {
                        Some(&(_, at)) => {
                            evidence.push(at);
                            format!("node {p} voted no at {}", event_ref(at))
                        }
                        None => {
                            evidence.extend(w.last_event(p));
                            match w.last_event(p) {
                                Some(last) => {
                                    format!("node {p} never voted, last step {}", event_ref(last))
                                }
                                None => format!("node {p} never ran"),
                            }
                        }
                    })
                    .collect();
                Err(Falsified::new(format!(
                    "node {node} committed at {} without a yes vote from {} ({})",
                    event_ref(w.event()),
                    nodes_phrase(&missing),
                    why.join("; ")
                ))
                .citing(evidence))
            }
            _ => Ok(()),
        }
    }
}

impl Explorable<Node> for CommitValidity {
    /// Who voted what (not where).
    fn fingerprint(&self, hasher: &mut DetHasher) {
        hash_votes(&self.votes, hasher);
    }
}

/// Abort-validity: an abort has a reason the history bears out. A no vote was cast if one is
/// claimed; the coordinator told the participant if it says so; and a participant that aborts
/// on its own never voted yes. A violation names the abort and what contradicts its reason
/// (the yes votes, the participant's own yes vote, the coordinator's last step).
#[derive(Clone, Default)]
pub struct AbortValidity {
    /// Each participant's vote and the event it was cast at.
    votes: ByNode<(bool, u64)>,
    coordinator_aborted: bool,
}

impl AbortValidity {
    /// Why an abort for `why` at `node` has no cause, and the events that show it; `None` if
    /// the history bears the reason out.
    fn unfounded(&self, w: &World<'_, Node>, node: NodeId, why: Why) -> Option<(String, Vec<u64>)> {
        // Built only for an abort that is judged unfounded: most aborts are not.
        let votes = || -> Vec<u64> { self.votes.values().map(|&(_, at)| at).collect() };
        let at = || event_ref(w.event());
        match why {
            Why::NoVote if self.votes.values().all(|&(yes, _)| yes) => {
                let votes = votes();
                Some((
                    format!(
                        "node {node} aborted (NoVote) at {} without cause: no participant voted \
                         no (votes at {})",
                        at(),
                        events_phrase(&votes)
                    ),
                    votes,
                ))
            }
            Why::Timeout | Why::Recovered if node != COORDINATOR => Some((
                format!(
                    "node {node} aborted ({why:?}) at {} without cause: only the coordinator may",
                    at()
                ),
                Vec::new(),
            )),
            Why::Told if !self.coordinator_aborted => {
                let last = w.last_event(COORDINATOR);
                Some((
                    format!(
                        "node {node} aborted (Told) at {} without cause: the coordinator had not \
                         aborted (its last step: {})",
                        at(),
                        last.map_or("none".to_string(), event_ref)
                    ),
                    last.into_iter().collect(),
                ))
            }
            Why::NoRecord => match self.votes.get(node) {
                Some(&(true, voted)) => Some((
                    format!(
                        "node {node} aborted on its own at {} after voting yes at {}",
                        at(),
                        event_ref(voted)
                    ),
                    vec![voted],
                )),
                _ => None,
            },
            Why::AllYes => Some((
                format!(
                    "node {node} aborted (AllYes) at {} without cause: every vote was yes",
                    at()
                ),
                votes(),
            )),
            _ => None,
        }
    }
}

impl Property<Node> for AbortValidity {
    fn observe(&mut self, w: &World<'_, Node>, node: NodeId, obs: &Obs) -> Result<(), Falsified> {
        let why = match obs {
            Obs::Vote { yes } => {
                self.votes.insert(node, (*yes, w.event()));
                return Ok(());
            }
            Obs::Decide { commit: true, .. } => return Ok(()),
            Obs::Decide { commit: false, why } => *why,
        };
        if node == COORDINATOR {
            self.coordinator_aborted = true;
        }
        match self.unfounded(w, node, why) {
            None => Ok(()),
            Some((message, events)) => {
                Err(Falsified::new(message).citing(events).citing([w.event()]))
            }
        }
    }
}

impl Explorable<Node> for AbortValidity {
    /// Who voted what (not where), and whether the coordinator aborted.
    fn fingerprint(&self, hasher: &mut DetHasher) {
        hash_votes(&self.votes, hasher);
        self.coordinator_aborted.hash(hasher);
    }
}

/// Hashes each participant's vote, leaving out the event it was cast at (two paths to one
/// state cast the same votes at different events).
fn hash_votes(votes: &ByNode<(bool, u64)>, hasher: &mut DetHasher) {
    hasher.write_usize(votes.len());
    for (node, (yes, _)) in votes.iter() {
        node.hash(hasher);
        yes.hash(hasher);
    }
}
