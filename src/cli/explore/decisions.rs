//! `ftsim explore --strategy decisions`: the engine's runs searched decision by decision
//! (`ftsim_runner::explore::search_decisions`), judged against the scenario's `expect`: a
//! violation expected is met by a failing run breaking it on the expected side of the
//! protocol's model; `pass` only by a search that took every run.

use std::path::Path;

use ftsim_api::sim_core::{Choice, Draw};
use ftsim_api::Duration;
use ftsim_runner::explore::{
    search_decisions, DecisionEnd, DecisionLimits, DecisionReport, FoundRun,
};
use ftsim_runner::repro::replay::describe_draw;
use ftsim_runner::repro::{Origin, Repro};
use ftsim_runner::shrink::{Case, Failure};
use ftsim_runner::{Expect, RunOptions, Scenario};

use crate::cli::app::App;
use crate::cli::error::{CliError, Status};
use crate::cli::files;
use crate::cli::output::{out, outln, stopwatch, wrapped};
use crate::cli::scenarios::load::load_all;
use crate::cli::shrink::print_plan_of;

use super::args::ExploreArgs;
use super::limit_watch::LimitWatch;
use super::memory::peak_memory_mb;
use super::repro::default_path;

/// The decisions of a failing run listed at most (the rest counted).
const DEVIATIONS_LISTED: usize = 12;

/// `ftsim explore --strategy decisions`: the flags checked, the search, its verdict and the
/// failing run's repro.
pub fn explore(app: &App, flags: &ExploreArgs) -> Result<Status, CliError> {
    flags.refuse_state_flags()?;
    if flags.runs == Some(0) {
        return Err(CliError::Usage("--runs must be at least 1".into()));
    }
    let scenario = load_all(app, std::slice::from_ref(&flags.file))?.remove(0);
    let repro_path = flags
        .repro
        .clone()
        .unwrap_or_else(|| default_path(&scenario));
    files::check_output(&repro_path)?;
    let limits = DecisionLimits {
        values: flags.values.unwrap_or(2),
        max_deviations: flags.max_deviations,
        max_runs: flags.runs,
        outside_ends: matches!(scenario.expect, Expect::Outside(_)),
    };
    out(&wrapped(
        "",
        &format!(
            "explore {} ({} on {} nodes): every run's decisions, {}, fewest away from \
             their simplest outcome first{}",
            scenario.file.display(),
            scenario.simulation.protocol(),
            scenario.simulation.spec().nodes,
            values_in_words(limits.values),
            limits
                .max_deviations
                .map_or(String::new(), |b| format!(", at most {b} of them"))
        ),
    ));
    let started = stopwatch();
    let watch = LimitWatch::start(started, flags.time_limit, flags.max_memory);
    let report = search_decisions(scenario.simulation.as_ref(), &limits, &mut watch.stop());
    watch.finish();
    print_stats(&report, started.elapsed().as_secs_f64());
    print_outside(&report);
    let met = print_verdict(&scenario, &report, &limits);
    if let DecisionEnd::Found(found) = &report.end {
        write_found(app, &scenario, found, &repro_path)?;
    }
    outln(&format!(
        "  expect {}: {}",
        scenario.expect,
        if met { "met" } else { "NOT MET" }
    ));
    Ok(if met { Status::Met } else { Status::NotMet })
}

/// "2 outcomes per ranged one (its two ends)".
fn values_in_words(values: u64) -> String {
    match values {
        1 => "a ranged one at its simplest outcome only".to_string(),
        2 => "a ranged one at its two ends".to_string(),
        k => format!("a ranged one at {k} outcomes (its two ends and evenly between)"),
    }
}

fn print_stats(report: &DecisionReport, seconds: f64) {
    let memory = peak_memory_mb().map_or(String::new(), |mb| format!(", peak memory {mb} MB"));
    out(&wrapped(
        "  ",
        &format!(
            "{} runs, up to {} decisions each; {:.2} s, {:.0} runs/s{memory}",
            report.runs,
            report.longest,
            seconds,
            report.runs as f64 / seconds.max(1e-9)
        ),
    ));
}

/// Runs that failed only outside the protocol's model: counted apart, as a sweep does.
fn print_outside(report: &DecisionReport) {
    if let Some(first) = &report.first_outside {
        out(&wrapped(
            "  ",
            &format!(
                "{} run(s) failed only outside the protocol's assumptions, no bug in it \
                 (the first {}, {} decision(s) moved)",
                report.outside,
                first.failure.describe(),
                first.deviations
            ),
        ));
    }
}

/// Prints how the search ended; whether that meets the scenario's `expect`.
fn print_verdict(scenario: &Scenario, report: &DecisionReport, limits: &DecisionLimits) -> bool {
    let b = report.deviations;
    match &report.end {
        DecisionEnd::Complete => {
            out(&wrapped(
                "  ",
                &format!(
                    "complete: no checked property fails in any run, every decision taking \
                     each of its outcomes ({}; a decision of at most {} outcomes: each)",
                    values_in_words(limits.values),
                    ftsim_api::sim_core::enumerate::SMALL_DECISION
                ),
            ));
            scenario.expect == Expect::Pass
        }
        DecisionEnd::Bounded => {
            out(&wrapped(
                "  ",
                &format!(
                    "no violation in any run with at most {b} deviation(s); runs with more \
                     were not checked (a bound, not a pass)"
                ),
            ));
            false
        }
        DecisionEnd::Limit(which) => {
            let every = match b {
                0 => String::new(),
                b => format!(", every run with at most {} deviation(s) among them", b - 1),
            };
            out(&wrapped(
                "  ",
                &format!("stopped by {which}: no violation in the runs checked{every}"),
            ));
            false
        }
        DecisionEnd::Found(found) => {
            print_found(found);
            meets(&scenario.expect, &found.failure)
        }
        DecisionEnd::Nondeterministic { run, decision } => {
            out(&wrapped(
                "  ",
                &format!(
                    "not deterministic: run {run} made another decision #{decision} than the \
                     same answers did before; a run must be a function of its decisions (a \
                     hash map's order, a clock or a thread outside the simulation?)"
                ),
            ));
            false
        }
    }
}

/// Whether `failure` is the violation `expect` asks for, on its side of the model.
fn meets(expect: &Expect, failure: &Failure) -> bool {
    match (expect, failure) {
        (Expect::Violation(p), Failure::Violated { property, outside }) => {
            p == property && !outside
        }
        (Expect::Outside(p), Failure::Violated { property, outside }) => p == property && *outside,
        _ => false,
    }
}

fn print_found(found: &FoundRun) {
    let what = match &found.failure {
        Failure::Panicked { message } => format!("the protocol panicked ({message})"),
        Failure::BudgetExceeded => "a budget was exceeded".to_string(),
        Failure::Violated { property, .. } => format!("violation of {property}"),
    };
    out(&wrapped(
        "  ",
        &format!(
            "{what}, {} decision(s) away from their simplest outcome (no run with fewer \
             fails):",
            found.deviations
        ),
    ));
    print_plan_of(&found.plan, "    ");
    let moved: Vec<&Choice> = (found.choices.iter())
        .filter(|c| c.value != c.draw.simplest(c.bound))
        .collect();
    if !moved.is_empty() {
        outln("    decisions not at their simplest outcome:");
    }
    for c in moved.iter().take(DEVIATIONS_LISTED) {
        let line = format!(
            "{}: {}",
            describe_draw(c.stream, c.draw),
            outcome_in_words(c)
        );
        out(&wrapped("      ", &line));
    }
    if moved.len() > DEVIATIONS_LISTED {
        outln(&format!(
            "      and {} more",
            moved.len() - DEVIATIONS_LISTED
        ));
    }
}

/// A decision's outcome, in words.
fn outcome_in_words(c: &Choice) -> String {
    if c.draw.chance_ppm().is_some() {
        return if c.draw.happens(c.value) { "yes" } else { "no" }.to_string();
    }
    match c.draw {
        Draw::Delay { .. } => format!("{} above the shortest", Duration(c.value)),
        _ => format!("outcome {} of 0 to {}", c.value, c.bound - 1),
    }
}

/// Runs the failing run again, traced, prints its violation in the run's events and times, and
/// writes it as a repro file.
fn write_found(
    app: &App,
    scenario: &Scenario,
    found: &FoundRun,
    path: &Path,
) -> Result<(), CliError> {
    let options = RunOptions {
        trace: true,
        plan: Some(&found.plan),
        choices: Some(&found.choices),
        script: None,
    };
    let recorded = scenario.simulation.run_recorded(0, options);
    let exact = recorded.fit.is_some_and(|f| f.is_exact());
    let report = &recorded.report;
    let failure = &found.failure;
    if let Failure::Violated { property, .. } = failure {
        if let Some(v) = report.violations.iter().find(|v| &v.property == property) {
            let line = format!(
                "{property}: {} (at {}, event #{})",
                v.message, v.time, v.event
            );
            out(&wrapped("  ", &line));
        }
    }
    // Judged as the search judged it: an inside violation first.
    if !exact || Failure::of(report, None, Some(false)).as_ref() != Some(failure) {
        out(&wrapped(
            "  warning: ",
            "the run replayed from its decisions is not the run found; no repro written",
        ));
        return Ok(());
    }
    let case = Case {
        simulation: scenario.simulation.clone(),
        plan: found.plan.clone(),
        choices: recorded.choices,
        report: recorded.report,
    };
    let origin = Origin {
        name: &scenario.name,
        description: &scenario.description,
        file: &scenario.file,
    };
    let repro = Repro::of_case(&origin, &case, 0, failure);
    files::write_output(path, repro.to_json().as_bytes())?;
    outln(&format!("  wrote {}", path.display()));
    outln(&format!(
        "  replay: {} replay --repro {}",
        app.program,
        ftsim_runner::sweep::shell_word(path)
    ));
    Ok(())
}
