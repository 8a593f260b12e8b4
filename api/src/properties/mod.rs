//! Properties that many protocols share, written once over small observation traits: a
//! protocol's observation type implements the trait and lists the property in its table under
//! whatever name its literature uses (agreement is "atomicity" in two-phase commit).
//!
//! - [`ByNode`]: what a property remembers per node, in a column by node id;
//! - [`consensus`]: agreement, validity, integrity, termination over [`Decision`];
//! - [`delivery`]: no duplication, no creation, validity, agreement, total and causal order
//!   over [`DeliveryObs`];
//! - [`mutex`]: mutual exclusion over [`CriticalSection`];
//! - [`linearizability`]: client operations judged against a sequential object (a register,
//!   a key-value map, a log), with the Wing & Gong search and an explanation that names the
//!   non-linearizable part; [`operations`]: client operations return, and overlap;
//! - [`evidence`]: the building blocks that let a violation name the events that make it
//!   false ([`Pairwise`] for "no two conflict", [`Waits`] for liveness).
//!
//! Every property here names its evidence: its violation, a [`Falsified`](sim_core::Falsified),
//! cites events in its message ("event #12") and lists them in its
//! [`evidence`](sim_core::Falsified::evidence).

pub mod by_node;
pub mod consensus;
pub mod delivery;
pub mod evidence;
pub mod linearizability;
pub mod mutex;
pub mod operations;

pub use by_node::ByNode;
pub use consensus::Decision;
pub use delivery::DeliveryObs;
pub use evidence::{
    cites_events, event_ref, events_phrase, observe_history, Pairwise, Seen, Stuck, Waits,
    Witnesses,
};
pub use mutex::CriticalSection;
