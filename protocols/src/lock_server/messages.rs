//! What the lock server's nodes say and keep: the messages, timers and observations, the
//! server's stable storage, and [`Host`], the process a role's handlers run in.

use ftsim_api::properties::CriticalSection;
use ftsim_api::{NodeId, Process};

pub const SERVER: NodeId = 0;

#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub enum Msg {
    Request,
    Release,
    /// "I restarted: forget whatever you hold for me."
    Reset,
    /// The client's answer to `Hello`.
    Reconnect {
        holding: bool,
        waiting: bool,
        ticket: Option<u64>,
    },
    Queued {
        ticket: u64,
    },
    Grant {
        ticket: u64,
    },
    /// The answer to `Reset`.
    Welcome,
    /// "I rebooted: tell me what you hold."
    Hello,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub enum Timer {
    Think,
    Hold,
    WindowEnd,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub enum Obs {
    /// A client asks for the lock.
    Request,
    /// A client enters its critical section.
    Enter,
    /// A client leaves it.
    Exit,
    /// A client restarted after a crash: it holds nothing and waits for nothing.
    Restarted,
    /// The server sees a client's request for the first time (or again, after losing it).
    Arrived { client: NodeId },
    /// The server processed a restarted client's reset: whatever it had for the client's
    /// previous incarnation (including a request that arrived after the restart) is dropped.
    Forgot { client: NodeId },
    /// The server rebooted.
    Rebooted,
}

impl CriticalSection for Obs {
    fn enters(&self) -> bool {
        *self == Obs::Enter
    }
    fn leaves(&self) -> bool {
        matches!(self, Obs::Exit | Obs::Restarted)
    }
}

/// What the stateful server persists.
#[derive(Clone, Debug, Default, Hash)]
pub struct Stable {
    pub(super) owner: Option<(NodeId, u64)>,
    pub(super) queue: Vec<(u64, NodeId)>,
    pub(super) next_ticket: u64,
}

/// Any process that sends these messages, sets these timers, makes these observations and
/// keeps this storage. A role's handlers take the context of one, so that a role knows what
/// the nodes say and keep, not the process that dispatches to it.
pub trait Host: Process<Msg = Msg, Timer = Timer, Obs = Obs, Stable = Stable> {}

impl<P: Process<Msg = Msg, Timer = Timer, Obs = Obs, Stable = Stable>> Host for P {}
