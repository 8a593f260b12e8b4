//! A counter (Jepsen's counter workload), from 0 (or the initial integer).
//!
//! Sequential specification, count `n`:
//!
//! | operation | next state | returns |
//! |---|---|---|
//! | `add k` (or `increment k`; `k` is 1 when nil) | `n + k` | `k` |
//! | `read` | `n` | `n` |
//!
//! An add that would overflow 64 bits is refused (a failure marker), never wrapped.

use super::{refused, FileOp, Fun, Spec};
use crate::value::Value;

/// The counter's specification.
pub(crate) struct Counter;

/// How much an add adds: its integer, 1 when nil.
fn amount(arg: &Value) -> Option<i64> {
    match arg {
        Value::Nil => Some(1),
        Value::Int(k) => Some(*k),
        _ => None,
    }
}

impl Spec for Counter {
    fn ops(&self) -> &'static [(Fun, &'static [&'static str])] {
        &[
            (Fun::Add, &["add", "increment", "inc"]),
            (Fun::Read, &["read"]),
        ]
    }

    fn object_name(&self) -> &'static str {
        "counter"
    }

    fn init(&self, initial: &Value) -> Result<Value, String> {
        match initial {
            Value::Nil => Ok(Value::Int(0)),
            Value::Int(n) => Ok(Value::Int(*n)),
            v => Err(format!(
                "a counter starts from an integer, not {}",
                v.kind()
            )),
        }
    }

    fn check_arg(&self, op: &FileOp) -> Result<(), String> {
        match (op.f, amount(&op.arg)) {
            (Fun::Add, None) => Err(format!(
                "add takes an integer (or nil for 1), not {}",
                op.arg
            )),
            _ => Ok(()),
        }
    }

    fn step(&self, state: &Value, op: &FileOp) -> (Value, Value) {
        let n = state.as_int().unwrap_or(0);
        match (op.f, amount(&op.arg)) {
            (Fun::Read, _) => (state.clone(), state.clone()),
            (Fun::Add, Some(k)) => match n.checked_add(k) {
                Some(sum) => (Value::Int(sum), Value::Int(k)),
                None => (state.clone(), refused(Fun::Add)),
            },
            (f, _) => (state.clone(), refused(f)),
        }
    }

    fn fixed_output(&self, op: &FileOp) -> Option<Value> {
        match op.f {
            Fun::Add => amount(&op.arg).map(Value::Int),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::model::step_named as model_step;
    use crate::model::ModelKind;
    use crate::value::Value;

    #[test]
    fn adds_and_reads() {
        let m = ModelKind::Counter;
        let (n, out) = model_step(m, Value::Int(0), "add", Value::Nil);
        assert_eq!((&n, out), (&Value::Int(1), Value::Int(1)));
        let (n, _) = model_step(m, n, "increment", Value::Int(5));
        assert_eq!(model_step(m, n, "read", Value::Nil).1, Value::Int(6));
        let (n, out) = model_step(m, Value::Int(i64::MAX), "add", Value::Int(1));
        assert_eq!(n, Value::Int(i64::MAX));
        assert_ne!(out, Value::Int(1));
    }
}
