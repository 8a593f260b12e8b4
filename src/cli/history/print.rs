//! What `ftsim history` says: the verdict in words that fit 80 columns, or one JSON document
//! (`ftsim.history`, docs/json.md). Operations are named by what they did, their process and
//! the lines of the file they came from.

use std::path::Path;
use std::time::Duration;

use ftsim_api::properties::linearizability::{
    Decision, Explanation, Limit, SequentialModel, Undecided, Verdict,
};
use ftsim_history::{FileHistory, FileModel};

use super::super::error::Status;
use super::super::output::{out, outln, wrapped};

/// The version of the `ftsim.history` document (docs/json.md): raised when a key changes
/// meaning or goes, not when one is added.
const SCHEMA_VERSION: u32 = 1;

/// At most this many operations of a list are spelled out in words.
const SHOWN: usize = 6;

/// What the check found: a verdict explained, or only decided (`--verdict-only`).
pub enum Judged {
    Explained(Verdict),
    Decided(Decision),
}

impl Judged {
    /// The verdict's exit status.
    pub fn status(&self) -> Status {
        match self {
            Judged::Explained(Verdict::Linearizable) | Judged::Decided(Decision::Linearizable) => {
                Status::Met
            }
            Judged::Explained(Verdict::NotLinearizable(_))
            | Judged::Decided(Decision::NotLinearizable { .. }) => Status::NotMet,
            Judged::Explained(Verdict::Undecided(_)) | Judged::Decided(Decision::Undecided(_)) => {
                Status::Undecided
            }
        }
    }

    fn undecided(&self) -> Option<&Undecided> {
        match self {
            Judged::Explained(Verdict::Undecided(why))
            | Judged::Decided(Decision::Undecided(why)) => Some(why),
            _ => None,
        }
    }

    /// The key refuted, in words, if one was (`None` too for a model of one object).
    fn refuted_key(&self) -> Option<&str> {
        match self {
            Judged::Explained(Verdict::NotLinearizable(why)) => why.key.as_deref(),
            Judged::Decided(Decision::NotLinearizable { key }) => key.as_deref(),
            _ => None,
        }
    }
}

/// A checked history, ready to be said.
pub struct Said<'a> {
    pub path: &'a Path,
    pub model: &'a FileModel,
    pub file: &'a FileHistory,
    pub judged: &'a Judged,
}

impl Said<'_> {
    /// Operation `op` in words: "write 3 by process 0 (lines 4 to 7)".
    pub fn op(&self, op: usize) -> String {
        let o = &self.file.history.ops()[op];
        let what = self.model.describe(&o.input, o.output.as_ref());
        let source = &self.file.sources[op];
        let process = &self.file.processes[o.client];
        let lines = match (source.complete_line, source.info) {
            (Some(done), false) => format!("lines {} to {done}", source.invoke_line),
            (Some(done), true) => {
                format!("lines {} to {done}, outcome unknown", source.invoke_line)
            }
            (None, _) => format!("line {}, never completed", source.invoke_line),
        };
        format!("{what} by process {process} ({lines})")
    }

    /// The object an explanation is about: "key 3", "the register".
    fn object(&self, why: &Explanation) -> String {
        match &why.key {
            Some(k) => format!("key {k}"),
            None => format!("the {}", self.model.object_name()),
        }
    }

    /// Operations in words, at most [`SHOWN`] of them, joined by `sep`.
    fn ops(&self, ops: &[usize], sep: &str) -> String {
        let mut words: Vec<String> = ops.iter().take(SHOWN).map(|&o| self.op(o)).collect();
        if ops.len() > SHOWN {
            words.push(format!("and {} more", ops.len() - SHOWN));
        }
        words.join(sep)
    }

    /// The explanation in sentences.
    pub fn explanation(&self, why: &Explanation) -> Vec<String> {
        let mut said = vec![format!(
            "{} cannot be linearized: the history is linearizable until this response, not \
             with it.",
            self.op(why.culprit)
        )];
        if !why.states.is_empty() {
            let states: Vec<String> = (why.states.iter().take(SHOWN))
                .map(|(state, setter)| match setter {
                    Some(op) => format!("{state} (set by {})", self.op(*op)),
                    None => format!("{state} (initial)"),
                })
                .collect();
            said.push(format!(
                "When it was invoked, {} could only be {}.",
                self.object(why),
                states.join(" or ")
            ));
        }
        if !why.pins.is_empty() {
            said.push(format!("Pinned by {}.", self.ops(&why.pins, "; ")));
        }
        if !why.concurrent.is_empty() {
            said.push(format!(
                "Open meanwhile: {}.",
                self.ops(&why.concurrent, "; ")
            ));
        }
        if !why.order.is_empty() {
            let first: Vec<String> = (why.order.iter().rev().take(SHOWN).rev())
                .map(|&o| self.op(o))
                .collect();
            let skipped = why.order.len().saturating_sub(SHOWN);
            let lead = if skipped > 0 {
                format!("…{skipped} earlier, then ")
            } else {
                String::new()
            };
            said.push(format!(
                "Before that response, {} operations on it linearize in this order: {lead}{}.",
                why.order.len(),
                first.join(", then ")
            ));
        }
        if !why.smallest {
            said.push(not_smallest(why));
        }
        said
    }

    /// The verdict in words (80 columns), with how long it took.
    pub fn text(&self, elapsed: Duration) {
        out(&wrapped("history: ", &self.path.display().to_string()));
        out(&wrapped("  ", &self.summary()));
        let took = format!("{:.3} s", elapsed.as_secs_f64());
        if let Some(why) = self.judged.undecided() {
            out(&wrapped("", &format!("undecided ({took}): {why}")));
            let hint = match why.limit {
                Limit::Steps(_) => "raise --max-steps, or --time-limit to bound the wait",
                Limit::Time(_) => "raise --time-limit",
            };
            out(&wrapped("  ", &format!("To decide, {hint}.")));
            return;
        }
        match self.judged {
            Judged::Explained(Verdict::NotLinearizable(why)) => {
                out(&wrapped("", &format!("not linearizable ({took})")));
                for sentence in self.explanation(why) {
                    out(&wrapped("  ", &sentence));
                }
            }
            Judged::Decided(Decision::NotLinearizable { key }) => {
                let object = match key {
                    Some(k) => format!("key {k}"),
                    None => format!("the {}", self.model.object_name()),
                };
                out(&wrapped("", &format!("not linearizable ({took})")));
                out(&wrapped(
                    "  ",
                    &format!(
                        "No order of the operations on {object} fits. Without --verdict-only, \
                         the operation that cannot be linearized and why."
                    ),
                ));
            }
            _ => out(&wrapped("", &format!("linearizable ({took})"))),
        }
    }

    /// "cas-register, 23 operations by 3 processes (2 of unknown outcome; 1 failed, left
    /// out)".
    fn summary(&self) -> String {
        let ops = self.file.history.ops();
        let open = ops.iter().filter(|o| !o.is_complete()).count();
        let mut notes = Vec::new();
        if open > 0 {
            notes.push(format!("{open} of unknown outcome"));
        }
        if self.file.dropped_failed > 0 {
            notes.push(format!("{} failed, left out", self.file.dropped_failed));
        }
        if self.file.ignored > 0 {
            let lines = if self.file.ignored == 1 {
                "line"
            } else {
                "lines"
            };
            notes.push(format!("{} nemesis {lines} ignored", self.file.ignored));
        }
        let notes = if notes.is_empty() {
            String::new()
        } else {
            format!(" ({})", notes.join("; "))
        };
        let (operations, processes) = (ops.len(), self.file.processes.len());
        format!(
            "{}, {operations} operation{} by {processes} process{}{notes}",
            self.model.kind,
            if operations == 1 { "" } else { "s" },
            if processes == 1 { "" } else { "es" },
        )
    }

    /// One operation as JSON.
    fn op_json(&self, op: usize) -> serde_json::Value {
        let o = &self.file.history.ops()[op];
        let source = &self.file.sources[op];
        serde_json::json!({
            "index": op,
            "process": self.file.processes[o.client].to_string(),
            "what": self.model.describe(&o.input, o.output.as_ref()),
            "invoke_line": source.invoke_line,
            "complete_line": source.complete_line,
            "outcome_unknown": !o.is_complete(),
        })
    }

    /// Why the history is not linearizable, as JSON.
    fn refutation_json(&self, why: &Explanation) -> serde_json::Value {
        let many = |list: &[usize]| list.iter().map(|&o| self.op_json(o)).collect::<Vec<_>>();
        serde_json::json!({
            "key": why.key,
            "culprit": self.op_json(why.culprit),
            "states": why.states.iter().map(|(s, setter)| serde_json::json!({
                "state": s,
                "set_by": setter.map(|o| self.op_json(o)),
            })).collect::<Vec<_>>(),
            "pins": many(&why.pins),
            "concurrent": many(&why.concurrent),
            "order_before": many(&why.order),
            "smallest": why.smallest,
            "unjudged_keys": why.unjudged,
            "message": self.explanation(why).join(" "),
        })
    }

    /// The verdict as one JSON document.
    pub fn json(&self) {
        let ops = self.file.history.ops();
        let mut doc = serde_json::json!({
            "schema": "ftsim.history",
            "schema_version": SCHEMA_VERSION,
            "file": self.path.display().to_string(),
            "model": self.model.kind.to_string(),
            "operations": ops.len(),
            "processes": self.file.processes.len(),
            "outcome_unknown": ops.iter().filter(|o| !o.is_complete()).count(),
            "failed_left_out": self.file.dropped_failed,
        });
        let refutation = match self.judged {
            Judged::Explained(Verdict::NotLinearizable(why)) => Some(self.refutation_json(why)),
            _ => None,
        };
        let undecided = self.judged.undecided().map(|why| {
            serde_json::json!({
                "limit": match why.limit {
                    Limit::Steps(_) => "steps",
                    Limit::Time(_) => "time",
                },
                "key": why.key,
                "message": why.message,
            })
        });
        let verdict = match self.judged.status() {
            Status::Met => "linearizable",
            Status::NotMet => "not-linearizable",
            _ => "undecided",
        };
        if let Some(doc) = doc.as_object_mut() {
            doc.insert("verdict".into(), verdict.into());
            doc.insert("refuted_key".into(), self.judged.refuted_key().into());
            doc.insert("refutation".into(), refutation.into());
            doc.insert("undecided".into(), undecided.into());
        }
        outln(&serde_json::to_string_pretty(&doc).unwrap_or_default());
    }
}

/// Why the culprit may not end the smallest non-linearizable prefix.
fn not_smallest(why: &Explanation) -> String {
    if why.unjudged.is_empty() {
        "A shorter prefix of this key may already not be linearizable: the search for the \
         smallest ran out of its limits."
            .to_string()
    } else {
        format!(
            "Keys not judged up to this response within the limits (a smaller failing prefix \
             may end there): {}.",
            why.unjudged.join(", ")
        )
    }
}
