//! A run's client history as a history file: what a property that keeps the clients' operations
//! (a linearizability check) hands over when a replay asks for it (`ftsim replay --history`),
//! so that a history seen in a run can be checked, drawn and kept on its own by
//! `ftsim history`. Only traced runs collect it: a sweep never pays for it.

use std::fmt::Write;

use crate::NodeId;

/// One property's client history, in the JSON-lines form `ftsim history` reads (docs/json.md,
/// "History files").
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClientHistory {
    /// The property that kept it (filled by the engine).
    pub property: String,
    /// The model `ftsim history --model` checks it against ("register", "kv", "log").
    pub model: String,
    /// Every object's state before any operation (`--initial`); null: the model's empty one.
    pub initial: FileValue,
    /// How many operations the clients invoked.
    pub operations: usize,
    /// The records, one per invocation and per completion, in the order they happened.
    pub records: Vec<FileRecord>,
}

impl ClientHistory {
    /// The records as JSON lines, each ending in a newline.
    pub fn to_json_lines(&self) -> String {
        let mut text = String::new();
        for record in &self.records {
            record.write_json(&mut text);
            text.push('\n');
        }
        text
    }
}

/// One record of a history file: an invocation or a completion.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileRecord {
    /// The client.
    pub process: NodeId,
    /// `"invoke"`, `"ok"` or `"info"` (a crashed client's operation, which may have happened).
    pub kind: &'static str,
    /// The operation's name in the model.
    pub f: &'static str,
    /// The object it touches, for a keyed model.
    pub key: Option<FileValue>,
    /// The argument of an invocation, the result of a completion.
    pub value: FileValue,
    /// When, in virtual nanoseconds.
    pub time_ns: u64,
}

impl FileRecord {
    /// The record as one JSON object, without a newline.
    pub fn write_json(&self, out: &mut String) {
        let _ = write!(out, "{{\"process\":{},\"type\":", self.process);
        FileValue::Str(self.kind.to_string()).write_json(out);
        out.push_str(",\"f\":");
        FileValue::Str(self.f.to_string()).write_json(out);
        if let Some(key) = &self.key {
            out.push_str(",\"key\":");
            key.write_json(out);
        }
        out.push_str(",\"value\":");
        self.value.write_json(out);
        let _ = write!(out, ",\"time\":{}}}", self.time_ns);
    }
}

/// A value a history file holds: what a model's inputs and outputs are written as.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum FileValue {
    /// Nothing (JSON `null`, EDN `nil`).
    #[default]
    Null,
    /// A boolean.
    Bool(bool),
    /// An integer (a reader takes those of 64 bits, signed).
    Int(i128),
    /// A string.
    Str(String),
    /// A list.
    List(Vec<FileValue>),
}

impl FileValue {
    /// The value as JSON text.
    pub fn write_json(&self, out: &mut String) {
        match self {
            FileValue::Null => out.push_str("null"),
            FileValue::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            FileValue::Int(i) => {
                let _ = write!(out, "{i}");
            }
            FileValue::Str(s) => write_json_string(s, out),
            FileValue::List(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.write_json(out);
                }
                out.push(']');
            }
        }
    }

    /// The value as JSON text.
    pub fn to_json(&self) -> String {
        let mut out = String::new();
        self.write_json(&mut out);
        out
    }
}

/// `s` as a JSON string: quoted, with quotes, backslashes and control characters escaped.
fn write_json_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_and_records_are_json_that_a_json_reader_reads_back() {
        let value = FileValue::List(vec![
            FileValue::Null,
            FileValue::Bool(true),
            FileValue::Int(-3),
            FileValue::Int(i128::from(u64::MAX)),
            FileValue::Str("a \"quote\", a \\ and a \u{1} and é\n".into()),
        ]);
        let parsed: serde_json::Value = serde_json::from_str(&value.to_json()).unwrap();
        assert_eq!(
            parsed,
            serde_json::json!([
                null,
                true,
                -3,
                u64::MAX,
                "a \"quote\", a \\ and a \u{1} and é\n"
            ])
        );
        let record = FileRecord {
            process: 2,
            kind: "ok",
            f: "get",
            key: Some(FileValue::Int(7)),
            value,
            time_ns: 1_500,
        };
        let mut text = String::new();
        record.write_json(&mut text);
        let parsed: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(parsed["process"], 2);
        assert_eq!(parsed["type"], "ok");
        assert_eq!(parsed["key"], 7);
        assert_eq!(parsed["time"], 1_500);
        assert_eq!(parsed["value"][2], -3);
    }
}
