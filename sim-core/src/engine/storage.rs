//! Storage faults for crash-recover protocols: with them on, a write to stable storage is
//! durable only once the protocol syncs it (`Ctx::sync`), and a crash loses what was not
//! synced (all of it, or, for a torn write, the tail of it). With them off, every write is
//! durable when its handler returns, and nothing here costs anything.

use crate::entropy::{Choices, Stream};
use crate::faults::StorageFaults;
use crate::NodeId;

/// What each node has synced, and what it wrote since.
pub(super) struct Storage<S> {
    mode: StorageFaults,
    /// The last synced contents of each node's stable storage.
    synced: Vec<S>,
    /// For torn writes: the contents after each writing handler since the last sync.
    unsynced: Vec<Vec<S>>,
    /// Whether each node wrote since its last sync.
    dirty: Vec<bool>,
}

impl<S: Clone + Default> Storage<S> {
    pub(super) fn new(mode: StorageFaults, n: usize) -> Self {
        let on = mode != StorageFaults::None;
        Storage {
            mode,
            synced: if on {
                vec![S::default(); n]
            } else {
                Vec::new()
            },
            unsynced: if on { vec![Vec::new(); n] } else { Vec::new() },
            dirty: vec![false; if on { n } else { 0 }],
        }
    }

    /// A handler of `node` returned, having written `stable` if `written`, and asked for a
    /// sync if `sync`.
    pub(super) fn after_handler(&mut self, node: NodeId, stable: &S, written: bool, sync: bool) {
        match self.mode {
            StorageFaults::None => return,
            _ if sync => {
                self.synced[node] = stable.clone();
                self.unsynced[node].clear();
                self.dirty[node] = false;
                return;
            }
            StorageFaults::Torn if written => self.unsynced[node].push(stable.clone()),
            _ => {}
        }
        self.dirty[node] |= written;
    }

    /// `node` crashed: what its stable storage holds afterwards, if the crash lost writes.
    pub(super) fn at_crash(&mut self, node: NodeId, choices: &mut dyn Choices) -> Option<S> {
        if !std::mem::take(self.dirty.get_mut(node)?) {
            return None;
        }
        let writes = std::mem::take(&mut self.unsynced[node]);
        match self.mode {
            StorageFaults::None => None,
            StorageFaults::LoseUnsynced => Some(self.synced[node].clone()),
            StorageFaults::Torn if writes.is_empty() => Some(self.synced[node].clone()),
            StorageFaults::Torn => {
                // Some first writes made it to disk: keep a random prefix, never the whole.
                let kept = choices.choose(Stream::Storage, writes.len() as u64) as usize;
                Some(match kept {
                    0 => self.synced[node].clone(),
                    k => writes[k - 1].clone(),
                })
            }
        }
    }
}
