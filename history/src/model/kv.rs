//! A key-value map: one register per key, each unset (nil) at first, or the model's initial
//! value. Keys are independent objects, checked one at a time. Jepsen's keyed histories give
//! each operation's value as `[key value]`; ftsim's JSON may give `"key"` instead.
//!
//! Sequential specification, per key, state `v` (nil: unset):
//!
//! | operation | next state | returns |
//! |---|---|---|
//! | `read` (or `get`) | `v` | `v` |
//! | `write x` (or `put x`) | `x` | `x` |
//! | `append x`, `v` unset | `[x]` | `x` |
//! | `append x`, `v` a list | `v` with `x` at its end | `x` |
//! | `append x`, `v` and `x` strings | `v` and `x` concatenated | `x` |
//! | `append x`, otherwise | `v` | a failure marker |
//! | `cas [from to]`, `v = from` | `to` | `[from to]` |
//! | `cas [from to]`, `v ≠ from` | `v` | a failure marker |
//!
//! Porcupine's key-value store, whose keys hold strings that reads of an unset key see as
//! `""`, is this model with the initial value `""`.

use super::cas_register::CasRegister;
use super::{refused, FileOp, Fun, Spec};
use crate::value::Value;

/// The key-value map's specification.
pub(crate) struct KeyValue;

/// `x` appended to `state`, if the two fit.
fn append(state: &Value, x: &Value) -> Option<Value> {
    match (state, x) {
        (Value::Nil, x) => Some(Value::List(vec![x.clone()])),
        (Value::List(items), x) => {
            let mut items = items.clone();
            items.push(x.clone());
            Some(Value::List(items))
        }
        (Value::Str(s), Value::Str(x)) => Some(Value::Str(format!("{s}{x}"))),
        _ => None,
    }
}

impl Spec for KeyValue {
    fn ops(&self) -> &'static [(Fun, &'static [&'static str])] {
        &[
            (Fun::Read, &["read", "get"]),
            (Fun::Write, &["write", "put"]),
            (Fun::Append, &["append"]),
            (Fun::Cas, &["cas", "compare-and-set"]),
        ]
    }

    fn object_name(&self) -> &'static str {
        "key"
    }

    fn init(&self, initial: &Value) -> Result<Value, String> {
        CasRegister.init(initial)
    }

    fn check_arg(&self, op: &FileOp) -> Result<(), String> {
        CasRegister.check_arg(op)
    }

    /// A cas register's step, and appends.
    fn step(&self, state: &Value, op: &FileOp) -> (Value, Value) {
        if op.f != Fun::Append {
            return CasRegister.step(state, op);
        }
        match append(state, &op.arg) {
            Some(next) => (next, op.arg.clone()),
            None => (state.clone(), refused(Fun::Append)),
        }
    }

    fn fixed_output(&self, op: &FileOp) -> Option<Value> {
        (op.f != Fun::Read).then(|| op.arg.clone())
    }

    fn describe_state(&self, state: &Value) -> String {
        match state {
            Value::Nil => "unset".to_string(),
            v => v.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::model::step_named as model_step;
    use crate::model::ModelKind;
    use crate::value::Value;

    fn s(x: &str) -> Value {
        Value::Str(x.to_string())
    }

    #[test]
    fn appends_make_lists_or_longer_strings() {
        let m = ModelKind::KeyValue;
        let (state, out) = model_step(m, Value::Nil, "append", Value::Int(1));
        assert_eq!(
            (&state, out),
            (&Value::List(vec![Value::Int(1)]), Value::Int(1))
        );
        let (state, _) = model_step(m, state, "append", Value::Int(2));
        assert_eq!(state, Value::List(vec![Value::Int(1), Value::Int(2)]));
        assert_eq!(model_step(m, s("ab"), "append", s("c")).0, s("abc"));
        let (state, out) = model_step(m, Value::Int(4), "append", s("c"));
        assert_eq!(state, Value::Int(4));
        assert_ne!(out, s("c"));
        assert_eq!(model_step(m, s("x"), "put", s("y")).0, s("y"));
    }
}
