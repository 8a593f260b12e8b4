//! A model's operations as a history file writes them: what lets a run's client history be
//! checked again by `ftsim history` (`ftsim replay --history F`). A model says which of
//! `ftsim history`'s models it is and how each operation is written
//! ([`SequentialModel::file_form`](super::SequentialModel::file_form)); its values say how
//! they are written ([`ToFileValue`]).

use std::collections::{BTreeMap, BTreeSet};

use sim_core::FileValue;

/// How a model's histories are written: the `ftsim history` model that reads them back, its
/// initial state, and each operation's record.
pub struct FileForm<I, O> {
    /// The model's name for `ftsim history --model` ("register", "kv", "log").
    pub model: &'static str,
    /// Every object's state before any operation (null: the model's empty state).
    pub initial: FileValue,
    /// An operation (and what it returned, if it did) as a file writes it.
    pub op: fn(&I, Option<&O>) -> FileOp,
}

/// One operation as a history file writes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileOp {
    /// The operation's name in the model (`f`).
    pub f: &'static str,
    /// The object it touches, for a keyed model.
    pub key: Option<FileValue>,
    /// The invocation's value (its argument; null: none).
    pub argument: FileValue,
    /// The completion's value (what it returned); null when it did not return.
    pub result: FileValue,
}

/// A value a history file can hold: integers, booleans, strings, and options, lists, sets,
/// pairs and maps (as lists of pairs) of them.
pub trait ToFileValue {
    /// The value as a file writes it.
    fn to_file_value(&self) -> FileValue;
}

macro_rules! integers {
    ($($t:ty),*) => {$(
        impl ToFileValue for $t {
            fn to_file_value(&self) -> FileValue {
                FileValue::Int(i128::from(*self))
            }
        }
    )*};
}
integers!(u8, u16, u32, u64, i8, i16, i32, i64);

impl ToFileValue for usize {
    fn to_file_value(&self) -> FileValue {
        // usize is at most 64 bits on every target Rust supports.
        FileValue::Int(i128::try_from(*self).unwrap_or(i128::MAX))
    }
}

impl ToFileValue for bool {
    fn to_file_value(&self) -> FileValue {
        FileValue::Bool(*self)
    }
}

impl ToFileValue for String {
    fn to_file_value(&self) -> FileValue {
        FileValue::Str(self.clone())
    }
}

impl ToFileValue for str {
    fn to_file_value(&self) -> FileValue {
        FileValue::Str(self.to_string())
    }
}

/// What it refers to.
impl<T: ToFileValue + ?Sized> ToFileValue for &T {
    fn to_file_value(&self) -> FileValue {
        (**self).to_file_value()
    }
}

impl ToFileValue for char {
    fn to_file_value(&self) -> FileValue {
        FileValue::Str(self.to_string())
    }
}

impl ToFileValue for () {
    fn to_file_value(&self) -> FileValue {
        FileValue::Null
    }
}

/// `None` is null.
impl<T: ToFileValue> ToFileValue for Option<T> {
    fn to_file_value(&self) -> FileValue {
        self.as_ref().map_or(FileValue::Null, T::to_file_value)
    }
}

impl<T: ToFileValue> ToFileValue for Vec<T> {
    fn to_file_value(&self) -> FileValue {
        FileValue::List(self.iter().map(T::to_file_value).collect())
    }
}

impl<T: ToFileValue> ToFileValue for BTreeSet<T> {
    fn to_file_value(&self) -> FileValue {
        FileValue::List(self.iter().map(T::to_file_value).collect())
    }
}

impl<A: ToFileValue, B: ToFileValue> ToFileValue for (A, B) {
    fn to_file_value(&self) -> FileValue {
        FileValue::List(vec![self.0.to_file_value(), self.1.to_file_value()])
    }
}

/// A list of `[key value]` pairs, in key order.
impl<K: ToFileValue, V: ToFileValue> ToFileValue for BTreeMap<K, V> {
    fn to_file_value(&self) -> FileValue {
        let pair = |(k, v): (&K, &V)| FileValue::List(vec![k.to_file_value(), v.to_file_value()]);
        FileValue::List(self.iter().map(pair).collect())
    }
}
