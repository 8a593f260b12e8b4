//! The abstract Paxos under exhaustive search (complete and safe as published, each known bug
//! caught with a shortest counterexample) and under the engine's seeds.

use ftsim_api::{DelayDist, Duration, NetworkModel, RunSpec};
use ftsim_runner::explore::{End, Limits, Report};
use ftsim_runner::simulation::prepare_typed;
use ftsim_runner::{Harness, Simulation};

use super::{Bug, PaxosAbstract, PaxosAbstractParams};

fn explore(servers: usize, clients: usize, bug: Bug) -> Report {
    let params = PaxosAbstractParams { servers, bug };
    let sim = prepare_typed(&PaxosAbstract, params, RunSpec::new(servers + clients))
        .expect("a valid spec");
    let explorer = sim.explorer().expect("paxos-abstract can be explored");
    (explorer.explore(&Limits::default(), &mut |_| None)).expect("the search runs")
}

#[test]
fn paxos_as_published_is_safe_in_every_reachable_state() {
    let report = explore(3, 2, Bug::None);
    assert!(matches!(report.end, End::Complete), "{:?}", report.end);
    // The count stateright's BFS checker finds for the same spec
    // (bench/stateright-compare).
    assert_eq!((report.unique, report.depth), (301_099, 24));
}

fn shortest_violation(bug: Bug) -> Vec<String> {
    let report = explore(3, 2, bug);
    let End::Violation(cx) = report.end else {
        panic!("{bug:?} must be caught, got {:?}", report.end);
    };
    assert_eq!(cx.property, "agreement");
    cx.steps
}

#[test]
fn a_leader_that_ignores_accepted_values_is_caught_choosing_a_second_value() {
    let steps = shortest_violation(Bug::IgnoreAccepted);
    assert_eq!(steps.len(), 10, "{steps:#?}");
}

#[test]
fn an_acceptor_that_breaks_its_promise_is_caught_choosing_a_second_value() {
    let steps = shortest_violation(Bug::BreakPromise);
    assert_eq!(steps.len(), 10, "{steps:#?}");
}

/// Delays of 1 to 20ms: spread enough that under seeds a put sometimes arrives after the
/// other value was chosen (as the scenario `explore-paxos-3-ignore-accepted` has it).
fn spread_delays() -> NetworkModel {
    let mut network = NetworkModel::default();
    network.default.delay = DelayDist::Uniform {
        min: Duration::from_millis(1),
        max: Duration::from_millis(20),
    };
    network
}

#[test]
fn paxos_as_published_passes_many_seeds_and_seeds_rarely_catch_the_bug() {
    let harness = |bug| {
        Harness::new(&PaxosAbstract)
            .params(PaxosAbstractParams { servers: 3, bug })
            .nodes(5)
            .network(spread_delays())
            .seeds(0..2000)
    };
    harness(Bug::None).check();
    harness(Bug::IgnoreAccepted).expect_violation("agreement");
}
