//! A sweep worker resets one engine between seeds (see `ftsim_runner::worker`): every seed it
//! runs must be the run a new engine makes, whatever ran on the engine before it. Checked on
//! every bundled scenario (every family, fault kind, detector and adversary the catalogue
//! exercises), seed by seed, whole reports compared.

use std::path::Path;

use ftsim_runner::{Catalog, RunOptions};

#[test]
fn a_worker_runs_every_seed_of_every_bundled_scenario_as_a_new_engine_would() {
    let catalog = Catalog::new(protocols::all().iter().copied()).expect("the catalogue");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("the scenarios folder")
        .map(|e| e.expect("an entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    assert!(
        files.len() > 10,
        "expected the bundled scenarios in {dir:?}"
    );
    let names = catalog.names();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("a readable scenario");
        // The workloads over external nodes are not this catalogue's: ftsim-external's
        // `tests/worker_reuse.rs` checks their scenarios.
        let protocol = text.lines().find_map(|l| l.strip_prefix("protocol = \""));
        if protocol.is_some_and(|p| !names.iter().any(|n| p.strip_suffix('"') == Some(n))) {
            continue;
        }
        let scenario = ftsim_runner::scenario::parse(&file, &text, &catalog).expect("a valid file");
        let sim = scenario.simulation.as_ref();
        let mut worker = sim.worker();
        let first = scenario.seeds.start;
        for seed in first..first + scenario.seeds.count.min(25) {
            let reused = worker.run(seed);
            let fresh = sim.run(seed, RunOptions::default());
            assert_eq!(reused, fresh, "{}: seed {seed}", file.display());
        }
    }
}
