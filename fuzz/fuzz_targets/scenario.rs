//! Any bytes as a scenario file: reading it never panics, and a file that is accepted runs
//! its first seeds without a panic (a protocol panic would be the seed's `Panicked` outcome,
//! which counts as a finding here too: no bundled protocol should panic on accepted input).
#![no_main]

use std::path::Path;
use std::sync::OnceLock;

use ftsim::api::Outcome;
use ftsim::runner::{Catalog, RunOptions};
use libfuzzer_sys::fuzz_target;

fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| ftsim::catalog(&[]).expect("the bundled catalogue is valid"))
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(scenario) = ftsim::runner::scenario::parse(Path::new("fuzz.toml"), text, catalog())
    else {
        return;
    };
    let start = scenario.seeds.start;
    for seed in start..start.saturating_add(scenario.seeds.count.min(2)) {
        let report = scenario.simulation.run(seed, RunOptions::default());
        if let Outcome::Panicked { message, .. } = &report.outcome {
            panic!("seed {seed} panicked: {message}");
        }
    }
});
