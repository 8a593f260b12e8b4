//! Where things go on the diagram. Time runs left to right with one column per engine event
//! that appears in the trace (not per unit of virtual time), so bursts of simultaneous events
//! stay readable; each process has one horizontal row.

use std::collections::{BTreeMap, BTreeSet};

use sim_core::TraceEvent;

/// Room at the left for the process names.
const LEFT: f64 = 56.0;
/// The top of the plot area; the time labels sit above it.
pub(super) const TOP: f64 = 40.0;
const ROW: f64 = 64.0;
/// Column width bounds: short runs spread out to a readable width, long ones stay compact
/// (and scroll, and zoom).
const COL_MIN: f64 = 14.0;
const COL_MAX: f64 = 48.0;
const TARGET_WIDTH: f64 = 860.0;
/// Room after the last column for the labels of the last events.
const RIGHT: f64 = 160.0;

/// Geometry: one column per engine event that appears in the trace, one row per process.
pub(super) struct Layout {
    column_of_event: BTreeMap<u64, usize>,
    columns: usize,
    /// The width of a column.
    pub(super) col: f64,
    /// How many process rows: at least the group size, more if the trace names more.
    pub(super) nodes: usize,
}

impl Layout {
    pub(super) fn new(trace: &[TraceEvent], group_size: usize) -> Self {
        let events: BTreeSet<u64> = trace.iter().map(|e| e.event).collect();
        let column_of_event: BTreeMap<u64, usize> = events
            .into_iter()
            .enumerate()
            .map(|(i, e)| (e, i))
            .collect();
        let columns = column_of_event.len().max(1);
        let col = (TARGET_WIDTH / columns as f64).clamp(COL_MIN, COL_MAX);
        let nodes = group_size.max(
            trace
                .iter()
                .filter_map(|e| e.node)
                .max()
                .map_or(0, |m| m + 1),
        );
        Layout {
            column_of_event,
            columns,
            col,
            nodes,
        }
    }

    /// The column of an event of the trace.
    pub(super) fn column(&self, event: u64) -> usize {
        self.column_of_event[&event]
    }

    pub(super) fn x(&self, event: u64) -> f64 {
        LEFT + 20.0 + self.column_of_event.get(&event).copied().unwrap_or(0) as f64 * self.col
    }

    pub(super) fn y(&self, node: usize) -> f64 {
        TOP + 30.0 + node as f64 * ROW
    }

    pub(super) fn width(&self) -> f64 {
        LEFT + 20.0 + self.columns as f64 * self.col + RIGHT
    }

    pub(super) fn height(&self) -> f64 {
        TOP + 30.0 + self.nodes as f64 * ROW
    }

    /// Where a process line starts (right of its name).
    pub(super) fn lane_start(&self) -> f64 {
        LEFT
    }

    /// Where a process line ends: a little past the last column.
    pub(super) fn lane_end(&self) -> f64 {
        self.width() - RIGHT + 40.0
    }
}
