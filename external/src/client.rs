//! A workload's client: an ftsim node written in Rust (deterministic, never faulted) that sends
//! requests to the external nodes, records each as an invocation and its reply as a
//! completion, for the workload's properties to judge. A client sees the world through [`Io`],
//! so workloads need not know the process type that carries them.

use std::fmt::Debug;
use std::hash::{Hash, Hasher};
use std::ops::Deref;

use ftsim_api::{Duration, NodeId, Time};
use serde_json::Value;

/// What a client can see and do in a handler.
pub trait Io {
    /// The virtual time.
    fn now(&self) -> Time;
    /// This client's node id.
    fn me(&self) -> NodeId;
    /// How many servers (external nodes, ids `0..servers`) there are.
    fn servers(&self) -> usize;
    /// Which client this is, from 0.
    fn client_index(&self) -> usize;
    /// How many clients there are.
    fn clients(&self) -> usize;
    /// A number drawn uniformly from `0..bound` (`bound` at least 1).
    fn random_below(&mut self, bound: u64) -> u64;
    /// Fires [`Client::on_timer`] with `tick` after `delay`.
    fn set_timer(&mut self, delay: Duration, tick: u32);
    /// Sends `body` to `server` as request `op` (its `msg_id`), observed as an invocation.
    fn request(&mut self, server: NodeId, op: u64, body: Value);
}

/// A workload's client logic. A search copies and fingerprints clients, so a client is
/// `Clone + Hash` (see [`CopyClient`]), its hash covering what it remembers.
pub trait Client: Debug + Send + Sync + CopyClient {
    /// The run starts.
    fn on_start(&mut self, io: &mut dyn Io);
    /// A timer set with [`Io::set_timer`] fires.
    fn on_timer(&mut self, io: &mut dyn Io, tick: u32);
    /// A reply to request `op` arrived from `server` (the carrier observes its completion).
    fn on_reply(&mut self, io: &mut dyn Io, server: NodeId, op: u64, body: &Value) {
        let _ = (io, server, op, body);
    }
}

/// A delay drawn uniformly from `0..=max`.
pub fn jitter(io: &mut dyn Io, max: Duration) -> Duration {
    Duration(io.random_below(max.as_nanos().saturating_add(1).max(1)))
}

/// A server drawn uniformly.
pub fn any_server(io: &mut dyn Io) -> NodeId {
    io.random_below(io.servers().max(1) as u64) as NodeId
}

/// What a search does with a client, for every `Client` that is `Clone + Hash`.
pub trait CopyClient {
    /// A copy in the same state.
    fn copy(&self) -> Box<dyn Client>;
    /// Hashes its state.
    fn fingerprint(&self, hasher: &mut dyn Hasher);
}

impl<T: Client + Clone + Hash + 'static> CopyClient for T {
    fn copy(&self) -> Box<dyn Client> {
        Box::new(self.clone())
    }
    fn fingerprint(&self, mut hasher: &mut dyn Hasher) {
        self.hash(&mut hasher);
    }
}

/// A client's settings, the same in every state of a run: they hash as nothing, so a client
/// derives `Hash` over all its fields and each field it remembers is hashed.
#[derive(Clone, Debug)]
pub struct Fixed<T>(pub T);

impl<T> Hash for Fixed<T> {
    fn hash<H: Hasher>(&self, _: &mut H) {}
}

impl<T> Deref for Fixed<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}
