//! A mutual-exclusion lock (Knossos's `mutex`): who holds it is not tracked, only whether
//! someone does.
//!
//! Sequential specification, from free (or the initial boolean, true for held):
//!
//! | operation | next state | returns |
//! |---|---|---|
//! | `acquire` (or `lock`), free | held | nil |
//! | `acquire`, held | held | a failure marker |
//! | `release` (or `unlock`), held | free | nil |
//! | `release`, free | free | a failure marker |

use super::{refused, FileOp, Fun, Spec};
use crate::value::Value;

/// The mutex's specification.
pub(crate) struct Mutex;

impl Spec for Mutex {
    fn ops(&self) -> &'static [(Fun, &'static [&'static str])] {
        &[
            (Fun::Acquire, &["acquire", "lock"]),
            (Fun::Release, &["release", "unlock"]),
        ]
    }

    fn object_name(&self) -> &'static str {
        "mutex"
    }

    fn init(&self, initial: &Value) -> Result<Value, String> {
        match initial {
            Value::Nil => Ok(Value::Bool(false)),
            Value::Bool(held) => Ok(Value::Bool(*held)),
            v => Err(format!(
                "a mutex starts held (true) or free (false), not {}",
                v.kind()
            )),
        }
    }

    fn step(&self, state: &Value, op: &FileOp) -> (Value, Value) {
        let held = matches!(state, Value::Bool(true));
        match (op.f, held) {
            (Fun::Acquire, false) => (Value::Bool(true), Value::Nil),
            (Fun::Release, true) => (Value::Bool(false), Value::Nil),
            (f, _) => (state.clone(), refused(f)),
        }
    }

    fn fixed_output(&self, _: &FileOp) -> Option<Value> {
        Some(Value::Nil)
    }

    fn describe_state(&self, state: &Value) -> String {
        match state {
            Value::Bool(true) => "held".to_string(),
            _ => "free".to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::model::step_named as model_step;
    use crate::model::ModelKind;
    use crate::value::Value;

    #[test]
    fn one_holder_at_a_time() {
        let m = ModelKind::Mutex;
        let (s, out) = model_step(m, Value::Bool(false), "acquire", Value::Nil);
        assert_eq!((&s, out), (&Value::Bool(true), Value::Nil));
        let (s, out) = model_step(m, s, "lock", Value::Nil);
        assert_eq!(s, Value::Bool(true));
        assert_ne!(out, Value::Nil);
        let (s, out) = model_step(m, s, "release", Value::Nil);
        assert_eq!((&s, out), (&Value::Bool(false), Value::Nil));
        assert_ne!(model_step(m, s, "unlock", Value::Nil).1, Value::Nil);
    }
}
