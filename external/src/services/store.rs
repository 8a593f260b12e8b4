//! Maelstrom's key-value protocol over one map: `read` (answered `read_ok` with `value`, or
//! error 20 if the key was never written), `write` (`write_ok`) and `cas` from one value to
//! another (`cas_ok`; error 22 if the value differs, 20 if the key is missing and the request
//! does not say `create_if_not_exists`). Keys and values are any JSON.

use std::collections::BTreeMap;

use serde_json::{json, Value};

/// Maelstrom's error code for a read or cas of a key never written.
pub const KEY_DOES_NOT_EXIST: u64 = 20;
/// Maelstrom's error code for a cas whose `from` is not the value.
pub const PRECONDITION_FAILED: u64 = 22;
/// Maelstrom's error code for a request of a type the service does not know.
const NOT_SUPPORTED: u64 = 10;
/// Maelstrom's error code for a request without the fields its type needs.
const MALFORMED_REQUEST: u64 = 12;

/// A key-value map, keys by their canonical JSON text.
#[derive(Clone, Debug, Default, Hash)]
pub struct Store {
    values: BTreeMap<String, Value>,
}

/// A key-value request, parsed.
pub enum Request<'a> {
    /// Read `key`.
    Read { key: String },
    /// Write `value` at `key`.
    Write { key: String, value: &'a Value },
    /// Set `key` to `to` if it holds `from` (or, with `create`, if it is missing).
    Cas {
        key: String,
        from: &'a Value,
        to: &'a Value,
        create: bool,
    },
}

impl<'a> Request<'a> {
    /// `body` as a request, or the error reply it deserves.
    pub fn parse(body: &'a Value) -> Result<Request<'a>, Value> {
        let field = |name: &str| {
            body.get(name).ok_or_else(|| {
                let kind = body["type"].as_str().unwrap_or("request");
                error(MALFORMED_REQUEST, &format!("a {kind} needs \"{name}\""))
            })
        };
        let key = || field("key").map(|k| k.to_string());
        match body["type"].as_str() {
            Some("read") => Ok(Request::Read { key: key()? }),
            Some("write") => Ok(Request::Write {
                key: key()?,
                value: field("value")?,
            }),
            Some("cas") => Ok(Request::Cas {
                key: key()?,
                from: field("from")?,
                to: field("to")?,
                create: body["create_if_not_exists"] == true,
            }),
            other => Err(error(
                NOT_SUPPORTED,
                &format!("a key-value store answers read, write and cas, not {other:?}"),
            )),
        }
    }
}

impl Store {
    /// The value at `key`.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.values.get(key)
    }

    /// Sets `key` to `value`.
    pub fn set(&mut self, key: String, value: Value) {
        self.values.insert(key, value);
    }

    /// Answers `body`, applying it.
    pub fn apply(&mut self, body: &Value) -> Value {
        match Request::parse(body) {
            Ok(request) => self.apply_parsed(request),
            Err(reply) => reply,
        }
    }

    /// Answers a parsed request, applying it.
    pub fn apply_parsed(&mut self, request: Request<'_>) -> Value {
        match request {
            Request::Read { key } => match self.values.get(&key) {
                Some(value) => json!({"type": "read_ok", "value": value}),
                None => missing(&key),
            },
            Request::Write { key, value } => {
                self.values.insert(key, value.clone());
                json!({"type": "write_ok"})
            }
            Request::Cas {
                key,
                from,
                to,
                create,
            } => match self.values.get(&key) {
                None if !create => missing(&key),
                Some(current) if current != from => error(
                    PRECONDITION_FAILED,
                    &format!("expected {from}, but had {current}"),
                ),
                _ => {
                    self.values.insert(key, to.clone());
                    json!({"type": "cas_ok"})
                }
            },
        }
    }
}

/// Maelstrom's error reply.
pub fn error(code: u64, text: &str) -> Value {
    json!({"type": "error", "code": code, "text": text})
}

fn missing(key: &str) -> Value {
    error(KEY_DOES_NOT_EXIST, &format!("key {key} does not exist"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_writes_and_cas_answer_as_maelstrom_does() {
        let mut store = Store::default();
        let read = json!({"type": "read", "key": 1});
        assert_eq!(store.apply(&read)["code"], KEY_DOES_NOT_EXIST);
        let cas = json!({"type": "cas", "key": 1, "from": 0, "to": 2});
        assert_eq!(store.apply(&cas)["code"], KEY_DOES_NOT_EXIST);
        let create = json!({"type": "cas", "key": 1, "from": 0, "to": 2,
                            "create_if_not_exists": true});
        assert_eq!(store.apply(&create)["type"], "cas_ok");
        assert_eq!(store.apply(&read)["value"], 2);
        assert_eq!(store.apply(&cas)["code"], PRECONDITION_FAILED);
        let write = json!({"type": "write", "key": 1, "value": 0});
        assert_eq!(store.apply(&write)["type"], "write_ok");
        assert_eq!(store.apply(&cas)["type"], "cas_ok");
        assert_eq!(store.apply(&read)["value"], 2);
        // Keys are JSON: 1 and "1" are two keys.
        let text_key = json!({"type": "read", "key": "1"});
        assert_eq!(store.apply(&text_key)["code"], KEY_DOES_NOT_EXIST);
        assert_eq!(store.apply(&json!({"type": "write", "key": 1}))["code"], 12);
        assert_eq!(store.apply(&json!({"type": "delete"}))["code"], 10);
    }
}
