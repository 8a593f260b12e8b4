//! A history written by hand: one operation per line, `PROCESS TYPE F [VALUE]`.
//!
//! ```text
//! # two clients on a cas register
//! 0 invoke write 3
//! 1 invoke cas [3 4]
//! 0 ok write 3
//! 1 info cas [3 4]      # timed out: it may or may not have happened
//! :nemesis info start   # not a client: ignored when the history is built
//! ```
//!
//! PROCESS is an integer (a client) or a keyword (`:nemesis`); TYPE is `invoke`, `ok`, `fail`
//! or `info`; F names the operation; VALUE, in EDN syntax, is nil when left out. TYPE and F may
//! carry Jepsen's `:`. A `#` at the start of a line, or standing alone between spaces, starts a
//! comment (`#{…}` is still a set); blank lines are skipped.

use super::{edn, ReadError};
use crate::record::{OpType, Record};
use crate::value::Value;

/// The line's shape, for error messages.
const SHAPE: &str = "PROCESS TYPE F [VALUE], as in `0 invoke write 3`";

/// Reads a whole text history file.
pub fn read(text: &str) -> Result<Vec<Record>, ReadError> {
    let mut records = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let content = strip_comment(raw).trim();
        if !content.is_empty() {
            records.push(parse_line(content, i + 1)?);
        }
    }
    Ok(records)
}

/// The line up to its comment, if it has one.
fn strip_comment(line: &str) -> &str {
    let (mut in_string, mut escaped) = (false, false);
    let mut prev_blank = true;
    for (i, c) in line.char_indices() {
        if in_string {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
        } else if c == '"' {
            in_string = true;
        } else if c == '#' && prev_blank {
            let next = line[i + 1..].chars().next();
            if line[..i].trim().is_empty() || next.is_none_or(char::is_whitespace) {
                return &line[..i];
            }
        }
        prev_blank = c.is_whitespace();
    }
    line
}

/// The record on one (non-blank, comment-free) line.
fn parse_line(content: &str, line: usize) -> Result<Record, ReadError> {
    let mut rest = content;
    let mut field = |name: &str| {
        let token = next_token(&mut rest);
        if token.is_empty() {
            Err(ReadError::new(line, format!("no {name}: expected {SHAPE}")))
        } else {
            Ok(token)
        }
    };
    let process = field("PROCESS")?;
    let op_type = field("TYPE")?;
    let f = field("F")?;
    let process = edn_value(process, line, "PROCESS")?;
    if !matches!(process, Value::Int(_) | Value::Keyword(_) | Value::Str(_)) {
        return Err(ReadError::new(
            line,
            format!("PROCESS is {process}; expected an integer (a client) or a keyword (:nemesis)"),
        ));
    }
    let op_type: OpType = op_type
        .parse()
        .map_err(|why| ReadError::new(line, format!("TYPE: {why}")))?;
    let f = f.strip_prefix(':').unwrap_or(f);
    let value = match rest.trim() {
        "" => Value::Nil,
        text => edn_value(text, line, "VALUE")?,
    };
    Ok(Record {
        line,
        process,
        op_type,
        f: f.to_string(),
        value,
        time_ns: None,
        key: None,
    })
}

/// The next whitespace-separated token of `rest`, which moves past it.
fn next_token<'a>(rest: &mut &'a str) -> &'a str {
    let trimmed = rest.trim_start();
    let end = trimmed.find(char::is_whitespace).unwrap_or(trimmed.len());
    let (token, after) = trimmed.split_at(end);
    *rest = after;
    token
}

/// The one EDN value `text` holds.
pub(crate) fn edn_value(text: &str, line: usize, name: &str) -> Result<Value, ReadError> {
    edn::check_nesting(text, line).map_err(|mut err| {
        err.message = format!("{name}: {}", err.message);
        err
    })?;
    let (form, after) = clojure_reader::edn::read(text).map_err(|e| {
        let mut err = edn::edn_error(&e, line);
        err.message = format!("{name}: {}", err.message);
        err
    })?;
    if !after.trim().is_empty() {
        return Err(ReadError::new(
            line,
            format!(
                "{name}: more than one value (`{}`); write a list as [1 2]",
                after.trim()
            ),
        ));
    }
    edn::to_value(&form, 0).map_err(|why| ReadError::new(line, format!("{name}: {why}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_end_lines_but_sets_and_tags_stay() {
        assert_eq!(strip_comment("# all"), "");
        assert_eq!(strip_comment("  #all"), "  ");
        assert_eq!(
            strip_comment("0 ok read #{1 2} # note"),
            "0 ok read #{1 2} "
        );
        assert_eq!(strip_comment("0 ok read \"# no\" #"), "0 ok read \"# no\" ");
        assert_eq!(
            strip_comment("0 ok read #inst \"x\""),
            "0 ok read #inst \"x\""
        );
    }
}
