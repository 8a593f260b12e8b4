//! `ftsim explore`: a search over a scenario's states instead of its seeds (see
//! `ftsim_api::explore`), judged against the scenario's `expect` like a sweep: a scenario that
//! expects a violation is met when the search finds one, a passing one when the search visits
//! every reachable state and finds none.

use std::path::Path;

use ftsim_api::explore::{Counterexample, End, Limits, Progress, Report};
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
    /// Where to write a counterexample's repro (default: `explore_repro::default_path`).
    pub repro: Option<&'a Path>,
}

pub fn cmd_explore(app: &App, args: ExploreArgs<'_>) -> Result<Status, CliError> {
    let scenario = load_all(app, &[args.file.to_path_buf()])?.remove(0);
    let repro_path = args.repro.map_or_else(
        || super::explore_repro::default_path(&scenario),
        Path::to_path_buf,
    );
    // Before the search: a destination that cannot be written costs nothing computed.
    super::files::check_file(&repro_path)?;
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
    if let End::Violation(cx) = &report.end {
        super::explore_repro::write_counterexample(app, &scenario, cx, &repro_path)?;
    }
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
    if let Some(live) = &report.liveness {
        out(&wrapped(
            "  ",
            &format!(
                "liveness: {} states, {} transitions; {} cycle(s) where an eventually \
                 property does not hold, {} of them unfair (something always enabled in \
                 it never happens)",
                live.states, live.edges, live.cycles, live.unfair
            ),
        ));
    }
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
            out(&wrapped("  ", &violation_headline(cx)));
            for (i, step) in cx.steps.iter().enumerate() {
                if cx.loop_start == Some(i) {
                    outln("        loop (repeated forever):");
                }
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

/// What the counterexample is, in a line.
fn violation_headline(cx: &Counterexample) -> String {
    match (cx.liveness, cx.loop_start) {
        (false, _) => format!(
            "violation of {} after {} steps (no shorter path breaks a property):",
            cx.property,
            cx.steps.len()
        ),
        (true, None) => format!(
            "violation of {}: after {} steps a run can stop with it unmet (nothing left \
             that must happen):",
            cx.property,
            cx.steps.len()
        ),
        (true, Some(start)) => format!(
            "violation of {}: a fair run that never meets it, {start} steps then a loop of \
             {} forever (a lasso):",
            cx.property,
            cx.steps.len() - start
        ),
    }
}

/// This process's peak resident memory, in MB (Linux; `None` elsewhere).
fn peak_memory_mb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb.div_ceil(1024))
}
