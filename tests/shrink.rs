//! Shrinking every expected-violation scenario of the catalogue: the shrunk run still violates
//! the expected property, is no larger than the seed's run, and replays from its recording.

use std::path::Path;

use ftsim_api::scenario::{self, Expect};
use ftsim_api::shrink::{shrink, ShrinkOptions};
use ftsim_api::RunOptions;

#[test]
fn every_expected_violation_shrinks() {
    let catalog = ftsim::catalog(&[]).unwrap();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    for file in files {
        let s = scenario::load(&file, &catalog).unwrap();
        let Expect::Violation(property) = &s.expect else {
            continue;
        };
        let seed = s
            .seeds
            .range()
            .find(|&seed| {
                let r = s.simulation.run(seed, RunOptions::default());
                r.violations.iter().any(|v| &v.property == property)
            })
            .unwrap();
        let options = ShrinkOptions {
            property: Some(property.clone()),
            ..ShrinkOptions::default()
        };
        let shrunk = shrink(&s.simulation, seed, &options).unwrap();
        let (a, b) = (shrunk.original.size(), shrunk.shrunk.size());
        println!(
            "{:45} seed {seed:4}: runs {:4}{} nodes {}->{} faults {}->{} msgs {}->{} events {}->{} time {}->{}",
            s.name, shrunk.runs, if shrunk.exhausted {"!"} else {" "}, a.nodes, b.nodes, a.faults, b.faults, a.messages, b.messages, a.events, b.events, a.end_time, b.end_time
        );
        assert!(b.within(&a));
        let again = shrunk.shrunk.simulation.run(
            seed,
            RunOptions {
                plan: Some(&shrunk.shrunk.plan),
                choices: Some(&shrunk.shrunk.choices),
                trace: false,
            },
        );
        assert_eq!(again.trace_hash, shrunk.shrunk.report.trace_hash);
        assert!(shrunk.failure.shown_by(&again));
    }
}
