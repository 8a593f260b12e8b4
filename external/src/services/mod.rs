//! The services Maelstrom offers nodes, as ftsim nodes of the group (never faulted, reached
//! over the simulated network like any node): `lin-kv`, a linearizable key-value store,
//! `seq-kv`, a sequentially consistent one whose reads may be stale, and `lww-kv`, an
//! eventually consistent one whose last write wins. All speak Maelstrom's key-value protocol
//! (`read`, `write`, `cas`, with its error codes 20 and 22).

mod lww_kv;
mod seq_kv;
mod store;

use std::fmt::Debug;
use std::hash::{Hash, Hasher};

use ftsim_api::NodeId;
use serde_json::Value;

pub use lww_kv::LwwKv;
pub use seq_kv::SeqKv;
pub use store::{Store, KEY_DOES_NOT_EXIST, PRECONDITION_FAILED};

/// A service a workload offers its nodes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ServiceKind {
    /// `lin-kv`: a linearizable key-value store.
    LinKv,
    /// `seq-kv`: a sequentially consistent key-value store.
    SeqKv,
    /// `lww-kv`: an eventually consistent key-value store, the last write winning.
    LwwKv,
}

impl ServiceKind {
    /// Its node's name, which the nodes send to.
    pub fn name(self) -> &'static str {
        match self {
            ServiceKind::LinKv => "lin-kv",
            ServiceKind::SeqKv => "seq-kv",
            ServiceKind::LwwKv => "lww-kv",
        }
    }

    /// A fresh instance, empty.
    pub fn start(self) -> Box<dyn Service> {
        match self {
            ServiceKind::LinKv => Box::new(LinKv::default()),
            ServiceKind::SeqKv => Box::new(SeqKv::default()),
            ServiceKind::LwwKv => Box::new(LwwKv::default()),
        }
    }
}

/// A service's logic: the answer to each request, in the order requests arrive.
pub trait Service: Debug + Send + Sync + CopyService {
    /// The reply body to `body` from `from` (without `in_reply_to`, which the carrier adds);
    /// `random_below(bound)` draws from `0..bound`.
    fn answer(
        &mut self,
        from: NodeId,
        body: &Value,
        random_below: &mut dyn FnMut(u64) -> u64,
    ) -> Value;
}

/// What a search does with a service, for every `Service` that is `Clone + Hash`.
pub trait CopyService {
    /// A copy in the same state.
    fn copy(&self) -> Box<dyn Service>;
    /// Hashes its state.
    fn fingerprint(&self, hasher: &mut dyn Hasher);
}

impl<T: Service + Clone + Hash + 'static> CopyService for T {
    fn copy(&self) -> Box<dyn Service> {
        Box::new(self.clone())
    }
    fn fingerprint(&self, mut hasher: &mut dyn Hasher) {
        self.hash(&mut hasher);
    }
}

/// `lin-kv`: one store, each request applied when it arrives (so every operation takes effect
/// between its request and its reply).
#[derive(Clone, Debug, Default, Hash)]
pub struct LinKv {
    store: Store,
}

impl Service for LinKv {
    fn answer(&mut self, _: NodeId, body: &Value, _: &mut dyn FnMut(u64) -> u64) -> Value {
        self.store.apply(body)
    }
}
