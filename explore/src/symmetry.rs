//! Exact symmetry reduction: a protocol names nodes that are interchangeable (TwoPhase's RMs),
//! and a state is deduplicated by its canonical fingerprint, the least fingerprint over every
//! permutation of those nodes of the state renamed (processes, storage, timers, messages,
//! notices, suspicions). Two states get the same canonical fingerprint exactly when one is a
//! renaming of the other (up to 64-bit collisions): a true canonical form, not a heuristic
//! sort, so verdicts are those of the full search and the count is the number of orbits.
//!
//! It costs one fingerprint per permutation (k! for k interchangeable nodes), and it needs
//! what a renaming cannot reach to hold no node ids: property monitors' memory, and the
//! crash bookkeeping (so a scenario with crashes is refused with symmetry on).

use std::hash::{Hash, Hasher};

use sim_core::entropy::DetHasher;
use sim_core::timer_names::hash_with_names;
use sim_core::{NodeId, Process, Rename};

use super::state::{hash_of, timer_names, State};

/// The canonical fingerprint of a state, given the permutations and which links (by their
/// original ends) are FIFO.
pub(crate) type Canonical<P> =
    fn(&State<P>, &[Vec<NodeId>], &dyn Fn(NodeId, NodeId) -> bool) -> u64;

/// Every permutation of `class` (the other nodes fixed), as maps `to[old] = new` over `n`
/// nodes, in a fixed order (Heap's algorithm).
pub(crate) fn permutations(n: usize, class: &[NodeId]) -> Vec<Vec<NodeId>> {
    let mut images = class.to_vec();
    let mut out = Vec::new();
    let mut counters = vec![0usize; images.len()];
    let push = |images: &[NodeId], out: &mut Vec<Vec<NodeId>>| {
        let mut to: Vec<NodeId> = (0..n).collect();
        for (&old, &new) in class.iter().zip(images) {
            to[old] = new;
        }
        out.push(to);
    };
    push(&images, &mut out);
    let mut i = 1;
    while i < images.len() {
        if counters[i] < i {
            let j = if i % 2 == 0 { 0 } else { counters[i] };
            images.swap(j, i);
            push(&images, &mut out);
            counters[i] += 1;
            i = 1;
        } else {
            counters[i] = 0;
            i += 1;
        }
    }
    out
}

/// The least fingerprint of `s` renamed by each of `perms`.
pub(crate) fn canonical<P>(
    s: &State<P>,
    perms: &[Vec<NodeId>],
    fifo: &dyn Fn(NodeId, NodeId) -> bool,
) -> u64
where
    P: Process + Hash + Rename,
    P::Msg: Rename,
    P::Timer: Rename,
    P::Stable: Rename + Hash,
{
    perms
        .iter()
        .map(|to| renamed(s, to, fifo))
        .min()
        .unwrap_or(0)
}

/// The fingerprint of `s` with every node `i` renamed `to[i]`, in the canonical order.
fn renamed<P>(s: &State<P>, to: &[NodeId], fifo: &dyn Fn(NodeId, NodeId) -> bool) -> u64
where
    P: Process + Hash + Rename,
    P::Msg: Rename,
    P::Timer: Rename,
    P::Stable: Rename + Hash,
{
    let n = to.len();
    let mut from = vec![0; n];
    for (old, &new) in to.iter().enumerate() {
        from[new] = old;
    }
    let mut h = DetHasher::default();
    for &old in &from {
        let names = timer_names(&s.armed[old]);
        hash_with_names(&names, || {
            s.procs[old].rename(to).hash(&mut h);
            s.stable[old].rename(to).hash(&mut h);
        });
        h.write_u8(u8::from(s.up[old]) | u8::from(s.ever_crashed[old]) << 1);
        let name = |id| names.iter().find(|&&(live, _)| live == id).map(|n| n.1);
        let mut timers: Vec<u64> = (s.armed[old].iter())
            .map(|t| hash_of(&(name(t.id), hash_of(&t.tag.rename(to)))))
            .collect();
        timers.sort_unstable();
        timers.hash(&mut h);
        let suspected = (0..n).filter(|&b| s.suspected[old] & (1 << b) != 0);
        h.write_u64(suspected.fold(0u64, |bits, b| bits | 1 << to[b]));
    }
    // Messages by link, then by fingerprint (a FIFO link keeps its order).
    // On an unordered link the place is the message's fingerprint, on a FIFO one its turn.
    let mut net: Vec<(NodeId, NodeId, u64, u64)> = (s.net.iter().enumerate())
        .map(|(i, e)| {
            let hash = hash_of(&e.msg.rename(to));
            let place = if fifo(e.from, e.to) { i as u64 } else { hash };
            (to[e.from], to[e.to], place, hash)
        })
        .collect();
    net.sort_unstable();
    for (f, t, _, hash) in net {
        h.write_usize(f);
        h.write_usize(t);
        h.write_u64(hash);
    }
    let mut notices: Vec<(NodeId, NodeId, bool)> = (s.notices.iter())
        .map(|x| (to[x.to], to[x.about], x.restore))
        .collect();
    notices.sort_unstable();
    notices.hash(&mut h);
    h.write_u32(s.crashes);
    for m in &s.monitors {
        m.hash_memory(&mut h);
    }
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::permutations;

    #[test]
    fn every_permutation_of_the_class_once_and_the_rest_fixed() {
        let perms = permutations(5, &[1, 2, 4]);
        assert_eq!(perms.len(), 6);
        let mut sorted = perms.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), 6);
        for p in &perms {
            assert_eq!((p[0], p[3]), (0, 3));
        }
        assert_eq!(perms[0], vec![0, 1, 2, 3, 4], "the identity first");
    }
}
