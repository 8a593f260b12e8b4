//! Errors in scenario files, and where they are: the file, the line and the key path, so a
//! person can go straight to the mistake.

use std::fmt;
use std::path::{Path, PathBuf};

use super::words::{clip, clip_quoted};

/// A scenario file that cannot be used, with where and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioError {
    /// The file at fault.
    pub file: PathBuf,
    /// The key path (`network.loss`, `faults.schedule[2].crash`), if the problem has one.
    pub key: Option<String>,
    /// The line of the key, when it can be found.
    pub line: Option<usize>,
    /// What is wrong, and what was expected.
    pub message: String,
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if let Some(key) = &self.key {
            write!(f, ": key `{key}`")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for ScenarioError {}

impl ScenarioError {
    /// A file (or directory of scenarios) that cannot be read at all.
    pub fn unreadable(file: &Path, error: &std::io::Error) -> Self {
        ScenarioError {
            file: file.to_path_buf(),
            key: None,
            line: None,
            message: format!("cannot read the file: {error}"),
        }
    }
}

/// A scenario's text and file name, for errors that point into it.
pub(crate) struct Source<'a> {
    pub file: &'a Path,
    pub text: &'a str,
}

impl Source<'_> {
    /// An error at `key`, with the line that defines it when it can be found.
    pub fn err(&self, key: impl Into<String>, message: impl Into<String>) -> ScenarioError {
        let key = clip(&key.into());
        ScenarioError {
            file: self.file.to_path_buf(),
            line: self.line_of(&key),
            key: Some(key),
            message: clip_quoted(&message.into()),
        }
    }

    /// An error about the file as a whole, at a byte offset if known.
    pub fn err_at(&self, offset: Option<usize>, message: impl Into<String>) -> ScenarioError {
        ScenarioError {
            file: self.file.to_path_buf(),
            key: None,
            line: offset.map(|o| self.line_at(o)),
            message: clip_quoted(&message.into()),
        }
    }

    /// The 1-based line of a byte offset.
    pub fn line_at(&self, offset: usize) -> usize {
        self.text.as_bytes()[..offset.min(self.text.len())]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1
    }

    /// The line of the first key of a path ("network.loss" → the line defining `loss` under
    /// `[network]`, or a line starting with `network`), best effort, for people's editors.
    fn line_of(&self, key: &str) -> Option<usize> {
        let parts: Vec<&str> = key
            .split('.')
            .map(|p| p.split('[').next().unwrap_or(p))
            .collect();
        let last = *parts.last()?;
        let parent = parts[..parts.len() - 1].join(".");
        let mut section = String::new();
        // A key left out of its table: the table's header line.
        let mut header = None;
        for (i, raw) in self.text.lines().enumerate() {
            let line = raw.trim();
            if line.starts_with('[') {
                section = line.trim_matches(|c| c == '[' || c == ']').to_string();
                if parts.len() > 1 && section == parent && header.is_none() {
                    header = Some(i + 1);
                }
                continue;
            }
            let Some((k, _)) = line.split_once('=') else {
                continue;
            };
            let k = k.trim();
            let full = if section.is_empty() {
                k.to_string()
            } else {
                format!("{section}.{k}")
            };
            if full == parts.join(".") || (parts.len() == 1 && k == last) {
                return Some(i + 1);
            }
            if parts.len() > 1 && full == parent {
                return Some(i + 1);
            }
        }
        header
    }
}
