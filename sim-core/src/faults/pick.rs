//! The draws a fault plan is made of: a time or a duration in a window, a count in a range,
//! distinct nodes from a pool, each from the fault-plan stream. The random fault mix
//! (`generate`) and the machine faults (`machine`) both draw through these.

use super::Window;
use crate::entropy::{Choices, Draw, Stream};
use crate::time::{Duration, Time};
use crate::NodeId;

/// A time drawn uniformly from the window (a window spanning all of `u64` leaves out its last
/// nanosecond rather than overflow).
pub(super) fn pick_time(choices: &mut dyn Choices, w: Window<Time>) -> Time {
    Time(pick_in(choices, w[0].0, w[1].0))
}

/// A duration drawn uniformly from the window, like [`pick_time`].
pub(super) fn pick_duration(choices: &mut dyn Choices, w: Window<Duration>) -> Duration {
    Duration(pick_in(choices, w[0].0, w[1].0))
}

/// A number drawn uniformly from `lo..=hi`, with arithmetic that cannot overflow.
fn pick_in(choices: &mut dyn Choices, lo: u64, hi: u64) -> u64 {
    let span = hi.saturating_sub(lo);
    lo.saturating_add(choices.choose(Stream::FaultPlan, Draw::Pick, span.saturating_add(1)))
}

pub(super) fn pick_count(choices: &mut dyn Choices, min: u32, max: u32) -> u32 {
    pick_in(choices, min.into(), max.max(min).into()) as u32
}

/// Picks `k` distinct nodes from `pool` (partial Fisher-Yates), in the order drawn.
pub(super) fn pick_distinct(
    choices: &mut dyn Choices,
    mut pool: Vec<NodeId>,
    k: usize,
) -> Vec<NodeId> {
    let k = k.min(pool.len());
    for i in 0..k {
        let j = i + choices.choose(Stream::FaultPlan, Draw::Pick, (pool.len() - i) as u64) as usize;
        pool.swap(i, j);
    }
    pool.truncate(k);
    pool
}

/// The nodes a spec may pick from: those it names, or all `n`.
pub(super) fn pool(nodes: &Option<Vec<NodeId>>, n: usize) -> Vec<NodeId> {
    nodes.clone().unwrap_or_else(|| (0..n).collect())
}
