//! The traitors' strategies. A traitor runs the loyal code; its adversary rewrites each
//! message it sends. [`Silent`](ftsim_api::Silent), which sends nothing, is the engine's own.

use ftsim_api::{Adversary, AdversaryCtx, NodeId};

use super::process::{Msg, Om};

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
#[derive(Debug)]
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
}

/// Sends everyone the same wrong value: consistent, but a lie.
#[derive(Debug)]
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
}

/// Per message, at random: forward it, drop it, flip its value, or send a random value.
#[derive(Debug)]
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
}
