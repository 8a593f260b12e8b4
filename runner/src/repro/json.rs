//! JSON laid out for a person reading a repro file: the top levels indented one entry per
//! line, anything deeper on the line of its parent entry, so each recorded decision and each
//! trace event is one line instead of ten.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::ser::Formatter;

/// Containers nested deeper than this are written on one line.
const INDENTED_LEVELS: usize = 2;

/// `value` as JSON, indented down to [`INDENTED_LEVELS`].
pub(crate) fn to_string<T: Serialize>(value: &T) -> serde_json::Result<String> {
    let mut out = Vec::new();
    let mut ser = serde_json::Serializer::with_formatter(&mut out, Layout::default());
    value.serialize(&mut ser)?;
    out.push(b'\n');
    Ok(String::from_utf8_lossy(&out).into_owned())
}

#[derive(Default)]
struct Layout {
    /// The nesting level of the container being written (1: the outermost).
    level: usize,
    /// Whether the container being closed holds anything.
    has_value: bool,
}

impl Layout {
    fn indented(&self) -> bool {
        self.level <= INDENTED_LEVELS
    }

    fn newline<W: ?Sized + Write>(&self, w: &mut W, level: usize) -> io::Result<()> {
        w.write_all(b"\n")?;
        for _ in 0..level {
            w.write_all(b"  ")?;
        }
        Ok(())
    }

    fn open<W: ?Sized + Write>(&mut self, w: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.level += 1;
        self.has_value = false;
        w.write_all(bracket)
    }

    fn close<W: ?Sized + Write>(&mut self, w: &mut W, bracket: &[u8]) -> io::Result<()> {
        let indented = self.indented();
        self.level -= 1;
        if self.has_value && indented {
            self.newline(w, self.level)?;
        }
        w.write_all(bracket)
    }

    fn entry<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        if self.indented() {
            w.write_all(if first { b"" } else { b"," })?;
            self.newline(w, self.level)
        } else {
            w.write_all(if first { b"" } else { b", " })
        }
    }
}

impl Formatter for Layout {
    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.open(w, b"[")
    }
    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.close(w, b"]")
    }
    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.entry(w, first)
    }
    fn end_array_value<W: ?Sized + Write>(&mut self, _: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.open(w, b"{")
    }
    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.close(w, b"}")
    }
    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.entry(w, first)
    }
    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        w.write_all(b": ")
    }
    fn end_object_value<W: ?Sized + Write>(&mut self, _: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deep_values_stay_on_their_line_and_read_back() {
        let value = serde_json::json!({
            "a": 1,
            "list": [{"x": [1, 2], "y": {}}, {"x": [], "y": {"z": "w"}}],
            "empty": [],
        });
        let text = to_string(&value).unwrap();
        let expected = "{\n  \"a\": 1,\n  \"empty\": [],\n  \"list\": [\n    \
            {\"x\": [1, 2], \"y\": {}},\n    {\"x\": [], \"y\": {\"z\": \"w\"}}\n  ]\n}\n";
        assert_eq!(text, expected);
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back, value);
    }
}
