//! Two-phase commit's own properties: commit and abort validity. Atomicity, integrity and
//! termination are the shared consensus ones, over commit and abort as decided values.

use std::collections::{BTreeMap, BTreeSet};

use ftsim_api::{nodes_phrase, NodeId, Property, World};

use super::process::{Node, Obs, Why, COORDINATOR};

/// Commit-validity: a commit requires a yes vote from every participant.
#[derive(Default)]
pub struct CommitValidity {
    yes: BTreeSet<NodeId>,
}

impl Property<Node> for CommitValidity {
    fn observe(&mut self, w: &World<'_, Node>, node: NodeId, obs: &Obs) -> Result<(), String> {
        match obs {
            Obs::Vote { yes: true } => {
                self.yes.insert(node);
                Ok(())
            }
            Obs::Decide { commit: true, .. } => {
                let missing: Vec<NodeId> = (1..w.n()).filter(|p| !self.yes.contains(p)).collect();
                if missing.is_empty() {
                    Ok(())
                } else {
                    Err(format!(
                        "node {node} committed without a yes vote from {}",
                        nodes_phrase(&missing)
                    ))
                }
            }
            _ => Ok(()),
        }
    }
}

/// Abort-validity: an abort has a reason the history bears out. A no vote was cast if one is
/// claimed; the coordinator told the participant if it says so; and a participant that aborts
/// on its own never voted yes.
#[derive(Default)]
pub struct AbortValidity {
    votes: BTreeMap<NodeId, bool>,
    coordinator_aborted: bool,
}

impl Property<Node> for AbortValidity {
    fn observe(&mut self, _: &World<'_, Node>, node: NodeId, obs: &Obs) -> Result<(), String> {
        let why = match obs {
            Obs::Vote { yes } => {
                self.votes.insert(node, *yes);
                return Ok(());
            }
            Obs::Decide { commit: true, .. } => return Ok(()),
            Obs::Decide { commit: false, why } => *why,
        };
        if node == COORDINATOR {
            self.coordinator_aborted = true;
        }
        let ok = match why {
            Why::NoVote => self.votes.values().any(|v| !v),
            Why::Timeout | Why::Recovered => node == COORDINATOR,
            Why::Told => self.coordinator_aborted,
            Why::NoRecord => self.votes.get(&node) != Some(&true),
            Why::AllYes => false,
        };
        if ok {
            Ok(())
        } else {
            Err(match why {
                Why::NoRecord => format!("node {node} aborted on its own after voting yes"),
                other => format!("node {node} aborted ({other:?}) without cause"),
            })
        }
    }
}
