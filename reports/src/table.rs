//! The sweep table for a terminal: one line per scenario, its verdict, and the command that
//! replays the seed worth looking at.

use std::collections::BTreeMap;
use std::fmt::Write;

use ftsim_api::sweep::ScenarioSummary;

fn violations_text(v: &BTreeMap<String, u64>) -> String {
    if v.is_empty() {
        return "-".to_string();
    }
    v.iter()
        .map(|(k, n)| format!("{k}: {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Violations inside the protocol's model, then those outside it.
fn violations_cell(s: &ScenarioSummary) -> String {
    match (s.violations.is_empty(), s.outside_violations.is_empty()) {
        (_, true) => violations_text(&s.violations),
        (true, false) => format!("outside: {}", violations_text(&s.outside_violations)),
        (false, false) => format!(
            "{}; outside: {}",
            violations_text(&s.violations),
            violations_text(&s.outside_violations)
        ),
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
                violations_cell(s),
                s.replay_seed.map_or("-".to_string(), |x| x.to_string()),
                s.expect.to_string(),
            ]
        })
        .collect();
    let headers = [
        "scenario",
        "protocol",
        "runs",
        "failed",
        "violations",
        "replay seed",
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
        for why in &s.may_step_outside {
            let _ = writeln!(out, "  may step outside the protocol's assumptions: {why}");
        }
        if let Some(why) = &s.first_outside_reason {
            let _ = writeln!(
                out,
                "  {} run(s) failed outside the protocol's assumptions (first: {why})",
                s.outside_runs
            );
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
