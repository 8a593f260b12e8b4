//! A value as a history file holds it: the EDN data model less what a linearizability check
//! has no use for (floats, symbols, characters and tags are read into the nearest of these or
//! refused; see the readers).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// How deep a value may nest (lists in lists…): deeper is a read error, so that nothing that
/// walks a value (comparing, hashing, printing, dropping) can run out of stack.
pub const MAX_DEPTH: usize = 64;

/// A value in a history file: an operation's argument or result, a process, a key.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Value {
    /// `nil` (EDN), `null` (JSON), or no value at all.
    Nil,
    /// `true` or `false`.
    Bool(bool),
    /// A 64-bit integer.
    Int(i64),
    /// A string.
    Str(String),
    /// A keyword, without its `:` (`:nemesis` is `Keyword("nemesis")`).
    Keyword(String),
    /// A vector or list (`[1 2]`, `(1 2)`; a JSON array).
    List(Vec<Value>),
    /// A set (`#{1 2}`).
    Set(BTreeSet<Value>),
    /// A map (`{:a 1}`; a JSON object, whose keys are strings).
    Map(BTreeMap<Value, Value>),
}

impl Value {
    /// The integer, if this is one.
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Value::Int(n) => Some(*n),
            _ => None,
        }
    }

    /// Whether this is [`Value::Nil`].
    pub fn is_nil(&self) -> bool {
        matches!(self, Value::Nil)
    }

    /// The two elements of a two-element list (a `[from to]` or a `[key value]` tuple).
    pub fn as_pair(&self) -> Option<(&Value, &Value)> {
        match self {
            Value::List(items) if items.len() == 2 => Some((&items[0], &items[1])),
            _ => None,
        }
    }

    /// The name of a keyword or a string (how files spell an operation's type and function).
    pub fn as_name(&self) -> Option<&str> {
        match self {
            Value::Keyword(s) | Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// What kind of value this is, in words ("an integer", "a list"), for error messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Nil => "nil",
            Value::Bool(_) => "a boolean",
            Value::Int(_) => "an integer",
            Value::Str(_) => "a string",
            Value::Keyword(_) => "a keyword",
            Value::List(_) => "a list",
            Value::Set(_) => "a set",
            Value::Map(_) => "a map",
        }
    }
}

/// EDN, short: `nil`, `3`, `"a"`, `:k`, `[1 2]`, `#{1 2}`, `{:a 1, :b 2}`.
impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Nil => f.write_str("nil"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Int(n) => write!(f, "{n}"),
            Value::Str(s) => write_string(f, s),
            Value::Keyword(k) => write!(f, ":{k}"),
            Value::List(items) => write_seq(f, "[", items.iter(), "]"),
            Value::Set(items) => write_seq(f, "#{", items.iter(), "}"),
            Value::Map(entries) => {
                f.write_str("{")?;
                for (i, (k, v)) in entries.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{k} {v}")?;
                }
                f.write_str("}")
            }
        }
    }
}

fn write_seq<'a>(
    f: &mut fmt::Formatter<'_>,
    open: &str,
    items: impl Iterator<Item = &'a Value>,
    close: &str,
) -> fmt::Result {
    f.write_str(open)?;
    for (i, item) in items.enumerate() {
        if i > 0 {
            f.write_str(" ")?;
        }
        write!(f, "{item}")?;
    }
    f.write_str(close)
}

fn write_string(f: &mut fmt::Formatter<'_>, s: &str) -> fmt::Result {
    f.write_str("\"")?;
    for c in s.chars() {
        match c {
            '"' => f.write_str("\\\"")?,
            '\\' => f.write_str("\\\\")?,
            '\n' => f.write_str("\\n")?,
            '\t' => f.write_str("\\t")?,
            '\r' => f.write_str("\\r")?,
            c => write!(f, "{c}")?,
        }
    }
    f.write_str("\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_as_short_edn() {
        let map = Value::Map(BTreeMap::from([
            (Value::Keyword("a".into()), Value::Int(1)),
            (Value::Keyword("b".into()), Value::Nil),
        ]));
        let set = Value::Set(BTreeSet::from([Value::Int(2), Value::Int(1)]));
        let list = Value::List(vec![Value::Int(1), Value::Str("x\"y".into()), set, map]);
        assert_eq!(list.to_string(), r#"[1 "x\"y" #{1 2} {:a 1, :b nil}]"#);
        assert_eq!(Value::Keyword("k".into()).to_string(), ":k");
        assert_eq!(Value::Bool(true).to_string(), "true");
    }
}
