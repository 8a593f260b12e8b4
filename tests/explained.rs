//! Every bundled scenario that expects a violation gets one that explains itself: its first
//! failing seed's violation names other events besides the violating one (the other side of
//! the conflict; for liveness, what the stuck process waited for and its last step), its
//! message cites events, and a traced replay has a trace entry at every named event.

use std::path::Path;

use ftsim::api::properties::cites_events;
use ftsim::runner::sweep::tally;
use ftsim::runner::{Expect, RunOptions};

#[test]
fn every_bundled_violation_names_its_evidence() {
    let catalog = ftsim::catalog(&[]).expect("the bundled catalogue is valid");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let mut checked = 0;
    for file in files {
        let s = ftsim::runner::scenario::load(&file, &catalog).expect("a bundled scenario loads");
        let Expect::Violation(name) = &s.expect else {
            continue;
        };
        let t = tally(s.simulation.as_ref(), s.seeds, &|| {});
        let seed = t.first_seed_by_invariant[name.as_str()];
        let report = s.simulation.run(seed, RunOptions::traced());
        let v = report
            .violations
            .iter()
            .find(|v| &v.property == name)
            .unwrap();
        let what = format!("{} seed {seed}: {v:?}", file.display());
        assert!(v.related.iter().any(|&e| e != v.event), "{what}");
        let cited: Vec<u64> = v
            .related
            .iter()
            .copied()
            .filter(|&e| e != v.event)
            .collect();
        assert!(
            cited.iter().any(|&e| cites_events(&v.message, &[e])),
            "{what}"
        );
        let trace = report.trace.as_deref().unwrap();
        for e in &v.related {
            assert!(
                trace.iter().any(|t| t.event == *e),
                "{what}: no entry at #{e}"
            );
        }
        checked += 1;
    }
    assert!(checked >= 12, "only {checked} scenarios expect a violation");
}
