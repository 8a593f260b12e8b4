//! The Multi-Paxos learner and replica: keeps the chosen entries (in stable storage, so a
//! recovered server re-applies them; losing unsynced ones only means learning them again),
//! applies them in slot order to the state machine, answers clients when it leads, and helps
//! a replica that missed commits catch up.

use ftsim_api::{Ctx, NodeId};

use super::messages::{Entry, Host, Msg};
use super::paxos_server::{Leadership, PaxosServer};

/// How many chosen entries one catch-up request gets.
const CATCH_UP: u64 = 32;

impl PaxosServer {
    /// The number of slots chosen without a gap, as far as this server knows.
    pub(super) fn chosen_prefix(&self, ctx: &mut Ctx<'_, impl Host>) -> u64 {
        let chosen = &ctx.stable().chosen;
        let mut slot = self.machine.applied;
        while chosen.contains_key(&slot) {
            slot += 1;
        }
        slot
    }

    /// `entry` is chosen for `slot`.
    pub(super) fn learn(&mut self, ctx: &mut Ctx<'_, impl Host>, slot: u64, entry: Entry) {
        if ctx.stable().chosen.contains_key(&slot) {
            return;
        }
        ctx.stable_mut().chosen.insert(slot, entry);
        self.apply_chosen(ctx);
    }

    /// Applies every chosen entry that is next in order; the leader answers the clients.
    pub(super) fn apply_chosen(&mut self, ctx: &mut Ctx<'_, impl Host>) {
        while let Some(entry) = ctx.stable().chosen.get(&self.machine.applied).cloned() {
            let answer = self.machine.apply(ctx, &entry);
            if let (Some((client, seq, out)), Leadership::Leading { .. }) =
                (answer, &self.leadership)
            {
                ctx.send(client, Msg::Reply { seq, out });
            }
        }
    }

    /// A replica that missed commits asks for the chosen entries from `from` on.
    pub(super) fn on_catch_up(&mut self, ctx: &mut Ctx<'_, impl Host>, to: NodeId, from: u64) {
        let upto = self.chosen_prefix(ctx).min(from + CATCH_UP);
        for slot in from..upto {
            let entry = ctx.stable().chosen[&slot].clone();
            ctx.send(to, Msg::Commit { slot, entry });
        }
    }
}
