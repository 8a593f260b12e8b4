//! Conflict-serialisability of committed transactions: the precedence graph over their reads
//! and writes, in the order the storage servers executed them, has no cycle. A read happens
//! where a lock is granted (the server returns the value), a write where a commit is applied.
//! Two operations on one item conflict if they belong to different committed transactions and
//! one of them is a write; the earlier one's transaction must then precede the later one's in
//! any equivalent serial order. A cycle means there is no such order, and the violation names
//! it, edge by edge, with the events of both operations.

use std::collections::{BTreeMap, BTreeSet};

use ftsim_api::properties::event_ref;
use ftsim_api::{NodeId, Property, World};

use super::process::{Item, Node, Obs, TxnId};

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

/// The property; see the module doc.
#[derive(Default)]
pub struct Serialisability {
    /// Each item's operations, in execution order.
    ops: BTreeMap<Item, Vec<Op>>,
    committed: BTreeSet<TxnId>,
    evidence: Vec<u64>,
}

impl Serialisability {
    /// The precedence graph of the committed transactions: for each ordered pair, the first
    /// conflict that orders them.
    fn graph(&self) -> BTreeMap<TxnId, BTreeMap<TxnId, Edge>> {
        let mut graph: BTreeMap<TxnId, BTreeMap<TxnId, Edge>> = BTreeMap::new();
        for (&item, ops) in &self.ops {
            let ops: Vec<&Op> = ops
                .iter()
                .filter(|op| self.committed.contains(&op.txn))
                .collect();
            for (i, first) in ops.iter().enumerate() {
                for then in &ops[i + 1..] {
                    if first.txn != then.txn && (first.write || then.write) {
                        graph
                            .entry(first.txn)
                            .or_default()
                            .entry(then.txn)
                            .or_insert(Edge {
                                item,
                                first: **first,
                                then: **then,
                            });
                    }
                }
            }
        }
        graph
    }

    /// Checks the graph; a cycle is a violation naming each of its edges.
    fn check(&mut self) -> Result<(), String> {
        let graph = self.graph();
        let Some(cycle) = find_cycle(&graph) else {
            return Ok(());
        };
        let edges: Vec<Edge> = cycle
            .iter()
            .zip(cycle.iter().cycle().skip(1))
            .map(|(a, b)| graph[a][b])
            .collect();
        self.evidence = edges
            .iter()
            .flat_map(|e| [e.first.event, e.then.event])
            .collect();
        let names: Vec<String> = cycle.iter().map(TxnId::to_string).collect();
        let why: Vec<String> = edges.iter().map(Edge::describe).collect();
        Err(format!(
            "committed transactions {} are not serialisable, their conflicts form a cycle: {}",
            names.join(" -> "),
            why.join("; ")
        ))
    }
}

/// A cycle of `graph`, as the transactions along it (the last one precedes the first), found
/// by depth-first search in id order; `None` if the graph is acyclic.
fn find_cycle(graph: &BTreeMap<TxnId, BTreeMap<TxnId, Edge>>) -> Option<Vec<TxnId>> {
    let mut done: BTreeSet<TxnId> = BTreeSet::new();
    for &start in graph.keys() {
        let mut path: Vec<TxnId> = Vec::new();
        if let Some(cycle) = visit(graph, start, &mut path, &mut done) {
            return Some(cycle);
        }
    }
    None
}

fn visit(
    graph: &BTreeMap<TxnId, BTreeMap<TxnId, Edge>>,
    node: TxnId,
    path: &mut Vec<TxnId>,
    done: &mut BTreeSet<TxnId>,
) -> Option<Vec<TxnId>> {
    if let Some(at) = path.iter().position(|&t| t == node) {
        return Some(path[at..].to_vec());
    }
    if done.contains(&node) {
        return None;
    }
    path.push(node);
    for &next in graph.get(&node).into_iter().flat_map(BTreeMap::keys) {
        if let Some(cycle) = visit(graph, next, path, done) {
            return Some(cycle);
        }
    }
    path.pop();
    done.insert(node);
    None
}

impl Property<Node> for Serialisability {
    fn observe(&mut self, w: &World<'_, Node>, _: NodeId, obs: &Obs) -> Result<(), String> {
        let op = |txn, write| Op {
            txn,
            write,
            event: w.event(),
        };
        match *obs {
            Obs::Granted { txn, item, .. } => {
                self.ops.entry(item).or_default().push(op(txn, false));
                Ok(())
            }
            Obs::Wrote { txn, item, .. } => {
                self.ops.entry(item).or_default().push(op(txn, true));
                self.check()
            }
            Obs::Decide {
                txn, commit: true, ..
            } => {
                self.committed.insert(txn);
                self.check()
            }
            _ => Ok(()),
        }
    }

    fn related_events(&self) -> Vec<u64> {
        self.evidence.clone()
    }
}
