//! Distributed transactions with locks, committed by two-phase commit over a storage service.
//!
//! **Model.** Reliable links that may delay and reorder messages arbitrarily (no loss, no
//! duplication); no crashes. Nodes `0..servers` are storage servers, each holding
//! `items_per_server` items with an exclusive lock each; the other nodes are clients.
//!
//! **Algorithm.** Each client runs `txns` transactions, one after the other; a transaction
//! touches one item on every server, reading it or reading and updating it. The client locks
//! the items one at a time (a server grants a free item and returns its value), and once it
//! holds them all it is the 2PC coordinator over their servers: `Prepare`, every server votes
//! (no with `no_vote_percent` chance, aborting there at once), and the client sends the
//! decision. A server applies it (writing the updated items on a commit) and only then
//! releases the transaction's locks: strict two-phase locking. An aborted attempt is retried
//! after a random backoff under a new id (`t3.1#2`). The variants (`locking`):
//! - `arbitrary`: each attempt locks its items in a random order and waits in a FIFO queue
//!   for a held item: two clients can each hold what the other waits for, forever;
//! - `ordered`: items are locked in one global order (server, then index), "S1 then S2": a
//!   wait-for cycle would need someone to wait for a lower item than one it holds, so there is
//!   none, at the price of locking one server after the other;
//! - `no-wait`: random order, but a server says no to a held item, and the client aborts the
//!   attempt (releasing what it holds) and retries later: no one ever waits, so no deadlock.
//!
//! With `release = "at-vote"` (the known bug) a server releases a transaction's locks when it
//! votes yes, before the decision: no longer two-phase locking, since the transaction's writes
//! come after another transaction has locked and read the items.
//!
//! **Invariants.** Conflict-serialisability of committed transactions (`serialisability`: the
//! precedence graph of reads at lock grants and writes at commits is acyclic; a violation
//! names the cycle); the client and every server apply the same decision (`atomicity`); a
//! commit needs every server's yes (`commit-validity`); every client up at the end committed
//! all its transactions (`termination`, whose violation names the wait-for cycle of a
//! deadlock). Reachability: a lock conflict happened (`lock-conflict`); a transaction
//! committed after an aborted attempt (`committed-after-abort`). Each client's decisions
//! carry its count of aborted attempts so far, visible in the timeline.
//!
//! **Known result.** Ordered locking and no-wait keep every invariant under arbitrary delays
//! (`scenarios/transactions-ordered.toml`, `transactions-no-wait.toml`); arbitrary order must
//! be caught deadlocked, violating termination with the cycle named
//! (`transactions-arbitrary-deadlock.toml`); releasing locks at the vote must be caught
//! violating serialisability (`transactions-early-release.toml`).

mod client;
mod deadlock;
mod messages;
mod process;
mod properties;
mod serialisability;
mod server;
#[cfg(test)]
mod tests;

use ftsim_api::Exploring;
use ftsim_api::{
    choice, params, Duration, FaultClass, Model, NodeId, Properties, Protocol, SpecError,
};

pub use client::Client;
pub use deadlock::Termination;
pub use messages::{Config, Item, Msg, Obs, Timer, TxnId, Why};
pub use process::Node;
pub use properties::{atomicity, CommitValidity, CommittedAfterAbort, LockConflict};
pub use serialisability::Serialisability;
pub use server::Server;

choice! {
    /// The order a client locks its items in, and what a server does with a held item.
    pub enum Locking {
        /// One global order of items; wait for a held one.
        Ordered = "ordered",
        /// A random order per attempt; wait for a held one (deadlocks).
        Arbitrary = "arbitrary",
        /// A random order; a held item is refused and the attempt aborts and retries.
        NoWait = "no-wait",
    }
}

choice! {
    /// When a server releases a transaction's locks.
    pub enum Release {
        /// When it applies the 2PC decision (strict two-phase locking).
        AtDecision = "at-decision",
        /// When it votes yes (the bug: not two-phase locking).
        AtVote = "at-vote",
    }
}

params! {
    /// Parameters of the transactions.
    pub struct TransactionsParams {
        /// ordered: lock items in one global order; arbitrary: in a random order (deadlocks);
        /// no-wait: random order, a held item is refused and the attempt retried
        locking: Locking = Locking::Ordered;
        /// at-decision: servers hold locks until the 2PC decision; at-vote: release at the yes
        /// vote (the bug)
        release: Release = Release::AtDecision;
        /// nodes 0..servers are storage servers, the rest clients; a transaction touches one
        /// item on each server
        servers: u64 = 2, range 2..=16;
        /// items on each server
        items_per_server: u64 = 2, range 1..=100;
        /// transactions each client commits, one after the other
        txns: u64 = 3, range 1..=1_000;
        /// chance an access updates its item (else it only reads it)
        update_percent: u64 = 50, range 0..=100;
        /// chance a server votes no at prepare
        no_vote_percent: u64 = 5, range 0..=100;
        /// thinking before a transaction: 0 up to this
        think_max: Duration = Duration::from_millis(5), range "0ms"..="100s";
        /// backoff before a retry: up to this, times the attempt number
        backoff_max: Duration = Duration::from_millis(4), range "1ms"..="100s";
    }
}

impl From<&TransactionsParams> for Config {
    fn from(p: &TransactionsParams) -> Config {
        Config {
            servers: p.servers as usize,
            items_per_server: p.items_per_server as u32,
            txns: p.txns as u32,
            update_percent: p.update_percent,
            no_vote_percent: p.no_vote_percent,
            locking: p.locking,
            release: p.release,
            think_max: p.think_max,
            backoff_max: p.backoff_max,
        }
    }
}

/// The declaration of distributed transactions with locks.
pub struct Transactions;

impl Protocol for Transactions {
    type Process = Node;
    type Params = TransactionsParams;

    fn name(&self) -> &'static str {
        "transactions"
    }

    fn summary(&self) -> &'static str {
        "Transactions locking items on storage servers (nodes 0..servers), committed by 2PC \
         that each client coordinates; deadlock by lock order, avoided by ordering or no-wait"
    }

    fn properties(&self) -> Properties<Node> {
        Properties::new()
            .always(
                "serialisability",
                "committed transactions are conflict-serialisable: their precedence graph has \
                 no cycle",
                Serialisability::default,
            )
            .always(
                "atomicity",
                "the client and every server of a transaction apply the same decision",
                atomicity,
            )
            .always(
                "commit-validity",
                "a transaction commits only if every server that locked for it voted yes",
                CommitValidity::default,
            )
            .eventually(
                "termination",
                "every client up at the end committed all its transactions (a deadlock names \
                 its wait-for cycle)",
                Termination::default,
            )
            .sometimes(
                "lock-conflict",
                "a transaction asked for a lock another one held",
                LockConflict::default,
            )
            .sometimes(
                "committed-after-abort",
                "a transaction committed on a retry after an aborted attempt",
                CommittedAfterAbort::default,
            )
    }

    fn validate(&self, params: &TransactionsParams, nodes: usize) -> Result<(), SpecError> {
        if nodes as u64 <= params.servers {
            return Err(SpecError::new(
                "nodes",
                format!(
                    "transactions need the {} servers of params.servers and at least one \
                     client: expected at least {} nodes",
                    params.servers,
                    params.servers + 1
                ),
            ));
        }
        Ok(())
    }

    fn model(&self, _: &TransactionsParams, _: usize) -> Model {
        // Every variant makes the same claim; the arbitrary-order and at-vote variants are
        // wrong inside it. Messages are never lost or duplicated (nothing is retransmitted or
        // de-duplicated), and no node crashes (no lock or vote is logged).
        Model::new().tolerates(FaultClass::Reordering)
    }

    /// Servers as items name them ("x@s0"), clients as a deadlock does ("client 3").
    fn node_label(&self, params: &TransactionsParams, node: NodeId, _: usize) -> Option<String> {
        Some(if (node as u64) < params.servers {
            format!("s{node}")
        } else {
            format!("client {node}")
        })
    }

    fn process(&self, params: &TransactionsParams, node: NodeId, _: usize) -> Node {
        Node::new(Config::from(params), node)
    }

    /// A search branches on each client's draw of its lock order (see `explore`'s draws):
    /// arbitrary order is caught deadlocked, ordered and no-wait hold.
    fn exploration<E: Exploring<Self>>(&self, explorer: E) -> Option<E::Explorer> {
        Some(explorer.searchable())
    }
}
