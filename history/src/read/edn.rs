//! Jepsen's `history.edn`: one operation map per form, `{:type :invoke, :f :write, :value 3,
//! :process 0, :time 1234, :index 0}`. The forms may stand one per line, or all inside one
//! vector, and each may be a tagged record (`#jepsen.history.Op{…}`, read as its map).
//! Unknown keys are ignored; floats, ratios and the like are refused only in the keys a
//! history uses. Parsing is `clojure-reader`'s, which reads all of EDN without recursing on
//! nesting; this module walks the file form by form to know each one's line.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use clojure_reader::edn::Edn;
use clojure_reader::error::{Code, Error as EdnError};

use super::{line_at, Dialect, Fields, ReadError, KEYS};
use crate::record::Record;
use crate::value::{Value, MAX_DEPTH};

/// Reads a whole EDN history file.
pub fn read(text: &str) -> Result<Vec<Record>, ReadError> {
    check_nesting(text, 1)?;
    let mut cursor = Cursor {
        text,
        offset: 0,
        line: 1,
    };
    cursor.skip_blank();
    let wrapped = cursor.rest().starts_with('[');
    if wrapped {
        cursor.advance(1);
    }
    let mut records = Vec::new();
    loop {
        cursor.skip_blank();
        let rest = cursor.rest();
        if rest.is_empty() {
            if wrapped {
                return Err(ReadError::new(
                    cursor.line,
                    "the file ends inside the vector that holds the history: no closing ]",
                ));
            }
            break;
        }
        if wrapped && rest.starts_with(']') {
            cursor.advance(1);
            cursor.skip_blank();
            if !cursor.rest().is_empty() {
                return Err(ReadError::new(
                    cursor.line,
                    "more after the ] that closes the history's vector",
                ));
            }
            break;
        }
        let line = cursor.line;
        let (form, after) = clojure_reader::edn::read(rest).map_err(|e| edn_error(&e, line))?;
        let consumed = rest.len() - after.len();
        records.push(record(&form, line)?);
        cursor.advance(consumed);
    }
    Ok(records)
}

/// How deep brackets may nest in the text handed to the EDN reader: far more than any value
/// a history uses holds (those stop at [`MAX_DEPTH`]), and few enough that the reader, whose
/// time grows with the square of the depth of nested sets, stays quick.
const MAX_NESTING: usize = 1_000;

/// Refuses text whose brackets nest deeper than [`MAX_NESTING`], before it is parsed: an error
/// on the line where they do (`first_line` is the text's first line).
pub(crate) fn check_nesting(text: &str, first_line: usize) -> Result<(), ReadError> {
    let (mut depth, mut line) = (0usize, first_line);
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '\n' => line += 1,
            '"' => {
                // A string: to its closing quote, past escapes.
                while let Some(c) = chars.next() {
                    match c {
                        '\\' => line += usize::from(chars.next() == Some('\n')),
                        '"' => break,
                        '\n' => line += 1,
                        _ => {}
                    }
                }
            }
            // A character literal (`\(`): its character is no bracket.
            '\\' => line += usize::from(chars.next() == Some('\n')),
            ';' => line += usize::from(chars.by_ref().any(|c| c == '\n')),
            '(' | '[' | '{' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Err(ReadError::new(
                        line,
                        format!("brackets nested more than {MAX_NESTING} deep"),
                    ));
                }
            }
            ')' | ']' | '}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

/// Where the reader stands in the file.
struct Cursor<'t> {
    text: &'t str,
    offset: usize,
    line: usize,
}

impl<'t> Cursor<'t> {
    fn rest(&self) -> &'t str {
        &self.text[self.offset..]
    }

    fn advance(&mut self, bytes: usize) {
        let to = self.offset + bytes;
        self.line = line_at(self.text, self.offset, self.line, to);
        self.offset = to;
    }

    /// Past whitespace, commas (whitespace in EDN) and `;` comments.
    fn skip_blank(&mut self) {
        loop {
            let rest = self.rest();
            let trimmed = rest.trim_start_matches(|c: char| c.is_whitespace() || c == ',');
            let mut skip = rest.len() - trimmed.len();
            if trimmed.starts_with(';') {
                skip += trimmed.find('\n').unwrap_or(trimmed.len());
            }
            if skip == 0 {
                return;
            }
            self.advance(skip);
        }
    }
}

/// A reader error from `clojure-reader`, placed in the file (its line counts from the form's).
pub(crate) fn edn_error(error: &EdnError, form_line: usize) -> ReadError {
    let line = form_line + error.line.unwrap_or(1).saturating_sub(1);
    let what = match &error.code {
        Code::InvalidNumber => "a malformed number, or an integer outside 64 bits".to_string(),
        Code::UnexpectedEOF => "the file ends inside a form (an unclosed bracket or string)".into(),
        Code::UnmatchedDelimiter(c) => format!("an unmatched {c}"),
        Code::HashMapDuplicateKey => "a map with the same key twice".into(),
        Code::SetDuplicateKey => "a set with the same element twice".into(),
        Code::InvalidEscape => "an unknown escape in a string".into(),
        Code::InvalidKeyword => "a malformed keyword".into(),
        Code::InvalidChar => "a malformed character literal".into(),
        Code::InvalidTag => "a malformed tag".into(),
        Code::InvalidRadix(_) => "a number in an unknown radix".into(),
        other => format!("{other:?}"),
    };
    let column = error
        .column
        .map(|c| format!(" (column {c})"))
        .unwrap_or_default();
    ReadError::new(line, format!("invalid EDN: {what}{column}"))
}

/// The record one top-level form holds: a map, or a tagged map.
fn record(form: &Edn<'_>, line: usize) -> Result<Record, ReadError> {
    let map = match form {
        Edn::Tagged(_, inner) => inner,
        form => form,
    };
    let Edn::Map(map) = map else {
        return Err(ReadError::new(
            line,
            format!(
                "expected an operation map ({{:process 0, :type :invoke, :f :read, :value nil}}), \
                 found {}",
                edn_kind(map)
            ),
        ));
    };
    let mut fields = Fields {
        line,
        ..Fields::default()
    };
    for (slot, name) in fields.values.iter_mut().zip(KEYS) {
        if let Some(v) = map.get(&Edn::Key(Cow::Borrowed(name))) {
            let value = to_value(v, 0).map_err(|why| {
                ReadError::new(line, format!("{}: {why}", Dialect::Edn.spell(name)))
            })?;
            *slot = Some(value);
        }
    }
    fields.into_record(Dialect::Edn)
}

/// An EDN value as a [`Value`]: vectors and lists are lists, symbols and characters strings,
/// a tagged value its value; floats, ratios and nesting deeper than [`MAX_DEPTH`] are refused.
pub(crate) fn to_value(edn: &Edn<'_>, depth: usize) -> Result<Value, String> {
    if depth > MAX_DEPTH {
        return Err(format!("nested more than {MAX_DEPTH} deep"));
    }
    let inner = |e: &Edn<'_>| to_value(e, depth + 1);
    Ok(match edn {
        Edn::Nil => Value::Nil,
        Edn::Bool(b) => Value::Bool(*b),
        Edn::Int(n) => Value::Int(*n),
        Edn::Str(s) | Edn::Symbol(s) => Value::Str(s.to_string()),
        Edn::Char(c) => Value::Str(c.to_string()),
        Edn::Key(k) => Value::Keyword(k.to_string()),
        Edn::Vector(items) | Edn::List(items) => {
            Value::List(items.iter().map(inner).collect::<Result<_, _>>()?)
        }
        Edn::Set(items) => Value::Set(
            items
                .iter()
                .map(inner)
                .collect::<Result<BTreeSet<_>, _>>()?,
        ),
        Edn::Map(entries) => Value::Map(
            entries
                .iter()
                .map(|(k, v)| Ok((inner(k)?, inner(v)?)))
                .collect::<Result<BTreeMap<_, _>, String>>()?,
        ),
        Edn::Tagged(_, v) => inner(v)?,
        other => {
            return Err(format!(
                "{} is not a value a history can hold (expected an integer, a string, a \
                 keyword, a boolean, nil, or a collection of them)",
                edn_kind(other)
            ))
        }
    })
}

/// What kind of EDN form this is, in words.
fn edn_kind(edn: &Edn<'_>) -> String {
    match edn {
        Edn::Vector(_) => "a vector".into(),
        Edn::List(_) => "a list".into(),
        Edn::Set(_) => "a set".into(),
        Edn::Map(_) => "a map".into(),
        Edn::Key(k) => format!("the keyword :{k}"),
        Edn::Symbol(s) => format!("the symbol {s}"),
        Edn::Str(_) => "a string".into(),
        Edn::Int(n) => format!("the integer {n}"),
        Edn::Tagged(tag, _) => format!("a value tagged #{tag}"),
        Edn::Double(d) => format!("the float {d}"),
        Edn::Rational((n, d)) => format!("the ratio {n}/{d}"),
        Edn::Char(_) => "a character".into(),
        Edn::Bool(b) => format!("{b}"),
        Edn::Nil => "nil".into(),
        _ => "a number that is not a 64-bit integer".into(),
    }
}
