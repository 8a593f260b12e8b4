//! The object Maelstrom's lin-kv workload is judged against: a compare-and-set register per
//! key, answering as Maelstrom's key-value protocol does (a read or cas of a key never
//! written is error 20, a cas from a value the key does not hold error 22).

use ftsim_api::properties::linearizability::{OpEvent, SequentialModel};
use serde_json::Value;

use crate::messages::Obs;
use crate::services::{KEY_DOES_NOT_EXIST, PRECONDITION_FAILED};

/// An operation on one key.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CasOp {
    /// `read`.
    Read,
    /// `write` this value.
    Write(i64),
    /// `cas` from the first value to the second.
    Cas(i64, i64),
}

/// What an operation returned.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CasAnswer {
    /// `read_ok` with this value.
    Value(i64),
    /// `write_ok`.
    Written,
    /// `cas_ok`.
    Swapped,
    /// An error that says the operation did nothing: 20 or 22.
    Error(u64),
    /// Any other answer (never what the register returns), in words.
    Other(String),
}

/// A compare-and-set register per key, every key unset at first.
#[derive(Clone, Copy, Debug, Default)]
pub struct CasRegisters;

impl SequentialModel for CasRegisters {
    type Key = u64;
    type State = Option<i64>;
    type Input = (u64, CasOp);
    type Output = CasAnswer;

    fn key(&self, input: &(u64, CasOp)) -> u64 {
        input.0
    }

    fn init(&self) -> Option<i64> {
        None
    }

    fn step(&self, state: &Option<i64>, input: &(u64, CasOp)) -> (Option<i64>, CasAnswer) {
        match (&input.1, *state) {
            (CasOp::Read, Some(v)) => (*state, CasAnswer::Value(v)),
            (CasOp::Write(v), _) => (Some(*v), CasAnswer::Written),
            (CasOp::Cas(from, to), Some(v)) if v == *from => (Some(*to), CasAnswer::Swapped),
            (CasOp::Cas(..), Some(_)) => (*state, CasAnswer::Error(PRECONDITION_FAILED)),
            (CasOp::Read | CasOp::Cas(..), None) => (*state, CasAnswer::Error(KEY_DOES_NOT_EXIST)),
        }
    }

    fn describe(&self, input: &(u64, CasOp), output: Option<&CasAnswer>) -> String {
        let (key, op) = input;
        let call = match op {
            CasOp::Read => format!("read({key})"),
            CasOp::Write(v) => format!("write({key}, {v})"),
            CasOp::Cas(from, to) => format!("cas({key}, {from} → {to})"),
        };
        match output {
            None => call,
            Some(CasAnswer::Value(v)) => format!("{call} → {v}"),
            Some(CasAnswer::Written | CasAnswer::Swapped) => format!("{call} → ok"),
            Some(CasAnswer::Error(code)) => format!("{call} → error {code}"),
            Some(CasAnswer::Other(text)) => format!("{call} → {text}"),
        }
    }

    fn describe_state(&self, state: &Option<i64>) -> String {
        state.map_or_else(|| "unset".to_string(), |v| v.to_string())
    }

    fn object_name(&self) -> &'static str {
        "key"
    }

    fn describe_key(&self, key: &u64) -> Option<String> {
        Some(key.to_string())
    }
}

/// A client's observation as an operation's invocation or answer. An error other than 20
/// and 22 (a timeout, a crash, "temporarily unavailable") leaves the operation open: it may
/// have taken effect or not.
pub fn op_event(obs: &Obs) -> Option<OpEvent<(u64, CasOp), CasAnswer>> {
    match obs {
        Obs::Invoke { op, request, .. } => {
            let body = request.json();
            let int = |field: &str| body[field].as_i64();
            let call = match body["type"].as_str()? {
                "read" => CasOp::Read,
                "write" => CasOp::Write(int("value")?),
                "cas" => CasOp::Cas(int("from")?, int("to")?),
                _ => return None,
            };
            let input = (body["key"].as_u64()?, call);
            Some(OpEvent::Invoke { op: *op, input })
        }
        Obs::Complete { op, reply, .. } => {
            let body = reply.json();
            let output = match (body["type"].as_str(), &body["value"]) {
                (Some("read_ok"), Value::Number(n)) if n.is_i64() => CasAnswer::Value(n.as_i64()?),
                (Some("write_ok"), _) => CasAnswer::Written,
                (Some("cas_ok"), _) => CasAnswer::Swapped,
                (Some("error"), _) => match body["code"].as_u64() {
                    Some(code @ (KEY_DOES_NOT_EXIST | PRECONDITION_FAILED)) => {
                        CasAnswer::Error(code)
                    }
                    _ => return None,
                },
                _ => CasAnswer::Other(reply.0.to_string()),
            };
            Some(OpEvent::Return { op: *op, output })
        }
        Obs::Node { .. } => None,
    }
}
