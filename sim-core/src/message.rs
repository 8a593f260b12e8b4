//! A message as a run names it, apart from its contents and its timing: which message it is
//! ([`MsgKey`], its link and its number there) and, if it was not delivered, why
//! ([`DropReason`]). A decision about a message, a script's cue, a search's transition and a
//! trace entry all speak of messages in these words.

use serde::{Deserialize, Serialize};

use crate::NodeId;

/// The message a network decision is about: the `seq`-th message `from` sent to `to` in the run
/// (counted from 0). It keys a decision to its message rather than to the moment it is asked,
/// so that an edited run (a loss undone, a crash removed, a delay shortened) still finds the
/// recorded fate of each message that it sends again.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct MsgKey {
    /// The sender.
    pub from: NodeId,
    /// The receiver.
    pub to: NodeId,
    /// How many messages `from` had sent to `to` before this one.
    pub seq: u64,
}

/// Why a message was not delivered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DropReason {
    /// The link lost it.
    Loss,
    /// Sender and receiver were in different partition groups.
    Partition,
    /// The sender was in a send-omission window.
    SendOmission,
    /// The receiver was in a receive-omission window.
    ReceiveOmission,
    /// The receiver was down when it arrived.
    ReceiverDown,
    /// The sender crashed before the message left it (crash in the middle of a broadcast).
    SenderCrashed,
    /// A Byzantine sender's adversary suppressed it.
    Adversary,
}

impl DropReason {
    /// How reports word the reason.
    pub fn as_str(self) -> &'static str {
        match self {
            DropReason::Loss => "loss",
            DropReason::Partition => "partition",
            DropReason::SendOmission => "send omission",
            DropReason::ReceiveOmission => "receive omission",
            DropReason::ReceiverDown => "receiver down",
            DropReason::SenderCrashed => "sender crashed before sending",
            DropReason::Adversary => "adversary",
        }
    }
}
