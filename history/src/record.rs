//! One line of a history file: an invocation or a completion of an operation by a process,
//! as Jepsen writes them (`{:type :invoke, :f :write, :value 3, :process 0, :time 1234}`).

use std::fmt;
use std::str::FromStr;

use crate::value::Value;

/// What a record says happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum OpType {
    /// The process invoked an operation.
    Invoke,
    /// The operation completed and took effect; its value is the result.
    Ok,
    /// The operation completed without taking effect.
    Fail,
    /// The operation's outcome is unknown (a time-out, a crash): it may or may not have taken
    /// effect, at any time after its invocation.
    Info,
}

impl OpType {
    /// Every type, in the order the names are listed in messages.
    pub const ALL: [OpType; 4] = [OpType::Invoke, OpType::Ok, OpType::Fail, OpType::Info];

    /// The name as files spell it, without `:` ("invoke", "ok", "fail", "info").
    pub fn name(self) -> &'static str {
        match self {
            OpType::Invoke => "invoke",
            OpType::Ok => "ok",
            OpType::Fail => "fail",
            OpType::Info => "info",
        }
    }
}

impl fmt::Display for OpType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Reads a type's name, with or without a leading `:`.
impl FromStr for OpType {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let name = s.strip_prefix(':').unwrap_or(s);
        OpType::ALL
            .into_iter()
            .find(|t| t.name() == name)
            .ok_or_else(|| format!("{s:?} is not a type (invoke, ok, fail or info)"))
    }
}

/// One record of a history file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    /// The line of the file the record starts on, from 1.
    pub line: usize,
    /// The process (an integer for a client; a keyword such as `:nemesis` for the rest).
    pub process: Value,
    /// What happened.
    pub op_type: OpType,
    /// The operation's function ("read", "write", "cas"…), without a leading `:`.
    pub f: String,
    /// The operation's value: its argument on an invocation, its result on a completion
    /// ([`Value::Nil`] when the record has none).
    pub value: Value,
    /// When it happened, in nanoseconds, if the file says.
    pub time_ns: Option<u64>,
    /// The object the operation touches, if the record names it apart from its value (JSON's
    /// `"key"`); Jepsen's keyed histories put it in the value instead, as `[key value]`.
    pub key: Option<Value>,
}
