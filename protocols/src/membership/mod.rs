//! Group membership with rejoin: a coordinator-based, view-synchronous group whose crashed
//! members come back by rejoining with a state transfer.
//!
//! **Model.** Crash-recover processes: a crash loses everything but an incarnation number in
//! stable storage (synced before the process says anything), so a recovered process is a new
//! member that must be given the group's state. Reliable links that may reorder; no loss.
//! A perfect failure detector (it never suspects a live process; it tells everyone of a crash
//! at once, and of a recovery). At most n − 1 processes ever crash: the group's state lives
//! in its members' memory, so one process must stay up to hand it on. Nothing is assumed of
//! delays.
//!
//! **Algorithm.** Every process multicasts `messages` messages per incarnation. The
//! coordinator, the most senior live member (earliest view joined, then lowest id), orders
//! everything in one log: `Deliver(m)` for each member's multicast (a member submits it to the
//! coordinator, and again to each new coordinator until it is delivered) and `Install(view)`
//! for each membership change (a crash its detector reports; a join). Members apply the log in
//! index order, so they deliver the same messages in each view and install the same views in
//! the same order. A recovered process sends `Join` until it is welcomed: the coordinator
//! installs a view with it and sends it the log up to that view: its state transfer. When the
//! coordinator crashes, the next most senior member takes over with a *flush*: it asks every
//! live process for its log (all are prefixes of one log, since only one coordinator orders at
//! a time), completes its own from the longest, sends each survivor the entries it missed (the
//! old coordinator's last multicasts may have reached only some), admits the rest as joiners,
//! and installs the next view. Entries from a suspected coordinator are ignored, and a process
//! removed while alive (its crash was detected only after it had recovered) is told, and
//! rejoins.
//!
//! **Invariants.** Every process that installs view k installs the same members, and each process
//! installs views in increasing order: the same order everywhere (`views-agree`); processes that
//! install the same two consecutive views delivered the same messages in between
//! (`view-synchrony`); every process that installs view k has the same state then, so a rejoined
//! process's state is the group's (`joined-state`); no incarnation of a process delivers a message
//! twice (`delivered-once`). At the end every live process is in one view of exactly the live
//! processes (`views-converge`) and knows every message multicast by a process that never crashed
//! (`all-delivered`). Reachability: a recovered process rejoined with a non-empty state
//! (`rejoined-with-state`); a flush gave a survivor messages it had missed (`flush-repaired`).
//!
//! **Known result.** The coordinator-ordered group with state transfer keeps every invariant
//! under crash-recover of up to all but one process, a coordinator crashing in the middle of a
//! multicast, processes crashing again and again, and storage faults
//! (`scenarios/membership-rejoin.toml`, `membership-coordinator-crashes.toml`,
//! `membership-intermittent.toml`). Rejoining without a state transfer
//! (`state_transfer = false`) is caught on `joined-state` (`membership-no-state-transfer.toml`);
//! installing views locally, in the order each process hears of crashes and joins
//! (`views = "local"`), is caught on `views-agree` (`membership-local-views.toml`).

mod coordinator;
mod log;
mod member;
mod process;
mod properties;
#[cfg(test)]
mod tests;

use ftsim_api::DetectorClass;
use ftsim_api::{
    choice, params, DetectorModel, Duration, Exploring, FaultClass, Model, NodeId, Properties,
    Protocol, SpecError,
};

pub use log::{Digest, Entry, Log, Member, MsgId, Shipped, View, ViewId};
pub use process::{GroupMember, Msg, Obs, Settings, Stable, Timer};
pub use properties::{
    joined_state, AllDelivered, DeliveredOnce, FlushRepaired, RejoinedWithState, ViewSynchrony,
    ViewsAgree, ViewsConverge,
};

choice! {
    /// Who decides the views.
    pub enum Views {
        /// The coordinator, in the log, ordered with the deliveries.
        Coordinator = "coordinator",
        /// Every member by itself, as it hears of crashes and joins (a known-buggy variant).
        Local = "local",
    }
}

params! {
    /// Parameters of the membership service.
    pub struct MembershipParams {
        /// coordinator: views are ordered in the log; local (buggy): each member installs
        /// views in the order it hears of crashes and joins
        views: Views = Views::Coordinator;
        /// whether a joiner receives the group's state (false: a known-buggy variant)
        state_transfer: bool = true;
        /// multicasts per incarnation of each process, each after a random 1-20ms gap
        messages: u32 = 4, range 0..=1_000;
        /// how often a joining process asks again
        join_retry: Duration = Duration::from_millis(20), range "1ms"..="10s";
    }
}

/// The declaration of the membership service.
pub struct GroupMembership;

impl Protocol for GroupMembership {
    type Process = GroupMember;
    type Params = MembershipParams;

    fn name(&self) -> &'static str {
        "membership"
    }

    fn summary(&self) -> &'static str {
        "View-synchronous group membership: the most senior member orders views and \
         multicasts in one log; a recovered process rejoins with a state transfer"
    }

    fn properties(&self) -> Properties<GroupMember> {
        Properties::new()
            .always(
                "views-agree",
                "every process that installs view k installs the same members, and views in \
                 increasing order",
                ViewsAgree::default,
            )
            .always(
                "view-synchrony",
                "processes that install the same two consecutive views delivered the same \
                 messages in between",
                ViewSynchrony::default,
            )
            .always(
                "joined-state",
                "every process that installs view k has the same state then (a joiner gets \
                 the group's)",
                joined_state,
            )
            .always(
                "delivered-once",
                "no incarnation of a process delivers a message twice",
                DeliveredOnce::default,
            )
            .eventually_in_runs(
                "views-converge",
                "at the end every live process is in one view of exactly the live processes",
                ViewsConverge::default,
            )
            .eventually_in_runs(
                "all-delivered",
                "at the end every live process knows every message multicast by a process \
                 that never crashed",
                AllDelivered::default,
            )
            .sometimes(
                "rejoined-with-state",
                "a recovered process rejoined with a non-empty state transfer",
                RejoinedWithState::default,
            )
            .sometimes(
                "flush-repaired",
                "a new coordinator's flush gave a survivor messages it had missed",
                FlushRepaired::default,
            )
    }

    fn detector(&self) -> Option<DetectorModel> {
        Some(DetectorModel::Perfect {
            delay: Duration::from_millis(10),
        })
    }

    fn validate(&self, _: &MembershipParams, nodes: usize) -> Result<(), SpecError> {
        ftsim_api::fits_node_set("membership", nodes)
    }

    fn model(&self, _: &MembershipParams, nodes: usize) -> Model {
        Model::new()
            .tolerates_at_most(
                FaultClass::CrashRecover,
                nodes.saturating_sub(1),
                "all but one: the group's state lives in its members' memory",
            )
            .tolerates(FaultClass::Reordering)
            .tolerates(FaultClass::StorageLoss)
            .needs_detector(DetectorClass::Perfect)
    }

    fn process(&self, params: &MembershipParams, _: NodeId, _: usize) -> GroupMember {
        GroupMember::new(Settings {
            views: params.views,
            state_transfer: params.state_transfer,
            messages: params.messages,
            join_retry: params.join_retry,
        })
    }

    /// A search follows every safety property (their fingerprints hash who installed or
    /// delivered what, never the event numbers kept for the report); views-converge and
    /// all-delivered are left to seeded runs. Join retries re-arm forever: searches here are
    /// bounded by depth.
    fn exploration<E: Exploring<Self>>(&self, explorer: E) -> Option<E::Explorer> {
        Some(explorer.searchable())
    }
}
