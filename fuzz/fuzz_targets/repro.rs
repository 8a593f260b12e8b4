//! Any bytes as a repro file (`ftsim replay --repro`, `ftsim diff`): reading it never panics,
//! and a repro that is accepted, and whose scenario prepares in this build, replays from its
//! recorded plan and decisions without a panic (a protocol panic would be the run's `Panicked`
//! outcome, which counts as a finding here too), and explains any departure in words.
#![no_main]

use std::path::Path;
use std::sync::OnceLock;

use ftsim::api::Outcome;
use ftsim::runner::repro::Repro;
use ftsim::runner::Catalog;
use libfuzzer_sys::fuzz_target;

fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| ftsim::catalog(&[]).expect("the bundled catalogue is valid"))
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let file = Path::new("fuzz.repro.json");
    let Ok(repro) = Repro::parse(file, text) else {
        return;
    };
    let Ok(simulation) = repro.simulation(file, catalog()) else {
        return;
    };
    let replayed = repro.replay(simulation.as_ref(), false);
    if let Outcome::Panicked { message, .. } = &replayed.report.outcome {
        panic!("the repro's run panicked: {message}");
    }
    let _ = replayed.explanation(&repro);
});
