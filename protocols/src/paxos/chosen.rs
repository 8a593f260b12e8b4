//! Which values are chosen, judged from `Accept` observations alone (what acceptors did, not
//! what anyone learned): the bookkeeping behind the safety properties. Every accept is kept
//! with its event, so a violation can name the accepts that chose a value.

use std::collections::BTreeMap;
use std::hash::Hasher;

use ftsim_api::sim_core::entropy::DetHasher;

use ftsim_api::NodeId;

use super::messages::{majority, Ballot, Obs};

/// Which values a majority of acceptors accepted in one ballot, and where.
#[derive(Clone, Default)]
pub struct ChosenTracker {
    /// Per (ballot, value): each acceptor that accepted it and the event of its first accept.
    votes: BTreeMap<(Ballot, u64), BTreeMap<NodeId, u64>>,
    /// Every chosen value with the first ballot that chose it.
    chosen: BTreeMap<u64, Ballot>,
    /// (ballot, value) pairs that reached a majority, with the event of the accept that did.
    choices: BTreeMap<(Ballot, u64), u64>,
}

impl ChosenTracker {
    /// Counts an observation at `event`; returns `(value, ballot)` when it makes a (ballot,
    /// value) pair reach a majority for the first time.
    pub fn observe(
        &mut self,
        n: usize,
        node: NodeId,
        event: u64,
        obs: &Obs,
    ) -> Option<(u64, Ballot)> {
        let Obs::Accept { ballot, value } = *obs else {
            return None;
        };
        let voters = self.votes.entry((ballot, value)).or_default();
        voters.entry(node).or_insert(event);
        if voters.len() < majority(n) || self.choices.contains_key(&(ballot, value)) {
            return None;
        }
        self.choices.insert((ballot, value), event);
        self.chosen.entry(value).or_insert(ballot);
        Some((value, ballot))
    }

    /// For a search: hashes who accepted what in which ballot and what is chosen (the events
    /// only point reports back at the run, so they are left out). The choices follow from the
    /// votes, so they need no hashing of their own.
    pub fn fingerprint(&self, hasher: &mut DetHasher) {
        hasher.write_usize(self.votes.len());
        for ((ballot, value), voters) in &self.votes {
            hasher.write_u32(ballot.round);
            hasher.write_u32(ballot.node);
            hasher.write_u64(*value);
            hasher.write_usize(voters.len());
            for node in voters.keys() {
                hasher.write_usize(*node);
            }
        }
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
        self.votes
            .get(&(ballot, value))
            .map_or_else(Vec::new, |v| v.keys().copied().collect())
    }

    /// The events of the accepts of `value` in `ballot`, in order.
    pub fn accepts(&self, ballot: Ballot, value: u64) -> Vec<u64> {
        let mut events: Vec<u64> = self
            .votes
            .get(&(ballot, value))
            .map_or_else(Vec::new, |v| v.values().copied().collect());
        events.sort_unstable();
        events
    }

    /// The event of the accept that made `value` chosen in `ballot`.
    pub fn chosen_at(&self, ballot: Ballot, value: u64) -> Option<u64> {
        self.choices.get(&(ballot, value)).copied()
    }

    /// The events of every accept of `value`, in any ballot, in order.
    pub fn accepts_of(&self, value: u64) -> Vec<u64> {
        let mut events: Vec<u64> = self
            .votes
            .iter()
            .filter(|((_, v), _)| *v == value)
            .flat_map(|(_, voters)| voters.values().copied())
            .collect();
        events.sort_unstable();
        events
    }
}
