//! Random small histories of a model, as a file would hold them: two or three processes, at
//! most seven operations, each taking effect when it completes (so the history is
//! linearizable) unless the generator lies: a read that reports another value, a refused
//! operation reported `:ok`. Some operations time out (`:info`, taking effect or not), some
//! fail, some never complete; the nemesis interjects.

use std::collections::BTreeMap;

use ftsim_api::properties::linearizability::SequentialModel;

use crate::model::{FileModel, FileOp, Fun, ModelKind};
use crate::record::{OpType, Record};
use crate::value::Value;

/// A tiny deterministic generator (SplitMix64).
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n`.
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// True `percent` times in a hundred.
    pub(crate) fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    fn small(&mut self, n: i64) -> Value {
        Value::Int(self.below(n as u64) as i64)
    }
}

/// How the generated file gives keys.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Keys {
    None,
    Tuples,
    Records,
}

/// The generator's state.
struct Gen {
    rng: Rng,
    model: FileModel,
    keys: Keys,
    records: Vec<Record>,
    time: u64,
    /// Each key's state as the operations took effect.
    truth: BTreeMap<Value, Value>,
}

/// A random history of `kind` from `seed`, and the model to check it with.
pub(crate) fn history(kind: ModelKind, seed: u64) -> (FileModel, Vec<Record>) {
    let mut rng = Rng::new(seed);
    let mut model = FileModel::new(kind);
    model.independent = kind != ModelKind::KeyValue && rng.chance(30);
    if matches!(kind, ModelKind::Register | ModelKind::CasRegister) && rng.chance(50) {
        model.initial = Value::Int(0);
    }
    let keys = match (model.keyed(), rng.chance(30)) {
        (false, _) => Keys::None,
        (true, false) => Keys::Tuples,
        (true, true) => Keys::Records,
    };
    let ops = 1 + rng.below(7);
    let processes = 2 + rng.below(2) as usize;
    let mut gen = Gen {
        rng,
        model,
        keys,
        records: Vec::new(),
        time: 0,
        truth: BTreeMap::new(),
    };
    let mut open: Vec<Option<FileOp>> = vec![None; processes];
    let mut gone = vec![false; processes];
    let mut invoked = 0;
    while gone.iter().any(|g| !g) && (invoked < ops || open.iter().any(Option::is_some)) {
        let p = gen.rng.below(processes as u64) as usize;
        if gone[p] {
            continue;
        }
        if gen.rng.chance(5) {
            gen.push(
                Value::Keyword("nemesis".into()),
                OpType::Info,
                "start",
                Value::Nil,
                None,
            );
        }
        match open[p].take() {
            Some(op) if gen.rng.chance(6) => {
                // Never completes: the process is gone, its operation open forever.
                let _ = op;
                gone[p] = true;
            }
            Some(op) => gen.complete(p, &op),
            None if invoked < ops => {
                let op = gen.random_op();
                gen.invoke(p, &op);
                open[p] = Some(op);
                invoked += 1;
            }
            None => {}
        }
    }
    (gen.model, gen.records)
}

impl Gen {
    fn push(&mut self, process: Value, op_type: OpType, f: &str, value: Value, key: Option<Value>) {
        self.time += 1 + self.rng.below(10);
        self.records.push(Record {
            line: self.records.len() + 1,
            process,
            op_type,
            f: f.to_string(),
            value,
            time_ns: Some(self.time),
            key,
        });
    }

    /// A record of `op` by process `p` with value `value`, keyed as the file keys.
    fn push_op(&mut self, p: usize, op_type: OpType, op: &FileOp, value: Value) {
        let (value, key) = match self.keys {
            Keys::None => (value, None),
            Keys::Tuples => (Value::List(vec![op.key.clone(), value]), None),
            Keys::Records => (value, Some(op.key.clone())),
        };
        self.push(Value::Int(p as i64), op_type, op.f.name(), value, key);
    }

    fn invoke(&mut self, p: usize, op: &FileOp) {
        self.push_op(p, OpType::Invoke, op, op.arg.clone());
    }

    fn complete(&mut self, p: usize, op: &FileOp) {
        let state = self
            .truth
            .get(&op.key)
            .cloned()
            .unwrap_or_else(|| self.model.init());
        let (next, out) = self.model.step(&state, op);
        let roll = self.rng.below(100);
        if roll < 10 {
            if self.rng.chance(50) {
                self.truth.insert(op.key.clone(), next);
            }
            return self.push_op(p, OpType::Info, op, op.arg.clone());
        }
        if roll < 15 {
            return self.push_op(p, OpType::Fail, op, op.arg.clone());
        }
        if self.model.observes(op) {
            self.truth.insert(op.key.clone(), next);
            let seen = if self.rng.chance(20) {
                self.random_value()
            } else {
                as_written(out)
            };
            return self.push_op(p, OpType::Ok, op, seen);
        }
        let succeeded = out == self.model.recorded_output(op, Value::Nil);
        if succeeded {
            self.truth.insert(op.key.clone(), next);
        }
        let op_type = if succeeded || self.rng.chance(25) {
            OpType::Ok
        } else {
            OpType::Fail
        };
        self.push_op(p, op_type, op, op.arg.clone());
    }

    fn random_op(&mut self) -> FileOp {
        let r = &mut self.rng;
        let key = match self.keys {
            Keys::None => Value::Nil,
            _ => r.small(2),
        };
        let pick = r.below(100);
        let (f, arg) = match self.model.kind {
            ModelKind::Register | ModelKind::CasRegister | ModelKind::KeyValue => match pick {
                0..40 => (Fun::Read, Value::Nil),
                40..70 => (Fun::Write, r.small(3)),
                70..85 if self.model.kind == ModelKind::KeyValue => (Fun::Append, r.small(3)),
                _ if self.model.kind == ModelKind::Register => (Fun::Write, r.small(3)),
                _ => (Fun::Cas, Value::List(vec![r.small(3), r.small(3)])),
            },
            ModelKind::Set if pick < 60 => (Fun::Add, r.small(4)),
            ModelKind::Set => (Fun::Read, Value::Nil),
            ModelKind::Queue if pick < 55 => (Fun::Enqueue, r.small(3)),
            ModelKind::Queue => (Fun::Dequeue, Value::Nil),
            ModelKind::Counter if pick < 30 => (Fun::Add, Value::Nil),
            ModelKind::Counter if pick < 60 => (Fun::Add, r.small(3)),
            ModelKind::Counter => (Fun::Read, Value::Nil),
            ModelKind::Mutex if pick < 50 => (Fun::Acquire, Value::Nil),
            ModelKind::Mutex => (Fun::Release, Value::Nil),
            ModelKind::Log if pick < 70 => (Fun::Append, r.small(3)),
            ModelKind::Log => (Fun::Read, Value::Nil),
        };
        FileOp { key, f, arg }
    }

    /// A value a lying read might report.
    fn random_value(&mut self) -> Value {
        let r = &mut self.rng;
        match self.model.kind {
            ModelKind::Set => Value::List((0..r.below(4)).map(|_| r.small(4)).collect()),
            ModelKind::Counter => r.small(6),
            _ if r.chance(20) => Value::Nil,
            _ => r.small(3),
        }
    }
}

/// An output as a file writes it: Jepsen writes a set read's value as a vector or a set.
fn as_written(out: Value) -> Value {
    match out {
        Value::Set(items) if items.len() % 2 == 0 => Value::List(items.into_iter().rev().collect()),
        out => out,
    }
}
