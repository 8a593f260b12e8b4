//! ftsim's explorer and stateright's BFS checker on the same abstract models, side by side:
//! unique states, depth, seconds, unique states per second and peak memory. Each (model, tool)
//! runs in a fresh child process of this binary, so its peak resident memory (`VmHWM`) is its
//! own.
//!
//! ```text
//! cargo run --release                          # the table: TwoPhase 7 and 8 RMs, Paxos
//! cargo run --release -- twophase-5 paxos-3    # chosen models
//! ```
//!
//! Models: `twophase-N` (the TLA+ TwoPhase spec with N RMs: ftsim's `two-phase-tla`, a
//! stateright `Model` written from the spec) and `paxos-3` (3 servers, 2 clients: ftsim's
//! `paxos-abstract`, a stateright actor model of the same spec). Both tools search
//! breadth-first on one thread.

mod ftsim_side;
mod paxos;
mod twophase;

use std::process::Command;
use std::time::Instant;

use stateright::{Checker, Model};

const DEFAULT_MODELS: [&str; 3] = ["twophase-7", "twophase-8", "paxos-3"];
const TOOLS: [&str; 2] = ["stateright", "ftsim"];

/// One search's figures.
struct Figures {
    unique: u64,
    /// Steps from the initial state to the farthest state.
    depth: u64,
    seconds: f64,
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let [flag, model, tool] = args.as_slice() {
        if flag == "--child" {
            child(model, tool);
            return;
        }
    }
    if let Some(bad) = args.iter().find(|m| parse(m).is_none()) {
        eprintln!("stateright-compare: unknown model {bad:?} (expected twophase-N or paxos-3)");
        std::process::exit(2);
    }
    let models: Vec<&str> = if args.is_empty() {
        DEFAULT_MODELS.to_vec()
    } else {
        args.iter().map(String::as_str).collect()
    };
    println!(
        "{:<11} {:<10} {:>10} {:>5} {:>8} {:>11} {:>9}",
        "model", "tool", "unique", "depth", "seconds", "unique/s", "peak MB"
    );
    for model in models {
        for tool in TOOLS {
            println!("{}", run_child(model, tool));
        }
    }
}

/// A model by name: `Twophase(rms)` or `Paxos(servers)`.
enum Case {
    Twophase(usize),
    Paxos(usize),
}

fn parse(name: &str) -> Option<Case> {
    if let Some(rms) = name.strip_prefix("twophase-") {
        return rms
            .parse()
            .ok()
            .filter(|&r| (1..=16).contains(&r))
            .map(Case::Twophase);
    }
    (name == "paxos-3").then_some(Case::Paxos(3))
}

/// Runs one (model, tool) in a fresh process and formats its line of the table.
fn run_child(model: &str, tool: &str) -> String {
    let exe = std::env::current_exe().expect("the path of this binary");
    let out = Command::new(exe)
        .args(["--child", model, tool])
        .output()
        .expect("the child runs");
    let text = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        return format!("{model:<11} {tool:<10} failed: {}", err.trim());
    }
    let field = |key: &str| -> f64 {
        (text.split_whitespace())
            .find_map(|kv| kv.strip_prefix(key)?.strip_prefix('=')?.parse().ok())
            .unwrap_or(f64::NAN)
    };
    let (unique, seconds) = (field("unique"), field("seconds"));
    format!(
        "{model:<11} {tool:<10} {:>10} {:>5} {:>8.2} {:>11.0} {:>9.0}",
        unique,
        field("depth"),
        seconds,
        unique / seconds.max(1e-9),
        field("peak_kb") / 1024.0
    )
}

/// In the child: one search, its figures and this process's peak memory on stdout.
fn child(model: &str, tool: &str) {
    let case = parse(model).expect("a known model");
    let f = match (tool, case) {
        ("stateright", Case::Twophase(rms)) => stateright_bfs(twophase::TwoPhase { rms }),
        ("stateright", Case::Paxos(servers)) => stateright_bfs(paxos::model(servers, 2)),
        ("ftsim", Case::Twophase(rms)) => ftsim(|| ftsim_side::twophase(rms)),
        ("ftsim", Case::Paxos(servers)) => ftsim(|| ftsim_side::paxos(servers, 2)),
        _ => panic!("unknown tool {tool:?}"),
    };
    println!(
        "unique={} depth={} seconds={:.6} peak_kb={}",
        f.unique,
        f.depth,
        f.seconds,
        peak_kb()
    );
}

/// stateright's breadth-first checker on one thread; the model must be safe.
fn stateright_bfs<M>(model: M) -> Figures
where
    M: Model + Send + Sync + 'static,
    M::State: std::fmt::Debug + std::hash::Hash + Send + Sync + Clone + PartialEq + 'static,
    M::Action: std::fmt::Debug + Clone + PartialEq + Send + Sync + 'static,
{
    let started = stopwatch();
    let checker = model.checker().threads(1).spawn_bfs().join();
    let seconds = started.elapsed().as_secs_f64();
    checker.assert_properties();
    Figures {
        unique: checker.unique_state_count() as u64,
        // stateright counts the initial state as depth 1 (as TLC does).
        depth: checker.max_depth().saturating_sub(1) as u64,
        seconds,
    }
}

fn ftsim(search: impl FnOnce() -> ftsim_runner::explore::Report) -> Figures {
    let started = stopwatch();
    let report = search();
    Figures {
        unique: report.unique,
        depth: u64::from(report.depth),
        seconds: started.elapsed().as_secs_f64(),
    }
}

/// A wall clock for timing a search: a benchmark measures time, no run ever sees it.
#[allow(clippy::disallowed_methods)]
fn stopwatch() -> Instant {
    Instant::now()
}

/// This process's peak resident memory in kB (`VmHWM`; 0 where /proc is missing).
fn peak_kb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    (status.lines())
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}
