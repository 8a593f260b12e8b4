//! The path a relayed order carries: "1 says 2 says the commander says v" is the path 0→2→1.
//! Paths are the nodes of OM's information-gathering tree: round k carries the paths of length
//! k + 1.

use std::fmt;

use ftsim_api::{NodeId, NodeSet};

/// The deepest recursion supported: OM(`MAX_M`).
pub const MAX_M: usize = 6;

/// The longest path a message can carry: the commander plus up to `MAX_M` relays.
const MAX_PATH: usize = MAX_M + 1;

/// The chain of nodes a value went through, commander first, sender last. Unused slots are
/// always zero so equal paths compare equal.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Path {
    len: u8,
    ids: [u8; MAX_PATH],
}

impl Path {
    pub fn root(commander: NodeId) -> Self {
        let mut ids = [0; MAX_PATH];
        ids[0] = commander as u8;
        Path { len: 1, ids }
    }

    /// A canonical path from a list of nodes, if it fits.
    pub fn from_nodes(nodes: &[NodeId]) -> Option<Self> {
        if nodes.is_empty() || nodes.len() > MAX_PATH || nodes.iter().any(|&x| x > 255) {
            return None;
        }
        let mut ids = [0; MAX_PATH];
        for (slot, &x) in ids.iter_mut().zip(nodes) {
            *slot = x as u8;
        }
        Some(Path {
            len: nodes.len() as u8,
            ids,
        })
    }

    pub fn len(&self) -> usize {
        self.len as usize
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn nodes(&self) -> impl Iterator<Item = NodeId> + '_ {
        self.ids[..self.len()].iter().map(|&x| x as NodeId)
    }

    pub fn first(&self) -> NodeId {
        self.ids[0] as NodeId
    }

    pub fn last(&self) -> NodeId {
        self.ids[self.len() - 1] as NodeId
    }

    pub fn contains(&self, node: NodeId) -> bool {
        self.nodes().any(|x| x == node)
    }

    /// This path extended by `node` (the caller keeps paths within `MAX_PATH`).
    pub fn push(&self, node: NodeId) -> Path {
        let mut p = *self;
        p.ids[p.len()] = node as u8;
        p.len += 1;
        p
    }

    /// The same path with its unused slots zeroed, if its length is possible at all: a
    /// tampered message may carry anything.
    pub(super) fn canonical(&self) -> Option<Path> {
        if self.len == 0 || self.len() > MAX_PATH {
            return None;
        }
        let mut p = *self;
        let len = p.len();
        p.ids[len..].fill(0);
        Some(p)
    }

    /// Distinct nodes, each below `n` (at most 64).
    pub(super) fn well_formed(&self, n: usize) -> bool {
        let mut seen = NodeSet::EMPTY;
        for x in self.nodes() {
            if x >= n || seen.contains(x) {
                return false;
            }
            seen.insert(x);
        }
        true
    }
}

impl fmt::Debug for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, x) in self.nodes().enumerate() {
            if i > 0 {
                f.write_str("→")?;
            }
            write!(f, "{x}")?;
        }
        Ok(())
    }
}
