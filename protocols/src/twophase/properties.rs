//! Two-phase commit's own properties: commit and abort validity. Atomicity, integrity and
//! termination are the shared consensus ones, over commit and abort as decided values. Both
//! read observations through [`CommitObs`], so a two-phase commit written in another language
//! (`ftsim-external`) is judged by these very properties.

use std::hash::{Hash, Hasher};

use ftsim_api::properties::{event_ref, events_phrase, ByNode};
use ftsim_api::sim_core::entropy::DetHasher;
use ftsim_api::{nodes_phrase, Explorable, Falsified, NodeId, Process, Property, World};

use super::messages::{Obs, Why, COORDINATOR};

/// What two-phase commit's own properties read of an observation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CommitEvent {
    /// A participant votes.
    Vote {
        /// Yes or no.
        yes: bool,
    },
    /// A process commits.
    Commit,
    /// A process aborts, for this reason (or a reason that is none of [`Why`]'s, in words).
    Abort(Result<Why, String>),
}

/// An observation type that may carry a vote or a commit-or-abort decision.
pub trait CommitObs {
    /// The vote or decision this observation reports, if it is one.
    fn commit_event(&self) -> Option<CommitEvent>;
}

impl CommitObs for Obs {
    fn commit_event(&self) -> Option<CommitEvent> {
        Some(match self {
            Obs::Vote { yes } => CommitEvent::Vote { yes: *yes },
            Obs::Decide { commit: true, .. } => CommitEvent::Commit,
            Obs::Decide { commit: false, why } => CommitEvent::Abort(Ok(*why)),
        })
    }
}

/// Commit-validity: a commit requires a yes vote from every participant. A violation names the
/// commit and, for each participant without a yes vote, its no vote or its last step.
#[derive(Clone, Default)]
pub struct CommitValidity {
    /// Each participant's vote and the event it was cast at.
    votes: ByNode<(bool, u64)>,
}

impl<P: Process> Property<P> for CommitValidity
where
    P::Obs: CommitObs,
{
    fn observe(&mut self, w: &World<'_, P>, node: NodeId, obs: &P::Obs) -> Result<(), Falsified> {
        match obs.commit_event() {
            Some(CommitEvent::Vote { yes }) => {
                self.votes.insert(node, (yes, w.event()));
                Ok(())
            }
            Some(CommitEvent::Commit) => {
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

impl<P: Process> Explorable<P> for CommitValidity
where
    P::Obs: CommitObs,
{
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
    fn unfounded<P: Process>(
        &self,
        w: &World<'_, P>,
        node: NodeId,
        why: Why,
    ) -> Option<(String, Vec<u64>)> {
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

impl<P: Process> Property<P> for AbortValidity
where
    P::Obs: CommitObs,
{
    fn observe(&mut self, w: &World<'_, P>, node: NodeId, obs: &P::Obs) -> Result<(), Falsified> {
        let why = match obs.commit_event() {
            Some(CommitEvent::Vote { yes }) => {
                self.votes.insert(node, (yes, w.event()));
                return Ok(());
            }
            Some(CommitEvent::Abort(why)) => why,
            Some(CommitEvent::Commit) | None => return Ok(()),
        };
        let why = why.map_err(|text| {
            Falsified::new(format!(
                "node {node} aborted at {} for a reason that is none of two-phase commit's \
                 ({}): {text}",
                event_ref(w.event()),
                Why::NAMES.join(", ")
            ))
            .citing([w.event()])
        })?;
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

impl<P: Process> Explorable<P> for AbortValidity
where
    P::Obs: CommitObs,
{
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
