//! The group's log: views, message identities, and the sequence of entries (deliveries and view
//! installations) the coordinator orders and every member applies in the same order. A
//! member's state is the messages delivered in its log; a joiner receives a prefix of the log
//! as its state transfer.

use std::collections::BTreeMap;
use std::fmt;

use ftsim_api::{NodeId, NodeSet};

/// A view's number; views are numbered in the order they are installed.
pub type ViewId = u64;

/// A multicast message: its origin, the origin's incarnation, and its number there.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MsgId {
    pub from: NodeId,
    pub inc: u32,
    pub seq: u32,
}

impl fmt::Debug for MsgId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}#{}", self.from, self.inc, self.seq)
    }
}

/// A member of a view: which incarnation of the node, and the view it joined in (its
/// seniority: the most senior live member coordinates).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Member {
    pub node: NodeId,
    pub inc: u32,
    pub since: ViewId,
}

/// A view: its number and its members, in node order.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct View {
    pub id: ViewId,
    pub members: Vec<Member>,
}

impl fmt::Debug for View {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "v{} {:?}", self.id, self.nodes())
    }
}

impl View {
    /// The first view: every node, incarnation 0, founders (joined in view 0).
    pub fn founding(n: usize) -> View {
        View {
            id: 1,
            members: (0..n)
                .map(|node| Member {
                    node,
                    inc: 0,
                    since: 0,
                })
                .collect(),
        }
    }

    /// The member nodes.
    pub fn nodes(&self) -> NodeSet {
        self.members.iter().map(|m| m.node).collect()
    }

    /// `node`'s entry, if it is a member.
    pub fn member(&self, node: NodeId) -> Option<Member> {
        self.members.iter().copied().find(|m| m.node == node)
    }

    /// Whether this incarnation of `node` is a member.
    pub fn has(&self, node: NodeId, inc: u32) -> bool {
        self.member(node).is_some_and(|m| m.inc == inc)
    }

    /// The coordinator: the most senior member not in `gone` (earliest view joined, then
    /// lowest id).
    pub fn coordinator(&self, gone: NodeSet) -> Option<NodeId> {
        self.members
            .iter()
            .filter(|m| !gone.contains(m.node))
            .min_by_key(|m| (m.since, m.node))
            .map(|m| m.node)
    }
}

/// One entry of the group's log.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Entry {
    /// Deliver this message in the current view.
    Deliver(MsgId),
    /// Install this view.
    Install(View),
}

/// A log as one process sends it to another: the index of its first entry, and the entries.
pub type Shipped = (usize, Vec<Entry>);

/// A member's copy of the log: the entries from `base` on (a state transfer gives the whole
/// prefix, so `base` is 0; without one a joiner starts at its own view's installation), and
/// entries that arrived ahead of a gap, by index, with their sender.
#[derive(Clone, Debug, Default, Hash)]
pub struct Log {
    pub base: usize,
    pub entries: Vec<Entry>,
    pub(super) ahead: BTreeMap<usize, (NodeId, Entry)>,
}

impl Log {
    /// A log that holds `entries` from index `base`.
    pub fn from(base: usize, entries: Vec<Entry>) -> Log {
        Log {
            base,
            entries,
            ahead: BTreeMap::new(),
        }
    }

    /// The index of the next entry.
    pub fn end(&self) -> usize {
        self.base + self.entries.len()
    }

    /// The entries from index `from` on (what a member that has `from` entries lacks).
    pub fn since(&self, from: usize) -> Vec<Entry> {
        self.entries[from.saturating_sub(self.base).min(self.entries.len())..].to_vec()
    }

    /// The messages delivered in this log, in order: the member's state.
    pub fn delivered(&self) -> impl Iterator<Item = MsgId> + '_ {
        self.entries.iter().filter_map(|e| match e {
            Entry::Deliver(id) => Some(*id),
            Entry::Install(_) => None,
        })
    }
}

/// A state in two numbers: how many messages, and a hash of them in order, so properties can
/// compare states cheaply.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Digest {
    pub messages: usize,
    pub hash: u64,
}

impl Digest {
    /// The digest of these messages, in order (FNV-1a over their fields).
    pub fn of(messages: impl Iterator<Item = MsgId>) -> Digest {
        let mut d = Digest {
            messages: 0,
            hash: 0xcbf2_9ce4_8422_2325,
        };
        for m in messages {
            for word in [m.from as u64, m.inc as u64, m.seq as u64] {
                d.hash = (d.hash ^ word).wrapping_mul(0x0000_0100_0000_01b3);
            }
            d.messages += 1;
        }
        d
    }
}
