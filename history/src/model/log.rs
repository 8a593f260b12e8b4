//! An append-only log whose appends return their position (ftsim's primary-backup log, as
//! `ftsim replay --history` writes it). The state is the log's length: all that appends and
//! their positions can reveal.
//!
//! Sequential specification, from the empty log (or an initial length):
//!
//! | operation | next state | returns |
//! |---|---|---|
//! | `append x` | `n + 1` | `n`, the position `x` landed at (0 first) |
//! | `read` | `n` | `n`, the length |

use super::{refused, FileOp, Fun, Spec};
use crate::value::Value;

/// The log's specification.
pub(crate) struct Log;

impl Spec for Log {
    fn ops(&self) -> &'static [(Fun, &'static [&'static str])] {
        &[(Fun::Append, &["append"]), (Fun::Read, &["read", "length"])]
    }

    fn object_name(&self) -> &'static str {
        "log"
    }

    fn init(&self, initial: &Value) -> Result<Value, String> {
        match initial {
            Value::Nil => Ok(Value::Int(0)),
            Value::Int(n) if *n >= 0 => Ok(Value::Int(*n)),
            v => Err(format!("a log starts from a length (0 or more), not {v}")),
        }
    }

    fn step(&self, state: &Value, op: &FileOp) -> (Value, Value) {
        let length = state.as_int().unwrap_or(0);
        match op.f {
            Fun::Append => match length.checked_add(1) {
                Some(next) => (Value::Int(next), Value::Int(length)),
                None => (state.clone(), refused(op.f)),
            },
            Fun::Read => (state.clone(), state.clone()),
            f => (state.clone(), refused(f)),
        }
    }

    /// Both observe the log: an append's position is what the file recorded.
    fn fixed_output(&self, _: &FileOp) -> Option<Value> {
        None
    }

    fn describe_state(&self, state: &Value) -> String {
        format!("{state} entries long")
    }
}

#[cfg(test)]
mod tests {
    use crate::model::step_named as model_step;
    use crate::model::ModelKind;
    use crate::value::Value;

    #[test]
    fn an_append_returns_its_position_and_a_read_the_length() {
        let m = ModelKind::Log;
        let (s, at) = model_step(m, Value::Int(0), "append", Value::Int(7));
        assert_eq!((&s, &at), (&Value::Int(1), &Value::Int(0)));
        let (s, at) = model_step(m, s, "append", Value::Int(7));
        assert_eq!((&s, &at), (&Value::Int(2), &Value::Int(1)));
        assert_eq!(model_step(m, s, "read", Value::Nil).1, Value::Int(2));
    }
}
