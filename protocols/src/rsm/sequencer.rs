//! Active replication over a sequencer-based total-order broadcast: server 0, the
//! sequencer, numbers each client command once and sends it to every server (itself
//! included); every server applies commands in number order, holding back those that arrive
//! ahead of a gap, and answers the client, which takes the first answer. The sequencer
//! re-sends what a server has not acknowledged, so loss only delays, and a retried command
//! keeps its number, so nothing is applied twice.

use std::collections::BTreeMap;

use ftsim_api::{Ctx, NodeId};

use super::machine::Machine;
use super::messages::{Cmd, Config, Host, Msg, Obs, Timer};

/// How many unacknowledged commands the sequencer re-sends to a server per tick.
const RESEND: u64 = 8;

#[derive(Clone, Debug, Default, Hash)]
pub struct SequencedServer {
    machine: Machine,
    /// Commands that arrived ahead of the next number to apply.
    held: BTreeMap<u64, Cmd>,
    /// Sequencer: every command it numbered, in order.
    log: Vec<Cmd>,
    /// Sequencer: per client, its last numbered command's `seq` and number.
    numbered: BTreeMap<NodeId, (u64, u64)>,
    /// Sequencer: per server, the number below which it holds every command.
    acked: Vec<u64>,
}

impl SequencedServer {
    pub(super) fn start(&mut self, ctx: &mut Ctx<'_, impl Host>, cfg: &Config) {
        if ctx.id() == 0 {
            self.acked = vec![0; cfg.servers];
            ctx.set_timer(cfg.retry, Timer::Tick);
        }
    }

    pub(super) fn on_message(
        &mut self,
        ctx: &mut Ctx<'_, impl Host>,
        cfg: &Config,
        from: NodeId,
        msg: Msg,
    ) {
        match msg {
            Msg::Request { cmd } if ctx.id() == 0 => self.number(ctx, cfg, cmd),
            Msg::Ordered { slot, cmd } => self.deliver(ctx, slot, cmd),
            Msg::OrderedAck { upto } if ctx.id() == 0 => {
                self.acked[from] = self.acked[from].max(upto);
            }
            _ => {}
        }
    }

    /// The sequencer numbers a new command (a retried one is sent again with its number).
    fn number(&mut self, ctx: &mut Ctx<'_, impl Host>, cfg: &Config, cmd: Cmd) {
        let slot = match self.numbered.get(&cmd.client) {
            Some(&(seq, slot)) if seq == cmd.seq => slot,
            Some(&(seq, _)) if seq > cmd.seq => return,
            _ => {
                let slot = self.log.len() as u64;
                self.numbered.insert(cmd.client, (cmd.seq, slot));
                self.log.push(cmd.clone());
                slot
            }
        };
        for s in (1..cfg.servers).rev() {
            ctx.send(
                s,
                Msg::Ordered {
                    slot,
                    cmd: cmd.clone(),
                },
            );
        }
        self.deliver(ctx, slot, cmd);
    }

    /// A numbered command: applied in order, held back if it comes ahead of a gap, answered
    /// again if it was applied already (the client retried).
    fn deliver(&mut self, ctx: &mut Ctx<'_, impl Host>, slot: u64, cmd: Cmd) {
        if slot < self.machine.applied {
            if let Some((client, seq, out)) = self.machine.answered(&cmd) {
                ctx.send(client, Msg::Reply { seq, out });
            }
        } else {
            if slot > self.machine.applied && !self.held.contains_key(&slot) {
                ctx.observe(Obs::HeldBack { slot });
            }
            self.held.insert(slot, cmd);
        }
        while let Some(cmd) = self.held.remove(&self.machine.applied) {
            if let Some((client, seq, out)) = self.machine.apply(ctx, &Some(cmd)) {
                ctx.send(client, Msg::Reply { seq, out });
            }
        }
        let upto = self.machine.applied;
        if ctx.id() == 0 {
            self.acked[0] = upto;
        } else {
            ctx.send(0, Msg::OrderedAck { upto });
        }
    }

    /// The sequencer re-sends what each server has not acknowledged.
    pub(super) fn tick(&mut self, ctx: &mut Ctx<'_, impl Host>, cfg: &Config) {
        let numbered = self.log.len() as u64;
        for s in 1..cfg.servers {
            for slot in self.acked[s]..numbered.min(self.acked[s] + RESEND) {
                let cmd = self.log[slot as usize].clone();
                ctx.send(s, Msg::Ordered { slot, cmd });
            }
        }
        ctx.set_timer(cfg.retry, Timer::Tick);
    }
}
