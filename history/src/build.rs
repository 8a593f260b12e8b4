//! From a file's records to a [`History`] the linearizability checker judges, after Jepsen's
//! and Knossos's conventions:
//!
//! - only clients' records count: a record whose process is not an integer (the nemesis) is
//!   ignored;
//! - a process has at most one operation open: its invocation is completed by the process's
//!   next record;
//! - `:ok`: the operation returns, with the completion's value for one that observes the
//!   object (a read), with its success output for the rest (see [`crate::model`]);
//! - `:fail`: the operation did not happen, and is left out;
//! - `:info`, or no completion at all: the operation's outcome is unknown; it never returns,
//!   so it may take effect at any time after its invocation, or not at all.
//!
//! Clients are numbered in the order their processes first appear. Each operation's moments
//! are its records' places among the records the history keeps (its operations' invocations
//! and completions, from 0), at their `time` (0 when the file gives none).

use std::collections::BTreeMap;

use ftsim_api::properties::linearizability::{History, Moment};
use sim_core::Time;

use crate::model::{FileModel, FileOp};
use crate::read::ReadError;
use crate::record::{OpType, Record};
use crate::value::Value;

/// A history built from a file, with where each of its operations came from.
#[derive(Clone, Debug)]
pub struct FileHistory {
    /// The clients' operations, in invocation order.
    pub history: History<FileOp, Value>,
    /// The records of each operation of `history`, by operation index.
    pub sources: Vec<OpSource>,
    /// Each client's process as the file names it, by client index.
    pub processes: Vec<Value>,
    /// Operations that completed with `:fail`, left out.
    pub dropped_failed: usize,
    /// Records of processes that are not clients (the nemesis), ignored.
    pub ignored: usize,
}

/// Where an operation of a [`FileHistory`] came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OpSource {
    /// The line of its invocation.
    pub invoke_line: usize,
    /// The line of its completion, if it has one (`:ok` or `:info`).
    pub complete_line: Option<usize>,
    /// Whether it completed with `:info` (its outcome unknown: it never returns).
    pub info: bool,
}

/// An operation as the pairing found it.
struct Pending {
    client: usize,
    /// Its invocation's record.
    invoke: usize,
    op: FileOp,
    /// Its completion's record.
    completion: Option<usize>,
    /// What it returned, if it completed `:ok`.
    output: Option<Value>,
}

impl Pending {
    fn failed(&self, records: &[Record]) -> bool {
        self.completion
            .is_some_and(|c| records[c].op_type == OpType::Fail)
    }
}

/// What a record is to the history.
#[derive(Clone, Copy)]
enum Role {
    Ignored,
    Invoke(usize),
    Complete(usize),
}

/// The operations the pairing found.
#[derive(Default)]
struct Pairing {
    pending: Vec<Pending>,
    roles: Vec<Role>,
    processes: Vec<Value>,
    ignored: usize,
}

/// Builds the history of `records` (a file's, in file order) for `model`: pairs each
/// process's invocations with their completions, and checks each operation against the
/// model (its `f` known, its argument fitting, its key given where the model is keyed).
pub fn build(records: &[Record], model: &FileModel) -> Result<FileHistory, ReadError> {
    model
        .initial_state()
        .map_err(|why| ReadError::new(0, why))?;
    let pairing = pair(records, model)?;
    let mut history = History::new();
    let mut sources = Vec::new();
    let mut index_of = vec![None; pairing.pending.len()];
    let mut event = 0;
    let mut dropped_failed = 0;
    for (r, role) in records.iter().zip(&pairing.roles) {
        let (Role::Invoke(p) | Role::Complete(p)) = *role else {
            continue;
        };
        let pending = &pairing.pending[p];
        if pending.failed(records) {
            dropped_failed += usize::from(matches!(role, Role::Invoke(_)));
            continue;
        }
        let at = Moment::new(event, Time(r.time_ns.unwrap_or(0)));
        event += 1;
        match (*role, &pending.output, index_of[p]) {
            (Role::Invoke(_), _, _) => {
                index_of[p] = Some(history.call(pending.client, pending.op.clone(), at));
                let completion = pending.completion.map(|c| &records[c]);
                sources.push(OpSource {
                    invoke_line: r.line,
                    complete_line: completion.map(|c| c.line),
                    info: completion.is_some_and(|c| c.op_type == OpType::Info),
                });
            }
            (_, Some(output), Some(index)) => history.ret(index, output.clone(), at),
            _ => {}
        }
    }
    Ok(FileHistory {
        history,
        sources,
        processes: pairing.processes,
        dropped_failed,
        ignored: pairing.ignored,
    })
}

/// Pairs each process's invocations with their completions, in file order.
fn pair(records: &[Record], model: &FileModel) -> Result<Pairing, ReadError> {
    let mut pairing = Pairing::default();
    let mut clients: BTreeMap<&Value, usize> = BTreeMap::new();
    let mut open: BTreeMap<&Value, usize> = BTreeMap::new();
    // Each process's last completed operation, for messages.
    let mut last: BTreeMap<&Value, usize> = BTreeMap::new();
    for (i, r) in records.iter().enumerate() {
        if !matches!(r.process, Value::Int(_)) {
            pairing.roles.push(Role::Ignored);
            pairing.ignored += 1;
            continue;
        }
        let client = *clients.entry(&r.process).or_insert_with(|| {
            pairing.processes.push(r.process.clone());
            pairing.processes.len() - 1
        });
        if r.op_type == OpType::Invoke {
            if let Some(&p) = open.get(&r.process) {
                let earlier = &records[pairing.pending[p].invoke];
                return Err(ReadError::new(
                    r.line,
                    format!(
                        "process {} invokes :{} while its :{} invoked on line {} is still open \
                         (a process has one operation at a time)",
                        r.process, r.f, earlier.f, earlier.line
                    ),
                ));
            }
            let op = file_op(r, model)?;
            open.insert(&r.process, pairing.pending.len());
            pairing.roles.push(Role::Invoke(pairing.pending.len()));
            pairing.pending.push(Pending {
                client,
                invoke: i,
                op,
                completion: None,
                output: None,
            });
            continue;
        }
        let Some(p) = open.remove(&r.process) else {
            return Err(nothing_open(records, r, last.get(&r.process), &pairing));
        };
        let pending = &mut pairing.pending[p];
        let invoked = &records[pending.invoke];
        if model.kind.fun(&r.f) != Some(pending.op.f) {
            return Err(ReadError::new(
                r.line,
                format!(
                    "process {}'s :{} :{} completes the :{} it invoked on line {}",
                    r.process, r.op_type, r.f, invoked.f, invoked.line
                ),
            ));
        }
        if r.op_type == OpType::Ok {
            let recorded = completion_value(r, invoked, &pending.op, model)?;
            pending.output = Some(model.recorded_output(&pending.op, recorded));
        }
        pending.completion = Some(i);
        pairing.roles.push(Role::Complete(p));
        last.insert(&r.process, p);
    }
    Ok(pairing)
}

/// The error for a completion `r` whose process has no operation open.
fn nothing_open(
    records: &[Record],
    r: &Record,
    last: Option<&usize>,
    pairing: &Pairing,
) -> ReadError {
    let before = match last {
        Some(&p) => {
            let op = &pairing.pending[p];
            let done = op.completion.map_or(0, |c| records[c].line);
            format!(
                "its last operation, invoked on line {}, completed on line {done}",
                records[op.invoke].line
            )
        }
        None => "it invoked nothing before".to_string(),
    };
    ReadError::new(
        r.line,
        format!(
            "process {}'s :{} :{} completes nothing: {before}",
            r.process, r.op_type, r.f
        ),
    )
}

/// The operation an invocation asks for, as `model` takes it.
fn file_op(r: &Record, model: &FileModel) -> Result<FileOp, ReadError> {
    let kind = model.kind;
    let f = kind.fun(&r.f).ok_or_else(|| {
        ReadError::new(
            r.line,
            format!(
                "the {kind} model has no operation :{}; it knows {}",
                r.f,
                kind.known_ops()
            ),
        )
    })?;
    let (key, arg) = split_key(r, model)?;
    let op = FileOp { key, f, arg };
    model.check_arg(&op).map_err(|why| {
        ReadError::new(r.line, format!(":{} on the value {}: {why}", r.f, r.value))
    })?;
    Ok(op)
}

/// A record's key and the value that goes with it: its own key if it has one, else the
/// `[key value]` tuple's where the model is keyed, else nil (one object).
fn split_key(r: &Record, model: &FileModel) -> Result<(Value, Value), ReadError> {
    if let Some(key) = &r.key {
        return Ok((key.clone(), r.value.clone()));
    }
    if !model.keyed() {
        return Ok((Value::Nil, r.value.clone()));
    }
    match r.value.as_pair() {
        Some((key, value)) => Ok((key.clone(), value.clone())),
        None => Err(ReadError::new(
            r.line,
            format!(
                "the value is {}; expected a [key value] tuple, as the {} model is keyed{} \
                 (or the record's own key)",
                r.value,
                model.kind,
                if model.independent {
                    " (independent)"
                } else {
                    ""
                }
            ),
        )),
    }
}

/// The value an `:ok` completion `r` of `op` (invoked by `invoked`) recorded, without its key.
/// Only an observing operation's is looked at: the others return their success output.
fn completion_value(
    r: &Record,
    invoked: &Record,
    op: &FileOp,
    model: &FileModel,
) -> Result<Value, ReadError> {
    if !model.observes(op) || r.value.is_nil() {
        return Ok(r.value.clone());
    }
    let (key, value) = if r.key.is_none() && invoked.key.is_none() && model.keyed() {
        let (key, value) = split_key(r, model)?;
        (Some(key), value)
    } else {
        (r.key.clone(), r.value.clone())
    };
    match key {
        Some(key) if key != op.key => Err(ReadError::new(
            r.line,
            format!(
                "the completion's key is {key}, but its invocation on line {} named the key {}",
                invoked.line, op.key
            ),
        )),
        _ => Ok(value),
    }
}
