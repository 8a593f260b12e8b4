//! A read/write register (Knossos's `register`).
//!
//! Sequential specification, from the initial value (nil: never written):
//!
//! | operation | next state | returns |
//! |---|---|---|
//! | `read` (or `get`) | `v` | `v`, the current value |
//! | `write x` (or `put x`) | `x` | `x` |

use super::{refused, FileOp, Fun, Spec};
use crate::value::Value;

/// The register's specification.
pub(crate) struct Register;

/// A register's read or write, shared with the cas register; `None` for any other operation.
pub(crate) fn read_write(state: &Value, op: &FileOp) -> Option<(Value, Value)> {
    match op.f {
        Fun::Read => Some((state.clone(), state.clone())),
        Fun::Write => Some((op.arg.clone(), op.arg.clone())),
        _ => None,
    }
}

impl Spec for Register {
    fn ops(&self) -> &'static [(Fun, &'static [&'static str])] {
        &[
            (Fun::Read, &["read", "get"]),
            (Fun::Write, &["write", "put"]),
        ]
    }

    fn object_name(&self) -> &'static str {
        "register"
    }

    fn init(&self, initial: &Value) -> Result<Value, String> {
        Ok(initial.clone())
    }

    fn step(&self, state: &Value, op: &FileOp) -> (Value, Value) {
        read_write(state, op).unwrap_or_else(|| (state.clone(), refused(op.f)))
    }

    fn fixed_output(&self, op: &FileOp) -> Option<Value> {
        (op.f == Fun::Write).then(|| op.arg.clone())
    }
}

#[cfg(test)]
mod tests {
    use crate::model::step_named as model_step;
    use crate::model::ModelKind;
    use crate::value::Value;

    #[test]
    fn reads_what_was_last_written() {
        let m = ModelKind::Register;
        assert_eq!(
            model_step(m, Value::Nil, "read", Value::Nil),
            (Value::Nil, Value::Nil)
        );
        let (s, out) = model_step(m, Value::Nil, "write", Value::Int(3));
        assert_eq!((&s, &out), (&Value::Int(3), &Value::Int(3)));
        assert_eq!(model_step(m, s, "get", Value::Nil).1, Value::Int(3));
    }
}
