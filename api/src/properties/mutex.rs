//! Mutual exclusion over any observation type implementing [`CriticalSection`]: no process
//! enters its critical section while another live process is inside. A process that crashed
//! runs nothing, so it no longer counts as inside; one that restarts says so by leaving.

use std::collections::BTreeMap;
use std::hash::Hasher;

use sim_core::entropy::DetHasher;
use sim_core::{Explorable, Falsified, NodeId, Process, Property, Time, World};

use super::evidence::event_ref;

/// Observations that say a process entered or left its critical section.
pub trait CriticalSection {
    /// The observing process entered its critical section.
    fn enters(&self) -> bool;
    /// The observing process left it (or restarted, losing it).
    fn leaves(&self) -> bool;
}

/// Mutual exclusion: never two live processes in the critical section at once. A violation
/// names both entries. A search can follow it: its fingerprint is who is inside (not since
/// when).
#[derive(Clone, Default)]
pub struct MutualExclusion {
    /// Who is inside: since when, and the event of the entry.
    inside: BTreeMap<NodeId, (Time, u64)>,
}

impl<P: Process> Property<P> for MutualExclusion
where
    P::Obs: CriticalSection,
{
    fn observe(&mut self, w: &World<'_, P>, node: NodeId, obs: &P::Obs) -> Result<(), Falsified> {
        if obs.leaves() {
            self.inside.remove(&node);
        }
        if !obs.enters() {
            return Ok(());
        }
        let holder = self
            .inside
            .iter()
            .find(|(&other, _)| other != node && w.is_up(other));
        if let Some((&other, &(since, event))) = holder {
            return Err(Falsified::new(format!(
                "node {node} entered the critical section at {} while node {other} was in it \
                 (since {} at {since})",
                event_ref(w.event()),
                event_ref(event)
            ))
            .citing([event, w.event()]));
        }
        self.inside.insert(node, (w.now, w.event()));
        Ok(())
    }
}

impl<P: Process> Explorable<P> for MutualExclusion
where
    P::Obs: CriticalSection,
{
    fn fingerprint(&self, hasher: &mut DetHasher) {
        hasher.write_usize(self.inside.len());
        for node in self.inside.keys() {
            hasher.write_usize(*node);
        }
    }
}
