//! What the nodes of Paxos say and keep: ballots, the messages, timers and observations, and
//! stable storage (an acceptor's promise and accepted value among it).

use std::fmt;

use ftsim_api::properties::Decision;
use ftsim_api::NodeId;

/// A proposal number: rounds are compared first, the proposer's id breaks ties, so no two
/// proposers ever use the same ballot. The zero ballot is below every real one.
#[derive(Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Ballot {
    pub round: u32,
    pub node: u32,
}

impl Ballot {
    pub fn new(round: u32, node: NodeId) -> Self {
        Ballot {
            round,
            node: node as u32,
        }
    }
}

impl fmt::Debug for Ballot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "b{}.{}", self.round, self.node)
    }
}

/// A node's stable storage.
#[derive(Clone, Debug, Default, Hash)]
pub struct Stable {
    /// Unused with a volatile acceptor (a known-buggy variant).
    pub acceptor: AcceptorState,
    /// The highest round this node has proposed in, so a recovered proposer never reuses a
    /// ballot (which it might fill with a different value).
    pub round: u32,
    pub learned: Option<u64>,
}

/// What an acceptor must not forget.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct AcceptorState {
    pub promised: Ballot,
    pub accepted: Option<(Ballot, u64)>,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub enum Msg {
    Prepare {
        ballot: Ballot,
    },
    Promise {
        ballot: Ballot,
        accepted: Option<(Ballot, u64)>,
    },
    /// "I promised a higher ballot": the proposer should give up `ballot`.
    Nack {
        ballot: Ballot,
        promised: Ballot,
    },
    Accept {
        ballot: Ballot,
        value: u64,
    },
    /// An acceptor tells every learner what it accepted.
    Accepted {
        ballot: Ballot,
        value: u64,
    },
    /// A learner that has not learned asks its peers.
    Query,
    Learned {
        value: u64,
    },
}

#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub enum Timer {
    /// A proposer's attempt timed out, or its backoff is over.
    Retry,
    /// A learner that has not learned asks again.
    Poll,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub enum Obs {
    /// A proposer proposes its own value.
    Propose(u64),
    /// An acceptor accepted `value` in `ballot`: the properties count majorities from these.
    Accept { ballot: Ballot, value: u64 },
    /// A learner learns that `value` was chosen.
    Learn(u64),
}

impl Decision for Obs {
    fn proposed(&self) -> Option<u64> {
        match self {
            Obs::Propose(v) => Some(*v),
            _ => None,
        }
    }
    fn decided(&self) -> Option<u64> {
        match self {
            Obs::Learn(v) => Some(*v),
            _ => None,
        }
    }
}

/// The value node `i` proposes.
pub fn own_value(node: NodeId) -> u64 {
    100 + node as u64
}

/// The size of a majority of `n` acceptors.
pub(super) fn majority(n: usize) -> usize {
    n / 2 + 1
}
