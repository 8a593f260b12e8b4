//! Text fitted to a terminal's 80 columns, measured in columns rather than characters: a
//! scenario's name, a path or a protocol's observation may hold wide characters (a CJK
//! character takes two columns, a combining accent none), and a line counted in characters
//! then overflows the terminal or leaves its columns out of line. Measuring, cutting, padding
//! and wrapping are done here, once, for every report and message the tool prints.

use std::fmt::Write;
use std::sync::atomic::{AtomicUsize, Ordering};

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// The width of the tables and the default width prose is wrapped at: an 80-column terminal.
pub const COLUMNS: usize = 80;

/// The narrowest line prose is wrapped to, however narrow the terminal says it is.
const LINE_WIDTH_MIN: usize = 20;

/// The width prose is wrapped at (`usize::MAX`: not wrapped). Set once, by the command line
/// when it starts, from the terminal it writes to; [`COLUMNS`] until then.
static LINE_WIDTH: AtomicUsize = AtomicUsize::new(COLUMNS);

/// Wrap prose at `width` columns (at least 20), or not at all (`None`: output to a pipe or a
/// file, where a reader's own tools decide).
pub fn set_line_width(width: Option<usize>) {
    let width = width.map_or(usize::MAX, |w| w.max(LINE_WIDTH_MIN));
    LINE_WIDTH.store(width, Ordering::Relaxed);
}

/// The width prose is wrapped at (`usize::MAX` when it is not wrapped).
pub fn line_width() -> usize {
    LINE_WIDTH.load(Ordering::Relaxed)
}

/// Whether a line of `text` fits the width prose is wrapped at.
pub fn fits(text: &str) -> bool {
    width(text) <= line_width()
}

/// The columns `text` takes on a terminal.
pub fn width(text: &str) -> usize {
    text.width()
}

/// `text` cut to at most `max` columns, with an ellipsis where it was cut.
pub fn truncate(text: &str, max: usize) -> String {
    if width(text) <= max {
        return text.to_string();
    }
    let room = max.saturating_sub(1);
    let mut kept = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > room {
            break;
        }
        used += w;
        kept.push(c);
    }
    kept.push('…');
    kept
}

/// `text` cut to at most `max` columns at a word boundary, ending with "..." where it was cut
/// (plain dots: a line cut to the terminal is as many bytes as columns where its words are
/// ASCII). A first word longer than the room is cut by [`truncate`].
pub fn truncate_words(text: &str, max: usize) -> String {
    if width(text) <= max {
        return text.to_string();
    }
    let room = max.saturating_sub(3);
    let mut kept = String::new();
    for word in text.split(' ') {
        let wider = width(&kept) + usize::from(!kept.is_empty()) + width(word);
        if wider > room {
            break;
        }
        if !kept.is_empty() {
            kept.push(' ');
        }
        kept.push_str(word);
    }
    match kept.is_empty() {
        true => truncate(text, max),
        false => format!("{}...", kept.trim_end_matches([',', ';', ':'])),
    }
}

/// `text` followed by spaces up to `min` columns (as `{:<min$}` pads, but by columns).
pub fn pad(text: &str, min: usize) -> String {
    let spaces = min.saturating_sub(width(text));
    format!("{text}{}", " ".repeat(spaces))
}

/// `command` whole on a line of its own, never wrapped (it is pasted): indented by `indent`
/// columns, or less where that would pass the line width (flush left if even that does not
/// help). Ends with a newline.
pub fn command_line(command: &str, indent: usize) -> String {
    let room = line_width().saturating_sub(width(command));
    format!("{}{command}\n", " ".repeat(indent.min(room)))
}

/// `text` wrapped at word boundaries (single spaces) to fit [`line_width`]: the first line
/// after `first` (already `indent` columns wide), the others indented by `indent`. A word
/// longer than a line stays whole.
pub fn wrap(first: &str, text: &str, indent: usize) -> String {
    wrap_at(first, text, indent, line_width())
}

/// [`wrap`] at `line_width` columns (`usize::MAX`: not wrapped) rather than the line width
/// set for stdout: for text written elsewhere (stderr).
pub fn wrap_at(first: &str, text: &str, indent: usize, line_width: usize) -> String {
    let room = line_width.saturating_sub(indent).max(LINE_WIDTH_MIN);
    let mut lines: Vec<String> = Vec::new();
    let (mut line, mut used) = (String::new(), 0);
    for word in text.split(' ') {
        let w = width(word);
        if !line.is_empty() && used + 1 + w > room {
            lines.push(std::mem::take(&mut line));
            used = 0;
        }
        if !line.is_empty() {
            line.push(' ');
            used += 1;
        }
        line.push_str(word);
        used += w;
    }
    lines.push(line);
    let pad = " ".repeat(indent);
    let mut out = format!("{first}{}", lines[0]);
    for l in &lines[1..] {
        let _ = write!(out, "\n{pad}{l}");
    }
    out
}

#[cfg(test)]
mod tests {

    #[test]
    fn truncate_words_cuts_between_words_with_plain_dots() {
        let text = "Flooding consensus (FloodSet): flood known values for rounds";
        assert_eq!(truncate_words(text, 80), text);
        assert_eq!(truncate_words(text, 34), "Flooding consensus (FloodSet)...");
        assert_eq!(truncate_words(text, 24), "Flooding consensus...");
        let cut = truncate_words(text, 40);
        assert!(width(&cut) <= 40 && cut.len() == width(&cut), "{cut}");
        // A first word wider than the room is cut inside it.
        assert_eq!(truncate_words("Abcdefghijkl mn", 6), "Abcde…");
    }

    use super::*;

    /// "名前" is two characters and four columns.
    const WIDE: &str = "名前";

    #[test]
    fn wide_characters_take_two_columns_and_combining_ones_none() {
        assert_eq!(width(WIDE), 4);
        assert_eq!(width("e\u{301}"), 1);
        assert_eq!(width("plain"), 5);
    }

    /// A cut never splits the columns of a wide character, and leaves room for the ellipsis.
    #[test]
    fn truncation_counts_columns() {
        let long = WIDE.repeat(30);
        let cut = truncate(&long, 9);
        assert_eq!(cut, "名前名前…");
        assert!(width(&cut) <= 9);
        assert_eq!(truncate("short", 9), "short");
        assert_eq!(truncate("名前", 4), "名前");
    }

    /// A command is indented less rather than passing 80 columns, and never cut or wrapped.
    #[test]
    fn a_command_keeps_within_the_line_by_its_indent() {
        let command = format!("ftsim replay {}.toml --seed 1", "x".repeat(51));
        assert_eq!(width(&command), 78);
        assert_eq!(command_line(&command, 6), format!("  {command}\n"));
        assert_eq!(command_line("ftsim list", 6), "      ftsim list\n");
        let long = format!("ftsim replay {}.toml --seed 1", "x".repeat(70));
        assert_eq!(command_line(&long, 6), format!("{long}\n"));
    }

    #[test]
    fn padding_counts_columns() {
        assert_eq!(pad(WIDE, 6), "名前  ");
        assert_eq!(width(&pad(WIDE, 6)), 6);
        assert_eq!(pad("toolong", 3), "toolong");
    }

    /// Wrapped text of wide words fits 80 columns, where counting characters let a line of
    /// 40 wide characters (80 columns) grow to 78 of them (156 columns).
    #[test]
    fn wrapped_wide_text_fits_the_columns() {
        let text = vec![WIDE; 60].join(" ");
        let wrapped = wrap("error: ", &text, 7);
        assert!(wrapped.lines().count() > 3, "{wrapped}");
        for line in wrapped.lines() {
            assert!(width(line) <= COLUMNS, "{} columns: {line}", width(line));
        }
        assert!(wrapped.starts_with("error: 名前 "));
    }
}
