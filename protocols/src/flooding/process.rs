//! The FloodSet process: flood the known values for a fixed number of rounds, moving on from
//! a round once every unsuspected process was heard from, then decide the minimum.

use std::fmt;

use ftsim_api::properties::Decision;
use ftsim_api::{Ctx, NodeId, NodeSet, Process};

/// Proposals are drawn from 0..VALUE_RANGE so a set of values fits a bitmask.
pub(super) const VALUE_RANGE: u64 = 100;

/// A set of values below 128, as a bitmask: cheap to copy, union and print.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Values(u128);

impl Values {
    pub fn single(v: u64) -> Self {
        Values(1 << v)
    }
    pub fn union(self, other: Values) -> Values {
        Values(self.0 | other.0)
    }
    pub fn min(self) -> Option<u64> {
        (self.0 != 0).then(|| self.0.trailing_zeros() as u64)
    }
}

impl fmt::Debug for Values {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set()
            .entries((0..128u64).filter(|v| self.0 & (1 << v) != 0))
            .finish()
    }
}

#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub enum Msg {
    /// "In round `round` I know `values`."
    Round { round: u32, values: Values },
}

#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub enum Obs {
    Propose(u64),
    Decide(u64),
}

impl Decision for Obs {
    fn proposed(&self) -> Option<u64> {
        match self {
            Obs::Propose(v) => Some(*v),
            Obs::Decide(_) => None,
        }
    }
    fn decided(&self) -> Option<u64> {
        match self {
            Obs::Decide(v) => Some(*v),
            Obs::Propose(_) => None,
        }
    }
}

#[derive(Clone, Debug, Hash)]
pub struct Flooding {
    rounds: u32,
    by_id: bool,
    /// The current round, from 1; `rounds + 1` once decided.
    round: u32,
    known: Values,
    /// Per round (index = round): who we heard from, and the union of what they sent.
    heard: Vec<NodeSet>,
    incoming: Vec<Values>,
    suspected: NodeSet,
}

impl Flooding {
    pub fn new(rounds: u32, by_id: bool) -> Self {
        Flooding {
            rounds,
            by_id,
            round: 1,
            known: Values::default(),
            heard: vec![NodeSet::EMPTY; rounds as usize + 2],
            incoming: vec![Values::default(); rounds as usize + 2],
            suspected: NodeSet::EMPTY,
        }
    }

    /// Finishes every round whose messages are all in (or whose missing senders are suspected).
    fn advance(&mut self, ctx: &mut Ctx<'_, Self>) {
        let all = NodeSet::all(ctx.n());
        while self.round <= self.rounds {
            let r = self.round as usize;
            if !self.heard[r].union(self.suspected).is_superset(all) {
                return;
            }
            self.known = self.known.union(self.incoming[r]);
            self.round += 1;
            if self.round > self.rounds {
                if let Some(v) = self.known.min() {
                    ctx.observe(Obs::Decide(v));
                }
            } else {
                self.send_round(ctx);
            }
        }
    }

    fn send_round(&mut self, ctx: &mut Ctx<'_, Self>) {
        let r = self.round as usize;
        self.heard[r].insert(ctx.id());
        self.incoming[r] = self.incoming[r].union(self.known);
        ctx.broadcast(Msg::Round {
            round: self.round,
            values: self.known,
        });
    }
}

impl Process for Flooding {
    type Msg = Msg;
    type Timer = ();
    type Obs = Obs;
    type Stable = ();

    fn on_start(&mut self, ctx: &mut Ctx<'_, Self>) {
        let v = if self.by_id {
            ctx.id() as u64
        } else {
            ctx.random_below(VALUE_RANGE)
        };
        ctx.observe(Obs::Propose(v));
        self.known = Values::single(v);
        self.send_round(ctx);
        self.advance(ctx);
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, msg: Msg) {
        let Msg::Round { round, values } = msg;
        // Messages of finished rounds are late (their sender was suspected); ignore them.
        if round < self.round || round > self.rounds {
            return;
        }
        let r = round as usize;
        self.heard[r].insert(from);
        self.incoming[r] = self.incoming[r].union(values);
        self.advance(ctx);
    }

    fn on_suspect(&mut self, ctx: &mut Ctx<'_, Self>, node: NodeId) {
        self.suspected.insert(node);
        self.advance(ctx);
    }
}
