//! A sweep worker resets one engine between seeds and keeps the node programs running
//! (`pool`): every seed it runs must be the run a new engine with newly started programs makes. Checked
//! on every bundled scenario of the workloads over external nodes, seed by seed, whole reports
//! compared.

use std::path::Path;

use ftsim_runner::{Catalog, RunOptions};

#[test]
fn a_worker_with_reused_programs_runs_every_seed_as_a_new_engine_would() {
    let catalog = Catalog::new(ftsim_external::all().iter().copied()).expect("the workloads");
    let names = catalog.names();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("the scenarios folder")
        .map(|e| e.expect("an entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    let mut checked = 0;
    for file in files {
        let text = std::fs::read_to_string(&file).expect("a readable scenario");
        let protocol = text.lines().find_map(|l| l.strip_prefix("protocol = \""));
        if !protocol.is_some_and(|p| names.iter().any(|n| p.strip_suffix('"') == Some(n))) {
            continue;
        }
        let scenario = ftsim_runner::scenario::parse(&file, &text, &catalog).expect("a valid file");
        let sim = scenario.simulation.as_ref();
        let mut worker = sim.worker();
        let first = scenario.seeds.start;
        for seed in first..first + scenario.seeds.count.min(5) {
            // The worker's engine holds its programs between seeds; the new engine starts
            // its own, and gives them back to the pool when it is dropped.
            let reused = worker.run(seed);
            ftsim_external::pool::stop_idle();
            let fresh = sim.run(seed, RunOptions::default());
            // A node without ftsim's extension cannot be started over: each life is a new
            // program, never kept.
            let plain = text.contains("speaks = \"maelstrom\"");
            assert_eq!(
                ftsim_external::pool::idle_count() > 0,
                !plain,
                "{}: programs are kept only for nodes that speak ftsim's extension",
                file.display()
            );
            assert_eq!(reused, fresh, "{}: seed {seed}", file.display());
        }
        checked += 1;
    }
    assert!(checked >= 9, "{checked} scenarios of external nodes");
}
