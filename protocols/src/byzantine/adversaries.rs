//! The traitors' strategies. A traitor runs the loyal code; its adversary rewrites each
//! message it sends. [`Silent`](ftsim_api::Silent), which sends nothing, is the engine's own.

use std::hash::Hash;

use ftsim_api::sim_core::entropy::DetHasher;
use ftsim_api::{Adversary, AdversaryCtx, AdversarySnapshot, NodeId};

use super::process::{Msg, Om, DEFAULT};

/// Rank of `to` among `from`'s peers (0-based), which splits the peers into two halves.
fn peer_rank(from: NodeId, to: NodeId) -> usize {
    if to < from {
        to
    } else {
        to - 1
    }
}

/// Tells the lower half of its peers the truth and the upper half another value: each message
/// is plausible, but different peers hear different things.
#[derive(Clone, Debug)]
pub struct Equivocate {
    pub values: u64,
}

impl Adversary<Om> for Equivocate {
    fn tamper(
        &mut self,
        ctx: &mut AdversaryCtx<'_>,
        from: NodeId,
        to: NodeId,
        msg: Msg,
    ) -> Option<Msg> {
        let Msg::Order { path, value } = msg;
        let lower_half = peer_rank(from, to) < (ctx.n - 1) / 2;
        let value = if lower_half {
            value
        } else {
            (value + 1) % self.values
        };
        Some(Msg::Order { path, value })
    }

    fn snapshot(&self) -> Option<AdversarySnapshot<Om>> {
        Some(Box::new(self.clone()))
    }
}

/// Sends everyone the same wrong value: consistent, but a lie.
#[derive(Clone, Debug)]
pub struct Lie {
    pub values: u64,
}

impl Adversary<Om> for Lie {
    fn tamper(&mut self, _: &mut AdversaryCtx<'_>, _: NodeId, _: NodeId, msg: Msg) -> Option<Msg> {
        let Msg::Order { path, value } = msg;
        Some(Msg::Order {
            path,
            value: (value + 1) % self.values,
        })
    }

    fn snapshot(&self) -> Option<AdversarySnapshot<Om>> {
        Some(Box::new(self.clone()))
    }
}

/// Per message, at random: forward it, drop it, flip its value, or send a random value.
#[derive(Clone, Debug)]
pub struct Mix {
    pub values: u64,
}

impl Adversary<Om> for Mix {
    fn tamper(
        &mut self,
        ctx: &mut AdversaryCtx<'_>,
        _: NodeId,
        _: NodeId,
        msg: Msg,
    ) -> Option<Msg> {
        let Msg::Order { path, value } = msg;
        let value = match ctx.random_below(4) {
            0 => value,
            1 => return None,
            2 => (value + 1) % self.values,
            _ => ctx.random_below(self.values),
        };
        Some(Msg::Order { path, value })
    }

    fn snapshot(&self) -> Option<AdversarySnapshot<Om>> {
        Some(Box::new(self.clone()))
    }
}

/// The traitors collude to split the loyal lieutenants: each knows who the other traitors are,
/// and all of them tell the same two stories. The loyal lieutenants in id order are cut in two
/// halves (the first rounded down); the first half hears one value and the second another, on
/// every path, from every traitor. With a loyal commander the first story is its order (as the
/// traitors received it) and the second a different value; with a traitor commander the first
/// is RETREAT, which is also what a tie resolves to, and the second is not. Among themselves
/// traitors pass messages on unchanged, so they all know the same order. This is the classic
/// worst case: it breaks agreement or validity whenever the traitors are a third of the nodes
/// or more and placed to do it.
#[derive(Clone, Debug)]
pub struct Collude {
    pub values: u64,
    pub commander: NodeId,
    /// A loyal commander's order, as this traitor received it (the first value it relays).
    order: Option<u64>,
}

impl Collude {
    pub fn new(values: u64, commander: NodeId) -> Self {
        Collude {
            values,
            commander,
            order: None,
        }
    }

    /// Whether `to` is in the first half of the loyal lieutenants.
    fn first_half(&self, ctx: &AdversaryCtx<'_>, to: NodeId) -> bool {
        let loyal = (0..ctx.n).filter(|&i| i != self.commander && !ctx.is_traitor(i));
        let count = loyal.clone().count();
        let rank = loyal.take_while(|&i| i != to).count();
        rank < count / 2
    }
}

impl Adversary<Om> for Collude {
    fn tamper(
        &mut self,
        ctx: &mut AdversaryCtx<'_>,
        _: NodeId,
        to: NodeId,
        msg: Msg,
    ) -> Option<Msg> {
        let Msg::Order { path, value } = msg;
        if ctx.is_traitor(to) {
            return Some(Msg::Order { path, value });
        }
        let first = match ctx.is_traitor(self.commander) {
            true => DEFAULT,
            false => *self.order.get_or_insert(value),
        };
        let value = match self.first_half(ctx, to) {
            true => first,
            false => (first + 1) % self.values,
        };
        Some(Msg::Order { path, value })
    }

    fn snapshot(&self) -> Option<AdversarySnapshot<Om>> {
        Some(Box::new(self.clone()))
    }

    fn fingerprint(&self, hasher: &mut DetHasher) {
        self.order.hash(hasher);
    }
}
