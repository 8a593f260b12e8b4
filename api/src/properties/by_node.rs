//! [`ByNode`]: what a property remembers about each node (its vote, its decision), kept in a
//! column indexed by node id rather than a search tree. Node ids are dense (`0..n`), and a
//! property updates such a map on most observations of a run: a column makes that an index,
//! and building and dropping it one allocation per run, where a `BTreeMap` walked and
//! allocated tree nodes (2PC's four node-keyed properties were a few percent of a sweep).
//!
//! It iterates, and hashes, exactly as a `BTreeMap<NodeId, V>` holding the same entries: by
//! increasing node id, the hash being the number of entries then each (node, value). A
//! property's fingerprint (`ftsim explore`) is therefore the same whichever of the two holds
//! its entries.

use std::hash::{Hash, Hasher};

use sim_core::NodeId;

/// A map from node ids to `V`, ordered by node id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ByNode<V> {
    /// `slots[node]`: the node's entry, if any; no longer than the largest node with one.
    slots: Vec<Option<V>>,
    len: usize,
}

impl<V> Default for ByNode<V> {
    fn default() -> Self {
        ByNode {
            slots: Vec::new(),
            len: 0,
        }
    }
}

impl<V> ByNode<V> {
    /// An empty map.
    pub fn new() -> Self {
        Self::default()
    }

    /// The entry of `node`, if it has one.
    pub fn get(&self, node: NodeId) -> Option<&V> {
        self.slots.get(node).and_then(Option::as_ref)
    }

    /// Whether `node` has an entry.
    pub fn contains(&self, node: NodeId) -> bool {
        self.get(node).is_some()
    }

    /// Sets `node`'s entry to `value`, returning the one it replaces.
    pub fn insert(&mut self, node: NodeId, value: V) -> Option<V> {
        let slot = self.slot(node);
        let old = slot.replace(value);
        self.len += usize::from(old.is_none());
        old
    }

    /// `node`'s entry, set to `make()` first if it has none.
    pub fn get_or_insert_with(&mut self, node: NodeId, make: impl FnOnce() -> V) -> &mut V {
        if !self.contains(node) {
            self.insert(node, make());
        }
        self.slot(node).as_mut().expect("inserted above")
    }

    /// How many nodes have an entry.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether no node has an entry.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The entries, by increasing node id.
    pub fn iter(&self) -> impl Iterator<Item = (NodeId, &V)> + '_ {
        (self.slots.iter().enumerate()).filter_map(|(node, v)| v.as_ref().map(|v| (node, v)))
    }

    /// The nodes with an entry, increasing.
    pub fn nodes(&self) -> impl Iterator<Item = NodeId> + '_ {
        self.iter().map(|(node, _)| node)
    }

    /// The entries' values, by increasing node id.
    pub fn values(&self) -> impl Iterator<Item = &V> + '_ {
        self.iter().map(|(_, v)| v)
    }

    fn slot(&mut self, node: NodeId) -> &mut Option<V> {
        if self.slots.len() <= node {
            self.slots.resize_with(node + 1, || None);
        }
        &mut self.slots[node]
    }
}

/// As a `BTreeMap<NodeId, V>` with the same entries hashes.
impl<V: Hash> Hash for ByNode<V> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_usize(self.len);
        for (node, value) in self.iter() {
            node.hash(state);
            value.hash(state);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use sim_core::entropy::DetHasher;

    use super::*;

    fn hash_of(value: &impl Hash) -> u64 {
        let mut h = DetHasher::default();
        value.hash(&mut h);
        h.finish()
    }

    #[test]
    fn behaves_and_hashes_as_a_btree_map_with_the_same_entries() {
        let mut column = ByNode::new();
        let mut tree = BTreeMap::new();
        assert_eq!(hash_of(&column), hash_of(&tree));
        for (node, value) in [(3, 30u64), (0, 1), (3, 31), (7, 70)] {
            assert_eq!(column.insert(node, value), tree.insert(node, value));
        }
        *column.get_or_insert_with(5, || 50) += 1;
        *tree.entry(5).or_insert(50) += 1;
        assert_eq!(*column.get_or_insert_with(0, || 99), 1, "kept");
        let from_column: Vec<(usize, u64)> = column.iter().map(|(n, &v)| (n, v)).collect();
        let from_tree: Vec<(usize, u64)> = tree.iter().map(|(&n, &v)| (n, v)).collect();
        assert_eq!(from_column, from_tree);
        assert_eq!(column.len(), 4);
        assert_eq!(column.get(3), Some(&31));
        assert!(!column.contains(6) && !column.contains(100));
        assert_eq!(hash_of(&column), hash_of(&tree));
    }
}
