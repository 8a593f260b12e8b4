//! The lines ftsim and an external node exchange: Maelstrom's message format
//! (`{"src", "dest", "body": {"type", "msg_id", "in_reply_to", …}}`) with ftsim's extension,
//! which makes a run a pure function of the scenario and the seed:
//!
//! - every input carries the node's virtual time, `"now_ns"`;
//! - `init`'s body carries `"ftsim": {"seed", "recovered", "storage", "params"}`: the seed of
//!   the node's randomness, whether it restarts after a crash, its durable storage, and the
//!   scenario's parameters of the workload;
//! - ftsim's own inputs name themselves: `{"ftsim": "timer", "timer": 7, "now_ns": …}`,
//!   `{"ftsim": "suspect" | "restore", "node": "n2", "now_ns": …}`;
//! - a node asks ftsim for what it must not do itself, one line each:
//!   `{"ftsim": "set_timer", "timer": 7, "delay_ns": 5000000}`,
//!   `{"ftsim": "cancel_timer", "timer": 7}`,
//!   `{"ftsim": "observe", "kind": "decide", "value": 3}` (what properties read),
//!   `{"ftsim": "write", "key": "k", "value": …}` (`null` deletes) and `{"ftsim": "sync"}`;
//! - and it ends every step with `{"ftsim": "done"}`, so ftsim never waits on a quiet period.

use serde_json::{Map, Value};

/// One line a node printed, understood.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Output {
    /// A Maelstrom message to another node or a client.
    Send {
        /// The receiver's name (`n1`, `c2`).
        dest: String,
        /// The body, as canonical JSON text.
        body: String,
    },
    /// Fire `timer` after `delay_ns` of virtual time (an armed timer of that number is
    /// cancelled first).
    SetTimer {
        /// The node's own number for it.
        timer: u64,
        /// When, from now.
        delay_ns: u64,
    },
    /// Cancel `timer` (nothing if it fired or is unknown).
    CancelTimer {
        /// The node's own number for it.
        timer: u64,
    },
    /// Something the node did, for the properties.
    Observe {
        /// What it is (`decide`, `deliver`…).
        kind: String,
        /// Its value, as canonical JSON text.
        value: String,
    },
    /// Durable storage: `key` now holds `value` (`None`: deleted).
    Write {
        /// The key.
        key: String,
        /// The value as canonical JSON text, or `None` to delete.
        value: Option<String>,
    },
    /// Make the writes so far durable (they are, unless the scenario models storage faults).
    Sync,
    /// The step is over.
    Done,
}

/// The name ftsim's own messages come from (`init`).
pub const FTSIM: &str = "ftsim";

/// Reads one line a node printed.
pub fn parse_output(line: &str) -> Result<Output, String> {
    let value: Value =
        serde_json::from_str(line).map_err(|e| format!("a line that is not JSON ({e})"))?;
    let Value::Object(object) = value else {
        return Err("a line that is not a JSON object".into());
    };
    match object.get("ftsim") {
        Some(Value::String(op)) => request(op, &object),
        Some(_) => Err("a line whose \"ftsim\" is not a string".into()),
        None => message(&object),
    }
}

fn message(object: &Map<String, Value>) -> Result<Output, String> {
    let Some(Value::String(dest)) = object.get("dest") else {
        return Err("a message without a string \"dest\"".into());
    };
    let Some(body @ Value::Object(fields)) = object.get("body") else {
        return Err("a message without an object \"body\"".into());
    };
    if !matches!(fields.get("type"), Some(Value::String(_))) {
        return Err("a message whose body has no string \"type\"".into());
    }
    Ok(Output::Send {
        dest: dest.clone(),
        body: body.to_string(),
    })
}

fn request(op: &str, object: &Map<String, Value>) -> Result<Output, String> {
    let number = |key: &str| {
        object
            .get(key)
            .and_then(Value::as_u64)
            .ok_or_else(|| format!("a \"{op}\" without a whole number \"{key}\""))
    };
    let text = |key: &str| match object.get(key) {
        Some(Value::String(s)) => Ok(s.clone()),
        _ => Err(format!("a \"{op}\" without a string \"{key}\"")),
    };
    Ok(match op {
        "done" => Output::Done,
        "sync" => Output::Sync,
        "set_timer" => Output::SetTimer {
            timer: number("timer")?,
            delay_ns: number("delay_ns")?,
        },
        "cancel_timer" => Output::CancelTimer {
            timer: number("timer")?,
        },
        "observe" => Output::Observe {
            kind: text("kind")?,
            value: object.get("value").unwrap_or(&Value::Null).to_string(),
        },
        "write" => Output::Write {
            key: text("key")?,
            value: match object.get("value") {
                None | Some(Value::Null) => None,
                Some(v) => Some(v.to_string()),
            },
        },
        other => {
            return Err(format!(
                "an unknown request \"ftsim\": {} (expected done, set_timer, cancel_timer, \
                 observe, write or sync)",
                Value::String(other.chars().take(40).collect())
            ))
        }
    })
}

/// What `init` tells a node besides Maelstrom's `node_id` and `node_ids`.
pub struct InitExtension<'a> {
    /// The seed of the node's randomness.
    pub seed: u64,
    /// Whether the node restarts after a crash.
    pub recovered: bool,
    /// Its durable storage: key and JSON text.
    pub storage: &'a std::collections::BTreeMap<String, String>,
    /// The workload's parameters, a JSON object.
    pub params: &'a Value,
}

/// The `init` message to node `me` of `nodes`, at `now_ns`.
pub fn init_line(me: &str, nodes: &[String], now_ns: u64, ext: &InitExtension<'_>) -> String {
    let storage: Map<String, Value> = ext
        .storage
        .iter()
        .map(|(k, v)| (k.clone(), serde_json::from_str(v).unwrap_or(Value::Null)))
        .collect();
    let body = serde_json::json!({
        "type": "init",
        "msg_id": 0,
        "node_id": me,
        "node_ids": nodes,
        "ftsim": {
            "seed": ext.seed,
            "recovered": ext.recovered,
            "storage": storage,
            "params": ext.params,
        },
    });
    message_line(FTSIM, me, &body.to_string(), now_ns)
}

/// The `init` message of plain Maelstrom to node `me` of `nodes`: no extension.
pub fn plain_init_line(me: &str, nodes: &[String]) -> String {
    let body = serde_json::json!({
        "type": "init",
        "msg_id": 0,
        "node_id": me,
        "node_ids": nodes,
    });
    plain_message_line(FTSIM, me, &body.to_string())
}

/// A delivered message of plain Maelstrom, `body` being JSON text: no virtual time.
pub fn plain_message_line(src: &str, dest: &str, body: &str) -> String {
    format!(
        "{{\"src\":{},\"dest\":{},\"body\":{body}}}",
        Value::String(src.into()),
        Value::String(dest.into())
    )
}

/// A delivered message, `body` being JSON text.
pub fn message_line(src: &str, dest: &str, body: &str, now_ns: u64) -> String {
    format!(
        "{{\"src\":{},\"dest\":{},\"body\":{body},\"now_ns\":{now_ns}}}",
        Value::String(src.into()),
        Value::String(dest.into())
    )
}

/// A timer of the node's firing.
pub fn timer_line(timer: u64, now_ns: u64) -> String {
    format!("{{\"ftsim\":\"timer\",\"timer\":{timer},\"now_ns\":{now_ns}}}")
}

/// The failure detector's notice that it now suspects (`suspect`) or trusts again (`restore`)
/// `node`.
pub fn notice_line(notice: &str, node: &str, now_ns: u64) -> String {
    format!(
        "{{\"ftsim\":\"{notice}\",\"node\":{},\"now_ns\":{now_ns}}}",
        Value::String(node.into())
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_and_messages_are_read_and_bad_lines_named() {
        let send =
            parse_output(r#"{"src":"n0","dest":"c1","body":{"type":"echo_ok","b":1,"a":2}}"#);
        assert_eq!(
            send.unwrap(),
            Output::Send {
                dest: "c1".into(),
                body: r#"{"a":2,"b":1,"type":"echo_ok"}"#.into()
            }
        );
        let timer = parse_output(r#"{"ftsim":"set_timer","timer":3,"delay_ns":1000}"#);
        assert_eq!(
            timer.unwrap(),
            Output::SetTimer {
                timer: 3,
                delay_ns: 1000
            }
        );
        assert_eq!(parse_output(r#"{"ftsim":"done"}"#).unwrap(), Output::Done);
        assert!(parse_output("hello").unwrap_err().contains("not JSON"));
        assert!(parse_output(r#"{"ftsim":"fly"}"#)
            .unwrap_err()
            .contains("unknown"));
        assert!(parse_output(r#"{"dest":"n1","body":{}}"#).is_err());
    }

    #[test]
    fn inputs_are_json_lines() {
        let line = message_line("c1", "n0", r#"{"type":"echo"}"#, 5);
        let v: Value = serde_json::from_str(&line).unwrap();
        assert_eq!(v["body"]["type"], "echo");
        assert_eq!(v["now_ns"], 5);
        let storage = std::collections::BTreeMap::from([("k".to_string(), "[1]".to_string())]);
        let ext = InitExtension {
            seed: 9,
            recovered: true,
            storage: &storage,
            params: &serde_json::json!({"rounds": 2}),
        };
        let init: Value = serde_json::from_str(&init_line("n0", &["n0".into()], 0, &ext)).unwrap();
        assert_eq!(init["body"]["ftsim"]["storage"]["k"][0], 1);
        assert_eq!(init["body"]["node_ids"][0], "n0");
        assert_eq!(init["body"]["ftsim"]["params"]["rounds"], 2);
        let _: Value = serde_json::from_str(&timer_line(1, 2)).unwrap();
        let _: Value = serde_json::from_str(&notice_line("suspect", "n\"1", 2)).unwrap();
    }
}
