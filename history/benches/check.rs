//! `ftsim history`'s checker on generated key-value histories: 10 keys, 50 clients (5 per
//! key), 1,000 operations per key (10,000 in all), half of them writes; linearizable, and the
//! same with one late read on key 3 made stale. Each history is written as a JSON-lines file
//! (the format `ftsim history` reads, docs/json.md) under `target/history-bench/`, so that
//! another checker can be run on the very same files; then read, built and checked on one and
//! on two threads, explained and the verdict alone (`--verdict-only`).
//!
//! `cargo bench -p ftsim-history --bench check` (add a number to repeat each measurement that
//! many times; default 5). Prints the median wall-clock time of each.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use ftsim_api::properties::linearizability::generate::{
    register_history, with_stale_read, RegisterHistory,
};
use ftsim_api::properties::linearizability::{
    check_with, decide_with, Decision, Limits, RegisterOp, RegisterOutput, Verdict,
};
use ftsim_history::{build, read, FileModel, Format, ModelKind, Value};

const KEYS: u64 = 10;
const CLIENTS_PER_KEY: usize = 5;
const OPS_PER_KEY: usize = 1_000;
const BROKEN_KEY: u64 = 3;

/// One key's register history per key; key 3's broken if `broken`.
fn histories(broken: bool) -> Vec<RegisterHistory> {
    (0..KEYS)
        .map(|key| {
            let h = register_history(1000 + key, CLIENTS_PER_KEY, OPS_PER_KEY, 50);
            match with_stale_read(&h) {
                Some((bad, _)) if broken && key == BROKEN_KEY => bad,
                _ => h,
            }
        })
        .collect()
}

/// The histories as one JSON-lines file: `[key value]` tuples, processes numbered apart per
/// key, invocations and responses merged by time (each key's own order kept).
fn to_json_lines(histories: &[RegisterHistory]) -> String {
    // (time, key, event, line)
    let mut lines: Vec<(u64, u64, u64, String)> = Vec::new();
    for (key, h) in histories.iter().enumerate() {
        let key = key as u64;
        for op in h.ops() {
            let process = key as usize * CLIENTS_PER_KEY + op.client;
            let (f, invoked_value) = match op.input {
                RegisterOp::Read => ("read", "null".to_string()),
                RegisterOp::Write(v) => ("write", v.to_string()),
            };
            let line = |kind: &str, value: &str| {
                format!(
                    r#"{{"process": {process}, "type": "{kind}", "f": "{f}", "value": [{key}, {value}]}}"#
                )
            };
            lines.push((
                op.invoked.time.0,
                key,
                op.invoked.event,
                line("invoke", &invoked_value),
            ));
            if let (Some(out), Some(at)) = (&op.output, op.returned) {
                let value = match out {
                    RegisterOutput::Value(v) => v.to_string(),
                    RegisterOutput::Written => invoked_value.clone(),
                };
                lines.push((at.time.0, key, at.event, line("ok", &value)));
            }
        }
    }
    lines.sort();
    let mut text = String::new();
    for (_, _, _, line) in lines {
        let _ = writeln!(text, "{line}");
    }
    text
}

fn median(mut xs: Vec<Duration>) -> Duration {
    xs.sort();
    xs[xs.len() / 2]
}

/// Reads, builds and checks `path` on `threads` threads, explained or (`explain` false) the
/// verdict alone; the verdict's name and the time.
#[allow(clippy::disallowed_methods)] // wall-clock time measures the benchmark, not a run
fn check_file(path: &Path, threads: usize, explain: bool) -> (&'static str, Duration) {
    let started = Instant::now();
    let text = std::fs::read_to_string(path).expect("the file just written");
    let records = read(&text, Format::Json).expect("a well-formed file");
    // The generated registers start at 0.
    let model = FileModel {
        independent: true,
        initial: Value::Int(0),
        ..FileModel::new(ModelKind::Register)
    };
    let built = build(&records, &model).expect("a well-formed history");
    let limits = Limits {
        threads,
        ..Limits::default()
    };
    let verdict = if explain {
        match check_with(&model, &built.history, limits) {
            Verdict::Linearizable => "linearizable",
            Verdict::NotLinearizable(_) => "not linearizable",
            Verdict::Undecided(_) => "undecided",
        }
    } else {
        match decide_with(&model, &built.history, limits) {
            Decision::Linearizable => "linearizable",
            Decision::NotLinearizable { .. } => "not linearizable",
            Decision::Undecided(_) => "undecided",
        }
    };
    (verdict, started.elapsed())
}

fn main() {
    let repeat: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(5);
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/history-bench");
    std::fs::create_dir_all(&dir).expect("a directory for the files");
    println!(
        "{} keys, {} clients, {} operations; median of {repeat} runs",
        KEYS,
        KEYS as usize * CLIENTS_PER_KEY,
        KEYS as usize * OPS_PER_KEY
    );
    for (name, broken) in [("kv-ok", false), ("kv-stale", true)] {
        let path = dir.join(format!("{name}.jsonl"));
        std::fs::write(&path, to_json_lines(&histories(broken))).expect("the file written");
        let file = path.display().to_string();
        let file = file.rsplit('/').next().unwrap_or_default().to_string();
        for (threads, explain) in [(1, true), (2, true), (1, false), (2, false)] {
            let runs: Vec<(&str, Duration)> = (0..repeat)
                .map(|_| check_file(&path, threads, explain))
                .collect();
            let verdict = runs[0].0;
            let time = median(runs.into_iter().map(|r| r.1).collect());
            let mode = if explain { "explained" } else { "verdict only" };
            println!(
                "{file:<16} {threads} thread(s), {mode:<12}: {verdict:<17} {:>9.1} ms",
                time.as_secs_f64() * 1e3
            );
        }
    }
    println!("files: {}", dir.display());
}
