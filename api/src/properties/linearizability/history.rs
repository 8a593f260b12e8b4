//! A history of client operations: each with its client, input, output (if it returned), and
//! the moments of its invocation and response. Real-time order is the order in which the
//! history saw invocations and responses (the engine's event order, then the order of the
//! observations within one event), so operation `a` precedes `b` exactly when `a` returned
//! before `b` was invoked.

use std::collections::BTreeMap;

use sim_core::{NodeId, Time};

/// Where an invocation or response happened: the engine event and its virtual time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Moment {
    /// The engine event (as violations and trace entries number them).
    pub event: u64,
    /// Its virtual time.
    pub time: Time,
}

impl Moment {
    /// Event `event` at virtual time `time`.
    pub fn new(event: u64, time: Time) -> Self {
        Moment { event, time }
    }
}

/// One client operation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Operation<I, O> {
    /// The client that invoked it.
    pub client: NodeId,
    /// What it asked.
    pub input: I,
    /// What it got, if it returned; `None`: it never did (it may or may not have taken effect).
    pub output: Option<O>,
    /// Its invocation.
    pub invoked: Moment,
    /// Its response, if it returned.
    pub returned: Option<Moment>,
    /// Its invocation's place in the history's order.
    pub(crate) call_pos: u64,
    /// Its response's place in the history's order (`u64::MAX`: never).
    pub(crate) return_pos: u64,
}

impl<I, O> Operation<I, O> {
    /// Whether it returned.
    pub fn is_complete(&self) -> bool {
        self.output.is_some()
    }

    /// Whether it and `other` overlap in real time (neither returned before the other began).
    pub fn overlaps(&self, other: &Operation<I, O>) -> bool {
        self.call_pos < other.return_pos && other.call_pos < self.return_pos
    }

    /// Whether it returned before `other` was invoked (so it must be linearized first).
    pub fn precedes(&self, other: &Operation<I, O>) -> bool {
        self.return_pos < other.call_pos
    }
}

/// Why an invocation or response does not fit the history: a client protocol bug.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HistoryError(pub String);

/// The operations of a run, in invocation order. Clients name their operations with a tag of
/// their own (a sequence number); a client may have several operations open at once.
#[derive(Clone, Debug)]
pub struct History<I, O> {
    ops: Vec<Operation<I, O>>,
    /// Open operations by (client, tag).
    open: BTreeMap<(NodeId, u64), usize>,
    next_pos: u64,
}

impl<I, O> Default for History<I, O> {
    fn default() -> Self {
        History {
            ops: Vec::new(),
            open: BTreeMap::new(),
            next_pos: 0,
        }
    }
}

impl<I, O> History<I, O> {
    /// An empty history.
    pub fn new() -> Self {
        History::default()
    }

    /// Every operation, in invocation order; an operation's index in this slice is its id.
    pub fn ops(&self) -> &[Operation<I, O>] {
        &self.ops
    }

    /// The open operations: (client, tag) and the operation's index.
    pub fn open_ops(&self) -> impl Iterator<Item = ((NodeId, u64), usize)> + '_ {
        self.open.iter().map(|(&key, &index)| (key, index))
    }

    /// The number of operations.
    pub fn len(&self) -> usize {
        self.ops.len()
    }

    /// Whether no operation was invoked.
    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }

    /// `client` invokes operation `tag` with `input` at `at`; returns the operation's index.
    pub fn invoke(
        &mut self,
        client: NodeId,
        tag: u64,
        input: I,
        at: Moment,
    ) -> Result<usize, HistoryError> {
        if self.open.contains_key(&(client, tag)) {
            return Err(HistoryError(format!(
                "node {client} invoked operation {tag} at event #{} while it was still open",
                at.event
            )));
        }
        let index = self.call(client, input, at);
        self.open.insert((client, tag), index);
        Ok(index)
    }

    /// `client`'s operation `tag` returns `output` at `at`; returns the operation's index.
    pub fn respond(
        &mut self,
        client: NodeId,
        tag: u64,
        output: O,
        at: Moment,
    ) -> Result<usize, HistoryError> {
        let Some(index) = self.open.remove(&(client, tag)) else {
            return Err(HistoryError(format!(
                "node {client} got a response to operation {tag} at event #{}, which it had not \
                 invoked or which had already returned",
                at.event
            )));
        };
        self.ret(index, output, at);
        Ok(index)
    }

    /// Appends an invocation without a tag (for histories built by hand); returns its index.
    pub fn call(&mut self, client: NodeId, input: I, at: Moment) -> usize {
        let pos = self.next_position();
        self.ops.push(Operation {
            client,
            input,
            output: None,
            invoked: at,
            returned: None,
            call_pos: pos,
            return_pos: u64::MAX,
        });
        self.ops.len() - 1
    }

    /// Appends the response of operation `index` (for histories built by hand).
    ///
    /// # Panics
    /// If the operation already returned.
    pub fn ret(&mut self, index: usize, output: O, at: Moment) {
        let pos = self.next_position();
        let op = &mut self.ops[index];
        assert!(op.output.is_none(), "operation {index} returned twice");
        op.output = Some(output);
        op.returned = Some(at);
        op.return_pos = pos;
    }

    /// Changes what a returned operation returned (to build a broken history from a good
    /// one, in tests and benchmarks).
    ///
    /// # Panics
    /// If the operation never returned.
    pub fn replace_output(&mut self, index: usize, output: O) {
        let op = &mut self.ops[index];
        assert!(op.output.is_some(), "operation {index} never returned");
        op.output = Some(output);
    }

    fn next_position(&mut self) -> u64 {
        self.next_pos += 1;
        self.next_pos
    }

    /// The history as it stood right after operation `index` returned (or, with
    /// `with_response` false, right before): later invocations are left out and later
    /// responses undone (those operations are open in the prefix).
    pub fn prefix_through(&self, index: usize, with_response: bool) -> History<I, O>
    where
        I: Clone,
        O: Clone,
    {
        let end = self.ops[index].return_pos - u64::from(!with_response);
        History {
            ops: self
                .ops
                .iter()
                .filter(|o| o.call_pos <= end)
                .map(|o| cut_at(o, end))
                .collect(),
            open: BTreeMap::new(),
            next_pos: end,
        }
    }
}

/// `op` as it stood at history position `end`: its response undone if it came later.
pub(crate) fn cut_at<I: Clone, O: Clone>(op: &Operation<I, O>, end: u64) -> Operation<I, O> {
    let mut op = op.clone();
    if op.return_pos > end {
        op.output = None;
        op.returned = None;
        op.return_pos = u64::MAX;
    }
    op
}
