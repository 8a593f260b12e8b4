//! A parameter that names a program to run: an external node (`node = "python3 echo.py"`).
//! Words are separated by spaces and taken as they are (no quoting, no shell). A scenario file's
//! loader makes each word that names a file beside the scenario absolute
//! ([`Command::resolved_in`]), so a scenario runs its node from any working directory and a
//! repro written from it names the same files.

use std::fmt;
use std::path::Path;

use crate::params::{command_error, ParamKind, ParamType, ParamValue};

/// A program and its arguments. Empty is "none given": a protocol that needs one says so in
/// its `validate`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Command {
    words: Vec<String>,
}

impl Command {
    /// The command written as `text`: words separated by white space.
    pub fn parse(text: &str) -> Result<Command, String> {
        if let Some(error) = command_error(text) {
            return Err(error);
        }
        Ok(Command {
            words: text.split_whitespace().map(str::to_string).collect(),
        })
    }

    /// The program, then its arguments.
    pub fn words(&self) -> &[String] {
        &self.words
    }

    /// Whether no program is given.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// The same command with every relative word that names an existing file or folder in
    /// `dir` made absolute: `python3 echo.py` in `/s/` is `python3 /s/echo.py`, while
    /// `python3` stays a program looked up on the `PATH`. An error names a resolved path that
    /// holds white space (a command could not be written back with it).
    pub fn resolved_in(&self, dir: &Path) -> Result<Command, String> {
        let mut words = Vec::with_capacity(self.words.len());
        for word in &self.words {
            let beside = dir.join(word);
            if Path::new(word).is_absolute() || !beside.exists() {
                words.push(word.clone());
                continue;
            }
            let absolute = std::path::absolute(&beside).unwrap_or(beside);
            let text = absolute.to_string_lossy().into_owned();
            if text.chars().any(char::is_whitespace) {
                return Err(format!(
                    "the file {word:?} beside the scenario is {text:?}, a path with white \
                     space, which a command cannot hold: move the scenario or the program"
                ));
            }
            words.push(text);
        }
        Ok(Command { words })
    }
}

impl fmt::Display for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.words.join(" "))
    }
}

impl ParamType for Command {
    fn kind() -> ParamKind {
        ParamKind::Command
    }
    fn to_value(&self) -> ParamValue {
        ParamValue::Str(self.to_string())
    }
    fn from_value(value: &ParamValue) -> Option<Self> {
        match value {
            ParamValue::Str(s) => Command::parse(s).ok(),
            _ => None,
        }
    }
    fn hash_param<H: std::hash::Hasher>(&self, state: &mut H) {
        std::hash::Hash::hash(self, state);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_split_on_spaces_and_files_beside_the_scenario_become_absolute() {
        let dir = std::env::temp_dir().join(format!("ftsim-command-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("echo.py"), "").unwrap();
        let command = Command::parse("  python3   echo.py --fast ").unwrap();
        assert_eq!(command.words(), ["python3", "echo.py", "--fast"]);
        let resolved = command.resolved_in(&dir).unwrap();
        let script = dir.join("echo.py").to_string_lossy().into_owned();
        assert_eq!(resolved.words(), ["python3", script.as_str(), "--fast"]);
        assert_eq!(Command::parse(&resolved.to_string()).unwrap(), resolved);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn control_characters_and_huge_commands_are_refused() {
        assert!(Command::parse("echo \u{1b}[2J").is_err());
        assert!(Command::parse(&"x".repeat(4097)).is_err());
        assert!(Command::parse("").unwrap().is_empty());
        assert!(ParamKind::Command.accepts(&ParamValue::Str("node index.js".into())));
        assert!(!ParamKind::Command.accepts(&ParamValue::Int(3)));
    }
}
