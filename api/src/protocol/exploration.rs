//! A protocol's consent to be searched (`ftsim explore`). A search copies and fingerprints
//! states, and may expand them on several threads, so it needs what [`Searchable`] names of
//! the process type. The declaration states the consent without knowing the explorer: the
//! runner hands [`Protocol::exploration`] an [`Exploring`] value, and the protocol answers
//! with one of its methods, whose bounds the compiler checks against the protocol's own
//! process type. A protocol that does not answer is run by seeds only.
//!
//! ```
//! # use ftsim_api::{params, Ctx, Model, NodeId, Process, Properties, Protocol};
//! use ftsim_api::Exploring;
//!
//! #[derive(Clone, Debug, Hash)]
//! struct Quiet;
//! impl Process for Quiet {
//!     type Msg = ();
//!     type Timer = ();
//!     type Obs = ();
//!     type Stable = ();
//!     fn on_start(&mut self, _: &mut Ctx<'_, Self>) {}
//!     fn on_message(&mut self, _: &mut Ctx<'_, Self>, _: NodeId, _: ()) {}
//! }
//! params! {
//!     /// Nothing to set.
//!     pub struct QuietParams {}
//! }
//! struct QuietProtocol;
//! impl Protocol for QuietProtocol {
//!     type Process = Quiet;
//!     type Params = QuietParams;
//!     fn name(&self) -> &'static str { "quiet" }
//!     fn summary(&self) -> &'static str { "says nothing" }
//!     fn properties(&self) -> Properties<Quiet> { Properties::new() }
//!     fn model(&self, _: &QuietParams, _: usize) -> Model { Model::new() }
//!     fn process(&self, _: &QuietParams, _: NodeId, _: usize) -> Quiet { Quiet }
//!     // `Quiet` is `Clone + Hash`: a search may copy and fingerprint it.
//!     fn exploration<E: Exploring<Self>>(&self, explorer: E) -> Option<E::Explorer> {
//!         Some(explorer.searchable())
//!     }
//! }
//! ```

use sim_core::{NodeId, Rename};

pub use sim_core::Searchable;

use super::Protocol;

/// What a search needs for symmetry reduction: a searchable process whose process, messages,
/// timers and stable storage can have their node ids renamed ([`Rename`]).
pub trait Renamable: Searchable<Msg: Rename, Timer: Rename, Stable: Rename> + Rename {}

impl<P> Renamable for P where P: Searchable<Msg: Rename, Timer: Rename, Stable: Rename> + Rename {}

/// Which nodes of a group are interchangeable, for these parameters and group size.
pub type NodeClass<T> = fn(&<T as Protocol>::Params, usize) -> Vec<NodeId>;

/// The explorer's side of a protocol's consent, given to [`Protocol::exploration`]: the
/// protocol answers with the method whose bounds its process meets. The runner implements
/// it; a protocol only calls it.
pub trait Exploring<T: Protocol> {
    /// What the explorer builds from the consent.
    type Explorer;

    /// The protocol's states may be searched: its process is [`Searchable`].
    fn searchable(self) -> Self::Explorer
    where
        T::Process: Searchable;

    /// As [`Exploring::searchable`], and the nodes `class(params, nodes)` are
    /// interchangeable: renaming them among themselves changes nothing the protocol or its
    /// properties can tell (TwoPhase's RMs). `explore --symmetry` then deduplicates states up
    /// to such renamings, exactly. The properties' memory must hold no node ids.
    fn symmetric(self, class: NodeClass<T>) -> Self::Explorer
    where
        T::Process: Renamable;
}
