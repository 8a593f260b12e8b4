//! What clients and storage servers say: items and transaction ids, the run's settings, the
//! messages, timers and observations, and [`Host`], the process a role's handlers run in.

use std::fmt;

use ftsim_api::{Duration, NodeId, Process};

use super::{Locking, Release};

/// A data item: item `index` of server `server`. Shown as a letter and its server, `b@s1`.
#[derive(Clone, Copy, Hash, PartialEq, Eq, PartialOrd, Ord)]
pub struct Item {
    /// The storage server (a node id) that holds the item and its lock.
    pub server: NodeId,
    /// Its index on that server.
    pub index: u32,
}

impl fmt::Display for Item {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Named by index on its own server, so a name does not depend on the item count.
        write!(f, "{}@s{}", item_letter(self.index), self.server)
    }
}

/// Timelines show messages and observations through `Debug`: the short name reads best.
impl fmt::Debug for Item {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// `x`, `y`, `z`, `w`, then `x4`, `x5`…: short names for an item's index on its server.
fn item_letter(index: u32) -> String {
    match index {
        0 => "x".into(),
        1 => "y".into(),
        2 => "z".into(),
        3 => "w".into(),
        i => format!("x{i}"),
    }
}

/// One attempt of one transaction: client `client`'s transaction `number` (from 1), tried for
/// the `attempt`th time (from 1; an aborted attempt is retried under a new id). Shown as
/// `t3.1`, or `t3.1#2` for a retry.
#[derive(Clone, Copy, Hash, PartialEq, Eq, PartialOrd, Ord)]
pub struct TxnId {
    pub client: NodeId,
    pub number: u32,
    pub attempt: u32,
}

impl fmt::Display for TxnId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "t{}.{}", self.client, self.number)?;
        if self.attempt > 1 {
            write!(f, "#{}", self.attempt)?;
        }
        Ok(())
    }
}

/// Timelines show messages and observations through `Debug`: the short name reads best.
impl fmt::Debug for TxnId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// The run's settings, as every node reads them.
#[derive(Clone, Copy, Debug)]
pub struct Config {
    /// Nodes `0..servers` are storage servers.
    pub servers: usize,
    /// Items held by each server.
    pub items_per_server: u32,
    /// Transactions each client runs to commit.
    pub txns: u32,
    /// Chance, in percent, that an access updates the item (else it only reads it).
    pub update_percent: u64,
    /// Chance, in percent, that a server votes no at prepare.
    pub no_vote_percent: u64,
    /// The order a client locks its items in, and what a server does with a held item.
    pub locking: Locking,
    /// When a server releases a transaction's locks.
    pub release: Release,
    /// Longest think time before a transaction.
    pub think_max: Duration,
    /// Backoff before retrying an aborted transaction: up to this much, times the attempt.
    pub backoff_max: Duration,
}

#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq)]
pub enum Msg {
    /// Client to server: lock `item` for `txn` (and read it); `update`: it will write it.
    Lock {
        txn: TxnId,
        item: Item,
        update: bool,
    },
    /// Server to client: the lock is `txn`'s; the item's value is at `version`.
    Granted {
        txn: TxnId,
        item: Item,
        version: u64,
    },
    /// Server to client (no-wait): the item is locked by another transaction: no.
    Busy { txn: TxnId, item: Item },
    /// 2PC phase 1, client (the coordinator) to each server of the transaction.
    Prepare { txn: TxnId },
    /// A server's vote.
    Vote { txn: TxnId, yes: bool },
    /// 2PC phase 2: the decision (also how a client aborts an attempt refused a lock).
    Decision { txn: TxnId, commit: bool },
}

#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq)]
pub enum Timer {
    /// A client's think time is over: begin (or retry) its current transaction.
    Begin,
}

/// Why a client decided what it decided.
#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq)]
pub enum Why {
    /// Every server voted yes.
    AllYes,
    /// A server voted no.
    NoVote,
    /// No-wait: a server refused a lock held by another transaction.
    Refused,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub enum Obs {
    /// Client: `txn` begins (an attempt of one of its transactions).
    Begin { txn: TxnId },
    /// Server: `txn` holds `item`'s lock and read it at `version`.
    Granted {
        txn: TxnId,
        item: Item,
        version: u64,
    },
    /// Server: `txn` waits for `item`, held by `holder`.
    Queued {
        txn: TxnId,
        item: Item,
        holder: TxnId,
    },
    /// Server (no-wait): `txn` was refused `item`, held by `holder`.
    Refused {
        txn: TxnId,
        item: Item,
        holder: TxnId,
    },
    /// Server: `txn` no longer holds `item`'s lock.
    Released { txn: TxnId, item: Item },
    /// Server: its vote on `txn`.
    Vote { txn: TxnId, yes: bool },
    /// Server: `txn` committed here and wrote `item`, now at `version`.
    Wrote {
        txn: TxnId,
        item: Item,
        version: u64,
    },
    /// Server: it applied the decision on `txn` (commit or abort).
    Applied { txn: TxnId, commit: bool },
    /// Client: it decided `txn`; `aborts` counts the client's aborted attempts so far.
    Decide {
        txn: TxnId,
        commit: bool,
        why: Why,
        aborts: u32,
    },
}

/// Any process that sends these messages, sets these timers, makes these observations and
/// keeps this storage. A role's handlers take the context of one, so that a role knows what
/// the nodes say and keep, not the process that dispatches to it.
pub trait Host: Process<Msg = Msg, Timer = Timer, Obs = Obs, Stable = ()> {}

impl<P: Process<Msg = Msg, Timer = Timer, Obs = Obs, Stable = ()>> Host for P {}
