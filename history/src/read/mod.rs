//! Reading a history file into [`Record`]s: Jepsen's EDN ([`edn`]), ftsim's JSON lines
//! ([`json`], defined in docs/json.md) and a plain text format for histories written by hand
//! ([`text`]). Every error names the line, and the key or field it is about; no input makes a
//! reader panic.

pub mod edn;
pub mod json;
pub mod text;

use std::fmt;
use std::path::Path;

use crate::record::{OpType, Record};
use crate::value::Value;

/// A history file's format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// Jepsen's `history.edn`: one map per operation (`{:type :invoke, :f :write, :value 3,
    /// :process 0}`), on its own line, or all in one vector, or as tagged records
    /// (`#jepsen.history.Op{…}`).
    Edn,
    /// JSON: one object per line (`{"process": 0, "type": "invoke", "f": "write", "value":
    /// 3}`), or one array of them.
    Json,
    /// One operation per line: `PROCESS TYPE F [VALUE]`, the value in EDN (`0 invoke write 3`,
    /// `1 ok cas [1 2]`); `#` starts a comment.
    Text,
}

impl Format {
    /// Every format.
    pub const ALL: [Format; 3] = [Format::Edn, Format::Json, Format::Text];

    /// The format's name ("edn", "json", "text").
    pub fn name(self) -> &'static str {
        match self {
            Format::Edn => "edn",
            Format::Json => "json",
            Format::Text => "text",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a history file could not be read (or built into a history): the line, from 1 (0 when
/// the error is about no line in particular), and what was expected, naming the key.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct ReadError {
    /// The line, from 1; 0 for none in particular.
    pub line: usize,
    /// What is wrong, naming the key or field and what was expected.
    pub message: String,
}

impl ReadError {
    /// An error at `line`.
    pub fn new(line: usize, message: impl Into<String>) -> Self {
        ReadError {
            line,
            message: message.into(),
        }
    }
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            0 => f.write_str(&self.message),
            line => write!(f, "line {line}: {}", self.message),
        }
    }
}

/// Reads `text`, a whole history file in `format`, into its records in file order. An empty
/// file has none.
pub fn read(text: &str, format: Format) -> Result<Vec<Record>, ReadError> {
    match format {
        Format::Edn => edn::read(text),
        Format::Json => json::read(text),
        Format::Text => text::read(text),
    }
}

/// One value written on its own (a model's initial state on a command line): JSON, or else
/// EDN as the text format writes values (`nil`, `[1 2]`, `:a`).
pub fn read_value(text: &str) -> Result<Value, String> {
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(json) => json::to_value(&json, 0),
        Err(_) => text::edn_value(text, 0, "the value").map_err(|e| e.message),
    }
}

/// The format of the file at `path` holding `text`: by extension (`.edn`; `.json`, `.jsonl`,
/// `.ndjson`; `.txt`, `.log`), else by its first non-blank character: `{` followed by `:` is
/// EDN, `{` followed by `"` is JSON (likewise inside a leading `[`), a tagged record
/// (`#name{`) or a `;` comment is EDN, and anything else is text.
pub fn sniff(path: &Path, text: &str) -> Format {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("edn") => return Format::Edn,
        Some("json" | "jsonl" | "ndjson") => return Format::Json,
        Some("txt" | "log") => return Format::Text,
        _ => {}
    }
    let start = text.trim_start();
    let start = start
        .strip_prefix('[')
        .map(str::trim_start)
        .unwrap_or(start);
    if start.starts_with(';') {
        return Format::Edn;
    }
    if let Some(tagged) = start.strip_prefix('#') {
        let name_end = tagged.find('{').unwrap_or(0);
        let name = &tagged[..name_end];
        let is_tag = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_alphanumeric() || ".-_/*+!?".contains(c));
        return if is_tag { Format::Edn } else { Format::Text };
    }
    match start.strip_prefix('{').map(str::trim_start) {
        Some(rest) if rest.starts_with(':') => Format::Edn,
        Some(rest) if rest.starts_with('"') => Format::Json,
        _ => Format::Text,
    }
}

/// How a format spells keys and names in messages: EDN `:type`, JSON `"type"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Dialect {
    Edn,
    Json,
}

impl Dialect {
    /// A key or a name as the format writes it.
    pub(crate) fn spell(self, name: &str) -> String {
        match self {
            Dialect::Edn => format!(":{name}"),
            Dialect::Json => format!("\"{name}\""),
        }
    }
}

/// The keys of a record that the readers use; every other key is ignored.
pub(crate) const KEYS: [&str; 6] = ["process", "type", "f", "value", "time", "key"];

/// A record's known keys as read (each converted by the reader, which names the key in its
/// errors), before they are checked.
#[derive(Default)]
pub(crate) struct Fields {
    pub(crate) line: usize,
    /// The values of [`KEYS`], in that order; `None` where the record lacks the key.
    pub(crate) values: [Option<Value>; 6],
}

impl Fields {
    /// The record the fields make: `process`, `type` and `f` are required; `value` defaults to
    /// nil; `time` must be an integer ≥ 0.
    pub(crate) fn into_record(self, dialect: Dialect) -> Result<Record, ReadError> {
        let line = self.line;
        let [process, op_type, f, value, time, key] = self.values;
        let missing = |name: &str| {
            ReadError::new(
                line,
                format!(
                    "no {} (an operation needs {}, {} and {})",
                    dialect.spell(name),
                    dialect.spell("process"),
                    dialect.spell("type"),
                    dialect.spell("f")
                ),
            )
        };
        let process = process.ok_or_else(|| missing("process"))?;
        let op_type = op_type.ok_or_else(|| missing("type"))?;
        let op_type = parse_type(&op_type, dialect, line)?;
        let f = f.ok_or_else(|| missing("f"))?;
        let f = f.as_name().map(str::to_string).ok_or_else(|| {
            ReadError::new(
                line,
                format!(
                    "{} is {f}; expected the operation's name ({}, {}…)",
                    dialect.spell("f"),
                    dialect.spell("read"),
                    dialect.spell("write")
                ),
            )
        })?;
        let time_ns = match time {
            None | Some(Value::Nil) => None,
            Some(Value::Int(t)) if t >= 0 => Some(t.unsigned_abs()),
            Some(t) => {
                return Err(ReadError::new(
                    line,
                    format!(
                        "{} is {t}; expected nanoseconds, an integer ≥ 0",
                        dialect.spell("time")
                    ),
                ))
            }
        };
        Ok(Record {
            line,
            process,
            op_type,
            f: f.strip_prefix(':').unwrap_or(&f).to_string(),
            value: value.unwrap_or(Value::Nil),
            time_ns,
            key,
        })
    }
}

/// The operation type a record's `type` names.
fn parse_type(value: &Value, dialect: Dialect, line: usize) -> Result<OpType, ReadError> {
    value
        .as_name()
        .and_then(|name| name.parse::<OpType>().ok())
        .ok_or_else(|| {
            let names: Vec<String> = OpType::ALL
                .iter()
                .map(|t| dialect.spell(t.name()))
                .collect();
            ReadError::new(
                line,
                format!(
                    "{} is {value}; expected one of {}",
                    dialect.spell("type"),
                    names.join(", ")
                ),
            )
        })
}

/// The 1-based line of byte `offset` in `text`, counting from `from` (a known line start at
/// byte `from_offset`).
pub(crate) fn line_at(text: &str, from_offset: usize, from_line: usize, offset: usize) -> usize {
    from_line
        + text
            .get(from_offset..offset)
            .map_or(0, |s| s.bytes().filter(|&b| b == b'\n').count())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_by_extension_then_content() {
        let p = |s: &str| Path::new(s).to_path_buf();
        assert_eq!(sniff(&p("h.edn"), "0 invoke read"), Format::Edn);
        assert_eq!(sniff(&p("h.JSONL"), ""), Format::Json);
        assert_eq!(sniff(&p("h.txt"), "{:type :invoke}"), Format::Text);
        assert_eq!(sniff(&p("h"), "\n  {:type :invoke}"), Format::Edn);
        assert_eq!(sniff(&p("h"), "{ \"type\": 1}"), Format::Json);
        assert_eq!(sniff(&p("h"), "[{\"type\": 1}]"), Format::Json);
        assert_eq!(sniff(&p("h"), "[{:type :ok}]"), Format::Edn);
        assert_eq!(sniff(&p("h"), "#jepsen.history.Op{:type :ok}"), Format::Edn);
        assert_eq!(sniff(&p("h"), "# a comment\n0 invoke read"), Format::Text);
        assert_eq!(sniff(&p("h"), "0 invoke read"), Format::Text);
        assert_eq!(sniff(&p("h"), ""), Format::Text);
    }

    #[test]
    fn an_error_names_its_line() {
        assert_eq!(ReadError::new(3, "oops").to_string(), "line 3: oops");
        assert_eq!(ReadError::new(0, "oops").to_string(), "oops");
    }
}
