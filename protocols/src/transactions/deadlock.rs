//! Termination: every client up at the end committed all its transactions. When clients are
//! stuck, the violation says why from the locks: the wait-for graph (a transaction queued for
//! an item points at the item's holder) is followed from each stuck transaction, and a cycle
//! is named as a deadlock, "t3.1 (client 3) waits for x@s0 held by t4.1 (client 4), which
//! waits for y@s1 held by t3.1", with the events where each one queued and got its lock.

use std::collections::BTreeMap;
use std::hash::Hash;

use ftsim_api::properties::{event_ref, Stuck};
use ftsim_api::sim_core::entropy::DetHasher;
use ftsim_api::{nodes_phrase, Explorable, Falsified, NodeId, Property, World};

use super::client::Client;
use super::messages::{Item, Obs, TxnId};
use super::process::Node;

/// The property; see the module doc.
#[derive(Clone, Default)]
pub struct Termination {
    /// Each client's current attempt.
    current: BTreeMap<NodeId, TxnId>,
    /// Each locked item's holder, and the event it was granted at.
    holders: BTreeMap<Item, (TxnId, u64)>,
    /// Each queued transaction: the item it waits for, and the event it queued at.
    waiting: BTreeMap<TxnId, (Item, u64)>,
}

impl Termination {
    /// The lock `txn` is queued for, with its holder: "waits for x@s0 (queued at event #12)
    /// held by t4.1 (client 4, granted at event #9)"; `None` if it is not queued.
    fn wait_of(&self, txn: TxnId) -> Option<(String, TxnId, [u64; 2])> {
        let &(item, queued) = self.waiting.get(&txn)?;
        let &(holder, granted) = self.holders.get(&item)?;
        let text = format!(
            "waits for {item} (queued at {}) held by {holder} (client {}, granted at {})",
            event_ref(queued),
            holder.client,
            event_ref(granted)
        );
        Some((text, holder, [queued, granted]))
    }

    /// The waits along `chain`, each transaction waiting for a lock of the next one's; the
    /// events it names go to `evidence`.
    fn phrase(&self, chain: &[TxnId], evidence: &mut Vec<u64>) -> String {
        let mut steps: Vec<String> = Vec::new();
        for &txn in chain {
            if let Some((step, _, events)) = self.wait_of(txn) {
                steps.push(step);
                evidence.extend(events);
            }
        }
        format!(
            "{} (client {}) {}",
            chain[0],
            chain[0].client,
            steps.join(", which ")
        )
    }

    /// The deadlock `txn` is in or blocked behind, if its chain of waits closes a cycle:
    /// written from the cycle's lowest transaction, so each cycle reads one way.
    fn cycle_from(&self, txn: TxnId, evidence: &mut Vec<u64>) -> Option<(String, Vec<TxnId>)> {
        let mut chain: Vec<TxnId> = Vec::new();
        let mut at = txn;
        while let Some((_, holder, _)) = self.wait_of(at) {
            chain.push(at);
            if let Some(start) = chain.iter().position(|&t| t == holder) {
                let mut cycle = chain.split_off(start);
                let lowest = (0..cycle.len()).min_by_key(|&i| cycle[i]).unwrap_or(0);
                cycle.rotate_left(lowest);
                let text = format!(
                    "deadlock, a wait-for cycle: {}",
                    self.phrase(&cycle, evidence)
                );
                return Some((text, cycle));
            }
            at = holder;
        }
        None
    }

    /// What `txn`, stuck, waits for: a lock and its holder, or what its client is doing.
    fn wait_phrase(&self, w: &World<'_, Node>, txn: TxnId, evidence: &mut Vec<u64>) -> String {
        if self.waiting.contains_key(&txn) {
            return self.phrase(&[txn], evidence);
        }
        let last = w.last_event(txn.client);
        evidence.extend(last);
        let doing = w.state(txn.client).client().map_or("", Client::activity);
        format!(
            "{txn} (client {}) waits for no lock but is {doing}, last step {}",
            txn.client,
            last.map_or("none".to_string(), event_ref)
        )
    }
}

impl Property<Node> for Termination {
    fn observe(&mut self, w: &World<'_, Node>, node: NodeId, obs: &Obs) -> Result<(), Falsified> {
        match *obs {
            Obs::Begin { txn } => {
                self.current.insert(node, txn);
            }
            Obs::Granted { txn, item, .. } => {
                self.holders.insert(item, (txn, w.event()));
                self.waiting.remove(&txn);
            }
            Obs::Queued { txn, item, .. } => {
                self.waiting.insert(txn, (item, w.event()));
            }
            Obs::Released { txn, item } if self.holders.get(&item).map(|h| h.0) == Some(txn) => {
                self.holders.remove(&item);
            }
            _ => {}
        }
        Ok(())
    }

    fn finish(&mut self, w: &World<'_, Node>) -> Result<(), Falsified> {
        let stuck: Vec<NodeId> = w
            .nodes()
            .filter(|&c| w.is_up(c) && w.state(c).client().is_some_and(|c| !c.is_done()))
            .collect();
        if stuck.is_empty() {
            return Ok(());
        }
        let mut evidence = Vec::new();
        // The deadlocks first, each once; then every other stuck client's own wait.
        let mut cycles: Vec<String> = Vec::new();
        let mut others: Vec<String> = Vec::new();
        for &client in &stuck {
            let Some(txn) = self.current.get(&client).copied() else {
                let never = Stuck::new(w, client, None);
                evidence.extend(never.last);
                others.push(Stuck::details(&[never], "began"));
                continue;
            };
            let in_cycle = match self.cycle_from(txn, &mut evidence) {
                Some((text, members)) => {
                    if !cycles.contains(&text) {
                        cycles.push(text);
                    }
                    members.contains(&txn)
                }
                None => false,
            };
            if !in_cycle {
                others.push(self.wait_phrase(w, txn, &mut evidence));
            }
        }
        let mut explained = cycles;
        if !explained.is_empty() && !others.is_empty() {
            others[0] = format!("behind it, {}", others[0]);
        }
        explained.extend(others);
        evidence.sort_unstable();
        evidence.dedup();
        Err(Falsified::new(format!(
            "{} did not finish their transactions by {}: {}",
            nodes_phrase(&stuck),
            w.now,
            explained.join("; ")
        ))
        .citing(evidence))
    }
}

impl Explorable<Node> for Termination {
    /// The attempts, holders and waits it would name (not the events they happened at).
    fn fingerprint(&self, hasher: &mut DetHasher) {
        self.current.hash(hasher);
        for (item, (holder, _)) in &self.holders {
            (item, holder).hash(hasher);
        }
        for (txn, (item, _)) in &self.waiting {
            (txn, item).hash(hasher);
        }
    }
}
