//! A client: it runs `txns` transactions one after the other, each touching one item on every
//! server (read, or read and update). It locks the items one at a time, in the variant's
//! order, and once it holds them all it coordinates two-phase commit over their servers. An
//! attempt aborted by a no vote, or (no-wait) by a refused lock, is retried after a random
//! backoff that grows with the attempt, under a new transaction id.

use ftsim_api::{Ctx, Duration};

use super::messages::{Config, Host, Item, Msg, Obs, Timer, TxnId, Why};
use super::Locking;

/// One access of a transaction.
#[derive(Clone, Copy, Debug, Hash)]
struct Access {
    item: Item,
    update: bool,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
enum Phase {
    /// Thinking before a transaction or backing off before a retry.
    #[default]
    Idle,
    /// Holding the locks of `accesses[..next]`, waiting for the next one.
    Locking,
    /// Holding every lock; `yes` servers voted yes so far.
    Voting { yes: usize },
    /// Every transaction committed.
    Done,
}

#[derive(Clone, Debug, Default, Hash)]
pub struct Client {
    /// The current transaction's number, from 1.
    number: u32,
    /// The current attempt at it, from 1.
    attempt: u32,
    /// Aborted attempts so far, over all this client's transactions.
    aborts: u32,
    /// The current transaction's accesses, in the order they are locked.
    accesses: Vec<Access>,
    next: usize,
    phase: Phase,
}

impl Client {
    /// Whether the client committed all its transactions.
    pub fn is_done(&self) -> bool {
        self.phase == Phase::Done
    }

    /// What the client is doing, for a termination violation: "thinking or backing off",
    /// "waiting for a lock", "waiting for votes" or "done".
    pub fn activity(&self) -> &'static str {
        match self.phase {
            Phase::Idle => "thinking or backing off",
            Phase::Locking => "waiting for a lock",
            Phase::Voting { .. } => "waiting for votes",
            Phase::Done => "done",
        }
    }

    pub(super) fn start(&mut self, ctx: &mut Ctx<'_, impl Host>, cfg: &Config) {
        self.next_transaction(ctx, cfg);
    }

    fn txn(&self, ctx: &Ctx<'_, impl Host>) -> TxnId {
        TxnId {
            client: ctx.id(),
            number: self.number,
            attempt: self.attempt,
        }
    }

    /// Draws the next transaction's accesses (one item per server) and thinks before it.
    fn next_transaction(&mut self, ctx: &mut Ctx<'_, impl Host>, cfg: &Config) {
        self.number += 1;
        self.attempt = 0;
        self.accesses = (0..cfg.servers)
            .map(|server| Access {
                item: Item {
                    server,
                    index: ctx.random_below(u64::from(cfg.items_per_server)) as u32,
                },
                update: ctx.random_below(100) < cfg.update_percent,
            })
            .collect();
        let think = Duration(ctx.random_below(cfg.think_max.0 + 1));
        ctx.set_timer(think, Timer::Begin);
    }

    /// Begins an attempt: orders the accesses (the global item order, or a random order) and
    /// asks for the first lock.
    pub(super) fn begin(&mut self, ctx: &mut Ctx<'_, impl Host>, cfg: &Config) {
        self.attempt += 1;
        match cfg.locking {
            Locking::Ordered => self.accesses.sort_by_key(|a| a.item),
            Locking::Arbitrary | Locking::NoWait => {
                // Fisher-Yates, from the run's randomness.
                for i in (1..self.accesses.len()).rev() {
                    let j = ctx.random_below(i as u64 + 1) as usize;
                    self.accesses.swap(i, j);
                }
            }
        }
        self.next = 0;
        self.phase = Phase::Locking;
        ctx.observe(Obs::Begin { txn: self.txn(ctx) });
        self.request_next(ctx);
    }

    fn request_next(&mut self, ctx: &mut Ctx<'_, impl Host>) {
        let a = self.accesses[self.next];
        let txn = self.txn(ctx);
        ctx.send(
            a.item.server,
            Msg::Lock {
                txn,
                item: a.item,
                update: a.update,
            },
        );
    }

    pub(super) fn on_message(&mut self, ctx: &mut Ctx<'_, impl Host>, cfg: &Config, msg: Msg) {
        let current = self.txn(ctx);
        match (msg, self.phase) {
            (Msg::Granted { txn, .. }, Phase::Locking) if txn == current => {
                self.next += 1;
                if self.next < self.accesses.len() {
                    self.request_next(ctx);
                } else {
                    self.phase = Phase::Voting { yes: 0 };
                    for a in &self.accesses {
                        ctx.send(a.item.server, Msg::Prepare { txn });
                    }
                }
            }
            (Msg::Busy { txn, .. }, Phase::Locking) if txn == current => {
                // Only the servers that granted a lock have anything to undo.
                self.abort(ctx, cfg, self.next, Why::Refused);
            }
            (Msg::Vote { txn, yes }, Phase::Voting { yes: so_far }) if txn == current => {
                if !yes {
                    self.abort(ctx, cfg, self.accesses.len(), Why::NoVote);
                } else if so_far + 1 < self.accesses.len() {
                    self.phase = Phase::Voting { yes: so_far + 1 };
                } else {
                    self.commit(ctx, cfg);
                }
            }
            _ => {}
        }
    }

    /// Every server voted yes: commit, tell them, and go on to the next transaction.
    fn commit(&mut self, ctx: &mut Ctx<'_, impl Host>, cfg: &Config) {
        let txn = self.txn(ctx);
        self.decide(ctx, txn, true, Why::AllYes, self.accesses.len());
        if self.number < cfg.txns {
            self.phase = Phase::Idle;
            self.next_transaction(ctx, cfg);
        } else {
            self.phase = Phase::Done;
        }
    }

    /// Aborts the attempt, tells the servers of `accesses[..told]`, and retries after a
    /// backoff of up to `backoff_max` times the attempt number.
    fn abort(&mut self, ctx: &mut Ctx<'_, impl Host>, cfg: &Config, told: usize, why: Why) {
        let txn = self.txn(ctx);
        self.aborts += 1;
        self.decide(ctx, txn, false, why, told);
        self.phase = Phase::Idle;
        let backoff = cfg.backoff_max.0 * u64::from(self.attempt);
        let wait = Duration(1 + ctx.random_below(backoff));
        ctx.set_timer(wait, Timer::Begin);
    }

    fn decide(
        &mut self,
        ctx: &mut Ctx<'_, impl Host>,
        txn: TxnId,
        commit: bool,
        why: Why,
        told: usize,
    ) {
        ctx.observe(Obs::Decide {
            txn,
            commit,
            why,
            aborts: self.aborts,
        });
        for a in &self.accesses[..told] {
            ctx.send(a.item.server, Msg::Decision { txn, commit });
        }
    }
}
