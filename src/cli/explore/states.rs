//! `ftsim explore`'s state searches (exhaustive, pct, random): a search over a scenario's
//! states instead of its seeds (see `ftsim_runner::explore`), judged against the scenario's
//! `expect` like a sweep: a scenario that expects a violation is met when the search finds
//! one, a passing one when the search visits every reachable state and finds none.

use std::path::Path;

use ftsim_api::Duration;
use ftsim_runner::explore::{self as search, Counterexample, End, Limits, Report};
use ftsim_runner::{error_at_key, Expect, Scenario};

use crate::cli::app::App;
use crate::cli::error::{CliError, Status};
use crate::cli::files;
use crate::cli::output::{out, outln, stopwatch, wrapped};
use crate::cli::scenarios::load::load_all;

use super::args::{ExploreArgs, Order, Strategy};
use super::hint::what_to_try;
use super::limit_watch::LimitWatch;
use super::memory::peak_memory_mb;
use super::repro::{self, AsRun};
use super::timing;

/// What a state search was asked for: `explore`'s flags that apply to it.
pub struct StateSearch<'a> {
    pub file: &'a Path,
    pub strategy: Strategy,
    pub order: Option<Order>,
    pub limits: Limits,
    pub time_limit: Option<Duration>,
    /// Resident memory, in MiB, past which the search stops.
    pub max_memory_mib: u64,
    /// Where to write a counterexample's repro (default: `repro::default_path`).
    pub repro: Option<&'a Path>,
    /// Sampling: how many runs, from which seed (default: the scenario's seeds).
    pub runs: Option<u64>,
    pub seed: Option<u64>,
    /// PCT's bug depth.
    pub bug_depth: Option<u32>,
}

impl<'a> StateSearch<'a> {
    /// The state search `flags` ask for.
    pub fn of(flags: &'a ExploreArgs) -> Self {
        StateSearch {
            file: &flags.file,
            strategy: flags.strategy,
            order: flags.order,
            limits: Limits {
                max_depth: flags.max_depth,
                max_states: flags.max_states,
                symmetry: flags.symmetry,
                threads: usize::from(flags.threads),
                por: flags.por,
                stop_now: None, // the watch of the limits, when the search starts
            },
            time_limit: flags.time_limit,
            max_memory_mib: flags.max_memory,
            repro: flags.repro.as_deref(),
            runs: flags.runs,
            seed: flags.seed,
            bug_depth: flags.depth,
        }
    }
}

/// `ftsim explore` with a state search: the flags checked, the search, its verdict and its
/// counterexample's repro.
pub fn explore(app: &App, flags: &ExploreArgs) -> Result<Status, CliError> {
    flags.refuse_decision_flags()?;
    let args = StateSearch::of(flags);
    let scenario = load_all(app, &[args.file.to_path_buf()])?.remove(0);
    let repro_path = args
        .repro
        .map_or_else(|| repro::default_path(&scenario), Path::to_path_buf);
    // Before the search: a destination that cannot be written costs nothing computed.
    files::check_output(&repro_path)?;
    let strategy = strategy_of(&args, &scenario)?;
    let explorer = scenario
        .simulation
        .explorer()
        .map_err(|e| CliError::Scenarios(vec![error_at_key(&scenario.file, &e.key, &e.message)]))?;
    if let Some(refusal) = explorer.refusal(&strategy, &args.limits) {
        return Err(refused(&args, &refusal));
    }
    out(&wrapped(
        "",
        &format!(
            "explore {} ({} on {} nodes): {}{}",
            scenario.file.display(),
            scenario.simulation.protocol(),
            scenario.simulation.spec().nodes,
            describe_strategy(&strategy, &args.limits),
            options_in_words(&args.limits)
        ),
    ));
    let started = stopwatch();
    let watch = LimitWatch::start(started, args.time_limit, args.max_memory_mib);
    let limits = Limits {
        stop_now: Some(watch.flag()),
        ..args.limits
    };
    let report = explorer
        .search(&strategy, &limits, &mut watch.stop())
        .map_err(|e| refused(&args, &e))?;
    watch.finish();
    let seconds = started.elapsed().as_secs_f64();
    // A search that panicked between steps kept no figures to print.
    if !matches!(report.end, End::Panicked(_)) {
        print_stats(&report, seconds);
        timing::print_timing(&report);
    }
    // The counterexample as a run first: its violation names the run's events and times.
    let as_run = match &report.end {
        End::Violation(cx) => Some(AsRun::of(&scenario, cx)),
        _ => None,
    };
    let met = print_verdict(&scenario, &limits, &strategy, &report, as_run.as_ref());
    if let (End::Violation(cx), Some(as_run)) = (&report.end, as_run) {
        repro::write_counterexample(app, &scenario, cx, as_run, &repro_path)?;
    }
    Ok(if met { Status::Met } else { Status::NotMet })
}

/// A search refused as asked: bad usage of the option that asked for it.
fn refused(args: &StateSearch<'_>, why: &str) -> CliError {
    let option = if args.limits.symmetry {
        "--symmetry"
    } else if args.limits.por {
        "--por"
    } else {
        "--threads"
    };
    CliError::Usage(format!("{}: {option}: {why}", args.file.display()))
}

/// The search asked for; options that do not apply to the strategy are bad usage.
fn strategy_of(args: &StateSearch<'_>, scenario: &Scenario) -> Result<search::Strategy, CliError> {
    let usage = |what: &str| Err(CliError::Usage(what.to_string()));
    if args.strategy != Strategy::Exhaustive && args.order.is_some() {
        return usage("--order applies to --strategy exhaustive only");
    }
    let breadth_first = args.strategy == Strategy::Exhaustive && args.order != Some(Order::Dfs);
    if args.limits.threads > 1 && !breadth_first {
        return usage("--threads applies to the breadth-first exhaustive search only");
    }
    if args.limits.por && args.strategy != Strategy::Exhaustive {
        return usage("--por applies to --strategy exhaustive only");
    }
    if args.limits.por && args.limits.symmetry {
        return usage(&format!(
            "--por with --symmetry: {}",
            search::SLEEP_WITH_SYMMETRY
        ));
    }
    if args.strategy != Strategy::Pct && args.bug_depth.is_some() {
        return usage("--depth (the bug depth) applies to --strategy pct only");
    }
    if args.strategy == Strategy::Exhaustive && (args.runs.is_some() || args.seed.is_some()) {
        return usage("--runs and --seed apply to --strategy pct and random only");
    }
    let runs = args.runs.unwrap_or(scenario.seeds.count);
    if runs == 0 {
        return usage("--runs must be at least 1");
    }
    let seed = args.seed.unwrap_or(scenario.seeds.start);
    Ok(match args.strategy {
        Strategy::Exhaustive => search::Strategy::Exhaustive {
            order: match args.order {
                Some(Order::Dfs) => search::Order::Depth,
                Some(Order::Bfs) | None => search::Order::Breadth,
            },
        },
        Strategy::Pct => search::Strategy::Pct {
            runs,
            seed,
            // 1 or more: the flag's own range.
            bug_depth: args.bug_depth.unwrap_or(3),
        },
        Strategy::Random => search::Strategy::Random { runs, seed },
        Strategy::Decisions => return usage("--strategy decisions is no state search"),
    })
}

/// Symmetry reduction and threads in words, for the header line.
fn options_in_words(limits: &Limits) -> String {
    let mut words = String::new();
    if limits.symmetry {
        words.push_str(", symmetry");
    }
    if limits.por {
        words.push_str(", partial-order reduction (sleep sets)");
    }
    if limits.threads > 1 {
        words.push_str(&format!(", {} threads", limits.threads));
    }
    words
}

/// The strategy in words, for the header line.
fn describe_strategy(strategy: &search::Strategy, limits: &Limits) -> String {
    let steps = limits.max_depth.unwrap_or(search::DEFAULT_RUN_STEPS);
    match *strategy {
        search::Strategy::Exhaustive { order } => match order {
            search::Order::Breadth => "exhaustive, breadth-first".into(),
            search::Order::Depth => "exhaustive, depth-first".into(),
        },
        search::Strategy::Pct {
            runs,
            seed,
            bug_depth,
        } => format!(
            "pct, bug depth {bug_depth}, {runs} runs from seed {seed}, at most {steps} steps each"
        ),
        search::Strategy::Random { runs, seed } => {
            format!("random walks, {runs} runs from seed {seed}, at most {steps} steps each")
        }
    }
}

fn print_stats(report: &Report, seconds: f64) {
    let memory = peak_memory_mb().map_or(String::new(), |mb| format!(", peak memory {mb} MB"));
    let per_second = |count: u64| count as f64 / seconds.max(1e-9);
    let line = if report.runs > 0 {
        format!(
            "{} runs, {} steps, {} distinct states, longest run {} steps; {:.2} s, {:.0} \
             runs/s{memory}",
            report.runs,
            report.states,
            report.unique,
            report.depth,
            seconds,
            per_second(report.runs)
        )
    } else {
        format!(
            "{} states generated, {} unique, depth {}; {:.2} s, {:.0} unique states/s{memory}",
            report.states,
            report.unique,
            report.depth,
            seconds,
            per_second(report.unique)
        )
    };
    out(&wrapped("  ", &line));
    if report.slept > 0 {
        out(&wrapped(
            "  ",
            &format!(
                "sleep sets: {} transitions not taken (an equivalent order was)",
                report.slept
            ),
        ));
    }
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
    print_draws(&report.draws);
}

/// Says how the processes' random draws were searched, if they drew any.
fn print_draws(draws: &search::DrawFigures) {
    if draws.branched > 0 {
        out(&wrapped(
            "  ",
            &format!(
                "draws branched on: {} (each outcome a branch; a chance: happens or not)",
                draws.branched
            ),
        ));
    }
    if draws.unbranched > 0 {
        out(&wrapped(
            "  ",
            &format!(
                "draws answered with their first outcome only: {} (at a node's start, of more \
                 than {} outcomes, or after a handler's first {} branching draws)",
                draws.unbranched,
                search::MAX_DRAW_OUTCOMES,
                search::MAX_BRANCHING_DRAWS
            ),
        ));
    }
    if draws.cut > 0 {
        out(&wrapped(
            "  ",
            &format!(
                "transitions with more than {} branches, the rest not taken: {}",
                search::MAX_BRANCHES,
                draws.cut
            ),
        ));
    }
}

/// Prints how the search ended and whether that meets the scenario's `expect`.
fn print_verdict(
    scenario: &Scenario,
    limits: &Limits,
    strategy: &search::Strategy,
    report: &Report,
    as_run: Option<&AsRun>,
) -> bool {
    let found = match &report.end {
        End::Complete => {
            print_complete(report);
            None
        }
        End::Limit(which) if strategy.samples() => {
            let cut = if which.starts_with("--runs") {
                String::new()
            } else {
                format!(", stopped by {which}")
            };
            out(&wrapped(
                "  ",
                &format!(
                    "no violation in {} runs{cut} (a sample of the interleavings, not a proof)",
                    report.runs
                ),
            ));
            None
        }
        End::Limit(which) => {
            out(&wrapped(
                "  ",
                &format!(
                    "stopped by {which}: no violation{} among the states visited",
                    timing::within_bound(report)
                ),
            ));
            out(&wrapped("  ", &what_to_try(scenario, limits, which)));
            None
        }
        End::Violation(cx) => {
            out(&wrapped("  ", &violation_headline(cx, strategy, report)));
            for (i, step) in cx.steps.iter().enumerate() {
                if cx.loop_start == Some(i) {
                    outln("        loop (repeated forever):");
                }
                out(&wrapped(&format!("  {:>4}. ", i + 1), step));
            }
            let message = as_run.map_or(cx.message.as_str(), |r| r.message(cx));
            out(&wrapped("  ", &format!("{}: {message}", cx.property)));
            // A panic is no property's violation: it meets no expectation.
            (!cx.panicked).then_some(cx.property.as_str())
        }
        End::Panicked(why) => {
            out(&wrapped("  ", &format!("{SEARCH_PANICKED}: {why}")));
            // Nothing was judged: no expectation is met.
            return not_met(scenario);
        }
    };
    let met = match (&scenario.expect, found) {
        (Expect::Pass, None) => matches!(report.end, End::Complete) && timing::conclusive(report),
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

/// What `explore` says when code it calls between steps panicked (`End::Panicked`).
const SEARCH_PANICKED: &str = "the search stopped: the protocol's code panicked between steps, \
    copying, hashing or rebuilding a state (a process's or a message's Clone or Hash, an \
    adversary's or a property's snapshot or fingerprint, a step taken again); runs never copy \
    states, so no run shows it";

/// Prints that the scenario's expectation is not met, and says so.
fn not_met(scenario: &Scenario) -> bool {
    outln(&format!("  expect {}: NOT MET", scenario.expect));
    false
}

/// The verdict of a complete search that found no violation: every reachable state, or
/// those with draws answered by their first outcome, or (a model bounding delays) not a
/// verdict at all if violations were set aside.
fn print_complete(report: &Report) {
    if let Some(t) = report.timing.as_ref().filter(|t| t.set_aside > 0) {
        out(&wrapped("  ", &timing::inconclusive_complete(t)));
    } else if report.draws.unbranched > 0 {
        out(&wrapped(
            "  ",
            "complete: no checked property fails in any state reachable with the draws \
             above answered by their first outcome (their other outcomes were not \
             searched)",
        ));
    } else {
        outln("  complete: no checked property fails in any reachable state");
    }
}

/// What the counterexample is, in a line.
fn violation_headline(cx: &Counterexample, strategy: &search::Strategy, report: &Report) -> String {
    match (cx.liveness, cx.loop_start) {
        (false, _) => {
            let (run, how) = if strategy.samples() {
                (
                    format!(" in run {}", report.runs),
                    "a sampled path, not necessarily a shortest one",
                )
            } else if strategy.finds_shortest() {
                let how = match cx.panicked {
                    true => "no shorter path panics or breaks a property",
                    false => "no shorter path breaks a property",
                };
                (String::new(), how)
            } else {
                (
                    String::new(),
                    "depth-first: not necessarily a shortest path",
                )
            };
            let what = if cx.panicked {
                "the protocol panicked".to_string()
            } else {
                format!("violation of {}", cx.property)
            };
            format!("{what}{run} after {} ({how}):", steps(cx.steps.len()))
        }
        (true, None) => format!(
            "violation of {}{}: after {} a run can stop with it unmet (nothing left \
             that must happen):",
            cx.property,
            if strategy.samples() {
                format!(" in run {}", report.runs)
            } else {
                String::new()
            },
            steps(cx.steps.len())
        ),
        (true, Some(start)) => format!(
            "violation of {}: a fair run that never meets it, {} then a loop of {} \
             forever (a lasso):",
            cx.property,
            steps(start),
            steps(cx.steps.len() - start)
        ),
    }
}

/// "1 step", "5 steps".
fn steps(count: usize) -> String {
    let plural = if count == 1 { "" } else { "s" };
    format!("{count} step{plural}")
}
