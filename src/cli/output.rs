//! Writing for people: stdout that ends quietly on a closed pipe, the widths prose wraps at,
//! colour only where wanted, text or JSON, and the wall clock that times a sweep (never a run).

use std::io::{IsTerminal, Write};

use reports::columns::{width, wrap_at};

/// The width to wrap prose at on stderr (`usize::MAX`: not wrapped), set once at the start.
static STDERR_LINE_WIDTH: std::sync::OnceLock<usize> = std::sync::OnceLock::new();

/// Sets the widths prose is wrapped at on stdout and on stderr, each as a reader would want
/// it: `COLUMNS` if the environment sets it (a person asked for that width), else the
/// terminal's width if the stream is one, else none: output to a pipe or a file is not
/// wrapped (a reader's own tools decide). Tables keep their 80-column layout whatever this
/// says, and a command to paste is never wrapped.
pub fn set_line_widths() {
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    reports::columns::set_line_width(line_width_wanted(stdout.is_terminal(), &stdout));
    let on_stderr = line_width_wanted(stderr.is_terminal(), &stderr);
    let _ = STDERR_LINE_WIDTH.set(on_stderr.unwrap_or(usize::MAX));
}

/// The width a stream that is (or is not) a `terminal` wants prose wrapped at.
fn line_width_wanted(terminal: bool, stream: &impl std::os::fd::AsFd) -> Option<usize> {
    let asked = std::env::var("COLUMNS").ok();
    if let Some(columns) = asked.and_then(|c| c.trim().parse::<usize>().ok()) {
        return (columns > 0).then_some(columns);
    }
    if !terminal {
        return None;
    }
    let size = terminal_size::terminal_size_of(stream);
    Some(size.map_or(reports::columns::COLUMNS, |(w, _)| usize::from(w.0)))
}

/// The width prose is wrapped at on stderr (`usize::MAX`: not wrapped; 80 until set).
fn stderr_line_width() -> usize {
    *STDERR_LINE_WIDTH
        .get()
        .unwrap_or(&reports::columns::COLUMNS)
}

/// [`wrapped`] for stderr: at its width, which may not be stdout's.
pub fn ewrapped(prefix: &str, text: &str) -> String {
    wrapped_at(prefix, text, stderr_line_width())
}

/// `text`'s words after `prefix`, wrapped at `line_width`, later lines indented under the
/// first; ends with a newline.
fn wrapped_at(prefix: &str, text: &str, line_width: usize) -> String {
    let words = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out = wrap_at(prefix, &words, width(prefix), line_width);
    out.push('\n');
    out
}

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

/// `text` after `prefix`, wrapped at word boundaries to fit the line width (counted as a
/// terminal shows them: see `reports::columns`), later lines indented under the first; ends
/// with a newline.
pub fn wrapped(prefix: &str, text: &str) -> String {
    wrapped_at(prefix, text, reports::columns::line_width())
}

/// Every line of `text` that is wider than stderr's line width wrapped as [`ewrapped`] wraps
/// it: after its `error: ` or `warning: `, else after its indentation. A line that fits is
/// kept as it is; so is a single word (a long path) that fits nowhere. Ends with a newline.
pub fn ewrapped_lines(text: &str) -> String {
    let width_max = stderr_line_width();
    let mut out = String::new();
    for line in text.lines() {
        if width(line) <= width_max {
            out.push_str(line);
            out.push('\n');
            continue;
        }
        let indent = line.len() - line.trim_start().len();
        let prefix_len = ["error: ", "warning: "]
            .into_iter()
            .find(|p| line.starts_with(p))
            .map_or(indent, str::len);
        out.push_str(&ewrapped(&line[..prefix_len], &line[prefix_len..]));
    }
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

/// `--format`, for the commands that print a JSON document for tools (`run`, `check`,
/// `merge`, `history`, `list`): its text is written once, here.
#[derive(clap::Args, Clone, Copy)]
pub struct FormatFlag {
    /// Output: text or json [default: text]
    ///
    /// Output format: text for people, or json, the command's document as docs/json.md
    /// describes it (`ftsim.sweep` for `run` and `merge`, `ftsim.check`, `ftsim.history`,
    /// `ftsim.list`).
    #[arg(
        long,
        value_enum,
        default_value = "text",
        hide_default_value = true,
        hide_possible_values = true
    )]
    pub format: Format,
}

/// `--format` of `run`, `check`, `merge`, `history` and `list`: text for people, or JSON
/// (docs/json.md).
#[derive(Clone, Copy, clap::ValueEnum, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_wrap_under_their_prefix_and_short_ones_stay() {
        let long = format!("error: f.toml:3: key `x`: {}", "word ".repeat(30));
        let text = format!("{long}\n  fits\n    {}", "indented ".repeat(12));
        let out = ewrapped_lines(&text);
        let lines: Vec<&str> = out.lines().collect();
        assert!(lines.iter().all(|l| width(l) <= 80), "{out}");
        assert!(
            lines[0].starts_with("error: f.toml:3: key `x`: word"),
            "{out}"
        );
        assert!(lines[1].starts_with("       word"), "{out}");
        assert!(lines.contains(&"  fits"), "{out}");
        let indented: Vec<&&str> = lines.iter().filter(|l| l.contains("indented")).collect();
        assert!(indented.len() > 1 && indented.iter().all(|l| l.starts_with("    indented")));
        let words = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
        assert_eq!(words(&out), words(&text), "no word lost or moved");
        let path = format!("error: {}", "p/".repeat(50));
        assert_eq!(ewrapped_lines(&path), format!("{path}\n"));
    }
}
