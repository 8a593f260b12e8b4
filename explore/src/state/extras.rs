//! The parts of a search's state that most searches leave empty: the failure detector's
//! pending notices and whom each node suspects, the Byzantine nodes' adversaries, and the
//! timing of a model that bounds delays. A [`State`](super::State) holds them behind one
//! optional box, so a held state of a search without them pays a pointer for all five (they
//! took 92 bytes of every state a TwoPhase search holds), and a copy tests one pointer.

use sim_core::{AdversarySnapshot, Process};

use super::{Key, Notice};
use crate::zone::Zone;

/// What a state holds besides its nodes, network, crash count, start and monitors.
pub(crate) struct Extras<P: Process> {
    /// Sorted.
    pub notices: Vec<Notice>,
    /// Per node, whom it suspects now (a bit per node): empty until a node first suspects
    /// another.
    pub suspected: Vec<u64>,
    /// Per node, its adversary if it is Byzantine (a snapshot: `Send` and `Sync`, for
    /// `--threads`); empty until the traitors are placed.
    pub adversaries: Vec<Option<AdversarySnapshot<P>>>,
    /// For a model bounding delays, the constraints on the times still in play (see
    /// `zone_graph`).
    pub zone: Option<Zone>,
    /// The last step's event, if the engine scheduled it (see `zone_graph`).
    pub last_event: Option<Key>,
}

impl<P: Process> Default for Extras<P> {
    fn default() -> Self {
        Extras {
            notices: Vec::new(),
            suspected: Vec::new(),
            adversaries: Vec::new(),
            zone: None,
            last_event: None,
        }
    }
}

impl<P: Process> Extras<P> {
    /// A copy (each adversary a snapshot of its own).
    pub(crate) fn copy(&self) -> Self {
        Extras {
            notices: self.notices.clone(),
            suspected: self.suspected.clone(),
            adversaries: self.copy_adversaries().collect(),
            zone: self.zone.clone(),
            last_event: self.last_event,
        }
    }

    /// A copy into `self`, reusing its buffers.
    pub(crate) fn copy_from(&mut self, from: &Self) {
        self.notices.clone_from(&from.notices);
        self.suspected.clone_from(&from.suspected);
        self.adversaries.clear();
        self.adversaries.extend(from.copy_adversaries());
        self.zone.clone_from(&from.zone);
        self.last_event = from.last_event;
    }

    /// Copies of the adversaries (snapshots: each remembers what it did so far).
    fn copy_adversaries(&self) -> impl Iterator<Item = Option<AdversarySnapshot<P>>> + '_ {
        self.adversaries.iter().map(|a| {
            a.as_ref().map(|a| {
                a.snapshot()
                    .expect("only adversaries with snapshots are explored")
            })
        })
    }
}
