//! What the nodes of a workload exchange (JSON bodies), set (timers), observe (for the
//! properties) and keep (durable storage).

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use ftsim_api::NodeId;
use serde_json::Value;

/// A message body: canonical JSON text (keys sorted), shown as it is.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Packet(pub Arc<str>);

impl Packet {
    /// The body as a JSON value (`Null` if it is not JSON, which no packet is).
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.0).unwrap_or(Value::Null)
    }
}

impl fmt::Debug for Packet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A timer: the external node's own number, or a client's tick.
#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub enum Tick {
    /// A timer the node asked for, by its number.
    Node(u64),
    /// A client's timer.
    Client(u32),
}

/// What properties read.
#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub enum Obs {
    /// An external node's `observe` line.
    Node {
        /// What it is (`propose`, `decide`…).
        kind: Arc<str>,
        /// Its value, canonical JSON text.
        value: Arc<str>,
    },
    /// A client sent request `op` to `server`.
    Invoke {
        /// The request's number (its `msg_id`).
        op: u64,
        /// Where it went.
        server: NodeId,
        /// The request.
        request: Packet,
    },
    /// A reply to request `op` arrived from `server`.
    Complete {
        /// The request's number (the reply's `in_reply_to`).
        op: u64,
        /// Who answered.
        server: NodeId,
        /// The reply.
        reply: Packet,
    },
}

impl Obs {
    /// An external node's observation of `kind` as a whole number, if it is one.
    pub fn node_number(&self, of_kind: &str) -> Option<u64> {
        match self {
            Obs::Node { kind, value } if &**kind == of_kind => value.parse().ok(),
            _ => None,
        }
    }
}

/// An external node's durable storage: key and JSON text.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Storage(pub BTreeMap<String, String>);
