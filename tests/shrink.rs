//! Shrinking every expected-violation scenario of the catalogue (`expect = { violation = … }`):
//! the shrunk run still violates the expected property, is no larger than the seed's run in
//! nodes, faults, messages and events, and replays from its repro file — written, read back,
//! and prepared again from the scenario text inside it — with the same trace hash. Each
//! scenario's first seed that shows its violation is shrunk; it is found by running seeds in
//! order rather than a whole sweep, which keeps the test to about a second in debug builds.

use std::path::{Path, PathBuf};

use ftsim_api::repro::{Origin, Repro};
use ftsim_api::scenario::{self, Expect};
use ftsim_api::shrink::{shrink, Failure, ShrinkOptions, Shrunk};
use ftsim_api::{Catalog, RunOptions, Scenario};

fn catalog() -> Catalog {
    ftsim::catalog(&[]).unwrap()
}

/// Every scenario that expects a violation, with the property and its first seed showing it.
fn expected_violations(catalog: &Catalog) -> Vec<(Scenario, String, u64)> {
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
        let Expect::Violation(property) = s.expect.clone() else {
            continue;
        };
        let seed = s.seeds.range().find(|&seed| {
            let r = s.simulation.run(seed, RunOptions::default());
            r.violations.iter().any(|v| v.property == property)
        });
        let seed = seed.unwrap_or_else(|| panic!("{}: no seed violates {property}", s.name));
        out.push((s, property, seed));
    }
    out
}

fn shrunk(s: &Scenario, property: &str, seed: u64) -> Shrunk {
    let options = ShrinkOptions {
        property: Some(property.to_string()),
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
fn every_expected_violation_shrinks_and_replays_from_its_repro() {
    let catalog = catalog();
    let scenarios = expected_violations(&catalog);
    assert!(scenarios.len() >= 20, "{} scenarios", scenarios.len());
    for (s, property, seed) in &scenarios {
        let shrunk = shrunk(s, property, *seed);
        let name = &s.name;
        let expected = Failure::Violated {
            property: property.clone(),
        };
        assert_eq!(shrunk.failure, expected, "{name}");
        assert!(expected.shown_by(&shrunk.shrunk.report), "{name}");
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
    }
}

#[test]
fn the_same_input_gives_the_same_repro() {
    let catalog = catalog();
    for (s, property, seed) in expected_violations(&catalog)
        .iter()
        .filter(|(s, _, _)| s.name.starts_with("paxos") || s.name.starts_with("flooding"))
    {
        let first = repro_of(s, &shrunk(s, property, *seed)).to_json();
        let again = repro_of(s, &shrunk(s, property, *seed)).to_json();
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
