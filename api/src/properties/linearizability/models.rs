//! The sequential objects ftsim's protocols are judged against: a read/write register, a
//! key-value map (one register per key) and an append-only log whose appends return their
//! position.

use std::fmt::Debug;
use std::hash::Hash;
use std::marker::PhantomData;

use sim_core::FileValue;

use super::file_form::{FileForm, FileOp, ToFileValue};
use super::model::SequentialModel;

/// An operation on a register.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RegisterOp<V> {
    /// Read the value.
    Read,
    /// Write this value.
    Write(V),
}

/// What a register operation returns.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RegisterOutput<V> {
    /// A read's value.
    Value(V),
    /// A write is done.
    Written,
}

/// A read/write register holding `initial` before any write.
#[derive(Clone, Debug)]
pub struct Register<V> {
    /// The value before any write.
    pub initial: V,
}

impl<V: Clone + Ord + Hash + Debug + Send + Sync + ToFileValue> SequentialModel for Register<V> {
    type Key = ();
    type State = V;
    type Input = RegisterOp<V>;
    type Output = RegisterOutput<V>;

    fn key(&self, _: &RegisterOp<V>) {}

    fn init(&self) -> V {
        self.initial.clone()
    }

    fn step(&self, state: &V, input: &RegisterOp<V>) -> (V, RegisterOutput<V>) {
        match input {
            RegisterOp::Read => (state.clone(), RegisterOutput::Value(state.clone())),
            RegisterOp::Write(v) => (v.clone(), RegisterOutput::Written),
        }
    }

    fn describe(&self, input: &RegisterOp<V>, output: Option<&RegisterOutput<V>>) -> String {
        match (input, output) {
            (RegisterOp::Read, Some(RegisterOutput::Value(v))) => format!("read → {v:?}"),
            (RegisterOp::Read, _) => "read".to_string(),
            (RegisterOp::Write(v), _) => format!("write({v:?})"),
        }
    }

    fn object_name(&self) -> &'static str {
        "register"
    }

    fn describe_key(&self, _: &()) -> Option<String> {
        None
    }

    fn file_form(&self) -> Option<FileForm<RegisterOp<V>, RegisterOutput<V>>> {
        Some(FileForm {
            model: "register",
            initial: self.initial.to_file_value(),
            op: register_file_op,
        })
    }
}

/// A register operation in a file: `read` returning the value, `write v` returning `v`.
fn register_file_op<V: ToFileValue>(
    input: &RegisterOp<V>,
    output: Option<&RegisterOutput<V>>,
) -> FileOp {
    let (f, argument, result) = match (input, output) {
        (RegisterOp::Read, Some(RegisterOutput::Value(v))) => {
            ("read", FileValue::Null, v.to_file_value())
        }
        (RegisterOp::Read, _) => ("read", FileValue::Null, FileValue::Null),
        (RegisterOp::Write(v), _) => ("write", v.to_file_value(), v.to_file_value()),
    };
    FileOp {
        f,
        key: None,
        argument,
        result,
    }
}

/// An operation on a key-value map.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum KvOp<K, V> {
    /// Read a key's value.
    Get(K),
    /// Set a key's value.
    Put(K, V),
}

/// What a key-value operation returns.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum KvOutput<V> {
    /// A get's value (`None`: the key was never set).
    Value(Option<V>),
    /// A put is done.
    Done,
}

/// A key-value map in which every key starts unset; checked as one register per key.
#[derive(Clone, Debug)]
pub struct KeyValue<K, V> {
    types: PhantomData<fn() -> (K, V)>,
}

impl<K, V> Default for KeyValue<K, V> {
    fn default() -> Self {
        KeyValue { types: PhantomData }
    }
}

impl<K, V> SequentialModel for KeyValue<K, V>
where
    K: Clone + Ord + Debug + Hash + Send + Sync + ToFileValue,
    V: Clone + Ord + Hash + Debug + Send + Sync + ToFileValue,
{
    type Key = K;
    type State = Option<V>;
    type Input = KvOp<K, V>;
    type Output = KvOutput<V>;

    fn key(&self, input: &KvOp<K, V>) -> K {
        match input {
            KvOp::Get(k) | KvOp::Put(k, _) => k.clone(),
        }
    }

    fn init(&self) -> Option<V> {
        None
    }

    fn step(&self, state: &Option<V>, input: &KvOp<K, V>) -> (Option<V>, KvOutput<V>) {
        match input {
            KvOp::Get(_) => (state.clone(), KvOutput::Value(state.clone())),
            KvOp::Put(_, v) => (Some(v.clone()), KvOutput::Done),
        }
    }

    fn describe(&self, input: &KvOp<K, V>, output: Option<&KvOutput<V>>) -> String {
        match (input, output) {
            (KvOp::Get(k), Some(KvOutput::Value(Some(v)))) => format!("get({k:?}) → {v:?}"),
            (KvOp::Get(k), Some(KvOutput::Value(None))) => format!("get({k:?}) → unset"),
            (KvOp::Get(k), _) => format!("get({k:?})"),
            (KvOp::Put(k, v), _) => format!("put({k:?}, {v:?})"),
        }
    }

    fn describe_state(&self, state: &Option<V>) -> String {
        match state {
            Some(v) => format!("{v:?}"),
            None => "unset".to_string(),
        }
    }

    fn file_form(&self) -> Option<FileForm<KvOp<K, V>, KvOutput<V>>> {
        Some(FileForm {
            model: "kv",
            initial: FileValue::Null,
            op: kv_file_op,
        })
    }
}

/// A key-value operation in a file, its key apart: `get` returning the value (null: unset),
/// `put v` returning `v`.
fn kv_file_op<K: ToFileValue, V: ToFileValue>(
    input: &KvOp<K, V>,
    output: Option<&KvOutput<V>>,
) -> FileOp {
    let (f, key, argument, result) = match (input, output) {
        (KvOp::Get(k), Some(KvOutput::Value(v))) => ("get", k, FileValue::Null, v.to_file_value()),
        (KvOp::Get(k), _) => ("get", k, FileValue::Null, FileValue::Null),
        (KvOp::Put(k, v), _) => ("put", k, v.to_file_value(), v.to_file_value()),
    };
    FileOp {
        f,
        key: Some(key.to_file_value()),
        argument,
        result,
    }
}

/// An append-only log: appending an entry returns the position it landed at (0 first). The
/// state is the log's length: all a history of appends and their positions can reveal.
#[derive(Clone, Debug)]
pub struct AppendLog<T> {
    types: PhantomData<fn() -> T>,
}

impl<T> Default for AppendLog<T> {
    fn default() -> Self {
        AppendLog { types: PhantomData }
    }
}

impl<T: Clone + Debug + Hash + Send + Sync + ToFileValue> SequentialModel for AppendLog<T> {
    type Key = ();
    type State = usize;
    type Input = T;
    type Output = usize;

    fn key(&self, _: &T) {}

    fn init(&self) -> usize {
        0
    }

    fn step(&self, len: &usize, _: &T) -> (usize, usize) {
        (len + 1, *len)
    }

    fn describe(&self, entry: &T, at: Option<&usize>) -> String {
        match at {
            Some(at) => format!("append({entry:?}) → position {at}"),
            None => format!("append({entry:?})"),
        }
    }

    fn describe_state(&self, len: &usize) -> String {
        format!("{len} entries long")
    }

    fn object_name(&self) -> &'static str {
        "log"
    }

    fn describe_key(&self, _: &()) -> Option<String> {
        None
    }

    fn file_form(&self) -> Option<FileForm<T, usize>> {
        Some(FileForm {
            model: "log",
            initial: FileValue::Null,
            op: log_file_op,
        })
    }
}

/// An append in a file: `append entry` returning the position it landed at.
fn log_file_op<T: ToFileValue>(entry: &T, at: Option<&usize>) -> FileOp {
    FileOp {
        f: "append",
        key: None,
        argument: entry.to_file_value(),
        result: at.to_file_value(),
    }
}
