//! Shrinking every scenario of the catalogue that expects a failure, a violation inside the
//! protocol's model (`expect = { violation = … }`) or outside it (`expect = { outside = … }`):
//! the shrunk run still violates the expected property on the same side of the model, is no
//! larger than the seed's run in nodes, faults, messages and events, and replays from its repro
//! file — written, read back, and prepared again from the scenario text inside it — with the
//! same trace hash and the same classification. Each scenario's first seed that shows its
//! failure is shrunk; it is found by running seeds in order rather than a whole sweep, which
//! keeps the test to seconds in debug builds.

use std::path::{Path, PathBuf};

use ftsim_runner::repro::{Origin, Repro};
use ftsim_runner::scenario::{self, Expect};
use ftsim_runner::shrink::{shrink, Failure, ShrinkBudget, ShrinkOptions, Shrunk};
use ftsim_runner::{Catalog, RunOptions, Scenario};

fn catalog() -> Catalog {
    ftsim::catalog(&[]).unwrap()
}

/// The failure a scenario expects, if it expects one.
fn expected_failure(expect: &Expect) -> Option<Failure> {
    let (property, outside) = match expect {
        Expect::Violation(p) => (p.clone(), false),
        Expect::Outside(p) => (p.clone(), true),
        Expect::Pass => return None,
    };
    Some(Failure::Violated { property, outside })
}

/// Every scenario that expects a failure, with that failure and its first seed showing it.
fn expected_failures(catalog: &Catalog) -> Vec<(Scenario, Failure, u64)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for file in files {
        let s = scenario::load(&file, catalog).unwrap();
        let Some(failure) = expected_failure(&s.expect) else {
            continue;
        };
        let seed = s
            .seeds
            .range()
            .find(|&seed| failure.shown_by(&s.simulation.run(seed, RunOptions::default())));
        let seed = seed.unwrap_or_else(|| panic!("{}: no seed shows {failure:?}", s.name));
        out.push((s, failure, seed));
    }
    out
}

fn shrunk(s: &Scenario, failure: &Failure, seed: u64) -> Shrunk {
    let Failure::Violated { property, outside } = failure else {
        unreachable!("scenarios expect violations")
    };
    let options = ShrinkOptions {
        property: Some(property.clone()),
        outside: Some(*outside),
        ..ShrinkOptions::default()
    };
    shrink(&s.simulation, seed, &options).unwrap()
}

fn repro_of(s: &Scenario, shrunk: &Shrunk) -> Repro {
    let origin = Origin {
        name: &s.name,
        description: &s.description,
        file: &s.file,
    };
    Repro::of_shrunk(&origin, shrunk)
}

#[test]
fn every_expected_failure_shrinks_and_replays_from_its_repro() {
    let catalog = catalog();
    let scenarios = expected_failures(&catalog);
    let outside = scenarios
        .iter()
        .filter(|(s, _, _)| matches!(s.expect, Expect::Outside(_)))
        .count();
    assert!(scenarios.len() >= 30, "{} scenarios", scenarios.len());
    assert!(
        outside >= 10,
        "{outside} scenarios expect an outside failure"
    );
    for (s, expected, seed) in &scenarios {
        let shrunk = shrunk(s, expected, *seed);
        let name = &s.name;
        assert_eq!(&shrunk.failure, expected, "{name}");
        let report = &shrunk.shrunk.report;
        assert!(expected.shown_by(report), "{name}");
        if matches!(s.expect, Expect::Outside(_)) {
            assert!(!report.outside_assumptions.is_empty(), "{name}: no reason");
        }
        let (before, after) = (shrunk.original.size(), shrunk.shrunk.size());
        assert!(after.within(&before), "{name}: {before:?} -> {after:?}");
        assert!(!shrunk.exhausted, "{name}: the budget ran out");

        let file = PathBuf::from(format!("{name}.repro.json"));
        let repro = Repro::parse(&file, &repro_of(s, &shrunk).to_json()).unwrap();
        let simulation = repro.simulation(&file, &catalog).unwrap();
        // The scenario text inside the repro reads back to the simulation that ran.
        assert_eq!(simulation.spec(), shrunk.shrunk.simulation.spec(), "{name}");
        assert_eq!(
            simulation.params(),
            shrunk.shrunk.simulation.params(),
            "{name}"
        );
        let replayed = repro.replay(simulation.as_ref(), false);
        assert!(
            replayed.is_recorded_run(),
            "{name}: {:?}",
            replayed.explanation(&repro)
        );
        assert!(replayed.fails_alike, "{name}");
        assert_eq!(replayed.report.trace_hash, shrunk.shrunk.report.trace_hash);
        // The classification travels with the repro: its failure, its violations, its
        // reasons, and the scenario text inside it expects what the run shows.
        assert_eq!(&repro.failure, expected, "{name}");
        assert_eq!(repro.violations, report.violations, "{name}");
        assert_eq!(repro.outside_assumptions, report.outside_assumptions);
        let inside = scenario::parse(&file, &repro.scenario.text, &catalog).unwrap();
        assert_eq!(inside.expect, s.expect, "{name}");
    }
}

#[test]
fn the_same_input_gives_the_same_repro() {
    let catalog = catalog();
    for (s, failure, seed) in expected_failures(&catalog)
        .iter()
        .filter(|(s, _, _)| s.name.starts_with("paxos") || s.name.starts_with("flooding"))
    {
        let first = repro_of(s, &shrunk(s, failure, *seed)).to_json();
        let again = repro_of(s, &shrunk(s, failure, *seed)).to_json();
        assert_eq!(first, again, "{}", s.name);
    }
}

#[test]
fn a_passing_seed_has_nothing_to_shrink() {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/flooding-f1-two-rounds.toml");
    let s = scenario::load(&file, &catalog()).unwrap();
    let err = shrink(&s.simulation, 0, &ShrinkOptions::default()).err();
    assert_eq!(
        err.map(|e| e.to_string()).as_deref(),
        Some("seed 0 passes: there is no failure to shrink")
    );
}

/// A shrink whose budget of events is spent stops there, however far its search got: the run
/// that goes over the budget is its last, and what it found so far still fails alike.
#[test]
fn a_shrink_stops_when_its_events_are_spent() {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/flooding-f1-one-round.toml");
    let s = scenario::load(&file, &catalog()).unwrap();
    let whole = shrink(&s.simulation, 4, &ShrinkOptions::default()).unwrap();
    assert!(!whole.exhausted && whole.runs > 20, "{} runs", whole.runs);
    let max_events = whole.events / 4;
    let options = ShrinkOptions {
        budget: ShrinkBudget {
            max_events,
            ..ShrinkBudget::default()
        },
        ..ShrinkOptions::default()
    };
    let cut = shrink(&s.simulation, 4, &options).unwrap();
    assert!(cut.exhausted);
    // Here no candidate runs longer than the seed's run: the last one overshoots by less.
    let run_events = whole.original.report.stats.events;
    assert!(
        (max_events..max_events + run_events).contains(&cut.events),
        "{} events spent of {max_events}",
        cut.events
    );
    assert!(
        cut.runs < whole.runs,
        "{} runs, {} before",
        cut.runs,
        whole.runs
    );
    assert!(cut.failure.shown_by(&cut.shrunk.report));
    assert!(cut.shrunk.size().within(&cut.original.size()));
}
