//! The summary of a sweep over seeds, built by folding per-seed results in any order (so it is
//! the same for any number of threads and its memory does not grow with the number of seeds),
//! and its rendering as a table for people.

use std::collections::BTreeMap;
use std::fmt::Write;

use serde::Serialize;
use sim_core::entropy::DetHasher;
use sim_core::{Outcome, RunReport};

/// What one seed contributes to a summary.
pub struct SeedResult<'a> {
    pub seed: u64,
    pub report: &'a RunReport,
}

/// Aggregates of a sweep.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    pub runs: u64,
    pub failed_runs: u64,
    /// Invariant name → number of runs that violated it.
    pub violations: BTreeMap<String, u64>,
    /// Invariant name → the smallest seed that violated it.
    pub first_seed_by_invariant: BTreeMap<String, u64>,
    pub first_failing_seed: Option<u64>,
    pub panics: u64,
    pub first_panic: Option<(u64, String)>,
    pub budget_exceeded: u64,
    pub first_budget_seed: Option<u64>,
    /// Sometimes-property name → number of runs that reached it.
    pub reached: BTreeMap<String, u64>,
    pub events: u64,
    pub messages: u64,
    /// Order-independent combination of every (seed, trace hash): equal for equal sweeps.
    pub sweep_hash: u64,
}

fn min_opt(a: Option<u64>, b: Option<u64>) -> Option<u64> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, None) => x,
        (None, y) => y,
    }
}

impl Tally {
    /// Adds one seed's result.
    pub fn add(&mut self, seed: u64, r: &RunReport) {
        self.runs += 1;
        self.events += r.stats.events;
        self.messages += r.stats.messages_sent;
        let mut h = DetHasher::default();
        h.mix(seed);
        h.mix(r.trace_hash);
        self.sweep_hash = self.sweep_hash.wrapping_add(std::hash::Hasher::finish(&h));
        for name in &r.reached {
            *self.reached.entry(name.clone()).or_insert(0) += 1;
        }
        if r.outcome.is_ok() {
            return;
        }
        self.failed_runs += 1;
        self.first_failing_seed = min_opt(self.first_failing_seed, Some(seed));
        for v in &r.violations {
            *self.violations.entry(v.property.clone()).or_insert(0) += 1;
            let first = self
                .first_seed_by_invariant
                .entry(v.property.clone())
                .or_insert(seed);
            *first = (*first).min(seed);
        }
        match &r.outcome {
            Outcome::Panicked { message, .. } => {
                self.panics += 1;
                if self.first_panic.as_ref().is_none_or(|(s, _)| seed < *s) {
                    self.first_panic = Some((seed, message.clone()));
                }
            }
            Outcome::BudgetExceeded { .. } => {
                self.budget_exceeded += 1;
                self.first_budget_seed = min_opt(self.first_budget_seed, Some(seed));
            }
            _ => {}
        }
    }

    /// Combines two partial tallies (commutative and associative).
    pub fn merge(mut self, other: Tally) -> Tally {
        self.runs += other.runs;
        self.failed_runs += other.failed_runs;
        self.events += other.events;
        self.messages += other.messages;
        self.sweep_hash = self.sweep_hash.wrapping_add(other.sweep_hash);
        for (k, v) in other.violations {
            *self.violations.entry(k).or_insert(0) += v;
        }
        for (k, s) in other.first_seed_by_invariant {
            let e = self.first_seed_by_invariant.entry(k).or_insert(s);
            *e = (*e).min(s);
        }
        for (k, v) in other.reached {
            *self.reached.entry(k).or_insert(0) += v;
        }
        self.first_failing_seed = min_opt(self.first_failing_seed, other.first_failing_seed);
        self.panics += other.panics;
        self.first_panic = match (self.first_panic, other.first_panic) {
            (Some(a), Some(b)) => Some(if a.0 <= b.0 { a } else { b }),
            (a, b) => a.or(b),
        };
        self.budget_exceeded += other.budget_exceeded;
        self.first_budget_seed = min_opt(self.first_budget_seed, other.first_budget_seed);
        self
    }
}

/// One scenario's line in a sweep report.
#[derive(Clone, Debug, Serialize)]
pub struct ScenarioSummary {
    pub name: String,
    pub file: String,
    pub protocol: String,
    pub seed_start: u64,
    pub seeds: u64,
    pub runs: u64,
    pub failed_runs: u64,
    pub violations: BTreeMap<String, u64>,
    pub first_failing_seed: Option<u64>,
    pub first_failing_seed_by_invariant: BTreeMap<String, u64>,
    pub panics: u64,
    pub budget_exceeded: u64,
    pub sometimes_reached: BTreeMap<String, u64>,
    /// "pass" or {"violation": name}.
    pub expect: serde_json::Value,
    /// Whether the expectation was met.
    pub ok: bool,
    /// Why not, in words (empty when ok).
    pub verdict: String,
    /// The seed worth replaying: the first to show the expected violation, else the first
    /// failing one.
    pub replay_seed: Option<u64>,
    /// The command that replays it.
    pub replay: Option<String>,
    pub events: u64,
    pub sweep_hash: String,
    /// Wall time of the sweep; the only field that differs between identical sweeps.
    pub elapsed_ms: u64,
}

fn violations_text(v: &BTreeMap<String, u64>) -> String {
    if v.is_empty() {
        return "-".to_string();
    }
    v.iter()
        .map(|(k, n)| format!("{k}: {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn expect_text(e: &serde_json::Value) -> String {
    match e {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Object(o) => o
            .get("violation")
            .and_then(|v| v.as_str())
            .map(|v| format!("violation {v}"))
            .unwrap_or_default(),
        _ => String::new(),
    }
}

/// The sweep table for a terminal.
pub fn render_table(summaries: &[ScenarioSummary], color: bool) -> String {
    let paint = |code: &str, t: String| {
        if color {
            format!("\x1b[{code}m{t}\x1b[0m")
        } else {
            t
        }
    };
    let rows: Vec<[String; 7]> = summaries
        .iter()
        .map(|s| {
            [
                s.name.clone(),
                s.protocol.clone(),
                s.runs.to_string(),
                s.failed_runs.to_string(),
                violations_text(&s.violations),
                s.first_failing_seed
                    .map_or("-".to_string(), |x| x.to_string()),
                expect_text(&s.expect),
            ]
        })
        .collect();
    let headers = [
        "scenario",
        "protocol",
        "runs",
        "failed",
        "violations",
        "first failing seed",
        "expect",
    ];
    let mut widths: Vec<usize> = headers.iter().map(|h| h.len()).collect();
    for r in &rows {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let mut out = String::new();
    let line = |cells: Vec<String>| {
        cells
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(i, (c, w))| {
                if (2..=3).contains(&i) {
                    format!("{c:>w$}")
                } else {
                    format!("{c:<w$}")
                }
            })
            .collect::<Vec<_>>()
            .join("  ")
    };
    let _ = writeln!(
        out,
        "{}  result",
        line(headers.iter().map(|h| h.to_string()).collect())
    );
    for (s, r) in summaries.iter().zip(rows) {
        let result = if s.ok {
            paint("32", "ok".to_string())
        } else {
            paint("1;31", "NOT MET".to_string())
        };
        let _ = writeln!(out, "{}  {result}", line(r.to_vec()));
        if !s.ok {
            let _ = writeln!(out, "  {}", paint("31", s.verdict.clone()));
        }
        if let Some(cmd) = &s.replay {
            let _ = writeln!(out, "  replay: {cmd}");
        }
    }
    let unmet = summaries.iter().filter(|s| !s.ok).count();
    let _ = if unmet == 0 {
        writeln!(
            out,
            "{} scenario(s), every expectation met",
            summaries.len()
        )
    } else {
        writeln!(
            out,
            "{unmet} of {} scenario(s) did not meet their expectation",
            summaries.len()
        )
    };
    out
}
