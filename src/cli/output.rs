//! Writing for people: stdout that ends quietly on a closed pipe, colour only where wanted, and
//! the wall clock that times a sweep (never a run).

use std::io::Write;

/// Writes to stdout and ignores a closed pipe: `ftsim list | head -1` must end quietly, not
/// panic (Rust ignores SIGPIPE, so `print!` would panic on EPIPE).
pub fn out(text: &str) {
    let _ = std::io::stdout().write_all(text.as_bytes());
}

/// `out` with a newline.
pub fn outln(text: &str) {
    out(text);
    out("\n");
}

/// `text` after `prefix`, wrapped at word boundaries to fit 80 columns, later lines indented
/// under the first; ends with a newline.
pub fn wrapped(prefix: &str, text: &str) -> String {
    const WIDTH: usize = 80;
    let indent = " ".repeat(prefix.chars().count());
    let mut out = String::new();
    let mut line = prefix.to_string();
    let mut empty = true;
    for word in text.split_whitespace() {
        if !empty && line.chars().count() + 1 + word.chars().count() > WIDTH {
            out.push_str(&line);
            out.push('\n');
            line = indent.clone();
            empty = true;
        }
        if !empty {
            line.push(' ');
        }
        line.push_str(word);
        empty = false;
    }
    out.push_str(&line);
    out.push('\n');
    out
}

/// Colour on a terminal unless `NO_COLOR` is set (https://no-color.org).
pub fn color_wanted(stream_is_terminal: bool) -> bool {
    stream_is_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

#[allow(clippy::disallowed_methods)] // wall time of a sweep is reported, never used in a run
pub fn stopwatch() -> std::time::Instant {
    std::time::Instant::now()
}

/// `--color`: colour on a terminal (unless `NO_COLOR` is set), always, or never.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    /// On a terminal, unless `NO_COLOR` is set
    #[default]
    Auto,
    /// Always, even into a pipe
    Always,
    /// Never
    Never,
}

impl ColorChoice {
    /// Whether to colour a stream that is (or is not) a terminal.
    pub fn wanted(self, stream_is_terminal: bool) -> bool {
        match self {
            ColorChoice::Auto => color_wanted(stream_is_terminal),
            ColorChoice::Always => true,
            ColorChoice::Never => false,
        }
    }
}
