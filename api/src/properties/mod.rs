//! Properties that many protocols share, written once over small observation traits: a
//! protocol's observation type implements the trait and lists the property in its table under
//! whatever name its literature uses (agreement is "atomicity" in two-phase commit).
//!
//! - [`consensus`]: agreement, validity, integrity, termination over [`Decision`];
//! - [`delivery`]: no duplication, no creation, validity, agreement, total and causal order
//!   over [`DeliveryObs`];
//! - [`mutex`]: mutual exclusion over [`CriticalSection`].

pub mod consensus;
pub mod delivery;
pub mod mutex;

pub use consensus::Decision;
pub use delivery::DeliveryObs;
pub use mutex::CriticalSection;
