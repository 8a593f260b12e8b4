//! `ftsim classify FILE`: the course notes' two tables for the protocol a scenario sets up.
//!
//! The classification: the scenario (its protocol, parameters, group, network delays, timing)
//! is run under one fault class at a time, its own faults removed: none, message loss,
//! crash-stop, crash-recover, partitions and, if the protocol has adversaries, a Byzantine
//! node. Each class's runs say whether safety held (no `always` property violated) and whether
//! liveness did (no `eventually` property violated), so the protocol is, under that class,
//! *masking* (safe and live), *fail-safe* (safe, not live), *non-masking* (live, not safe) or
//! *unsafe* (neither); the evidence is the shortest run that shows the violation.
//!
//! The envelope (`--envelope`): for each group size of the file's `[sweep] nodes` (or the
//! scenario's own), the largest number f of crashed nodes (or Byzantine nodes, with
//! `--byzantine`) with no violation in any run, and the first f that breaks, with its seed.
//! The faults come as the file's own `[faults]` make them (its crash spec, say mid-broadcast
//! chains, with the count set to f); its other faults stay.
//! Every variant is an ordinary scenario, the file's text edited and parsed again, so it is
//! validated like a file and each of its runs replays.

use std::path::{Path, PathBuf};

use ftsim_api::PropertyKind;
use ftsim_runner::sweep::{self, Tally};
use ftsim_runner::Scenario;

use super::app::App;
use super::error::{CliError, Status};
use super::output::{out, wrapped};
use super::scenarios::load::Chosen;
use super::scenarios::seeds::seeds_of;
use super::scenarios::variant::{
    base_table, classes, envelope_name, parse_table, unreadable, with_faults, with_keys, Class,
};

/// How one class went: (safe, live) and the evidence.
struct Cell {
    class: &'static str,
    safe: bool,
    live: bool,
    evidence: Option<(String, u64)>,
    runs: u64,
}

/// Runs `scenario` over `count` seeds from its start.
fn sweep_of(scenario: &Scenario, count: Option<u64>, pool: &rayon::ThreadPool) -> Tally {
    let mut seeds = scenario.seeds;
    if let Some(count) = count {
        seeds.count = count;
    }
    pool.install(|| sweep::tally(scenario.simulation.as_ref(), seeds, &|| {}))
}

/// Safety and liveness of a tally: the kinds of the properties violated (inside or outside
/// the model: the table is about what happens, not whom to blame).
fn judge_cell(app: &App, scenario: &Scenario, class: &'static str, t: &Tally) -> Cell {
    let kind_of = |name: &str| {
        app.catalog
            .find(scenario.simulation.protocol())
            .and_then(|(_, info)| info.properties.iter().find(|p| p.name == name))
            .map_or(PropertyKind::Always, |p| p.kind)
    };
    let mut shortest = t.shortest_outside_by_invariant.clone();
    shortest.extend(t.shortest_by_invariant.clone());
    let broken = |kind: PropertyKind| {
        shortest
            .iter()
            .filter(|(name, _)| kind_of(name) == kind)
            .min_by_key(|(_, run)| **run)
            .map(|(name, run)| (name.clone(), run.1))
    };
    let unsafe_by = broken(PropertyKind::Always);
    let stuck_by = broken(PropertyKind::Eventually);
    // A run that panicked is not safe, and one a budget stopped not live, whatever the
    // properties said: each is its own evidence when no property is.
    let panicked = (t.first_panic.as_ref()).map(|(seed, _)| ("panicked".to_string(), *seed));
    let budget = (t.first_budget.as_ref()).map(|(seed, what)| (what.clone(), *seed));
    Cell {
        class,
        safe: unsafe_by.is_none() && t.panics == 0,
        live: stuck_by.is_none() && t.budget_exceeded == 0,
        evidence: unsafe_by.or(panicked).or(stuck_by).or(budget),
        runs: t.runs,
    }
}

fn verdict(cell: &Cell) -> &'static str {
    match (cell.safe, cell.live) {
        (true, true) => "masking",
        (true, false) => "fail-safe",
        (false, true) => "non-masking",
        (false, false) => "unsafe",
    }
}

/// A protocol's class under each fault class, or its envelope
#[derive(clap::Args)]
#[command(long_about = LONG_ABOUT)]
pub struct ClassifyArgs {
    /// The scenario file
    pub file: PathBuf,
    /// Seeds per class (default: the scenario's)
    #[arg(long)]
    pub seeds: Option<u64>,
    /// Print the fault envelope instead
    ///
    /// Print the fault envelope instead: the most faults with no violation per group size.
    #[arg(long)]
    pub envelope: bool,
    /// Envelope: count traitors, not crashes
    ///
    /// Envelope: count Byzantine nodes (the scenario's adversary) instead of crashes.
    #[arg(long, requires = "envelope")]
    pub byzantine: bool,
    /// Envelope: most faults per group size
    ///
    /// Envelope: try at most this many faults per group size.
    #[arg(long, requires = "envelope")]
    pub max_faults: Option<usize>,
}

/// `ftsim help classify`.
const LONG_ABOUT: &str = "Run the protocol a scenario sets up under one fault class at a time \
    (none, message loss, crash-stop, crash-recover, partitions, a Byzantine node if the \
    protocol has adversaries), the scenario's own faults removed, and print per class \
    whether it is masking (safe and live), fail-safe (safe, not live), non-masking (live, \
    not safe) or unsafe, with the shortest run that shows it. With --envelope: per group \
    size (the file's [sweep] nodes, or its nodes), the largest number of crashes (or \
    Byzantine nodes, --byzantine) with no violation, and the first that breaks.";

/// `ftsim classify`: the table of fault classes, or with `--envelope` the fault envelope.
pub fn main(args: ClassifyArgs, app: &App) -> Result<Status, CliError> {
    let pool = rayon::ThreadPoolBuilder::new()
        .build()
        .map_err(|e| CliError::Usage(format!("cannot start worker threads: {e}")))?;
    if args.envelope {
        let base = base_table(&args.file, true)?;
        return envelope(app, &args, &base, &pool);
    }
    let base = base_table(&args.file, false)?;
    let first = with_keys(app, &args.file, &base, &[])?;
    // As `run` takes them: never a verdict from 0 runs, nor seeds past the last one.
    seeds_of(&first, None, args.seeds)?;
    let byzantine = has_adversaries(app, first.simulation.protocol());
    let duration = first.simulation.spec().config.duration;
    let mut lines = format!(
        "{}\n{} on {} nodes, each fault class alone, {} seed(s) each\n\n",
        reports::columns::truncate(&first.name, 80),
        first.simulation.protocol(),
        first.simulation.spec().nodes,
        args.seeds.unwrap_or(first.seeds.count)
    );
    lines.push_str(&format!(
        "{:<13} {:<7} {:<11} {:<4} {:<4} evidence\n",
        "fault class", "model", "class", "safe", "live"
    ));
    let (mut notes, mut commands) = (String::new(), Vec::new());
    for class in classes(duration, byzantine) {
        let row = match with_keys(app, &args.file, &base, &class.set) {
            Ok(scenario) => {
                let t = sweep_of(&scenario, args.seeds, &pool);
                let cell = judge_cell(app, &scenario, class.name, &t);
                notes.push_str(&outside_note(&scenario, &cell));
                if let Some((_, seed)) = &cell.evidence {
                    commands.push(evidence_command(app, &args.file, *seed, class.name));
                }
                table_row(&cell, scenario.simulation.may_step_outside().is_empty())
            }
            Err(e) => {
                notes.push_str(&wrapped(
                    &format!("{}: ", class.name),
                    &cannot_run(&e, &class),
                ));
                format!("{:<13} {:<7} cannot run here (below)\n", class.name, "-")
            }
        };
        lines.push_str(&row);
    }
    if !notes.is_empty() {
        lines.push('\n');
        lines.push_str(&notes);
    }
    lines.push_str(&evidence_commands(&commands));
    out(&lines);
    Ok(Status::Met)
}

/// The command that replays `seed` of the variant `variant` of `file`: whole, to be pasted.
fn evidence_command(app: &App, file: &Path, seed: u64, variant: &str) -> String {
    let chosen = Chosen {
        point: None,
        variant: Some(variant),
    };
    chosen.replay_command(&app.program, file, seed, false)
}

/// The evidence's replay commands under a heading, one to a line and never wrapped; empty
/// if there is no evidence.
fn evidence_commands(commands: &[String]) -> String {
    if commands.is_empty() {
        return String::new();
    }
    let mut text = String::from("\nto replay the evidence:\n");
    for command in commands {
        text.push_str(&reports::columns::command_line(command, 2));
    }
    text
}

/// One class's row: whether it is inside the protocol's model, the class the runs showed,
/// safe and live, the evidence.
fn table_row(cell: &Cell, inside: bool) -> String {
    let yes = |b: bool| if b { "yes" } else { "NO" };
    let evidence = (cell.evidence.as_ref())
        .map_or(format!("- ({} runs)", cell.runs), |(name, seed)| {
            format!("{name}, seed {seed}")
        });
    format!(
        "{:<13} {:<7} {:<11} {:<4} {:<4} {}\n",
        cell.class,
        if inside { "in" } else { "outside" },
        verdict(cell),
        yes(cell.safe),
        yes(cell.live),
        reports::columns::truncate(&evidence, 80 - 44)
    )
}

/// For a class outside the protocol's model: the class it showed there, and why it is
/// outside (what the protocol does not claim), wrapped; empty for a class inside it.
fn outside_note(scenario: &Scenario, cell: &Cell) -> String {
    let why = scenario.simulation.may_step_outside();
    if why.is_empty() {
        return String::new();
    }
    let text = format!(
        "{} there, outside what {} claims: {}",
        verdict(cell),
        scenario.simulation.protocol(),
        why.join("; "),
    );
    wrapped(&format!("{}: ", cell.class), &text)
}

/// Why a class cannot be run on this scenario: the scenario classify derived for it (the
/// file with the class's keys set) is not valid, in words that name what classify set.
fn cannot_run(e: &CliError, class: &Class) -> String {
    let set: Vec<&str> = class.set.iter().map(|(key, _)| *key).collect();
    let why = match e {
        CliError::Scenarios(errors) => (errors.iter())
            .map(|e| match &e.key {
                Some(key) => format!("`{key}` {}", e.message),
                None => e.message.clone(),
            })
            .collect::<Vec<_>>()
            .join("; "),
        other => other.to_string(),
    };
    format!(
        "cannot run on this scenario: classify sets {} on a copy of it, and that copy is \
         not valid ({why})",
        set.join(" and ")
    )
}

/// Whether `protocol` declares Byzantine adversaries (its Byzantine class can be run).
fn has_adversaries(app: &App, protocol: &str) -> bool {
    (app.catalog.find(protocol)).is_some_and(|(_, info)| !info.adversaries.is_empty())
}

/// The envelope: per group size, the largest f with no violation.
fn envelope(
    app: &App,
    args: &ClassifyArgs,
    base: &toml::Table,
    pool: &rayon::ThreadPool,
) -> Result<Status, CliError> {
    let first = with_keys(app, &args.file, base, &[])?;
    seeds_of(&first, None, args.seeds)?;
    let protocol = first.simulation.protocol();
    if args.byzantine && !has_adversaries(app, protocol) {
        return Err(CliError::Usage(format!(
            "--byzantine: {protocol} declares no Byzantine adversary \
             (`ftsim list NAME` shows a protocol's adversaries)"
        )));
    }
    let sizes = group_sizes(&args.file, first.simulation.spec().nodes)?;
    let what = if args.byzantine {
        "Byzantine nodes"
    } else {
        "crashes"
    };
    let duration = first.simulation.spec().config.duration;
    let mut lines = format!(
        "{}\n{}: the most {what} with no violation, per group size\n\n{:>5}  {:>8}  {}\n",
        reports::columns::truncate(&first.name, 80),
        first.simulation.protocol(),
        "n",
        "holds f",
        "breaks at"
    );
    let mut commands = Vec::new();
    for n in sizes {
        let (holds, breaks, command) = envelope_row(app, args, base, n, duration, pool);
        let holds = holds.map_or("-".to_string(), |f| f.to_string());
        lines.push_str(&format!("{n:>5}  {holds:>8}  {breaks}\n"));
        commands.extend(command);
    }
    lines.push_str(&evidence_commands(&commands));
    out(&lines);
    Ok(Status::Met)
}

/// One group size `n` of the envelope: the largest f that holds, where it breaks (in words),
/// and the command that replays the breaking seed.
fn envelope_row(
    app: &App,
    args: &ClassifyArgs,
    base: &toml::Table,
    n: usize,
    duration: ftsim_api::Duration,
    pool: &rayon::ThreadPool,
) -> (Option<usize>, String, Option<String>) {
    let top = args.max_faults.unwrap_or(n).min(n.saturating_sub(1));
    let mut holds = None;
    for f in 0..=top {
        let table = with_faults(base, n, f, args.byzantine, duration);
        let Ok(scenario) = parse_table(app, &args.file, &table) else {
            return (
                holds,
                format!("f = {f}: not a valid scenario at n = {n}"),
                None,
            );
        };
        let t = sweep_of(&scenario, args.seeds, pool);
        let cell = judge_cell(app, &scenario, "", &t);
        if cell.safe && cell.live {
            holds = Some(f);
            continue;
        }
        let (name, seed) = cell.evidence.unwrap_or_default();
        let outside = if scenario.simulation.may_step_outside().is_empty() {
            ""
        } else {
            " (outside its model)"
        };
        let at = format!("f = {f}: {name}, seed {seed}{outside}");
        let variant = envelope_name(n, f, args.byzantine);
        let command = evidence_command(app, &args.file, seed, &variant);
        return (
            holds,
            reports::columns::truncate(&at, 80 - 17),
            Some(command),
        );
    }
    (holds, format!("- (never, up to f = {top})"), None)
}

/// The group sizes of the file's `[sweep] nodes`, else its `nodes`.
fn group_sizes(file: &Path, nodes: usize) -> Result<Vec<usize>, CliError> {
    let text = ftsim_runner::input::read_text(file, ftsim_runner::input::SCENARIO_BYTES_MAX)
        .map_err(|e| unreadable(file, &e))?;
    let table: toml::Table = text.parse().unwrap_or_default();
    let listed = table
        .get("sweep")
        .and_then(|s| s.get("nodes"))
        .and_then(toml::Value::as_array)
        .map(|list| {
            list.iter()
                .filter_map(toml::Value::as_integer)
                .filter_map(|n| usize::try_from(n).ok())
                .collect::<Vec<_>>()
        });
    Ok(listed
        .filter(|l| !l.is_empty())
        .unwrap_or_else(|| vec![nodes]))
}
