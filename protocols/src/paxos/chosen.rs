//! Which values are chosen, judged from `Accept` observations alone (what acceptors did, not
//! what anyone learned): the bookkeeping behind the safety properties.

use std::collections::{BTreeMap, BTreeSet};

use ftsim_api::{NodeId, NodeSet};

use super::process::{majority, Ballot, Obs};

/// Which values a majority of acceptors accepted in one ballot.
#[derive(Default)]
pub struct ChosenTracker {
    votes: BTreeMap<(Ballot, u64), NodeSet>,
    /// Every chosen value with the first ballot that chose it.
    chosen: BTreeMap<u64, Ballot>,
    /// (ballot, value) pairs that reached a majority.
    choices: BTreeSet<(Ballot, u64)>,
}

impl ChosenTracker {
    /// Counts an observation; returns `(value, ballot)` when it makes a (ballot, value) pair
    /// reach a majority for the first time.
    pub fn observe(&mut self, n: usize, node: NodeId, obs: &Obs) -> Option<(u64, Ballot)> {
        let Obs::Accept { ballot, value } = *obs else {
            return None;
        };
        let voters = self.votes.entry((ballot, value)).or_default();
        voters.insert(node);
        if voters.len() < majority(n) || !self.choices.insert((ballot, value)) {
            return None;
        }
        self.chosen.entry(value).or_insert(ballot);
        Some((value, ballot))
    }

    pub fn is_chosen(&self, value: u64) -> bool {
        self.chosen.contains_key(&value)
    }

    /// A chosen value other than `value` (the lowest), with the first ballot that chose it.
    pub fn other_than(&self, value: u64) -> Option<(u64, Ballot)> {
        self.chosen
            .iter()
            .find(|(&v, _)| v != value)
            .map(|(&v, &b)| (v, b))
    }

    /// The acceptors that accepted `value` in `ballot`.
    pub fn voters(&self, ballot: Ballot, value: u64) -> Vec<NodeId> {
        let set = self
            .votes
            .get(&(ballot, value))
            .copied()
            .unwrap_or_default();
        set.iter().collect()
    }
}
