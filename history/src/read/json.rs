//! ftsim's JSON history: one object per line, `{"process": 0, "type": "invoke", "f": "write",
//! "value": 3, "time": 1234}`, with an optional `"key"`; or one array of such objects. `null`
//! is nil, arrays are lists, objects maps (with string keys), strings strings and integers
//! integers; a number that is not a 64-bit integer is refused, naming its key. Unknown keys
//! are ignored. The format is defined in docs/json.md ("History files").

use std::collections::BTreeMap;

use serde_json::Value as Json;

use super::{line_at, Dialect, Fields, ReadError, KEYS};
use crate::record::Record;
use crate::value::{Value, MAX_DEPTH};

/// Reads a whole JSON history file.
pub fn read(text: &str) -> Result<Vec<Record>, ReadError> {
    let start = text.len() - text.trim_start().len();
    if text[start..].starts_with('[') {
        let mut records = Vec::new();
        for (offset, end, line) in array_elements(text, start)? {
            let element = text[offset..end].trim_end();
            let json: Json = serde_json::from_str(element).map_err(|e| json_error(&e, line))?;
            records.push(record(&json, line)?);
        }
        return Ok(records);
    }
    read_lines(text)
}

/// One JSON value after another, separated by whitespace (one per line).
fn read_lines(text: &str) -> Result<Vec<Record>, ReadError> {
    let mut stream = serde_json::Deserializer::from_str(text).into_iter::<Json>();
    let mut records = Vec::new();
    let (mut known_offset, mut known_line) = (0, 1);
    loop {
        let before = stream.byte_offset();
        let Some(next) = stream.next() else { break };
        let json = next.map_err(|e| json_error(&e, 1))?;
        let rest = &text[before..];
        let start = before + (rest.len() - rest.trim_start().len());
        let line = line_at(text, known_offset, known_line, start);
        (known_offset, known_line) = (start, line);
        records.push(record(&json, line)?);
    }
    Ok(records)
}

/// The byte ranges and lines of the elements of the array that opens at byte `open`. The
/// array must close, and nothing but whitespace may follow it.
fn array_elements(text: &str, open: usize) -> Result<Vec<(usize, usize, usize)>, ReadError> {
    let bytes = text.as_bytes();
    let mut elements = Vec::new();
    let (mut pos, mut line) = (open + 1, line_at(text, 0, 1, open));
    loop {
        while pos < bytes.len() && bytes[pos].is_ascii_whitespace() {
            line += usize::from(bytes[pos] == b'\n');
            pos += 1;
        }
        if pos == bytes.len() {
            return Err(ReadError::new(
                line,
                "the file ends inside the array that holds the history: no closing ]",
            ));
        }
        if bytes[pos] == b']' && elements.is_empty() {
            return after_array(text, pos + 1, line).map(|()| elements);
        }
        let end = element_end(bytes, pos).ok_or_else(|| {
            ReadError::new(
                line,
                "the file ends inside the array that holds the history: no closing ]",
            )
        })?;
        elements.push((pos, end, line));
        line = line_at(text, pos, line, end);
        pos = end + 1;
        if bytes[end] == b']' {
            return after_array(text, pos, line).map(|()| elements);
        }
    }
}

/// Where the array element starting at `start` ends: the byte of the `,` or `]` after it.
fn element_end(bytes: &[u8], start: usize) -> Option<usize> {
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    for (i, &b) in bytes.iter().enumerate().skip(start) {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'{' | b'[' => depth += 1,
            b',' | b']' if depth == 0 => return Some(i),
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

/// Nothing but whitespace after the array's `]` at byte `pos - 1`.
fn after_array(text: &str, pos: usize, line: usize) -> Result<(), ReadError> {
    let rest = &text[pos..];
    if rest.trim().is_empty() {
        return Ok(());
    }
    let skipped = rest.len() - rest.trim_start().len();
    Err(ReadError::new(
        line_at(text, pos, line, pos + skipped),
        "more after the ] that closes the history's array",
    ))
}

/// A parse error from serde_json, placed in the file (its line counts from `from_line`).
fn json_error(error: &serde_json::Error, from_line: usize) -> ReadError {
    let line = from_line + error.line().saturating_sub(1);
    let what = error.to_string();
    // serde_json ends its messages with " at line L column C": keep the column only.
    let what = match what.rfind(" at line ") {
        Some(at) => format!("{} (column {})", &what[..at], error.column()),
        None => what,
    };
    ReadError::new(line, format!("invalid JSON: {what}"))
}

/// The record one JSON object holds.
fn record(json: &Json, line: usize) -> Result<Record, ReadError> {
    let Json::Object(map) = json else {
        return Err(ReadError::new(
            line,
            format!(
                "expected an operation object ({{\"process\": 0, \"type\": \"invoke\", \"f\": \
                 \"read\"}}), found {}",
                json_kind(json)
            ),
        ));
    };
    let mut fields = Fields {
        line,
        ..Fields::default()
    };
    for (slot, name) in fields.values.iter_mut().zip(KEYS) {
        if let Some(v) = map.get(name) {
            let value = to_value(v, 0).map_err(|why| {
                ReadError::new(line, format!("{}: {why}", Dialect::Json.spell(name)))
            })?;
            *slot = Some(value);
        }
    }
    fields.into_record(Dialect::Json)
}

/// A JSON value as a [`Value`].
pub(crate) fn to_value(json: &Json, depth: usize) -> Result<Value, String> {
    if depth > MAX_DEPTH {
        return Err(format!("nested more than {MAX_DEPTH} deep"));
    }
    Ok(match json {
        Json::Null => Value::Nil,
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(n) => match n.as_i64() {
            Some(i) => Value::Int(i),
            None => {
                return Err(format!(
                    "{n} is not a 64-bit integer (a history's numbers are integers from -2⁶³ \
                     to 2⁶³ - 1)"
                ))
            }
        },
        Json::String(s) => Value::Str(s.clone()),
        Json::Array(items) => Value::List(
            items
                .iter()
                .map(|v| to_value(v, depth + 1))
                .collect::<Result<_, _>>()?,
        ),
        Json::Object(entries) => Value::Map(
            entries
                .iter()
                .map(|(k, v)| Ok((Value::Str(k.clone()), to_value(v, depth + 1)?)))
                .collect::<Result<BTreeMap<_, _>, String>>()?,
        ),
    })
}

fn json_kind(json: &Json) -> &'static str {
    match json {
        Json::Null => "null",
        Json::Bool(_) => "a boolean",
        Json::Number(_) => "a number",
        Json::String(_) => "a string",
        Json::Array(_) => "an array",
        Json::Object(_) => "an object",
    }
}
