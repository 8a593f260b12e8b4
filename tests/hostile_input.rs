//! Input a new user (or a fuzzer) might give: values at and past every limit, tables written
//! as arrays, look-alike spaces, huge values. Each is either rejected when the file is read,
//! with the file, line and key and the accepted range, or runs without a panic.

use std::path::Path;

use ftsim::api::FaultSpec;
use ftsim::api::{Duration, Time};
use ftsim::runner::scenario::{parse, MAX_DURATION, MAX_FAULTS};
use ftsim::runner::{Catalog, RunOptions, Scenario, ScenarioError};

const BASE: &str = r#"
name = "t"
protocol = "paxos"
nodes = 3
seeds = { count = 4 }
expect = "pass"
duration = "100ms"
"#;

fn catalog() -> Catalog {
    ftsim::catalog(&[]).expect("the bundled catalogue is valid")
}

fn load(text: &str) -> Result<Scenario, ScenarioError> {
    parse(Path::new("x.toml"), text, &catalog())
}

/// The error of `BASE` with `extra` appended; it must name `key`.
fn rejected(extra: &str, key: &str) -> ScenarioError {
    let text = format!("{BASE}{extra}");
    let e = match load(&text) {
        Ok(_) => panic!("accepted:\n{text}"),
        Err(e) => e,
    };
    assert_eq!(e.key.as_deref(), Some(key), "{extra}: {e}");
    assert!(e.line.is_some(), "{extra}: no line in {e}");
    for rust in [
        "u64", "u32", "usize", "f64", "struct", "Raw", "sequence", " map",
    ] {
        assert!(!e.message.contains(rust), "{extra}: Rust words in {e}");
    }
    e
}

#[test]
fn durations_past_the_limit_are_rejected_with_the_range() {
    let huge = "\"18446744073709551615ns\"";
    let cases = [
        (
            format!("[faults]\ncrashes = {{ max = 1, between = [\"0ms\", \"10ms\"], recover_after = [\"1ms\", {huge}] }}"),
            "faults.crashes.recover_after[1]",
        ),
        (format!("settle = {huge}"), "settle"),
        (format!("[network]\nsend_gap = {huge}"), "network.send_gap"),
        (format!("[network]\ndelay = [\"1ms\", {huge}]"), "network.delay[1]"),
        (
            format!("[network]\ndelay = {{ min = \"1ms\", mean = {huge} }}"),
            "network.delay.mean",
        ),
        (
            format!("[detector]\nkind = \"perfect\"\ndelay = {huge}"),
            "detector.delay",
        ),
        (
            format!("[faults]\npartitions = {{ max = 1, between = [\"0ms\", \"1ms\"], lasting = [\"1ms\", {huge}] }}"),
            "faults.partitions.lasting[1]",
        ),
        (
            format!("[faults]\nintermittent = {{ times = [1, 2], between = [\"0ms\", \"1ms\"], down = [\"1ms\", {huge}], up = [\"1ms\", \"2ms\"] }}"),
            "faults.intermittent.down[1]",
        ),
        (
            format!("[[faults.schedule]]\ncrash = 0\nafter_sends = 2\nrecover_after = {huge}"),
            "faults.schedule[0].recover_after",
        ),
        (
            "[faults]\nclocks = { offset = [\"-2000000s\", \"1ms\"] }".to_string(),
            "faults.clocks.offset[0]",
        ),
    ];
    for (extra, key) in &cases {
        let e = rejected(extra, key);
        assert!(
            e.message.contains("1000000s"),
            "{key}: no accepted range in {e}"
        );
    }
}

#[test]
fn fault_counts_past_the_limit_are_rejected() {
    let e = rejected(
        "[faults]\npartitions = { max = 4294967295, between = [\"0ms\", \"10ms\"], lasting = [\"1ms\", \"2ms\"] }",
        "faults.partitions.max",
    );
    assert!(e.message.contains(&format!("0 to {MAX_FAULTS}")), "{e}");
    rejected(
        "[faults]\nintermittent = { times = [1, 4294967295], between = [\"0ms\", \"1ms\"], down = [\"1ms\", \"2ms\"], up = [\"1ms\", \"2ms\"] }",
        "faults.intermittent.times[1]",
    );
    rejected(
        "[detector]\nkind = \"eventually_perfect\"\ndelay = \"1ms\"\nstabilize_at = \"50ms\"\nmistakes = 4294967295",
        "detector.mistakes",
    );
    assert!(load(BASE).is_ok(), "the base file is good");
}

#[test]
fn tables_written_as_arrays_are_not_read_by_position() {
    let e = rejected_whole("seeds = { count = 4 }", "seeds = [0, 3]", "seeds");
    assert!(e.message.contains("a table with keys start, count"), "{e}");
    let e = rejected("network = [[\"1ms\", \"5ms\"], 0.5]", "network");
    assert!(e.message.contains("not read by position"), "{e}");
    rejected("faults = [[0, 1, [\"0ms\", \"1ms\"]]]", "faults");
    rejected(
        "[faults]\ncrashes = [[1, 1, [\"0ms\", \"1ms\"]]]",
        "faults.crashes[0]",
    );
    rejected(
        "[[faults.schedule]]\nat = \"1ms\"\none_way = [[0], [1]]",
        "faults.schedule[0].one_way",
    );
}

/// `BASE` with `from` replaced by `to` must be rejected on `key`.
fn rejected_whole(from: &str, to: &str, key: &str) -> ScenarioError {
    let text = BASE.replacen(from, to, 1);
    let e = load(&text)
        .err()
        .unwrap_or_else(|| panic!("accepted:\n{text}"));
    assert_eq!(e.key.as_deref(), Some(key), "{e}");
    e
}

/// A name or description is printed as it is, to terminals and into reports: an escape
/// sequence, a bell or a direction override in it is an error; a description's line breaks
/// are not.
#[test]
fn names_that_would_rewrite_a_terminal_are_rejected() {
    // As TOML writes them: escapes in a basic string.
    for (bad, what) in [
        ("\\u001b[31mRED", "the control character U+001B"),
        ("ring\\u0007", "the control character U+0007"),
        ("\\u202elive", "the direction override U+202E"),
    ] {
        let e = rejected_whole("name = \"t\"", &format!("name = \"{bad}\""), "name");
        assert!(e.message.contains(what), "{e}");
    }
    let e = rejected("description = \"a\\u001bb\"", "description");
    assert!(e.message.contains("U+001B"), "{e}");
    let lines = format!("{BASE}description = \"\"\"\none\n\ttwo\n\"\"\"\n");
    assert!(
        load(&lines).is_ok(),
        "line breaks and tabs in a description"
    );
}

#[test]
fn look_alike_spaces_are_rejected_with_a_hint() {
    for (space, name) in [('\u{a0}', "non-breaking space"), ('\t', "tab")] {
        let e = rejected(
            &format!("[network]\ndelay = \"1{space}ms\""),
            "network.delay",
        );
        assert!(e.message.contains(name), "{e}");
        assert!(e.message.contains("\"1ms\""), "{e}");
    }
    // Through serde's path too (a typed duration key).
    let e = rejected("settle = \"5\u{a0}ms\"", "settle");
    assert!(e.message.contains("non-breaking space"), "{e}");
}

#[test]
fn messages_use_the_formats_words_and_clip_huge_values() {
    let e = rejected_whole("count = 4", "count = \"x\"", "seeds.count");
    assert!(
        e.message.ends_with("expected a whole number, found \"x\""),
        "{e}"
    );
    let e = rejected_whole("count = 4", "count = -1", "seeds.count");
    assert!(
        e.message
            .contains("expected a whole number from 0 to 18446744073709551615"),
        "{e}"
    );
    let e = rejected_whole("count = 4", "start = 1", "seeds.count");
    assert!(e.message.contains("missing"), "{e}");
    let e = rejected("[detector]\nkind = \"perfect\"", "detector.delay");
    assert!(e.message.contains("missing"), "{e}");
    let e = rejected(
        "[detector]\nkind = \"perfect\"\ndelay = 5",
        "detector.delay",
    );
    assert!(e.message.contains("a duration such as \"10ms\""), "{e}");
    let big = "9".repeat(10 << 20);
    let e = rejected(&format!("[network]\ndelay = \"{big}ms\""), "network.delay");
    let shown = e.to_string();
    assert!(shown.len() < 1_000, "{} bytes", shown.len());
    assert!(shown.contains("… (10 MB)"), "{shown}");
    let e = rejected(&format!("[params]\nmode = \"{big}\""), "params.mode");
    assert!(e.to_string().len() < 2_000, "{} bytes", e.to_string().len());
}

#[test]
fn the_byzantine_count_is_blamed_when_crashes_leave_too_few_nodes() {
    let text = r#"
name = "t"
protocol = "byzantine"
nodes = 7
seeds = { count = 4 }
expect = "pass"
[params]
m = 2
[faults]
crashes = { max = 2, between = ["0ms", "10ms"] }
byzantine = { count = 6 }
"#;
    let e = load(text).err().expect("rejected");
    assert_eq!(e.key.as_deref(), Some("faults.byzantine.count"), "{e}");
    assert!(e.message.contains("faults.crashes.max"), "{e}");
    assert!(e.message.contains("at most 5"), "{e}");
}

#[test]
fn values_at_the_limits_run_without_a_panic() {
    let max = MAX_DURATION.to_string();
    let text = format!(
        "{BASE}settle = \"{max}\"\nmax_events = 20000\n[network]\ndelay = [\"0ms\", \"{max}\"]\n\
         [faults]\ncrashes = {{ max = 1, between = [\"0ms\", \"99ms\"], recover_after = [\"0ms\", \"{max}\"] }}\n\
         partitions = {{ max = {MAX_FAULTS}, between = [\"0ms\", \"99ms\"], lasting = [\"0ms\", \"{max}\"] }}\n"
    );
    let s = load(&text).unwrap_or_else(|e| panic!("{e}"));
    for seed in 0..4 {
        let report = s.simulation.run(seed, RunOptions::default());
        assert!(
            !matches!(report.outcome, ftsim::api::Outcome::Panicked { .. }),
            "seed {seed}: {:?}",
            report.outcome
        );
    }
}

#[test]
fn the_engine_draws_from_windows_as_wide_as_u64_without_overflow() {
    use ftsim::api::sim_core::faults::{CrashSpec, PartitionSpec};
    let spec = FaultSpec {
        crashes: vec![CrashSpec {
            recover_after: Some([Duration(0), Duration(u64::MAX)]),
            ..CrashSpec::exactly(1, [Time(0), Time(u64::MAX)])
        }],
        partitions: Some(PartitionSpec {
            max: 3,
            between: [Time(u64::MAX - 1), Time(u64::MAX)],
            lasting: [Duration(u64::MAX), Duration(u64::MAX)],
            ..PartitionSpec::default()
        }),
        ..FaultSpec::default()
    };
    for seed in 0..50 {
        let plan = spec.plan_for(3, seed, &Default::default());
        assert!(plan.events.iter().all(|e| e.at <= Time::MAX));
    }
}
