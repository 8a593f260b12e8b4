//! Reliable delivery and broadcast, as two layers.
//!
//! **Model.** Crash-stop processes; links that may lose and duplicate messages (as a scenario
//! sets them), not necessarily FIFO; no failure detector. Each sender has one wire (the
//! network's `send_gap` makes a broadcast's unicasts leave one by one), so a crash can cut a
//! broadcast in the middle. Retransmission is timer-driven (`retransmit`); node 0 (or every
//! node, with `senders = "all"`) broadcasts `messages` messages, one every `interval`.
//!
//! **Algorithm.** The *link* layer sends one message to one peer:
//! - *at-most-once*: send once; a lost message is gone;
//! - *at-least-once*: retransmit on a timer until the receiver acknowledges; an acknowledgement
//!   can be lost too, so the receiver may get (and pass up) the same message twice;
//! - *exactly-once processing*: at-least-once plus de-duplication by link sequence number.
//!
//! The *broadcast* layer sends one message to everyone over those links:
//! - *best-effort*: the sender unicasts to every peer; if it crashes in the middle, some correct
//!   processes deliver and others never will;
//! - *eager reliable*: every process relays a message to everyone the first time it delivers
//!   it, so one correct process delivering is enough for all to; de-duplication by message key.
//!
//! **Invariants** (the shared delivery properties): no duplication and no creation (always);
//! validity (a message broadcast by a correct process reaches every correct process) and
//! regular agreement (a message delivered by a correct process reaches every correct process),
//! judged at the end of a run.
//!
//! **Known result.** Eager reliable broadcast over exactly-once links keeps all four under
//! loss, duplication and crashes mid-broadcast (`scenarios/broadcast-eager-reliable-crashes-
//! loss.toml`). Each weaker layer must be caught: best-effort with a sender crash mid-send
//! violates agreement (`broadcast-best-effort-sender-crash.toml`); without retransmission, loss
//! violates validity (`broadcast-no-retransmission-loss.toml`); at-least-once links without
//! de-duplication violate no-duplication (`broadcast-at-least-once-duplicates.toml`).

mod links;
mod process;
#[cfg(test)]
mod tests;

use ftsim_api::metrics::{measures::TimeToDeliver, Metrics};
use ftsim_api::properties::delivery::{Agreement, NoCreation, NoDuplication, Validity};
use ftsim_api::{
    choice, params, Duration, Exploring, FaultClass, Model, NodeId, Properties, Protocol,
};

pub use process::{Msg, Node, Obs, Timer};

choice! {
    /// The broadcast layer.
    pub enum Mode {
        /// The sender unicasts to all.
        BestEffort = "best-effort",
        /// Everyone relays a message the first time it delivers it.
        EagerReliable = "eager-reliable",
    }
}

choice! {
    /// The link layer.
    pub enum Link {
        /// No retransmission.
        AtMostOnce = "at-most-once",
        /// Retransmit until acknowledged, no de-duplication.
        AtLeastOnce = "at-least-once",
        /// At-least-once with de-duplication.
        ExactlyOnce = "exactly-once",
    }
}

choice! {
    /// Who broadcasts.
    pub enum Senders {
        /// Only node 0.
        One = "one",
        /// Every node.
        All = "all",
    }
}

params! {
    /// Parameters of reliable broadcast.
    pub struct BroadcastParams {
        /// best-effort: the sender unicasts to all; eager-reliable: everyone relays a message
        /// the first time it delivers it
        mode: Mode = Mode::EagerReliable;
        /// at-most-once: no retransmission; at-least-once: retransmit until acked, no
        /// de-duplication; exactly-once: at-least-once with de-duplication
        link: Link = Link::ExactlyOnce;
        /// messages each sender broadcasts
        messages: u32 = 5, range 1..=1000;
        /// time between broadcasts
        interval: Duration = Duration::from_millis(5), range "1ms"..="10s";
        /// one: only node 0 broadcasts; all: every node does
        senders: Senders = Senders::One;
        /// time before unacknowledged link data is sent again
        retransmit: Duration = Duration::from_millis(10), range "1ms"..="10s";
    }
}

/// The declaration of reliable links and broadcast.
pub struct Broadcast;

impl Protocol for Broadcast {
    type Process = Node;
    type Params = BroadcastParams;

    fn name(&self) -> &'static str {
        "broadcast"
    }

    fn summary(&self) -> &'static str {
        "Reliable links (at-most-once, at-least-once, exactly-once processing) under \
         best-effort or eager reliable broadcast"
    }

    fn properties(&self) -> Properties<Node> {
        Properties::new()
            .always(
                "no-duplication",
                "no process delivers a message twice",
                NoDuplication::default,
            )
            .always(
                "no-creation",
                "a delivered message was broadcast by its origin",
                NoCreation::default,
            )
            .eventually(
                "validity",
                "a message broadcast by a correct process reaches every correct process",
                Validity::default,
            )
            .eventually(
                "agreement",
                "a message delivered by a correct process reaches every correct process",
                Agreement::regular,
            )
    }

    fn model(&self, params: &BroadcastParams, _: usize) -> Model {
        let model = Model::new()
            .tolerates(FaultClass::CrashStop)
            .tolerates(FaultClass::Reordering);
        match params.link {
            // Without retransmission a lost message is gone; without de-duplication, a
            // duplicate is delivered: at-most-once links assume the network does neither.
            Link::AtMostOnce => model,
            Link::AtLeastOnce | Link::ExactlyOnce => model
                .tolerates(FaultClass::Loss)
                .tolerates(FaultClass::Duplication),
        }
    }

    fn metrics(&self, _: &BroadcastParams) -> Metrics<Self::Process> {
        Metrics::measured_by(TimeToDeliver::default).latency(
            "time to deliver",
            "from a message's broadcast to its delivery at each process",
        )
    }
    fn process(&self, params: &BroadcastParams, _: NodeId, n: usize) -> Node {
        Node::new(params.clone(), n)
    }

    fn exploration<E: Exploring<Self>>(&self, explorer: E) -> Option<E::Explorer> {
        Some(explorer.searchable())
    }
}
