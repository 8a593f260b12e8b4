//! What both roles of two-phase commit say and keep: the run's settings, the messages, timers
//! and observations, what survives a crash, and [`Host`], the process a role's handlers run
//! in.

use ftsim_api::properties::Decision;
use ftsim_api::{Duration, NodeId, Process};

pub const COORDINATOR: NodeId = 0;

pub const COMMIT: u64 = 1;

pub const ABORT: u64 = 0;

/// The run's settings, as every node reads them.
#[derive(Clone, Copy, Debug, Hash)]
pub struct Config {
    /// Participants log votes and decisions to stable storage (the correct protocol).
    pub participant_log: bool,
    /// Chance, in percent, that a participant votes no.
    pub no_percent: u64,
    /// How long the coordinator waits for votes before aborting.
    pub vote_timeout: Duration,
    /// Period of retransmissions (prepare, decision, participants' queries).
    pub retry: Duration,
    /// Retransmission rounds each node makes at most (`None`: forever). A bound makes the
    /// state space of a search finite: every re-armed timer is a new state.
    pub retry_limit: Option<u64>,
}

impl Config {
    /// Whether a node that retransmitted `done` times may retransmit again.
    pub(super) fn may_retry(&self, done: u64) -> bool {
        self.retry_limit.is_none_or(|limit| done < limit)
    }
}

#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub enum Msg {
    Prepare,
    Vote {
        yes: bool,
    },
    Decision {
        commit: bool,
    },
    Ack,
    /// A blocked participant asks the coordinator for the outcome.
    Query,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub enum Timer {
    VoteTimeout,
    Retry,
}

/// Why a process decided what it decided; abort-validity judges these against the history.
#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq)]
pub enum Why {
    /// Coordinator: every participant voted yes.
    AllYes,
    /// Coordinator: a participant voted no; participant: it voted no itself.
    NoVote,
    /// Coordinator: votes did not all arrive before the timeout.
    Timeout,
    /// Coordinator: it recovered without a logged decision (presumed abort).
    Recovered,
    /// Participant: the coordinator told it.
    Told,
    /// Participant: it recovered with no record of the transaction and aborted on its own.
    NoRecord,
}

impl Why {
    /// Every reason, by its name (as `Debug` writes it).
    pub const ALL: [Why; 6] = [
        Why::AllYes,
        Why::NoVote,
        Why::Timeout,
        Why::Recovered,
        Why::Told,
        Why::NoRecord,
    ];
    /// The names of [`Why::ALL`], in order.
    pub const NAMES: [&'static str; 6] = [
        "AllYes",
        "NoVote",
        "Timeout",
        "Recovered",
        "Told",
        "NoRecord",
    ];

    /// The reason called `name` ("NoVote"), if it is one.
    pub fn from_name(name: &str) -> Option<Why> {
        let index = Why::NAMES.iter().position(|&n| n == name)?;
        Some(Why::ALL[index])
    }
}

#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub enum Obs {
    Vote { yes: bool },
    Decide { commit: bool, why: Why },
}

/// Commit and abort as decided values, for the shared consensus properties.
impl Decision for Obs {
    fn proposed(&self) -> Option<u64> {
        None
    }
    fn decided(&self) -> Option<u64> {
        match self {
            Obs::Decide { commit, .. } => Some(if *commit { COMMIT } else { ABORT }),
            Obs::Vote { .. } => None,
        }
    }
}

/// What survives a crash.
#[derive(Clone, Debug, Default, Hash)]
pub struct Log {
    pub vote: Option<bool>,
    pub decision: Option<bool>,
}

/// The participants of a group of `n`: every node but the coordinator.
pub(super) fn participants(n: usize) -> impl Iterator<Item = NodeId> {
    1..n
}

/// Any process that sends these messages, sets these timers, makes these observations and
/// keeps this storage. A role's handlers take the context of one, so that a role knows what
/// the nodes say and keep, not the process that dispatches to it.
pub trait Host: Process<Msg = Msg, Timer = Timer, Obs = Obs, Stable = Log> {}

impl<P: Process<Msg = Msg, Timer = Timer, Obs = Obs, Stable = Log>> Host for P {}
