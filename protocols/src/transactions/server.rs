//! A storage server: it holds items, their versions and their locks, and is a 2PC participant
//! for every transaction that locked one of its items. A lock is exclusive (reads too, so a
//! read value cannot change under its reader); a held item either queues the request (FIFO) or,
//! under no-wait, refuses it. Locks are released when the 2PC decision is applied (strict
//! two-phase locking), or, in the broken `at-vote` variant, as soon as the server votes yes.

use std::collections::{BTreeMap, VecDeque};

use ftsim_api::{Ctx, NodeId};

use super::messages::{Config, Host, Item, Msg, Obs, TxnId};
use super::{Locking, Release};

/// A transaction waiting for an item's lock.
#[derive(Clone, Copy, Debug, Hash)]
struct Waiter {
    txn: TxnId,
    update: bool,
}

/// A locked item: its holder and the transactions queued behind it, first come first served.
#[derive(Clone, Debug, Hash)]
struct Lock {
    holder: TxnId,
    queue: VecDeque<Waiter>,
}

/// What the server knows of a transaction that locked items here and is not decided yet.
#[derive(Clone, Debug, Default, Hash)]
struct Pending {
    /// The items it locked here, and whether it updates each.
    items: Vec<(Item, bool)>,
    /// Its locks are already released (the `at-vote` bug).
    released: bool,
}

#[derive(Clone, Debug, Default, Hash)]
pub struct Server {
    locks: BTreeMap<Item, Lock>,
    /// Each item's committed version; absent means 0, the initial value.
    versions: BTreeMap<Item, u64>,
    pending: BTreeMap<TxnId, Pending>,
}

impl Server {
    /// The holder of `item`'s lock, if it is locked.
    pub fn holder(&self, item: Item) -> Option<TxnId> {
        self.locks.get(&item).map(|l| l.holder)
    }

    /// `item`'s committed version.
    pub fn version(&self, item: Item) -> u64 {
        self.versions.get(&item).copied().unwrap_or(0)
    }

    pub(super) fn on_message(
        &mut self,
        ctx: &mut Ctx<'_, impl Host>,
        cfg: &Config,
        _from: NodeId,
        msg: Msg,
    ) {
        match msg {
            Msg::Lock { txn, item, update } => self.lock(ctx, cfg, txn, item, update),
            Msg::Prepare { txn } => self.prepare(ctx, cfg, txn),
            Msg::Decision { txn, commit } => self.apply(ctx, txn, commit),
            Msg::Granted { .. } | Msg::Busy { .. } | Msg::Vote { .. } => {}
        }
    }

    /// A lock request: granted if the item is free, else queued or (no-wait) refused.
    fn lock(
        &mut self,
        ctx: &mut Ctx<'_, impl Host>,
        cfg: &Config,
        txn: TxnId,
        item: Item,
        update: bool,
    ) {
        let Some(lock) = self.locks.get_mut(&item) else {
            self.grant(ctx, Waiter { txn, update }, item);
            return;
        };
        let holder = lock.holder;
        if cfg.locking == Locking::NoWait {
            ctx.observe(Obs::Refused { txn, item, holder });
            ctx.send(txn.client, Msg::Busy { txn, item });
        } else {
            lock.queue.push_back(Waiter { txn, update });
            ctx.observe(Obs::Queued { txn, item, holder });
        }
    }

    /// `w` now holds `item` (free, or just released to it) and reads its value.
    fn grant(&mut self, ctx: &mut Ctx<'_, impl Host>, w: Waiter, item: Item) {
        let queue = self
            .locks
            .remove(&item)
            .map(|l| l.queue)
            .unwrap_or_default();
        self.locks.insert(
            item,
            Lock {
                holder: w.txn,
                queue,
            },
        );
        self.pending
            .entry(w.txn)
            .or_default()
            .items
            .push((item, w.update));
        let version = self.version(item);
        ctx.observe(Obs::Granted {
            txn: w.txn,
            item,
            version,
        });
        ctx.send(
            w.txn.client,
            Msg::Granted {
                txn: w.txn,
                item,
                version,
            },
        );
    }

    /// 2PC phase 1: vote yes (or, by chance, no: the write would break a constraint of the
    /// store). A no is an abort here at once; the `at-vote` bug releases the locks on a yes.
    fn prepare(&mut self, ctx: &mut Ctx<'_, impl Host>, cfg: &Config, txn: TxnId) {
        let yes = self.pending.contains_key(&txn) && ctx.random_below(100) >= cfg.no_vote_percent;
        ctx.observe(Obs::Vote { txn, yes });
        ctx.send(txn.client, Msg::Vote { txn, yes });
        if !yes {
            self.apply(ctx, txn, false);
        } else if cfg.release == Release::AtVote {
            self.release_all(ctx, txn);
        }
    }

    /// 2PC phase 2 (or an abort of an attempt refused a lock): writes the updated items on a
    /// commit, then releases the locks. A transaction already decided here is ignored.
    fn apply(&mut self, ctx: &mut Ctx<'_, impl Host>, txn: TxnId, commit: bool) {
        if !self.pending.contains_key(&txn) {
            return;
        }
        if commit {
            let updated: Vec<Item> = self.pending[&txn]
                .items
                .iter()
                .filter(|&&(_, update)| update)
                .map(|&(item, _)| item)
                .collect();
            for item in updated {
                let version = self.version(item) + 1;
                self.versions.insert(item, version);
                ctx.observe(Obs::Wrote { txn, item, version });
            }
        }
        ctx.observe(Obs::Applied { txn, commit });
        self.release_all(ctx, txn);
        self.pending.remove(&txn);
    }

    /// Releases every lock `txn` holds here (once), each to the next transaction in line.
    fn release_all(&mut self, ctx: &mut Ctx<'_, impl Host>, txn: TxnId) {
        let Some(p) = self.pending.get_mut(&txn) else {
            return;
        };
        if std::mem::replace(&mut p.released, true) {
            return;
        }
        let items: Vec<Item> = p.items.iter().map(|&(item, _)| item).collect();
        for item in items {
            self.release(ctx, txn, item);
        }
    }

    fn release(&mut self, ctx: &mut Ctx<'_, impl Host>, txn: TxnId, item: Item) {
        let Some(lock) = self.locks.get_mut(&item) else {
            return;
        };
        if lock.holder != txn {
            return;
        }
        ctx.observe(Obs::Released { txn, item });
        match lock.queue.pop_front() {
            Some(next) => self.grant(ctx, next, item),
            None => {
                self.locks.remove(&item);
            }
        }
    }
}
