//! A history written as a history file ([`client_history`]): each operation's invocation and
//! completion in the run's order, as its model's file form writes them.

use std::collections::BTreeMap;

use sim_core::{ClientHistory, FileRecord, NodeId};

use super::file_form::{FileForm, FileOp};
use super::history::{History, Moment};
use super::model::SequentialModel;

/// `history` as a history file of `model`'s, or `None` when the model has no file form.
///
/// Each operation is an invocation record and, if it returned, an `ok` record, at their
/// places in the run's order; `time` is the virtual time in nanoseconds. A file lets a
/// process have one operation open at a time, so the open operation of a client that crashed
/// is closed as `info` (it may have taken effect) when the client invokes its next one; should
/// it still return after that, its return is left out and it stays `info`, which only widens
/// what a checker accepts.
pub fn client_history<M: SequentialModel>(
    model: &M,
    history: &History<M::Input, M::Output>,
) -> Option<ClientHistory> {
    let form = model.file_form()?;
    Some(ClientHistory {
        property: String::new(),
        model: form.model.to_string(),
        initial: form.initial.clone(),
        operations: history.len(),
        records: records(&form, history),
    })
}

/// Where an operation's record goes: its invocation or its return.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Edge {
    Invoke,
    Return,
}

fn records<I, O>(form: &FileForm<I, O>, history: &History<I, O>) -> Vec<FileRecord> {
    let ops = history.ops();
    let mut edges: Vec<(u64, Edge, usize)> = Vec::with_capacity(2 * ops.len());
    for (index, op) in ops.iter().enumerate() {
        edges.push((op.call_pos, Edge::Invoke, index));
        if op.returned.is_some() {
            edges.push((op.return_pos, Edge::Return, index));
        }
    }
    edges.sort_unstable();
    let mut open: BTreeMap<NodeId, usize> = BTreeMap::new();
    let mut records = Vec::with_capacity(edges.len() + 1);
    for (_, edge, index) in edges {
        let op = &ops[index];
        let written = (form.op)(&op.input, op.output.as_ref());
        match edge {
            Edge::Invoke => {
                if let Some(crashed) = open.insert(op.client, index) {
                    let before = (form.op)(&ops[crashed].input, None);
                    records.push(record(op.client, "info", before, op.invoked));
                }
                records.push(record(op.client, "invoke", written, op.invoked));
            }
            Edge::Return if open.get(&op.client) == Some(&index) => {
                open.remove(&op.client);
                let at = op.returned.unwrap_or(op.invoked);
                records.push(record(op.client, "ok", written, at));
            }
            Edge::Return => {}
        }
    }
    records
}

/// One record: an invocation (and an `info`) carries the argument; a completion, the result.
fn record(client: NodeId, kind: &'static str, op: FileOp, at: Moment) -> FileRecord {
    FileRecord {
        process: client,
        kind,
        f: op.f,
        key: op.key,
        value: if kind == "ok" { op.result } else { op.argument },
        time_ns: at.time.as_nanos(),
    }
}
