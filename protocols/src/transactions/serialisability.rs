//! Conflict-serialisability of committed transactions: the precedence graph over their reads
//! and writes, in the order the storage servers executed them, has no cycle. A read happens
//! where a lock is granted (the server returns the value), a write where a commit is applied.
//! Two operations on one item conflict if they belong to different committed transactions and
//! one of them is a write; the earlier one's transaction must then precede the later one's in
//! any equivalent serial order. A cycle means there is no such order, and the violation names
//! it, edge by edge, with the events of both operations.

use std::collections::{BTreeMap, BTreeSet};
use std::hash::Hash;

use ftsim_api::properties::event_ref;
use ftsim_api::sim_core::entropy::DetHasher;
use ftsim_api::{Explorable, Falsified, NodeId, Property, World};

use super::messages::{Item, Obs, TxnId};
use super::process::Node;

/// An operation on an item, where it happened.
#[derive(Clone, Copy, Debug)]
struct Op {
    txn: TxnId,
    write: bool,
    event: u64,
}

/// Why one transaction precedes another: two conflicting operations on `item`.
#[derive(Clone, Copy, Debug)]
struct Edge {
    item: Item,
    first: Op,
    then: Op,
}

impl Edge {
    /// "t3.1 read x@s0 at event #12 before t4.1 wrote it at event #30".
    fn describe(&self) -> String {
        let verb = |op: &Op| if op.write { "wrote" } else { "read" };
        format!(
            "{} {} {} at {} before {} {} it at {}",
            self.first.txn,
            verb(&self.first),
            self.item,
            event_ref(self.first.event),
            self.then.txn,
            verb(&self.then),
            event_ref(self.then.event)
        )
    }
}

/// Precedence edges: for each transaction, the ones it must precede and the first conflict
/// that says so.
type Graph = BTreeMap<TxnId, BTreeMap<TxnId, Edge>>;

/// One item's operations, in execution order, and where its writes are.
#[derive(Clone, Default)]
struct History {
    ops: Vec<Op>,
    /// Positions in `ops` of the writes, increasing. Every write is a committed one: a
    /// server writes only when it applies a commit.
    writes: Vec<usize>,
}

/// The property; see the module doc.
///
/// It keeps only the edges that decide the graph's cycles. Consecutive writes on an item are
/// ordered by an edge, so a read needs an edge only from the last write before it and to the
/// first write after it, and a write only from the reads since the previous write and from
/// that write: every other conflict follows by a path. A new edge `a -> b` is checked by
/// looking for a path back from `b` to `a`. The work per event is bounded by the reads since
/// an item's last write and the part of the graph after `b`, never a rebuild.
#[derive(Clone, Default)]
pub struct Serialisability {
    items: BTreeMap<Item, History>,
    /// Each transaction's reads: the item and the position in its history.
    reads: BTreeMap<TxnId, Vec<(Item, usize)>>,
    committed: BTreeSet<TxnId>,
    graph: Graph,
}

impl Serialisability {
    fn read(&mut self, item: Item, op: Op) {
        let history = self.items.entry(item).or_default();
        history.ops.push(op);
        let at = history.ops.len() - 1;
        self.reads.entry(op.txn).or_default().push((item, at));
    }

    /// A committed transaction's read at `at`: ordered after the last write before it and
    /// before the first write after it.
    fn read_edges(&self, item: Item, at: usize) -> Vec<Edge> {
        let history = &self.items[&item];
        let read = history.ops[at];
        let split = history.writes.partition_point(|&w| w < at);
        let before = split.checked_sub(1).map(|i| history.writes[i]);
        let after = history.writes.get(split).copied();
        let mut edges = Vec::new();
        if let Some(w) = before.map(|w| history.ops[w]) {
            edges.push(Edge {
                item,
                first: w,
                then: read,
            });
        }
        if let Some(w) = after.map(|w| history.ops[w]) {
            edges.push(Edge {
                item,
                first: read,
                then: w,
            });
        }
        edges.retain(|e| e.first.txn != e.then.txn);
        edges
    }

    /// A write, appended: ordered after the previous write and every committed read since.
    fn write(&mut self, item: Item, write: Op) -> Vec<Edge> {
        let history = self.items.entry(item).or_default();
        let since = history.writes.last().copied().unwrap_or(0);
        let edges = history.ops[since..]
            .iter()
            .filter(|op| op.txn != write.txn && self.committed.contains(&op.txn))
            .map(|&first| Edge {
                item,
                first,
                then: write,
            })
            .collect();
        history.writes.push(history.ops.len());
        history.ops.push(write);
        edges
    }

    /// Adds `edges` (keeping the first conflict of each pair), then looks for a cycle through
    /// any new one; a cycle is a violation naming each of its edges.
    fn add(&mut self, edges: Vec<Edge>) -> Result<(), Falsified> {
        let mut new: Vec<(TxnId, TxnId)> = Vec::new();
        for e in edges {
            let out = self.graph.entry(e.first.txn).or_default();
            if let std::collections::btree_map::Entry::Vacant(slot) = out.entry(e.then.txn) {
                slot.insert(e);
                new.push((e.first.txn, e.then.txn));
            }
        }
        // A new edge a -> b closes a cycle b -> ... -> a -> b if a path leads back from b.
        for (a, b) in new {
            if let Some(mut path) = find_path(&self.graph, b, a) {
                path.insert(0, b);
                return Err(self.cycle(&path));
            }
        }
        Ok(())
    }

    /// The violation for `cycle` (each transaction precedes the next, the last the first),
    /// citing both events of every edge.
    fn cycle(&self, cycle: &[TxnId]) -> Falsified {
        let edges: Vec<Edge> = cycle
            .iter()
            .zip(cycle.iter().cycle().skip(1))
            .map(|(a, b)| self.graph[a][b])
            .collect();
        let names: Vec<String> = cycle.iter().map(TxnId::to_string).collect();
        let why: Vec<String> = edges.iter().map(Edge::describe).collect();
        Falsified::new(format!(
            "committed transactions {} are not serialisable, their conflicts form a cycle: {}",
            names.join(" -> "),
            why.join("; ")
        ))
        .citing(edges.iter().flat_map(|e| [e.first.event, e.then.event]))
    }
}

/// A path of edges from `from` to `to` (the transactions along it, `to` included, `from`
/// not), by depth-first search in id order; `None` if there is none.
fn find_path(graph: &Graph, from: TxnId, to: TxnId) -> Option<Vec<TxnId>> {
    let mut seen: BTreeSet<TxnId> = BTreeSet::new();
    let mut path: Vec<TxnId> = vec![from];
    // Each stack entry: a transaction on the path and the successors it has left to try.
    let mut stack: Vec<std::vec::IntoIter<TxnId>> = vec![successors(graph, from)];
    seen.insert(from);
    while let Some(next) = stack.last_mut().map(Iterator::next) {
        match next {
            Some(t) if t == to => {
                path.push(t);
                path.remove(0);
                return Some(path);
            }
            Some(t) if seen.insert(t) => {
                path.push(t);
                stack.push(successors(graph, t));
            }
            Some(_) => {}
            None => {
                stack.pop();
                path.pop();
            }
        }
    }
    None
}

fn successors(graph: &Graph, txn: TxnId) -> std::vec::IntoIter<TxnId> {
    let next: Vec<TxnId> = graph
        .get(&txn)
        .map_or(Vec::new(), |out| out.keys().copied().collect());
    next.into_iter()
}

impl Property<Node> for Serialisability {
    fn observe(&mut self, w: &World<'_, Node>, _: NodeId, obs: &Obs) -> Result<(), Falsified> {
        let op = |txn, write| Op {
            txn,
            write,
            event: w.event(),
        };
        match *obs {
            Obs::Granted { txn, item, .. } => {
                self.read(item, op(txn, false));
                Ok(())
            }
            Obs::Wrote { txn, item, .. } => {
                let edges = self.write(item, op(txn, true));
                self.add(edges)
            }
            Obs::Decide {
                txn, commit: true, ..
            } => {
                self.committed.insert(txn);
                let reads = self.reads.remove(&txn).unwrap_or_default();
                let edges = reads
                    .into_iter()
                    .flat_map(|(item, at)| self.read_edges(item, at))
                    .collect();
                self.add(edges)
            }
            Obs::Decide { txn, .. } => {
                self.reads.remove(&txn);
                Ok(())
            }
            _ => Ok(()),
        }
    }
}

impl Explorable<Node> for Serialisability {
    /// The histories, reads, commits and edges, without the events they happened at.
    fn fingerprint(&self, hasher: &mut DetHasher) {
        for (item, history) in &self.items {
            item.hash(hasher);
            for op in &history.ops {
                (op.txn, op.write).hash(hasher);
            }
        }
        self.reads.hash(hasher);
        self.committed.hash(hasher);
        for (txn, out) in &self.graph {
            txn.hash(hasher);
            out.keys().for_each(|to| to.hash(hasher));
        }
    }
}
