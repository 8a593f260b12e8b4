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

use std::path::Path;

use ftsim_api::sweep::{self, Tally};
use ftsim_api::{Duration, PropertyKind, Scenario, ScenarioError};

use super::error::{CliError, Status};
use super::output::{out, wrapped};
use super::App;

/// A fault class: its name and the keys it sets.
struct Class {
    name: &'static str,
    set: Vec<(&'static str, toml::Value)>,
}

/// How one class went: (safe, live) and the evidence.
struct Cell {
    class: &'static str,
    safe: bool,
    live: bool,
    evidence: Option<(String, u64)>,
    runs: u64,
}

fn value(text: &str) -> toml::Value {
    text.parse::<toml::Table>()
        .ok()
        .and_then(|t| t.get("v").cloned())
        .unwrap_or(toml::Value::Boolean(false))
}

/// The classes, timed within the scenario's fault phase `d`.
fn classes(d: Duration, byzantine: bool) -> Vec<Class> {
    // Faults start within the fault phase, which ends at `d` (exclusive).
    let (d, half, tenth) = (
        Duration(d.0 / 10 * 9),
        Duration(d.0 / 2),
        Duration((d.0 / 10).max(1)),
    );
    let crash = format!("v = {{ min = 1, max = 1, between = [\"0ms\", \"{d}\"] }}");
    let recover = format!(
        "v = {{ min = 1, max = 1, between = [\"0ms\", \"{d}\"], recover_after = [\"{tenth}\", \"{half}\"] }}"
    );
    let partition = format!(
        "v = {{ min = 1, max = 1, between = [\"0ms\", \"{d}\"], lasting = [\"{tenth}\", \"{half}\"] }}"
    );
    let mut all = vec![
        Class {
            name: "none",
            set: vec![],
        },
        Class {
            name: "loss",
            set: vec![("network.loss", value("v = 0.2"))],
        },
        Class {
            name: "crash-stop",
            set: vec![("faults.crashes", value(&crash))],
        },
        Class {
            name: "crash-recover",
            set: vec![("faults.crashes", value(&recover))],
        },
        Class {
            name: "partition",
            set: vec![("faults.partitions", value(&partition))],
        },
    ];
    if byzantine {
        all.push(Class {
            name: "byzantine",
            set: vec![("faults.byzantine", value("v = { count = 1 }"))],
        });
    }
    all
}

/// The scenario's text as a table without its grid, `sometimes` and expectation (a variant
/// judges safety and liveness itself), and unless `keep_faults`, without its faults and loss.
fn base_table(file: &Path, keep_faults: bool) -> Result<toml::Table, CliError> {
    let text = ftsim_api::input::read_text(file, ftsim_api::input::SCENARIO_BYTES_MAX)
        .map_err(|e| unreadable(file, &e))?;
    let mut table: toml::Table = text
        .parse()
        .map_err(|e| CliError::Usage(format!("{}: not valid TOML: {e}", file.display())))?;
    for key in ["sweep", "sometimes"] {
        table.remove(key);
    }
    table.insert("expect".into(), toml::Value::String("pass".into()));
    if keep_faults {
        return Ok(table);
    }
    table.remove("faults");
    if let Some(toml::Value::Table(network)) = table.get_mut("network") {
        network.remove("loss");
    }
    Ok(table)
}

/// Sets a dotted key, making tables on the way.
/// A scenario file that cannot be read, reported as `run` and `check` report one.
fn unreadable(file: &Path, error: &std::io::Error) -> CliError {
    CliError::Scenarios(vec![ScenarioError::unreadable(file, error)])
}

fn set(table: &mut toml::Table, key: &str, v: toml::Value) {
    let mut parts: Vec<&str> = key.split('.').collect();
    let last = parts.pop().unwrap_or(key);
    let mut here = table;
    for part in parts {
        let next = here
            .entry(part.to_string())
            .or_insert_with(|| toml::Value::Table(toml::Table::new()));
        if !next.is_table() {
            *next = toml::Value::Table(toml::Table::new());
        }
        here = match next {
            toml::Value::Table(t) => t,
            _ => unreachable!("made a table just above"),
        };
    }
    here.insert(last.to_string(), v);
}

/// The variant of `base` with `keys` set, as a scenario.
fn variant(
    app: &App,
    file: &Path,
    base: &toml::Table,
    keys: &[(&str, toml::Value)],
) -> Result<Scenario, CliError> {
    let mut table = base.clone();
    for (key, v) in keys {
        set(&mut table, key, v.clone());
    }
    parse_table(app, file, &table)
}

/// A scenario table as a scenario, validated like a file.
fn parse_table(app: &App, file: &Path, table: &toml::Table) -> Result<Scenario, CliError> {
    let text = toml::to_string(table).map_err(|e| CliError::Usage(e.to_string()))?;
    // The lines are the derived text's, not the file's: an error names its key only.
    ftsim_api::scenario::parse(file, &text, &app.catalog).map_err(|mut e| {
        e.line = None;
        CliError::Scenarios(vec![e])
    })
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

/// What `classify` was asked for.
pub struct ClassifyArgs<'a> {
    pub file: &'a Path,
    pub seeds: Option<u64>,
    pub envelope: bool,
    pub byzantine: bool,
    pub max_faults: Option<usize>,
}

pub fn cmd_classify(app: &App, args: ClassifyArgs<'_>) -> Result<Status, CliError> {
    let pool = rayon::ThreadPoolBuilder::new()
        .build()
        .map_err(|e| CliError::Usage(format!("cannot start worker threads: {e}")))?;
    if args.envelope {
        let base = base_table(args.file, true)?;
        return envelope(app, &args, &base, &pool);
    }
    let base = base_table(args.file, false)?;
    let first = variant(app, args.file, &base, &[])?;
    // As `run` takes them: never a verdict from 0 runs, nor seeds past the last one.
    super::run::seeds_of(&first, None, args.seeds)?;
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
    let mut notes = String::new();
    for class in classes(duration, byzantine) {
        let row = match variant(app, args.file, &base, &class.set) {
            Ok(scenario) => {
                let t = sweep_of(&scenario, args.seeds, &pool);
                let cell = judge_cell(app, &scenario, class.name, &t);
                notes.push_str(&outside_note(&scenario, &cell));
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
    out(&lines);
    Ok(Status::Met)
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
    args: &ClassifyArgs<'_>,
    base: &toml::Table,
    pool: &rayon::ThreadPool,
) -> Result<Status, CliError> {
    let first = variant(app, args.file, base, &[])?;
    super::run::seeds_of(&first, None, args.seeds)?;
    let protocol = first.simulation.protocol();
    if args.byzantine && !has_adversaries(app, protocol) {
        return Err(CliError::Usage(format!(
            "--byzantine: {protocol} declares no Byzantine adversary \
             (`ftsim list` shows which protocols do)"
        )));
    }
    let sizes = group_sizes(args.file, first.simulation.spec().nodes)?;
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
    for n in sizes {
        let top = args.max_faults.unwrap_or(n).min(n.saturating_sub(1));
        let mut holds = None;
        let mut breaks = format!("- (never, up to f = {top})");
        for f in 0..=top {
            let table = with_faults(base, n, f, args.byzantine, duration);
            let Ok(scenario) = parse_table(app, args.file, &table) else {
                breaks = format!("f = {f}: not a valid scenario at n = {n}");
                break;
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
            breaks = reports::columns::truncate(&at, 80 - 17);
            break;
        }
        let holds = holds.map_or("-".to_string(), |f| f.to_string());
        lines.push_str(&format!("{n:>5}  {holds:>8}  {breaks}\n"));
    }
    out(&lines);
    Ok(Status::Met)
}

/// `base` at group size `n` with `f` faults of the counted kind: the file's own crash spec
/// (or Byzantine spec) with its count set to `f`, so the faults come the way the scenario makes
/// them (mid-broadcast, in chains...); crashes in the fault phase if the file has none; no
/// such faults at all for `f = 0`.
fn with_faults(
    base: &toml::Table,
    n: usize,
    f: usize,
    byzantine: bool,
    d: Duration,
) -> toml::Table {
    let mut table = base.clone();
    set(&mut table, "nodes", toml::Value::Integer(n as i64));
    let key = if byzantine { "byzantine" } else { "crashes" };
    let mut faults = match table.remove("faults") {
        Some(toml::Value::Table(faults)) => faults,
        _ => toml::Table::new(),
    };
    if f == 0 {
        faults.remove(key);
    } else {
        let mut spec = match faults.remove(key) {
            Some(toml::Value::Table(spec)) => spec,
            _ if byzantine => toml::Table::new(),
            _ => {
                let d = Duration(d.0 / 10 * 9);
                let mut spec = toml::Table::new();
                spec.insert("between".into(), value(&format!("v = [\"0ms\", \"{d}\"]")));
                spec
            }
        };
        let count = toml::Value::Integer(f as i64);
        if byzantine {
            spec.insert("count".into(), count);
        } else {
            spec.insert("min".into(), count.clone());
            spec.insert("max".into(), count);
        }
        faults.insert(key.into(), toml::Value::Table(spec));
    }
    table.insert("faults".into(), toml::Value::Table(faults));
    table
}

/// The group sizes of the file's `[sweep] nodes`, else its `nodes`.
fn group_sizes(file: &Path, nodes: usize) -> Result<Vec<usize>, CliError> {
    let text = ftsim_api::input::read_text(file, ftsim_api::input::SCENARIO_BYTES_MAX)
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
