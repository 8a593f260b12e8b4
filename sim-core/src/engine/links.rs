//! The network as the run goes: each directed link's model, how many messages it carried and
//! the last arrival scheduled on it (for FIFO order and reordering counts), and each sender's
//! outgoing wire (see [`NetworkModel::send_gap`]).
//!
//! Nothing here is n×n up front: link models are the default plus a sorted list of overrides,
//! and a sender's row of link counters is allocated the first time it sends, so a ring of
//! 1,000 nodes costs 1,000 rows only if every node sends, and a group where few nodes talk
//! costs little. Reset between runs without giving memory back.

use crate::message::MsgKey;
use crate::network::{LinkModel, NetworkModel};
use crate::time::{Duration, Time};
use crate::NodeId;

use super::clock::Clock;

/// One directed link's counters.
#[derive(Clone, Copy, Debug, Default)]
struct LinkState {
    /// How many messages it has carried: numbers each message on its link, the key of the
    /// network's decisions about it.
    sent: u64,
    /// The latest arrival scheduled on it so far.
    last_arrival: Time,
}

pub(super) struct Links {
    n: usize,
    default: LinkModel,
    /// Links with a model of their own, sorted by (from, to).
    overrides: Vec<((NodeId, NodeId), LinkModel)>,
    /// Per sender, its links' counters by receiver; empty until it first sends.
    rows: Vec<Vec<LinkState>>,
    /// The time to put one message on a wire.
    send_gap: Duration,
    /// When each node's outgoing wire is free again.
    wire_free_at: Vec<Time>,
    /// One-way partitions: bit `to` of row `from` set when messages from `from` to `to` are
    /// lost. Allocated at the first one-way partition of a run.
    blocked: Vec<u64>,
    /// Loss and duplication stop when the fault phase ends.
    heals: bool,
    /// The fault phase ended on a network that heals: no loss, no duplication.
    healed: bool,
}

impl Links {
    pub(super) fn new(network: &NetworkModel, n: usize) -> Self {
        let mut overrides: Vec<((NodeId, NodeId), LinkModel)> = network
            .links
            .iter()
            .filter(|o| o.from < n && o.to < n)
            .map(|o| ((o.from, o.to), o.model))
            .collect();
        // A later override of the same link wins, as in `NetworkModel::resolve`.
        overrides.reverse();
        overrides.sort_by_key(|&(link, _)| link);
        overrides.dedup_by_key(|&mut (link, _)| link);
        Links {
            n,
            default: network.default,
            overrides,
            rows: (0..n).map(|_| Vec::new()).collect(),
            send_gap: network.send_gap,
            wire_free_at: vec![Time::ZERO; n],
            blocked: Vec::new(),
            heals: network.heals,
            healed: false,
        }
    }

    /// The state of a new run on the same network, keeping the memory.
    pub(super) fn reset(&mut self) {
        self.rows.iter_mut().for_each(Vec::clear);
        self.wire_free_at.fill(Time::ZERO);
        self.blocked.clear();
        self.healed = false;
    }

    /// The model of the link from `from` to `to` now: looked up once per message, for its
    /// transit and its arrival.
    #[inline]
    pub(super) fn model(&self, from: NodeId, to: NodeId) -> LinkModel {
        let mut model = if self.overrides.is_empty() {
            self.default
        } else {
            match self
                .overrides
                .binary_search_by_key(&(from, to), |&(l, _)| l)
            {
                Ok(i) => self.overrides[i].1,
                Err(_) => self.default,
            }
        };
        if self.healed {
            model.loss_ppm = 0;
            model.duplicate_ppm = 0;
        }
        model
    }

    #[inline]
    fn state(&mut self, from: NodeId, to: NodeId) -> &mut LinkState {
        let row = &mut self.rows[from];
        if row.is_empty() {
            row.resize(self.n, LinkState::default());
        }
        &mut row[to]
    }

    #[inline]
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
    #[inline]
    pub(super) fn blocked(&self, from: NodeId, to: NodeId) -> bool {
        !self.blocked.is_empty()
            && self.blocked[from * self.row_words() + to / 64] & (1 << (to % 64)) != 0
    }

    /// The fault phase is over: links that heal stop losing and duplicating.
    pub(super) fn end_fault_phase(&mut self) {
        self.healed = self.heals;
    }

    /// When a message `from` sends `now` leaves, which occupies the wire for one send gap.
    /// One wire per sender: a message leaves once the ones before it (from this handler or an
    /// earlier one) have, so a crash cuts each link cleanly after some message.
    #[inline]
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
    #[inline]
    pub(super) fn next_key(&mut self, from: NodeId, to: NodeId) -> MsgKey {
        let state = self.state(from, to);
        let seq = state.sent;
        state.sent += 1;
        MsgKey { from, to, seq }
    }

    /// When a message that would arrive at `at` does arrive: on a `fifo` link (the link's
    /// model says), not before the messages scheduled on the link before it. Also says whether
    /// it overtakes a message sent earlier on the link (only possible on a link that is not
    /// FIFO).
    #[inline]
    pub(super) fn arrival(
        &mut self,
        from: NodeId,
        to: NodeId,
        at: Time,
        fifo: bool,
    ) -> (Time, bool) {
        let state = self.state(from, to);
        let last = state.last_arrival;
        let arrival = if fifo { at.max(last) } else { at };
        state.last_arrival = last.max(arrival);
        (arrival, arrival < last)
    }
}
