//! Renaming node ids inside a value: what a protocol whose nodes are interchangeable implements
//! for its process, messages, timers and stable storage, so that a search can deduplicate
//! states up to such renamings (see the explorer's symmetry reduction).

use crate::nodes::NodeSet;
use crate::NodeId;

/// Renaming node ids inside a value: `to[old]` is the new id of node `old`. Values without
/// node ids return a copy. `to` may give several nodes one id (a search's symmetry reduction
/// renames all but one interchangeable node alike, to see the state from that one): replace
/// each id by its image and nothing more, so that renaming twice is renaming once by the
/// composed map.
pub trait Rename {
    /// This value with every node id `i` in it replaced by `to[i]`.
    fn rename(&self, to: &[NodeId]) -> Self;
}

impl Rename for () {
    fn rename(&self, _: &[NodeId]) -> Self {}
}

impl Rename for NodeSet {
    fn rename(&self, to: &[NodeId]) -> Self {
        let mut out = NodeSet::EMPTY;
        for node in self.iter() {
            out.insert(to[node]);
        }
        out
    }
}
