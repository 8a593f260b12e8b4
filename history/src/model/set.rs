//! A set that only grows (Jepsen's `set` workload: adds, then reads of the whole set).
//!
//! Sequential specification, from the empty set (or the initial value's elements):
//!
//! | operation | next state | returns |
//! |---|---|---|
//! | `add x` | `s ∪ {x}` | `x` |
//! | `read` | `s` | `s`, the whole set |
//!
//! A read's recorded value is compared as a set, whether the file wrote it as a set or as a
//! list (in any order, duplicates counting once).

use std::collections::BTreeSet;

use super::{refused, FileOp, Fun, Spec};
use crate::value::Value;

/// The set's specification.
pub(crate) struct Set;

/// The elements of a set or a list, as a set.
fn as_set(value: &Value) -> Option<BTreeSet<Value>> {
    match value {
        Value::Set(items) => Some(items.clone()),
        Value::List(items) => Some(items.iter().cloned().collect()),
        _ => None,
    }
}

impl Spec for Set {
    fn ops(&self) -> &'static [(Fun, &'static [&'static str])] {
        &[(Fun::Add, &["add"]), (Fun::Read, &["read"])]
    }

    fn object_name(&self) -> &'static str {
        "set"
    }

    fn init(&self, initial: &Value) -> Result<Value, String> {
        match initial {
            Value::Nil => Ok(Value::Set(BTreeSet::new())),
            v => as_set(v)
                .map(Value::Set)
                .ok_or_else(|| format!("a set starts from a set or a list, not {}", v.kind())),
        }
    }

    fn step(&self, state: &Value, op: &FileOp) -> (Value, Value) {
        let mut items = as_set(state).unwrap_or_default();
        match op.f {
            Fun::Add => {
                items.insert(op.arg.clone());
                (Value::Set(items), op.arg.clone())
            }
            Fun::Read => (state.clone(), Value::Set(items)),
            f => (state.clone(), refused(f)),
        }
    }

    fn fixed_output(&self, op: &FileOp) -> Option<Value> {
        (op.f == Fun::Add).then(|| op.arg.clone())
    }

    fn observed(&self, recorded: Value) -> Value {
        match as_set(&recorded) {
            Some(items) => Value::Set(items),
            None => recorded,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use crate::model::step_named as model_step;
    use crate::model::{FileModel, FileOp, Fun, ModelKind};
    use crate::value::Value;

    fn set(items: &[i64]) -> Value {
        Value::Set(
            items
                .iter()
                .copied()
                .map(Value::Int)
                .collect::<BTreeSet<_>>(),
        )
    }

    #[test]
    fn reads_the_whole_set_in_any_order() {
        let m = ModelKind::Set;
        let (state, out) = model_step(m, set(&[]), "add", Value::Int(2));
        assert_eq!((&state, out), (&set(&[2]), Value::Int(2)));
        let (state, _) = model_step(m, state, "add", Value::Int(1));
        assert_eq!(model_step(m, state, "read", Value::Nil).1, set(&[1, 2]));
        let model = FileModel::new(m);
        let read = FileOp {
            key: Value::Nil,
            f: Fun::Read,
            arg: Value::Nil,
        };
        let list = Value::List(vec![Value::Int(2), Value::Int(1), Value::Int(2)]);
        assert_eq!(model.recorded_output(&read, list), set(&[1, 2]));
    }
}
