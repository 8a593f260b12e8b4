//! A FIFO queue (Knossos's `fifo-queue`).
//!
//! Sequential specification, from the empty queue (or the initial list, head first):
//!
//! | operation | next state | returns |
//! |---|---|---|
//! | `enqueue x` | `q` with `x` at its tail | `x` |
//! | `dequeue`, `q` not empty | `q` less its head | the head |
//! | `dequeue`, `q` empty | `q` | nil |

use super::{refused, FileOp, Fun, Spec};
use crate::value::Value;

/// The queue's specification.
pub(crate) struct Queue;

impl Spec for Queue {
    fn ops(&self) -> &'static [(Fun, &'static [&'static str])] {
        &[(Fun::Enqueue, &["enqueue"]), (Fun::Dequeue, &["dequeue"])]
    }

    fn object_name(&self) -> &'static str {
        "queue"
    }

    fn init(&self, initial: &Value) -> Result<Value, String> {
        match initial {
            Value::Nil => Ok(Value::List(Vec::new())),
            Value::List(items) => Ok(Value::List(items.clone())),
            v => Err(format!("a queue starts from a list, not {}", v.kind())),
        }
    }

    fn step(&self, state: &Value, op: &FileOp) -> (Value, Value) {
        let items = match state {
            Value::List(items) => items.as_slice(),
            _ => &[],
        };
        match op.f {
            Fun::Enqueue => {
                let mut items = items.to_vec();
                items.push(op.arg.clone());
                (Value::List(items), op.arg.clone())
            }
            Fun::Dequeue => match items.split_first() {
                Some((head, rest)) => (Value::List(rest.to_vec()), head.clone()),
                None => (state.clone(), Value::Nil),
            },
            f => (state.clone(), refused(f)),
        }
    }

    fn fixed_output(&self, op: &FileOp) -> Option<Value> {
        (op.f == Fun::Enqueue).then(|| op.arg.clone())
    }
}

#[cfg(test)]
mod tests {
    use crate::model::step_named as model_step;
    use crate::model::ModelKind;
    use crate::value::Value;

    #[test]
    fn dequeues_in_order_then_nil() {
        let m = ModelKind::Queue;
        let q = Value::List(vec![]);
        let (q, out) = model_step(m, q, "enqueue", Value::Int(1));
        assert_eq!(out, Value::Int(1));
        let (q, _) = model_step(m, q, "enqueue", Value::Int(2));
        let (q, out) = model_step(m, q, "dequeue", Value::Nil);
        assert_eq!(out, Value::Int(1));
        let (q, out) = model_step(m, q, "dequeue", Value::Nil);
        assert_eq!(out, Value::Int(2));
        assert_eq!(model_step(m, q, "dequeue", Value::Nil).1, Value::Nil);
    }
}
