//! `ftsim explore`: a search over a scenario's states instead of its seeds (see
//! `ftsim_api::explore`), judged against the scenario's `expect` like a sweep: a scenario that
//! expects a violation is met when the search finds one, a passing one when the search visits
//! every reachable state and finds none.

use std::path::Path;

use ftsim_api::explore::{End, Limits, Progress, Report};
use ftsim_api::{Duration, Expect, Scenario, ScenarioError};

use super::error::{CliError, Status};
use super::load::load_all;
use super::output::{out, outln, stopwatch, wrapped};
use super::App;

/// How `explore` searches.
#[derive(Clone, Copy, clap::ValueEnum, PartialEq, Eq, Debug)]
pub enum Strategy {
    /// Breadth-first over every reachable state, deduplicated by fingerprint: a complete
    /// verdict, and the shortest counterexample
    Exhaustive,
}

/// What `ftsim explore` was asked to do.
pub struct ExploreArgs<'a> {
    pub file: &'a Path,
    pub strategy: Strategy,
    pub limits: Limits,
    pub time_limit: Option<Duration>,
}

pub fn cmd_explore(app: &App, args: ExploreArgs<'_>) -> Result<Status, CliError> {
    let scenario = load_all(app, &[args.file.to_path_buf()])?.remove(0);
    let explorer = scenario.simulation.explorer().map_err(|e| {
        CliError::Scenarios(vec![ScenarioError {
            file: scenario.file.clone(),
            key: Some(e.key),
            line: None,
            message: e.message,
        }])
    })?;
    outln(&format!(
        "explore {} ({} on {} nodes): {}, breadth-first{}",
        scenario.file.display(),
        scenario.simulation.protocol(),
        scenario.simulation.spec().nodes,
        match args.strategy {
            Strategy::Exhaustive => "exhaustive",
        },
        if args.limits.symmetry {
            ", symmetry"
        } else {
            ""
        }
    ));
    let started = stopwatch();
    let time_limit_s = args.time_limit.map(|d| d.0 as f64 / 1e9);
    let mut stop = |_: &Progress| time_limit_s.is_some_and(|t| started.elapsed().as_secs_f64() > t);
    let report = explorer
        .explore(&args.limits, &mut stop)
        .map_err(|e| CliError::Usage(format!("{}: --symmetry: {e}", args.file.display())))?;
    let seconds = started.elapsed().as_secs_f64();
    print_stats(&report, seconds);
    let met = print_verdict(&scenario, &report);
    Ok(if met { Status::Met } else { Status::NotMet })
}

fn print_stats(report: &Report, seconds: f64) {
    let rate = report.unique as f64 / seconds.max(1e-9);
    let memory = peak_memory_mb().map_or(String::new(), |mb| format!(", peak memory {mb} MB"));
    out(&wrapped(
        "  ",
        &format!(
            "{} states generated, {} unique, depth {}; {:.2} s, {:.0} unique states/s{memory}",
            report.states, report.unique, report.depth, seconds, rate
        ),
    ));
    if !report.unchecked.is_empty() {
        out(&wrapped(
            "  ",
            &format!(
                "not checked (a search cannot follow them yet): {}",
                report.unchecked.join(", ")
            ),
        ));
    }
    if report.random_draws > 0 {
        out(&wrapped(
            "  ",
            &format!(
                "the processes drew {} random numbers; a search answers each with its first \
                 outcome (it branches on order and faults, not on coin flips)",
                report.random_draws
            ),
        ));
    }
}

/// Prints how the search ended and whether that meets the scenario's `expect`.
fn print_verdict(scenario: &Scenario, report: &Report) -> bool {
    let found = match &report.end {
        End::Complete => {
            outln("  complete: no checked property fails in any reachable state");
            None
        }
        End::Limit(which) => {
            out(&wrapped(
                "  ",
                &format!("stopped by {which}: no violation among the states visited"),
            ));
            None
        }
        End::Violation(cx) => {
            outln(&format!(
                "  violation of {} after {} steps (no shorter path breaks a property):",
                cx.property,
                cx.steps.len()
            ));
            for (i, step) in cx.steps.iter().enumerate() {
                out(&wrapped(&format!("  {:>4}. ", i + 1), step));
            }
            out(&wrapped("  ", &format!("{}: {}", cx.property, cx.message)));
            Some(cx.property.as_str())
        }
    };
    let met = match (&scenario.expect, found) {
        (Expect::Pass, None) => matches!(report.end, End::Complete),
        (Expect::Pass, Some(_)) => false,
        (expect, found) => expect.property() == found,
    };
    outln(&format!(
        "  expect {}: {}",
        scenario.expect,
        if met { "met" } else { "NOT MET" }
    ));
    met
}

/// This process's peak resident memory, in MB (Linux; `None` elsewhere).
fn peak_memory_mb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb.div_ceil(1024))
}
