//! Sets of nodes: [`NodeSet`], a set of node ids kept in one 64-bit word (cheap to copy, hash
//! and compare, so it fits in messages, states and a search's branches), and [`nodes_phrase`]
//! for texts that name nodes.

use std::fmt;

use crate::NodeId;

/// A set of node ids below [`NodeSet::CAPACITY`], as a bitmask.
///
/// ```
/// use sim_core::NodeSet;
///
/// let mut heard = NodeSet::single(2);
/// heard.insert(0);
/// assert!(heard.contains(0) && !heard.contains(1));
/// assert_eq!(heard.len(), 2);
/// assert!(heard.union(NodeSet::single(1)).is_superset(NodeSet::all(3)));
/// assert_eq!(format!("{heard:?}"), "{0, 2}");
/// ```
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeSet(u64);

impl NodeSet {
    /// The largest group a `NodeSet` can describe.
    pub const CAPACITY: usize = 64;

    /// The set with no node.
    pub const EMPTY: NodeSet = NodeSet(0);

    /// The set `{node}`.
    pub fn single(node: NodeId) -> NodeSet {
        NodeSet(Self::bit(node))
    }

    /// Every node of a group of `n` (`0..n`).
    pub fn all(n: usize) -> NodeSet {
        assert!(n <= Self::CAPACITY, "a NodeSet holds at most 64 nodes");
        NodeSet(if n == Self::CAPACITY {
            u64::MAX
        } else {
            (1 << n) - 1
        })
    }

    fn bit(node: NodeId) -> u64 {
        assert!(node < Self::CAPACITY, "node {node} does not fit a NodeSet");
        1 << node
    }

    /// Adds `node`.
    pub fn insert(&mut self, node: NodeId) {
        self.0 |= Self::bit(node);
    }

    /// Removes `node`.
    pub fn remove(&mut self, node: NodeId) {
        self.0 &= !Self::bit(node);
    }

    /// Whether `node` is in the set.
    pub fn contains(self, node: NodeId) -> bool {
        node < Self::CAPACITY && self.0 & (1 << node) != 0
    }

    /// The nodes in either set.
    pub fn union(self, other: NodeSet) -> NodeSet {
        NodeSet(self.0 | other.0)
    }

    /// The nodes in both sets.
    pub fn intersection(self, other: NodeSet) -> NodeSet {
        NodeSet(self.0 & other.0)
    }

    /// Whether every node of `other` is in this set.
    pub fn is_superset(self, other: NodeSet) -> bool {
        self.0 & other.0 == other.0
    }

    /// The number of nodes in the set.
    pub fn len(self) -> usize {
        self.0.count_ones() as usize
    }

    /// Whether the set has no node.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The members, in increasing order.
    pub fn iter(self) -> impl Iterator<Item = NodeId> {
        (0..Self::CAPACITY).filter(move |&i| self.0 & (1 << i) != 0)
    }

    /// The bitmask itself (bit `i` is node `i`).
    pub fn bits(self) -> u64 {
        self.0
    }
}

impl FromIterator<NodeId> for NodeSet {
    fn from_iter<I: IntoIterator<Item = NodeId>>(iter: I) -> Self {
        let mut set = NodeSet::EMPTY;
        for node in iter {
            set.insert(node);
        }
        set
    }
}

impl fmt::Debug for NodeSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

/// "node 3" or "nodes 1, 2 and 4", for violation messages.
pub fn nodes_phrase(nodes: &[NodeId]) -> String {
    match nodes {
        [] => "no node".to_string(),
        [one] => format!("node {one}"),
        [init @ .., last] => format!(
            "nodes {} and {last}",
            init.iter()
                .map(|n| n.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sets_of_nodes() {
        assert_eq!(NodeSet::all(64).len(), 64);
        assert_eq!(NodeSet::all(0), NodeSet::EMPTY);
        let s: NodeSet = [5, 1, 63].into_iter().collect();
        assert_eq!(s.iter().collect::<Vec<_>>(), [1, 5, 63]);
        let mut t = s;
        t.remove(5);
        assert!(!t.contains(5) && !t.contains(64));
        assert_eq!(s.intersection(t), t);
    }

    #[test]
    fn phrases() {
        assert_eq!(nodes_phrase(&[]), "no node");
        assert_eq!(nodes_phrase(&[3]), "node 3");
        assert_eq!(nodes_phrase(&[1, 2, 4]), "nodes 1, 2 and 4");
    }
}
