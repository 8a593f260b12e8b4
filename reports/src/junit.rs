//! A sweep as JUnit XML (`run --junit FILE`), the shape CI servers read: `<testsuites>`, one
//! `<testsuite>` per protocol, one `<testcase>` per scenario, and for a scenario whose
//! expectation was not met a `<failure>` naming the seed, the invariant and the replay command.
//! Everything from a scenario goes through [`xml_escape`].

use std::collections::BTreeMap;
use std::fmt::Write;

use ftsim_runner::sweep::ScenarioSummary;

/// `text` safe inside XML text and attribute values; characters XML 1.0 forbids (control
/// characters other than tab, newline and carriage return) become U+FFFD.
pub fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// Seconds, as JUnit's `time` attributes want them.
fn seconds(ms: u64) -> String {
    format!("{}.{:03}", ms / 1000, ms % 1000)
}

/// The invariant a failing scenario is about: the one it expected violated, else the first
/// (by name) violated inside the model, else the first outside it.
fn invariant(s: &ScenarioSummary) -> Option<&str> {
    s.expect
        .property()
        .or_else(|| s.violations.keys().next().map(String::as_str))
        .or_else(|| s.outside_violations.keys().next().map(String::as_str))
}

/// One scenario's `<testcase>`.
fn testcase(out: &mut String, s: &ScenarioSummary) {
    let _ = write!(
        out,
        "    <testcase classname=\"ftsim.{}\" name=\"{}\" file=\"{}\" time=\"{}\"",
        xml_escape(&s.protocol),
        xml_escape(&s.name),
        xml_escape(&s.file),
        seconds(s.elapsed_ms)
    );
    if s.ok {
        out.push_str("/>\n");
        return;
    }
    let mut body = Vec::new();
    if let Some(seed) = s.replay_seed {
        body.push(format!("seed: {seed}"));
    }
    if let Some(name) = invariant(s) {
        body.push(format!("invariant: {name}"));
    }
    if let Some(cmd) = &s.replay {
        body.push(format!("replay: {cmd}"));
    }
    body.push(format!("runs: {}, failed: {}", s.runs, s.failed_runs));
    let _ = write!(
        out,
        ">\n      <failure type=\"expectation not met\" message=\"{}\">{}</failure>\n    \
         </testcase>\n",
        xml_escape(&s.verdict),
        xml_escape(&body.join("\n"))
    );
}

/// The sweep as a JUnit XML document.
pub fn render(summaries: &[ScenarioSummary]) -> String {
    let mut suites: BTreeMap<&str, Vec<&ScenarioSummary>> = BTreeMap::new();
    for s in summaries {
        suites.entry(&s.protocol).or_default().push(s);
    }
    let failures = |ss: &[&ScenarioSummary]| ss.iter().filter(|s| !s.ok).count();
    let time = |ss: &[&ScenarioSummary]| seconds(ss.iter().map(|s| s.elapsed_ms).sum());
    let all: Vec<&ScenarioSummary> = summaries.iter().collect();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"ftsim\" tests=\"{}\" failures=\"{}\" errors=\"0\" time=\"{}\">",
        all.len(),
        failures(&all),
        time(&all)
    );
    for (protocol, cases) in &suites {
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"0\" \
             time=\"{}\">",
            xml_escape(protocol),
            cases.len(),
            failures(cases),
            time(cases)
        );
        for s in cases {
            testcase(&mut out, s);
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_control_characters() {
        assert_eq!(
            xml_escape("<a href=\"x\">&'\u{7}</a>"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&apos;\u{FFFD}&lt;/a&gt;"
        );
    }
}
