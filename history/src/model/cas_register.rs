//! A register with compare-and-set (Knossos's `cas-register`, Jepsen's linearizable-register
//! workload).
//!
//! Sequential specification, from the initial value (nil: never written):
//!
//! | operation | next state | returns |
//! |---|---|---|
//! | `read` (or `get`) | `v` | `v` |
//! | `write x` (or `put x`) | `x` | `x` |
//! | `cas [from to]`, `v = from` | `to` | `[from to]` |
//! | `cas [from to]`, `v ≠ from` | `v` | a failure marker |
//!
//! A cas that finds another value does not happen: Jepsen records it `:fail`, and the
//! history drops it; an `:ok` cas is recorded as returning `[from to]`, so one that could
//! only have found another value is not linearizable.

use super::register::read_write;
use super::{cas_pair, refused, FileOp, Fun, Spec};
use crate::value::Value;

/// The cas register's specification.
pub(crate) struct CasRegister;

/// A compare-and-set on `state`.
fn cas(state: &Value, op: &FileOp) -> (Value, Value) {
    match op.arg.as_pair() {
        Some((from, to)) if from == state => (to.clone(), op.arg.clone()),
        _ => (state.clone(), refused(Fun::Cas)),
    }
}

impl Spec for CasRegister {
    fn ops(&self) -> &'static [(Fun, &'static [&'static str])] {
        &[
            (Fun::Read, &["read", "get"]),
            (Fun::Write, &["write", "put"]),
            (Fun::Cas, &["cas", "compare-and-set"]),
        ]
    }

    fn object_name(&self) -> &'static str {
        "register"
    }

    fn init(&self, initial: &Value) -> Result<Value, String> {
        Ok(initial.clone())
    }

    fn check_arg(&self, op: &FileOp) -> Result<(), String> {
        match op.f {
            Fun::Cas => cas_pair(&op.arg).map(drop),
            _ => Ok(()),
        }
    }

    fn step(&self, state: &Value, op: &FileOp) -> (Value, Value) {
        match op.f {
            Fun::Cas => cas(state, op),
            _ => read_write(state, op).unwrap_or_else(|| (state.clone(), refused(op.f))),
        }
    }

    fn fixed_output(&self, op: &FileOp) -> Option<Value> {
        matches!(op.f, Fun::Write | Fun::Cas).then(|| op.arg.clone())
    }
}

#[cfg(test)]
mod tests {
    use crate::model::step_named as model_step;
    use crate::model::ModelKind;
    use crate::value::Value;

    fn pair(a: i64, b: i64) -> Value {
        Value::List(vec![Value::Int(a), Value::Int(b)])
    }

    #[test]
    fn a_cas_sets_only_from_its_expected_value() {
        let m = ModelKind::CasRegister;
        let (s, out) = model_step(m, Value::Int(1), "cas", pair(1, 2));
        assert_eq!((s, out), (Value::Int(2), pair(1, 2)));
        let (s, out) = model_step(m, Value::Int(3), "cas", pair(1, 2));
        assert_eq!(s, Value::Int(3));
        assert_ne!(out, pair(1, 2));
        let (s, _) = model_step(
            m,
            Value::Nil,
            "cas",
            Value::List(vec![Value::Nil, Value::Int(5)]),
        );
        assert_eq!(s, Value::Int(5));
    }
}
