//! The transactions' other properties: atomicity and commit-validity (two-phase commit's, per
//! transaction) and the reachability properties that prove a sweep exercised lock conflicts
//! and retries. Serialisability and termination have files of their own.

use std::collections::BTreeMap;
use std::hash::Hash;

use ftsim_api::properties::{event_ref, Pairwise};
use ftsim_api::sim_core::entropy::DetHasher;
use ftsim_api::{Explorable, Falsified, NodeId, Property, World};

use super::messages::{Obs, TxnId};
use super::process::Node;

fn verb(commit: bool) -> &'static str {
    if commit {
        "committed"
    } else {
        "aborted"
    }
}

/// Atomicity: the client and every server of a transaction apply the same decision. Built
/// from [`Pairwise`] over the client's decision and each server's applied one, so a violation
/// names both events.
pub fn atomicity() -> Pairwise<Node, TxnId, (TxnId, bool)> {
    Pairwise::new(
        |_, _, obs: &Obs| match *obs {
            Obs::Decide { txn, commit, .. } | Obs::Applied { txn, commit } => {
                Some((txn, (txn, commit)))
            }
            _ => None,
        },
        |_, earlier, now| {
            let ((txn, before), (_, after)) = (earlier.value, now.value);
            (before != after).then(|| {
                format!(
                    "node {} {} {txn} but node {} {} it",
                    earlier.node,
                    verb(before),
                    now.node,
                    verb(after)
                )
            })
        },
    )
}

/// Commit-validity: a client commits a transaction only once every server that granted it a
/// lock voted yes. A violation names the commit and each server's missing or no vote.
#[derive(Clone, Default)]
pub struct CommitValidity {
    /// Each transaction's servers (those that granted it a lock) and their votes (and the
    /// event of the vote), `None` before voting.
    servers: BTreeMap<TxnId, BTreeMap<NodeId, Option<(bool, u64)>>>,
}

impl Property<Node> for CommitValidity {
    fn observe(&mut self, w: &World<'_, Node>, node: NodeId, obs: &Obs) -> Result<(), Falsified> {
        match *obs {
            Obs::Granted { txn, .. } => {
                self.servers
                    .entry(txn)
                    .or_default()
                    .entry(node)
                    .or_insert(None);
            }
            Obs::Vote { txn, yes } => {
                let votes = self.servers.entry(txn).or_default();
                votes.insert(node, Some((yes, w.event())));
            }
            Obs::Decide {
                txn, commit: true, ..
            } => {
                let votes = self.servers.remove(&txn).unwrap_or_default();
                let mut why = Vec::new();
                let mut evidence = vec![w.event()];
                for (server, vote) in votes {
                    match vote {
                        Some((true, _)) => {}
                        Some((false, at)) => {
                            evidence.push(at);
                            why.push(format!("server {server} voted no at {}", event_ref(at)));
                        }
                        None => why.push(format!("server {server} never voted")),
                    }
                }
                if !why.is_empty() {
                    return Err(Falsified::new(format!(
                        "client {node} committed {txn} at {} without every yes: {}",
                        event_ref(w.event()),
                        why.join("; ")
                    ))
                    .citing(evidence));
                }
            }
            _ => {}
        }
        Ok(())
    }
}

impl Explorable<Node> for CommitValidity {
    /// Each open transaction's servers and votes (not where they were cast).
    fn fingerprint(&self, hasher: &mut DetHasher) {
        for (txn, votes) in &self.servers {
            txn.hash(hasher);
            for (server, vote) in votes {
                (server, vote.map(|(yes, _)| yes)).hash(hasher);
            }
        }
    }
}

/// Reached when a transaction asked for a lock another one held (queued or refused).
#[derive(Default)]
pub struct LockConflict {
    reached: bool,
}

impl Property<Node> for LockConflict {
    fn observe(&mut self, _: &World<'_, Node>, _: NodeId, obs: &Obs) -> Result<(), Falsified> {
        self.reached |= matches!(obs, Obs::Queued { .. } | Obs::Refused { .. });
        Ok(())
    }

    fn finish(&mut self, _: &World<'_, Node>) -> Result<(), Falsified> {
        if self.reached {
            Ok(())
        } else {
            Err("no transaction asked for a lock another one held".into())
        }
    }
}

/// Reached when a transaction committed on a retry after an aborted attempt (refused a lock,
/// under no-wait, or voted down).
#[derive(Default)]
pub struct CommittedAfterAbort {
    reached: bool,
}

impl Property<Node> for CommittedAfterAbort {
    fn observe(&mut self, _: &World<'_, Node>, _: NodeId, obs: &Obs) -> Result<(), Falsified> {
        if let Obs::Decide {
            txn, commit: true, ..
        } = obs
        {
            self.reached |= txn.attempt > 1;
        }
        Ok(())
    }

    fn finish(&mut self, _: &World<'_, Node>) -> Result<(), Falsified> {
        if self.reached {
            Ok(())
        } else {
            Err("no transaction committed after an aborted attempt".into())
        }
    }
}
