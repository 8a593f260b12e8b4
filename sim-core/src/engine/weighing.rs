//! When the memory budget weighs the processes' states (see `budget`): one node at a time,
//! round robin, every `spacing` events. Weighing writes a state's `Debug` text into a counter,
//! so its cost is the state's size; the spacing follows the states' size so that the cost
//! stays near [`WEIGHED_BYTES_PER_EVENT`] bytes of text per event however large the states
//! grow (the node just weighed sets the spacing until the next: its text over that many
//! events) (an eager broadcast over n nodes keeps n-entry maps per node: at a fixed spacing of
//! 1,024 events, weighing took a seventh of a 200-node run; at 4 bytes of text per event, 5%
//! of its instructions, where a 20-node run's small states cost next to nothing), and the
//! growth seen so far so that a growing state is still weighed often:
//!
//! `spacing = clamp(min(weight / WEIGHED_BYTES_PER_EVENT, headroom / (2 × n × rate)),
//! WEIGH_EVERY, WEIGH_EVERY_MAX)`,
//!
//! where `rate` is the fastest growth seen in the run (a node's weight over the events run
//! when it was weighed, the largest so far) and `headroom` what the memory budget has left.
//! A round over every node then costs at most half the headroom at the fastest growth seen,
//! and each node is weighed again within `n × WEIGH_EVERY_MAX` events at most. All of it is
//! integer arithmetic on the run's own counts: the same weighings on every machine.

use crate::entropy::Choices;
use crate::process::Process;

use super::{budget, Engine};

/// The fewest events between two weighings (the spacing while states are small or grow).
pub(super) const WEIGH_EVERY: u64 = 1024;

/// The most events between two weighings.
const WEIGH_EVERY_MAX: u64 = 64 * WEIGH_EVERY;

/// The bytes of `Debug` text weighing may write per event, on average.
const WEIGHED_BYTES_PER_EVENT: u64 = 1;

/// The weighing schedule of a run.
#[derive(Clone, Debug)]
pub(super) struct Weighing {
    /// The event count at which the next weighing is due.
    pub(super) due_at: u64,
    /// The node weighed next.
    next_node: usize,
    /// The fastest growth seen, in bytes per thousand events.
    rate_max_milli: u64,
}

impl Default for Weighing {
    fn default() -> Self {
        Weighing {
            due_at: WEIGH_EVERY,
            next_node: 0,
            rate_max_milli: 0,
        }
    }
}

impl Weighing {
    /// Events until the next weighing, after one at event `events` found `bytes` at one of `n`
    /// nodes, with `headroom` bytes of budget left.
    fn spacing(&mut self, events: u64, bytes: u64, n: usize, headroom: u64) -> u64 {
        let rate_milli = bytes.saturating_mul(1000) / events.max(1);
        self.rate_max_milli = self.rate_max_milli.max(rate_milli);
        let n = n.max(1) as u64;
        let by_size = bytes / WEIGHED_BYTES_PER_EVENT;
        let round_growth_milli = (2 * n).saturating_mul(self.rate_max_milli).max(1);
        let by_growth = headroom.saturating_mul(1000) / round_growth_milli;
        by_size.min(by_growth).clamp(WEIGH_EVERY, WEIGH_EVERY_MAX)
    }
}

impl<P: Process, C: Choices> Engine<P, C> {
    /// Weighs the next node in turn, if a weighing is due, and schedules the next one.
    #[inline]
    pub(super) fn weigh_if_due(&mut self, event_bytes: usize) {
        if self.stats.events >= self.weighing.due_at {
            self.weigh_next(event_bytes);
        }
    }

    /// Weighs the next node in turn and schedules the next weighing (out of line: the event
    /// loop only compares).
    #[inline(never)]
    fn weigh_next(&mut self, event_bytes: usize) {
        let events = self.stats.events;
        let node = self.weighing.next_node % self.n;
        self.weighing.next_node = (node + 1) % self.n;
        let bytes = budget::weigh_debug(&self.nodes.processes[node])
            + budget::weigh_debug(&self.nodes.stable[node]);
        self.account.weighed(node, self.n, bytes);
        let used = self.account.bytes(self.queue.len(), event_bytes);
        let headroom = self.config.budgets.max_memory_bytes.saturating_sub(used);
        let spacing = (self.weighing).spacing(events, bytes, self.n, headroom);
        self.weighing.due_at = events + spacing;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_states_are_weighed_every_1024_events() {
        let mut w = Weighing::default();
        assert_eq!(w.spacing(1024, 200, 4, 500 << 20), WEIGH_EVERY);
    }

    #[test]
    fn large_slowly_growing_states_are_weighed_less_often() {
        let mut w = Weighing::default();
        // 200 nodes of 50 KB each, 50 KB reached over 40,000 events: 12,500 events apart.
        let spacing = w.spacing(40_000, 50_000, 200, 500 << 20);
        assert_eq!(spacing, 50_000 / WEIGHED_BYTES_PER_EVENT);
        let huge = w.spacing(40_000_000, 50_000_000, 200, u64::MAX);
        assert_eq!(huge, WEIGH_EVERY_MAX, "never further apart than the cap");
    }

    #[test]
    fn a_fast_growing_state_keeps_weighings_close_whatever_its_size() {
        let mut w = Weighing::default();
        // 3 nodes, one of 8 MB after 1,024 events (8 KB per event), 16 MB of budget left.
        let spacing = w.spacing(1024, 8 << 20, 3, 16 << 20);
        assert_eq!(spacing, WEIGH_EVERY);
        // The fastest growth seen is remembered: a large, slow node after it changes nothing.
        assert_eq!(w.spacing(1 << 20, 1 << 20, 3, 16 << 20), WEIGH_EVERY);
    }
}
