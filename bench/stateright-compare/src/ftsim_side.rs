//! ftsim's side: `ftsim explore`'s breadth-first search, as the CLI runs it, on the bundled
//! models `two-phase-tla` and `paxos-abstract`.

use ftsim_api::RunSpec;
use ftsim_runner::explore::{End, Limits, Report};
use ftsim_runner::simulation::prepare_typed;
use ftsim_runner::Simulation;
use protocols::paxos_abstract::{Bug, PaxosAbstract, PaxosAbstractParams};
use protocols::twophase_tla::{TwoPhaseTla, TwoPhaseTlaParams};

/// TwoPhase with `rms` RMs: the TM and the RMs on a duplicating network (the spec's messages
/// are a set), as `scenarios/explore-two-phase-tla-3.toml`.
pub fn twophase(rms: usize) -> Report {
    let mut spec = RunSpec::new(rms + 1);
    spec.network.default.duplicate_ppm = 50_000;
    let params = TwoPhaseTlaParams {
        early_commit: false,
    };
    let sim = prepare_typed(&TwoPhaseTla, params, spec).expect("a valid spec");
    search(sim.explorer().expect("explorable"))
}

/// The abstract Paxos: `servers` servers and `clients` clients, as
/// `scenarios/explore-paxos-3.toml`.
pub fn paxos(servers: usize, clients: usize) -> Report {
    let params = PaxosAbstractParams {
        servers,
        bug: Bug::None,
    };
    let sim = prepare_typed(&PaxosAbstract, params, RunSpec::new(servers + clients))
        .expect("a valid spec");
    search(sim.explorer().expect("explorable"))
}

fn search(explorer: Box<dyn ftsim_runner::explore::Explorer>) -> Report {
    let report = explorer
        .explore(&Limits::default(), &mut |_| None)
        .expect("the search runs");
    assert!(
        matches!(report.end, End::Complete),
        "the model must be safe: {:?}",
        report.end
    );
    report
}
