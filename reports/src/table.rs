//! The sweep table for a terminal, 80 columns wide: per scenario, one line with the result,
//! the name, the runs and the failing runs, then indented lines with the details (protocol,
//! expectation, violations by invariant, why it was not met, the command that replays the
//! seed worth looking at). Each scenario's lines stand alone, so the CLI prints them as the
//! scenario finishes.

use std::collections::BTreeMap;
use std::fmt::Write;

use ftsim_runner::sweep::ScenarioSummary;
use sim_core::Duration;

use crate::columns::{command_line, fits, pad, truncate, wrap, COLUMNS};

/// Where the result column ends ("NOT MET" and a space).
const RESULT_WIDTH: usize = 8;
/// The run counts on the right: "  1000000 runs  1000000 failed".
const COUNTS_WIDTH: usize = 30;
/// Room for the scenario's name.
const NAME_WIDTH: usize = COLUMNS - RESULT_WIDTH - COUNTS_WIDTH;
/// Indentation of the detail lines, and of their continuations.
const DETAIL_INDENT: usize = 4;

/// "agreement 412 (41.2%; seed 3: 13 events)": runs per invariant, their share of all runs,
/// and the shortest run to replay.
pub(crate) fn counts_text(runs: &BTreeMap<String, u64>, s: &ScenarioSummary) -> String {
    runs.iter()
        .map(|(name, &n)| count_text(name, n, s))
        .collect::<Vec<_>>()
        .join(", ")
}

/// One invariant's "agreement 412 (41.2%; seed 3: 13 events)".
pub(crate) fn count_text(name: &str, n: u64, s: &ScenarioSummary) -> String {
    let percent = n as f64 * 100.0 / s.runs.max(1) as f64;
    let seed = s.replay_seed_by_invariant.get(name);
    let events = s.replay_events_by_invariant.get(name);
    match (seed, events) {
        (Some(seed), Some(events)) => {
            format!("{name} {n} ({percent:.1}%; seed {seed}: {events} events)")
        }
        _ => format!("{name} {n} ({percent:.1}%)"),
    }
}

/// `v` to three significant digits (a percentile is a histogram bound, good to 6%).
fn round3(v: u64) -> u64 {
    let mut unit = 1;
    while v / unit >= 1000 {
        unit *= 10;
    }
    v.saturating_add(unit / 2) / unit * unit
}

/// "time to decide p50 3.1ms p99 7.9ms; 41.2 messages/run; writes answered 99.1%" (and
/// "3.4 messages/op" where each latency sample is an operation): the
/// protocol's figures, if it declares a metric.
pub(crate) fn figures_text(s: &ScenarioSummary) -> Option<String> {
    let mut parts = Vec::new();
    if let Some(l) = &s.latency {
        let ns = |v: Option<u64>| v.map_or("-".to_string(), |v| Duration(round3(v)).to_string());
        parts.push(format!(
            "{} p50 {} p99 {}",
            l.name,
            ns(l.p50_ns),
            ns(l.p99_ns)
        ));
    }
    if s.runs > 0 {
        parts.push(format!(
            "{:.1} messages/run",
            s.messages as f64 / s.runs as f64
        ));
    }
    if let Some(per_op) = (s.latency.as_ref()).and_then(|l| l.messages_per_operation(s.messages)) {
        parts.push(format!("{per_op:.1} messages/op"));
    }
    if let Some(a) = &s.availability {
        parts.push(format!("{} {:.1}%", a.name, a.percent()));
    }
    (!parts.is_empty()).then(|| parts.join("; "))
}

/// "sometimes reached: reboot-while-held 145": how many runs reached each `sometimes`
/// property (what the sweep covered), if the protocol tracks any.
pub(crate) fn reached_text(s: &ScenarioSummary) -> Option<String> {
    let reached: Vec<String> = (s.sometimes_reached.iter())
        .map(|(name, n)| format!("{name} {n}"))
        .collect();
    (!reached.is_empty()).then(|| format!("sometimes reached: {}", reached.join(", ")))
}

/// "faults: crash 500, recover 500": the faults the sweep made happen.
pub(crate) fn faults_text(s: &ScenarioSummary) -> String {
    if s.faults_fired.is_empty() {
        return "faults: none happened".to_string();
    }
    let fired: Vec<String> = (s.faults_fired.iter())
        .map(|(kind, n)| format!("{kind} {n}"))
        .collect();
    format!("faults: {}", fired.join(", "))
}

/// The detail sentences of one scenario, before wrapping.
fn details(s: &ScenarioSummary) -> Vec<String> {
    let mut lines = vec![format!("{}; expect {}", s.protocol, s.expect)];
    if !s.violations.is_empty() {
        lines.push(format!("violated: {}", counts_text(&s.violations, s)));
    }
    if !s.outside_violations.is_empty() {
        lines.push(format!(
            "outside the protocol's assumptions: {}",
            counts_text(&s.outside_violations, s)
        ));
    }
    if let Some(text) = figures_text(s) {
        lines.push(text);
    }
    lines.extend(reached_text(s));
    lines.push(faults_text(s));
    if let (Some(seed), Some(mix)) = (s.replay_seed, &s.swarm_mix) {
        lines.push(format!("swarm: seed {seed} drew {mix}"));
    }
    for why in &s.may_step_outside {
        lines.push(format!(
            "may step outside the protocol's assumptions: {why}"
        ));
    }
    if let Some(why) = &s.first_outside_reason {
        lines.push(format!(
            "{} run(s) failed only outside the assumptions (first: {why})",
            s.outside_runs
        ));
    }
    lines
}

/// One scenario as the table shows it: the line, then its details, each ending in a newline.
pub fn render_scenario(s: &ScenarioSummary, color: bool) -> String {
    let paint = |code: &str, t: &str| {
        if color {
            format!("\x1b[{code}m{t}\x1b[0m")
        } else {
            t.to_string()
        }
    };
    let result = if s.ok {
        paint("32", &format!("{:<RESULT_WIDTH$}", "ok"))
    } else {
        paint("1;31", &format!("{:<RESULT_WIDTH$}", "NOT MET"))
    };
    let name = pad(&truncate(&s.name, NAME_WIDTH), NAME_WIDTH);
    let mut out = format!(
        "{result}{name}{:>9} runs{:>9} failed\n",
        s.runs, s.failed_runs
    );
    let indent = " ".repeat(DETAIL_INDENT);
    for line in details(s) {
        let _ = writeln!(out, "{}", wrap(&indent, &line, DETAIL_INDENT));
    }
    if !s.ok {
        let text = wrap(&indent, &s.verdict, DETAIL_INDENT);
        let _ = writeln!(out, "{}", paint("31", &text));
    }
    if let Some(cmd) = &s.replay {
        out.push_str(&replay_lines(cmd));
    }
    out
}

/// "replay: COMMAND" on one line if it fits; else the command alone on the next line,
/// indented less if need be (`columns::command_line`). Never wrapped: a command is copied and
/// pasted whole.
fn replay_lines(cmd: &str) -> String {
    let indent = " ".repeat(DETAIL_INDENT);
    let one = format!("{indent}replay: {cmd}");
    if fits(&one) {
        return one + "\n";
    }
    format!("{indent}replay:\n{}", command_line(cmd, DETAIL_INDENT + 2))
}

/// The last line: how many scenarios met their expectation.
pub fn render_footer(summaries: &[ScenarioSummary]) -> String {
    let unmet = summaries.iter().filter(|s| !s.ok).count();
    if unmet == 0 {
        format!("{} scenario(s), every expectation met\n", summaries.len())
    } else {
        format!(
            "{unmet} of {} scenario(s) did not meet their expectation\n",
            summaries.len()
        )
    }
}

/// The whole table: every scenario, then the footer.
pub fn render_table(summaries: &[ScenarioSummary], color: bool) -> String {
    let mut out: String = summaries
        .iter()
        .map(|s| render_scenario(s, color))
        .collect();
    out.push_str(&render_footer(summaries));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::columns::width;
    use ftsim_runner::Expect;

    fn summary(name: &str, ok: bool) -> ScenarioSummary {
        let long = "a-property-with-a-rather-long-name-that-goes-on".to_string();
        // A command is never wrapped: with a long name, its file makes it longer than a line.
        let file = format!("scenarios/{}.toml", truncate(name, 70));
        ScenarioSummary {
            name: name.to_string(),
            file: file.clone(),
            protocol: "primary-backup".into(),
            point: None,
            seed_start: 0,
            seeds: 1_000_000,
            runs: 1_000_000,
            failed_runs: 999_999,
            violations: [(long.clone(), 999_999), ("agreement".into(), 3)].into(),
            first_failing_seed: Some(12),
            first_failing_seed_by_invariant: [(long.clone(), 12)].into(),
            outside_runs: 40,
            outside_violations: [(long.clone(), 40)].into(),
            first_outside_seed_by_invariant: [(long.clone(), 77)].into(),
            replay_seed_by_invariant: [(long.clone(), 12)].into(),
            replay_events_by_invariant: [(long.clone(), 130)].into(),
            first_outside_reason: Some("node 2 crashed while the model allows one crash".into()),
            may_step_outside: vec!["`crashes.count = 3` allows more crashes than the \
                                    protocol tolerates (1)"
                .into()],
            panics: 0,
            budget_exceeded: 0,
            sometimes_reached: Default::default(),
            expect: Expect::Violation(long),
            ok,
            verdict: if ok { String::new() } else { "x ".repeat(90) },
            replay_seed: Some(12),
            swarm: false,
            swarm_mix: None,
            replay: Some(format!("ftsim replay {file} --seed 12")),
            events: 1,
            messages: 1,
            faults_fired: Default::default(),
            nondeterministic_runs: 0,
            latency: None,
            availability: None,
            sweep_hash: "0".into(),
            elapsed_ms: 1,
            tally: Default::default(),
        }
    }

    #[test]
    fn every_line_fits_80_columns() {
        let summaries = [
            summary("short", true),
            summary(&"a-very-long-scenario-name-".repeat(4), false),
        ];
        for color in [false, true] {
            let table = render_table(&summaries, color);
            let plain = table.replace("\x1b[32m", "").replace("\x1b[1;31m", "");
            let plain = plain.replace("\x1b[31m", "").replace("\x1b[0m", "");
            for line in plain
                .lines()
                .filter(|l| !l.trim_start().starts_with("ftsim "))
            {
                assert!(width(line) <= COLUMNS, "too wide: {line:?}");
            }
            let long = &summaries[1];
            let command = long.replay.as_deref().unwrap();
            assert!(width(command) > COLUMNS, "the test needs a long command");
            assert!(plain.lines().any(|l| l == command), "not whole: {plain}");
            assert!(plain.contains("a-very-long-scenario-name-a-very-long-sce…"));
            assert!(plain.contains("1 of 2 scenario(s) did not meet"));
        }
    }

    #[test]
    fn a_scenario_line_has_result_name_runs_and_failures() {
        let text = render_scenario(&summary("short", true), false);
        let first = text.lines().next().unwrap();
        assert!(first.starts_with("ok      short "), "{first}");
        assert!(first.ends_with("1000000 runs   999999 failed"), "{first}");
        assert!(text.contains("    replay: ftsim replay scenarios/short.toml --seed 12"));
    }
}
