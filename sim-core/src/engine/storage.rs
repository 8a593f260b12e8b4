//! Storage faults for crash-recover protocols: with them on, a write to stable storage is
//! durable only once the protocol syncs it (`Ctx::sync` snapshots the storage, in order with
//! the handler's sends, so a triggered crash that cuts the handler first loses the sync), and
//! a crash loses what was not synced (all of it, or, for a torn write, the tail of it). With
//! them off, every write is durable when its handler returns (even one a triggered crash cut
//! short), and nothing here costs anything.

use crate::entropy::{Choices, Draw, Stream};
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
    /// Whether a triggered crash cut the current handler before one of its syncs.
    sync_cut: bool,
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
            sync_cut: false,
        }
    }

    /// Whether storage faults are on (then syncs matter).
    #[inline]
    pub(super) fn faulty(&self) -> bool {
        self.mode != StorageFaults::None
    }

    /// Whether `node` wrote since its last sync (false without storage faults).
    #[inline]
    pub(super) fn dirty(&self, node: NodeId) -> bool {
        self.dirty.get(node).copied().unwrap_or(false)
    }

    /// A handler of `node` ran and its effects (syncs among them) were applied. It left
    /// stable storage as `stable`, having written it if `written`, and written it after its
    /// last sync if `unsynced`: that last part is not durable, nor is what came before a sync
    /// that a crash cut off.
    #[inline]
    pub(super) fn after_handler(
        &mut self,
        node: NodeId,
        stable: &S,
        written: bool,
        unsynced: bool,
    ) {
        if self.mode != StorageFaults::None {
            self.after_faulty_handler(node, stable, written, unsynced);
        }
    }

    /// [`after_handler`](Storage::after_handler) when storage faults are on.
    fn after_faulty_handler(&mut self, node: NodeId, stable: &S, written: bool, unsynced: bool) {
        if std::mem::take(&mut self.sync_cut) || unsynced {
            if self.mode == StorageFaults::Torn && written {
                self.unsynced[node].push(stable.clone());
            }
            self.dirty[node] = true;
        }
    }

    /// A triggered crash cut the handler before a sync: the sync never happened.
    pub(super) fn sync_cut(&mut self) {
        self.sync_cut = true;
    }

    /// `node` synced: `stable`, its contents at the sync, is durable.
    pub(super) fn sync(&mut self, node: NodeId, stable: S) {
        self.synced[node] = stable;
        self.unsynced[node].clear();
        self.dirty[node] = false;
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
                // Some first writes made it to disk: keep a random prefix, never the whole
                // (a decision about this node's crash, simplest when nothing is kept).
                let tear = Draw::Tear { node };
                let kept = choices.choose(Stream::Storage, tear, writes.len() as u64) as usize;
                if kept > 0 {
                    self.synced[node] = writes[kept - 1].clone();
                }
                Some(self.synced[node].clone())
            }
        }
    }
}
