//! What an external node was given in its current life: the lines ftsim wrote its program since
//! `init`, each with a hash of what the program answered. A node is a function of its inputs
//! (ftsim's extension gives it its time, its randomness and its storage), so the history *is*
//! its state as far as a search is concerned:
//! - a search copies a node by sharing its history (no program is copied), and runs the copy
//!   by starting a program and writing it the same lines again, which must get the same
//!   answers (re-execution; `node` checks them and fails the node where they differ);
//! - the history's hash is the node's fingerprint. Two nodes with one history are in one
//!   state; two histories may lead to one state, which a search then keeps apart: it may
//!   search a state twice, never merge two different ones.
//!
//! Histories share their common beginnings (a list from the newest line back), so a copy costs
//! a pointer and a step one entry.

use std::hash::{Hash, Hasher};
use std::sync::Arc;

use ftsim_api::sim_core::entropy::DetHasher;

use crate::wire::Output;

/// The most lines a history keeps. A longer life runs on, but the node can no longer be copied
/// (a search's runs are far shorter).
pub const LINES_MAX: u32 = 100_000;

/// One input line and the hash of its answer, after the lines before it.
struct Entry {
    line: Box<str>,
    answer_hash: u64,
    before: Option<Arc<Entry>>,
}

impl Drop for Entry {
    /// Frees a long list one entry at a time (a recursive drop could overflow the stack).
    fn drop(&mut self) {
        let mut before = self.before.take();
        while let Some(entry) = before {
            match Arc::try_unwrap(entry) {
                Ok(mut only) => before = only.before.take(),
                Err(_) => break,
            }
        }
    }
}

/// A node's inputs since `init`, newest first, with their hash.
#[derive(Clone, Default)]
pub struct History {
    newest: Option<Arc<Entry>>,
    lines: u32,
    hash: u64,
    /// Whether the life outgrew [`LINES_MAX`] (its lines are no longer kept).
    outgrown: bool,
}

impl History {
    /// Adds `line`, which `answers` answered.
    pub fn push(&mut self, line: &str, answers: &[Output]) {
        if self.outgrown {
            return;
        }
        if self.lines == LINES_MAX {
            *self = History {
                outgrown: true,
                ..History::default()
            };
            return;
        }
        let answer_hash = answer_hash(answers);
        let mut hasher = DetHasher::default();
        hasher.write_u64(self.hash);
        line.hash(&mut hasher);
        hasher.write_u64(answer_hash);
        self.hash = hasher.finish();
        self.lines += 1;
        self.newest = Some(Arc::new(Entry {
            line: line.into(),
            answer_hash,
            before: self.newest.take(),
        }));
    }

    /// The lines, oldest first, each with its answer's hash; `None` if the life outgrew
    /// [`LINES_MAX`].
    pub fn lines(&self) -> Option<Vec<(&str, u64)>> {
        if self.outgrown {
            return None;
        }
        let mut lines = Vec::with_capacity(self.lines as usize);
        let mut at = self.newest.as_deref();
        while let Some(entry) = at {
            lines.push((&*entry.line, entry.answer_hash));
            at = entry.before.as_deref();
        }
        lines.reverse();
        Some(lines)
    }

    /// Whether the life outgrew [`LINES_MAX`], so that its lines are no longer kept.
    pub fn outgrown(&self) -> bool {
        self.outgrown
    }
}

impl Hash for History {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(self.hash);
        state.write_u32(self.lines);
        state.write_u8(u8::from(self.outgrown));
    }
}

/// The hash of a step's answer: its lines, in order.
pub fn answer_hash(answers: &[Output]) -> u64 {
    let mut hasher = DetHasher::default();
    answers.hash(&mut hasher);
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn send(body: &str) -> Output {
        Output::Send {
            dest: "n1".into(),
            body: body.into(),
        }
    }

    #[test]
    fn lines_come_back_oldest_first_and_copies_share_them() {
        let mut history = History::default();
        history.push("a", &[send("1")]);
        let copy = history.clone();
        history.push("b", &[]);
        let lines = history.lines().unwrap();
        assert_eq!(lines.len(), 2);
        assert_eq!((lines[0].0, lines[1].0), ("a", "b"));
        assert_eq!(lines[0].1, answer_hash(&[send("1")]));
        assert_eq!(copy.lines().unwrap().len(), 1);
    }

    #[test]
    fn the_hash_tells_inputs_and_answers_apart() {
        let of = |steps: &[(&str, &[Output])]| {
            let mut history = History::default();
            for (line, answers) in steps {
                history.push(line, answers);
            }
            let mut hasher = DetHasher::default();
            history.hash(&mut hasher);
            hasher.finish()
        };
        let same = of(&[("a", &[]), ("b", &[send("1")])]);
        assert_eq!(same, of(&[("a", &[]), ("b", &[send("1")])]));
        assert_ne!(same, of(&[("b", &[]), ("a", &[send("1")])]));
        assert_ne!(same, of(&[("a", &[]), ("b", &[send("2")])]));
        assert_ne!(same, of(&[("a", &[])]));
    }

    #[test]
    fn a_long_life_is_outgrown_and_dropped_without_recursion() {
        let mut history = History::default();
        for _ in 0..LINES_MAX {
            history.push("x", &[]);
        }
        assert_eq!(history.lines().map(|l| l.len()), Some(LINES_MAX as usize));
        let copy = history.clone();
        history.push("y", &[]);
        assert!(history.lines().is_none());
        assert!(history.outgrown());
        drop(history);
        drop(copy); // 100,000 entries freed one by one
    }
}
