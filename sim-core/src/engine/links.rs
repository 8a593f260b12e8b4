//! The network as the run goes: each directed link's model and the last arrival scheduled on
//! it (for FIFO links), and each sender's outgoing wire (see [`NetworkModel::send_gap`]).

use crate::entropy::{Choices, MsgKey};
use crate::network::{LinkModel, NetworkModel, Transit};
use crate::time::{Duration, Time};
use crate::NodeId;

use super::clock::Clock;

pub(super) struct Links {
    n: usize,
    /// Flat n×n table indexed by `from * n + to`.
    models: Vec<LinkModel>,
    /// The latest arrival scheduled on each link so far (same indexing as `models`).
    last_arrival: Vec<Time>,
    /// How many messages each link has carried (same indexing): numbers each message on its
    /// link, the key of the network's decisions about it.
    sent: Vec<u64>,
    /// The time to put one message on a wire.
    send_gap: Duration,
    /// When each node's outgoing wire is free again.
    wire_free_at: Vec<Time>,
    /// One-way partitions: bit `to` of row `from` set when messages from `from` to `to` are
    /// lost. Allocated at the first one-way partition of a run.
    blocked: Vec<u64>,
    /// Loss and duplication stop when the fault phase ends.
    heals: bool,
}

impl Links {
    pub(super) fn new(network: &NetworkModel, n: usize) -> Self {
        Links {
            n,
            models: network.resolve(n),
            last_arrival: vec![Time::ZERO; n * n],
            sent: vec![0; n * n],
            send_gap: network.send_gap,
            wire_free_at: vec![Time::ZERO; n],
            blocked: Vec::new(),
            heals: network.heals,
        }
    }

    fn row_words(&self) -> usize {
        self.n.div_ceil(64)
    }

    /// Messages from `from` to `to` are lost until `unblock_all`.
    pub(super) fn block(&mut self, from: NodeId, to: NodeId) {
        let words = self.row_words();
        if self.blocked.is_empty() {
            self.blocked = vec![0; self.n * words];
        }
        self.blocked[from * words + to / 64] |= 1 << (to % 64);
    }

    pub(super) fn unblock_all(&mut self) {
        self.blocked.fill(0);
    }

    /// Whether a one-way partition cuts `from` off from `to`.
    pub(super) fn blocked(&self, from: NodeId, to: NodeId) -> bool {
        !self.blocked.is_empty()
            && self.blocked[from * self.row_words() + to / 64] & (1 << (to % 64)) != 0
    }

    /// The fault phase is over: links that heal stop losing and duplicating.
    pub(super) fn end_fault_phase(&mut self) {
        if self.heals {
            for link in &mut self.models {
                link.loss_ppm = 0;
                link.duplicate_ppm = 0;
            }
        }
    }

    /// When a message `from` sends `now` leaves, which occupies the wire for one send gap.
    /// One wire per sender: a message leaves once the ones before it (from this handler or an
    /// earlier one) have, so a crash cuts each link cleanly after some message.
    pub(super) fn depart(&mut self, from: NodeId, now: Time, clock: &Clock) -> Time {
        let depart = now.max(self.wire_free_at[from]);
        self.wire_free_at[from] = depart + clock.stretch(self.send_gap);
        depart
    }

    /// Empties `node`'s wire at a crash: the messages still queued on it are lost with it.
    pub(super) fn cut_wire(&mut self, node: NodeId, now: Time) {
        self.wire_free_at[node] = now;
    }

    /// Numbers the next message from `from` to `to` on its link.
    pub(super) fn next_key(&mut self, from: NodeId, to: NodeId) -> MsgKey {
        let sent = &mut self.sent[from * self.n + to];
        let seq = *sent;
        *sent += 1;
        MsgKey { from, to, seq }
    }

    /// The network's decision about one message on the link (its draws, in their fixed order).
    pub(super) fn transit(&self, msg: MsgKey, choices: &mut dyn Choices) -> Transit {
        self.models[msg.from * self.n + msg.to].transit(msg, choices)
    }

    /// When a message that would arrive at `at` does arrive: on a FIFO link, not before the
    /// messages scheduled on the link before it. Also says whether it overtakes a message sent
    /// earlier on the link (only possible on a link that is not FIFO).
    pub(super) fn arrival(&mut self, from: NodeId, to: NodeId, at: Time) -> (Time, bool) {
        let link = from * self.n + to;
        let last = self.last_arrival[link];
        let arrival = if self.models[link].fifo {
            at.max(last)
        } else {
            at
        };
        self.last_arrival[link] = last.max(arrival);
        (arrival, arrival < last)
    }
}
