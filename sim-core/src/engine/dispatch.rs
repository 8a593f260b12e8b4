//! Running one handler of a process and applying the effects it pushed: sends and broadcasts,
//! timers, observations (judged by the properties right after), stable-storage writes.

use std::hash::Hash;

use crate::entropy::Choices;
use crate::process::{Ctx, Effect, Process, SlabRef};
use crate::trace::TraceKind;
use crate::NodeId;

use super::queue::Ev;
use super::Engine;

impl<P: Process, C: Choices> Engine<P, C> {
    /// Runs a handler of `node` with a fresh context, then applies what it asked for.
    pub(super) fn dispatch(&mut self, node: NodeId, handler: impl FnOnce(&mut P, &mut Ctx<'_, P>)) {
        self.nodes.last_step[node] = self.current.index;
        // Taken out and put back, so the buffer is reused and no event allocates for it.
        let mut effects = std::mem::take(&mut self.effects);
        let (stable_written, unsynced) = {
            let mut ctx = Ctx {
                id: node,
                n: self.n,
                now: self.nodes.clocks[node].local(self.now),
                effects: &mut effects,
                timers: SlabRef::Own(&mut self.nodes.timers[node]),
                stable: &mut self.nodes.stable[node],
                stable_written: false,
                storage_faults: self.storage.faulty(),
                unsynced: self.storage.dirty(node),
                choices: &mut self.choices,
            };
            handler(&mut self.nodes.processes[node], &mut ctx);
            (ctx.stable_written, ctx.unsynced)
        };
        for effect in effects.drain(..) {
            // A send, the commonest effect, is taken apart here, field by field: moved whole
            // into `apply_effect`, it is read back in wider pieces than the handler wrote it
            // in, which stalls the load until those stores retire (ping: about 5% of its time).
            match effect {
                Effect::Send { to, msg } => self.send(node, to, msg),
                effect => self.apply_effect(node, effect),
            }
        }
        self.effects = effects;
        self.storage
            .after_handler(node, &self.nodes.stable[node], stable_written, unsynced);
        if stable_written && self.tracer.is_some() {
            let stable = super::tracer::stable_text(&self.nodes.stable[node]);
            self.trace(Some(node), || TraceKind::Persist { stable });
        }
        if let Some(t) = &mut self.tracer {
            t.record_state(self.current.index, node, &self.nodes.processes[node]);
        }
        self.check_properties(node);
    }

    /// Applies one effect. Once a triggered crash cut the node, it is dead from that point of
    /// its handler: its sends are dropped (and traced as such), the rest is not applied.
    fn apply_effect(&mut self, node: NodeId, effect: Effect<P>) {
        match effect {
            Effect::Send { to, msg } => self.send(node, to, msg),
            Effect::Broadcast { msg } => self.broadcast(node, msg),
            Effect::Sync(_) if self.nodes.cut[node] => self.storage.sync_cut(),
            _ if self.nodes.cut[node] => {}
            Effect::SetTimer { id, delay, tag } => {
                let at = match self.choices.script() {
                    Some(script) => script.timer_set(node),
                    None => self.now + self.nodes.clocks[node].timer_delay(delay),
                };
                self.trace(Some(node), || TraceKind::TimerSet {
                    timer: id.slot(),
                    tag: format!("{tag:?}"),
                    fires_at: at,
                });
                self.queue.push(at, Ev::Timer { node, id, tag });
            }
            Effect::CancelTimer { id } => {
                self.trace(Some(node), || TraceKind::TimerCancel { timer: id.slot() });
            }
            Effect::Observe(obs) => {
                self.trigger_on_observation(node, &obs);
                obs.hash(&mut self.hash);
                self.trace(Some(node), || TraceKind::Observe {
                    obs: format!("{obs:?}"),
                });
                self.observations.push(obs);
            }
            Effect::Sync(synced) => self.storage.sync(node, synced),
        }
    }

    /// Sends to every other node, in node order.
    fn broadcast(&mut self, from: NodeId, msg: P::Msg) {
        // Clone for all destinations but the last, which gets the original.
        let Some(last) = (0..self.n).rev().find(|&to| to != from) else {
            return;
        };
        self.trigger_on_broadcast(from);
        for to in (0..last).filter(|&to| to != from) {
            self.send(from, to, msg.clone());
        }
        self.send(from, last, msg);
        self.trigger_after_broadcast(from);
    }
}
