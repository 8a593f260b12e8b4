//! What the process boundary costs a step: echo steps per second through a node program on
//! one core (a compiled node, the Python, JavaScript and Go libraries), against the same
//! step without a process (the input line written, parsed as the node would, the answer
//! written and read back as ftsim reads it).
//!
//! ```text
//! cargo build --release -p ftsim-external --example echo_node
//! cargo bench -p ftsim-external --bench boundary
//! ```
//!
//! Each figure is the median of five batches; the machine is shared, so compare figures of one
//! run only.
#![allow(clippy::disallowed_methods)] // wall-clock time measures the benchmark, not a run

use std::path::Path;
use std::time::Instant;

use ftsim_api::command::Command;
use ftsim_external::program::{Limits, Program};
use ftsim_external::wire::{self, parse_output, InitExtension, Output};
use serde_json::{json, Value};

const BATCHES: usize = 5;

fn echo_line(i: u64) -> String {
    let body = format!("{{\"echo\":\"c1 #{i} 981939\",\"msg_id\":{i},\"type\":\"echo\"}}");
    wire::message_line("c1", "n0", &body, i * 1000)
}

/// Steps per second of `steps` echo steps through `command`, median of the batches.
fn through(command: &str, steps: u64) -> Option<f64> {
    let command = Command::parse(command).ok()?;
    let mut program = Program::spawn(&command).ok()?;
    let storage = Default::default();
    let ext = InitExtension {
        seed: 1,
        recovered: false,
        storage: &storage,
        params: &json!({}),
    };
    let limits = Limits::default();
    let mut out = Vec::new();
    let init = wire::init_line("n0", &["n0".into()], 0, &ext);
    program.step(&init, &mut out, &limits).ok()?;
    let mut rates = Vec::new();
    for _ in 0..BATCHES {
        let start = Instant::now();
        for i in 0..steps {
            program.step(&echo_line(i), &mut out, &limits).ok()?;
            assert!(matches!(out.first(), Some(Output::Send { .. })));
        }
        rates.push(steps as f64 / start.elapsed().as_secs_f64());
    }
    Some(median(rates))
}

/// The same step in process: the line written and parsed, the answer built, written and read.
fn in_process(steps: u64) -> f64 {
    let mut rates = Vec::new();
    for _ in 0..BATCHES {
        let start = Instant::now();
        for i in 0..steps {
            let line = echo_line(i);
            let input: Value = serde_json::from_str(&line).unwrap();
            let body = &input["body"];
            let reply = json!({"src": "n0", "dest": input["src"],
                "body": {"type": "echo_ok", "echo": body["echo"], "in_reply_to": body["msg_id"]}});
            let text = reply.to_string();
            let output = parse_output(&text).unwrap();
            assert!(matches!(output, Output::Send { .. }));
            assert_eq!(parse_output("{\"ftsim\":\"done\"}").unwrap(), Output::Done);
        }
        rates.push(steps as f64 / start.elapsed().as_secs_f64());
    }
    median(rates)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let compiled = std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.parent()?.join("examples/echo_node")))
        .filter(|p| p.is_file());
    let python = root.join("examples/external/python/echo.py");
    let js = root.join("examples/external/js/echo.js");
    let go = root.join("examples/external/go/run.sh");
    println!("echo steps per second, one node program, median of {BATCHES} batches");
    let base = in_process(200_000);
    println!("  {:<34} {:>10.0}", "in process (no program)", base);
    let nodes = [
        (
            "compiled (examples/echo_node.rs)",
            compiled.map(|p| p.display().to_string()),
            100_000,
        ),
        (
            "python3 (ftsim_node.py)",
            Some(format!("python3 {}", python.display())),
            20_000,
        ),
        (
            "node (ftsim_node.js)",
            Some(format!("node {}", js.display())),
            20_000,
        ),
        (
            "go (libraries/go, run.sh)",
            Some(format!("sh {} echo", go.display())),
            50_000,
        ),
    ];
    for (name, command, steps) in nodes {
        let rate = command.and_then(|c| through(&c, steps));
        match rate {
            Some(rate) => println!(
                "  {name:<34} {rate:>10.0}  ({:.1} µs a step more than in process)",
                (1e6 / rate - 1e6 / base).max(0.0)
            ),
            None => println!("  {name:<34} {:>10}  (not built or not installed)", "-"),
        }
    }
}
