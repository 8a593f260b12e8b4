//! Exact symmetry reduction: a protocol names nodes that are interchangeable (TwoPhase's RMs),
//! and a state is deduplicated by its canonical fingerprint, the least fingerprint of the state
//! renamed over a set of candidate renamings that depends on the state's orbit alone. Two
//! states get the same canonical fingerprint exactly when one is a renaming of the other (up to
//! 64-bit collisions): a true canonical form, not a heuristic sort, so verdicts are those of the
//! full search and the count is the number of orbits.
//!
//! The candidates are found by sorting, not by trying all k! renamings. Each interchangeable
//! node gets a key: the fingerprint of the state as seen from it (it renamed to the class's
//! first id, the others of its class all to the second), which is the same for a node and its
//! image under any renaming. The class is sorted by key, and only the orderings of nodes with
//! equal keys remain to try; nodes tied with their neighbours in a group whose swaps all leave
//! the state as it is (truly interchangeable there, as RMs still working) are one candidate,
//! not g!. A search then costs about k + 2 fingerprints a state instead of k!.
//!
//! It needs what a renaming cannot reach to hold no node ids: property monitors' memory, and
//! the crash bookkeeping (so a scenario with crashes is refused with symmetry on).

use std::hash::{Hash, Hasher};

use sim_core::entropy::DetHasher;
use sim_core::timer_names::hash_with_names;
use sim_core::{NodeId, Process, Rename};

use super::state::{hash_of, timer_names, State};

/// A process whose nodes can be renamed: it, its messages, timers and storage.
pub(crate) trait Renamable:
    Process<Msg: Rename, Timer: Rename, Stable: Rename + Hash> + Hash + Rename
{
}

impl<P> Renamable for P where
    P: Process<Msg: Rename, Timer: Rename, Stable: Rename + Hash> + Hash + Rename
{
}

/// The canonical fingerprint of a state, given the interchangeable nodes (sorted, distinct)
/// and which links (by their original ends) are FIFO.
pub(crate) type Canonical<P> = fn(&State<P>, &[NodeId], &dyn Fn(NodeId, NodeId) -> bool) -> u64;

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

/// The least fingerprint of `s` renamed by each candidate renaming of `class` (see the
/// module's words).
pub(crate) fn canonical<P: Renamable>(
    s: &State<P>,
    class: &[NodeId],
    fifo: &dyn Fn(NodeId, NodeId) -> bool,
) -> u64 {
    let n = s.procs().len();
    let identity: Vec<NodeId> = (0..n).collect();
    if class.len() < 2 {
        return renamed(s, &identity, fifo, Order::Kept);
    }
    let mut keyed: Vec<(u64, NodeId)> = (class.iter())
        .map(|&node| (seen_from(s, class, node, fifo), node))
        .collect();
    keyed.sort_unstable();
    let order: Vec<NodeId> = keyed.iter().map(|k| k.1).collect();
    let mut choices: Vec<(usize, Vec<Vec<NodeId>>)> = Vec::new();
    let mut start = 0;
    while start < keyed.len() {
        let end = start + keyed[start..].partition_point(|k| k.0 == keyed[start].0);
        let group = &order[start..end];
        if group.len() > 1 && !interchangeable(s, group, &identity, fifo) {
            let orderings = permutations(group.len(), &(0..group.len()).collect::<Vec<_>>());
            let orderings = (orderings.iter())
                .map(|p| p.iter().map(|&i| group[i]).collect())
                .collect();
            choices.push((start, orderings));
        }
        start = end;
    }
    let mut least = u64::MAX;
    for_each_choice(&order, &choices, &mut |order| {
        let mut to = identity.clone();
        for (&old, &new) in order.iter().zip(class) {
            to[old] = new;
        }
        least = least.min(renamed(s, &to, fifo, Order::Kept));
    });
    least
}

/// Calls `visit` with `order` rearranged by every combination of `choices` (each a position in
/// `order` and the orderings of the group of nodes that starts there).
fn for_each_choice(
    order: &[NodeId],
    choices: &[(usize, Vec<Vec<NodeId>>)],
    visit: &mut dyn FnMut(&[NodeId]),
) {
    let Some(((start, orderings), rest)) = choices.split_first() else {
        visit(order);
        return;
    };
    let mut order = order.to_vec();
    for ordering in orderings {
        order[*start..*start + ordering.len()].copy_from_slice(ordering);
        for_each_choice(&order, rest, visit);
    }
}

/// Whether swapping any two nodes of `group` leaves `s` as it is: then every ordering of the
/// group renames `s` alike. Adjacent swaps generate every ordering, so they are all it tries.
fn interchangeable<P: Renamable>(
    s: &State<P>,
    group: &[NodeId],
    identity: &[NodeId],
    fifo: &dyn Fn(NodeId, NodeId) -> bool,
) -> bool {
    let itself = renamed(s, identity, fifo, Order::Kept);
    group.windows(2).all(|pair| {
        let mut swap = identity.to_vec();
        swap.swap(pair[0], pair[1]);
        renamed(s, &swap, fifo, Order::Kept) == itself
    })
}

/// The key of interchangeable node `node`: the fingerprint of `s` with `node` renamed to the
/// class's first id and every other node of the class to its second. A renaming of the class
/// moves a node's key with it.
fn seen_from<P: Renamable>(
    s: &State<P>,
    class: &[NodeId],
    node: NodeId,
    fifo: &dyn Fn(NodeId, NodeId) -> bool,
) -> u64 {
    let mut to: Vec<NodeId> = (0..s.procs().len()).collect();
    for &other in class {
        to[other] = class[1];
    }
    to[node] = class[0];
    renamed(s, &to, fifo, Order::Forgotten)
}

/// What a renamed fingerprint keeps of the order of a FIFO link's messages.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Order {
    /// Their order on the link (a renaming that is one to one).
    Kept,
    /// Only which messages are there: several links may be renamed into one, so their
    /// order among each other would depend on the names the renaming forgot.
    Forgotten,
}

/// The fingerprint of `s` with every node `i` renamed `to[i]`, in the canonical order. `to`
/// may rename several nodes alike (a key: see `seen_from`); their parts are then hashed in
/// the order of their fingerprints.
fn renamed<P: Renamable>(
    s: &State<P>,
    to: &[NodeId],
    fifo: &dyn Fn(NodeId, NodeId) -> bool,
    order: Order,
) -> u64 {
    let n = to.len();
    let mut nodes: Vec<(NodeId, u64)> = (0..n)
        .map(|old| (to[old], node_renamed(s, old, to)))
        .collect();
    nodes.sort_unstable();
    let mut h = DetHasher::default();
    for (_, node) in nodes {
        h.write_u64(node);
    }
    // Messages by link, then by fingerprint (a FIFO link keeps its order).
    // On an unordered link the place is the message's fingerprint, on a FIFO one its turn.
    let mut net: Vec<(NodeId, NodeId, u64, u64)> = (s.net.iter().enumerate())
        .map(|(i, e)| {
            let hash = hash_of(&e.msg.rename(to));
            let place = match order == Order::Kept && fifo(e.from(), e.to()) {
                true => i as u64,
                false => hash,
            };
            (to[e.from()], to[e.to()], place, hash)
        })
        .collect();
    net.sort_unstable();
    for (f, t, _, hash) in net {
        h.write_usize(f);
        h.write_usize(t);
        h.write_u64(hash);
    }
    let mut notices: Vec<(NodeId, NodeId, bool)> = (s.notices().iter())
        .map(|x| (to[x.to], to[x.about], x.restore))
        .collect();
    notices.sort_unstable();
    notices.hash(&mut h);
    h.write_u32(s.crashes);
    for m in s.monitors() {
        m.hash_memory(&mut h);
    }
    h.finish()
}

/// The fingerprint of node `old`'s own part renamed by `to`: its process, storage, timers and
/// suspicions.
fn node_renamed<P: Renamable>(s: &State<P>, old: NodeId, to: &[NodeId]) -> u64 {
    let mut h = DetHasher::default();
    hash_with_names(timer_names(s.armed(old)), || {
        s.procs()[old].rename(to).hash(&mut h);
        s.stable(old).rename(to).hash(&mut h);
    });
    h.write_u8(u8::from(s.up()[old]) | u8::from(s.ever_crashed()[old]) << 1);
    // Each timer by its canonical name (as `timer_names` gives it) and its renamed tag.
    let mut timers: Vec<u64> = (s.armed(old).iter())
        .map(|t| hash_of(&(Some(t.rank()), hash_of(&t.tag.rename(to)))))
        .collect();
    timers.sort_unstable();
    timers.hash(&mut h);
    let suspected = (0..to.len()).filter(|&b| s.suspects(old) & (1 << b) != 0);
    h.write_u64(suspected.fold(0u64, |bits, b| bits | 1 << to[b]));
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
