//! The shrinker and the fault model's kinds of fault: a fault the failure needs stays (storage
//! faults that lose a write, a mid-broadcast crash, a slow primary, a crash chain) while the
//! run shrinks around it; a fault it does not need goes, whatever its kind (a triggered crash,
//! a one-way partition, a clock skew, a slow window, an intermittent node's cycles, storage
//! faults); and a repro file carries every kind of fault back to the same run.

use std::path::{Path, PathBuf};

use ftsim_api::sim_core::faults::StorageFaults;
use ftsim_api::{FaultKind, FaultPlan};
use ftsim_runner::repro::{Origin, Repro};
use ftsim_runner::scenario::{self, Expect};
use ftsim_runner::shrink::{shrink, Failure, ShrinkOptions, Shrunk};
use ftsim_runner::{Catalog, RunOptions, Scenario};

fn catalog() -> Catalog {
    ftsim::catalog(&[]).unwrap()
}

fn bundled(name: &str) -> Scenario {
    let file = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(format!("{name}.toml"));
    scenario::load(&file, &catalog()).unwrap()
}

/// The failure the scenario expects, and its first seed (in order) that shows it.
fn first_failure(s: &Scenario) -> (Failure, u64) {
    let (property, outside) = match &s.expect {
        Expect::Violation(p) => (p.clone(), false),
        Expect::Outside(p) => (p.clone(), true),
        Expect::Pass => panic!("{} expects no failure", s.name),
    };
    let failure = Failure::Violated { property, outside };
    let seed = s
        .seeds
        .range()
        .find(|&seed| failure.shown_by(&s.simulation.run(seed, RunOptions::default())))
        .unwrap_or_else(|| panic!("{}: no seed shows {failure:?}", s.name));
    (failure, seed)
}

/// Shrinks the scenario's first failing seed; checks it still fails the same way, is no
/// larger, and replays from its repro file with the same hash and plan.
fn shrunk(s: &Scenario) -> Shrunk {
    let (failure, seed) = first_failure(s);
    let Failure::Violated { property, outside } = &failure else {
        unreachable!()
    };
    let options = ShrinkOptions {
        property: Some(property.clone()),
        outside: Some(*outside),
        ..ShrinkOptions::default()
    };
    let shrunk = shrink(&s.simulation, seed, &options).unwrap();
    let name = &s.name;
    assert_eq!(shrunk.failure, failure, "{name}");
    assert!(failure.shown_by(&shrunk.shrunk.report), "{name}");
    let (before, after) = (shrunk.original.size(), shrunk.shrunk.size());
    assert!(after.within(&before), "{name}: {before:?} -> {after:?}");
    assert!(
        after.events < before.events,
        "{name}: {before:?} -> {after:?}"
    );
    assert!(!shrunk.exhausted, "{name}: the budget ran out");

    let origin = Origin {
        name: &s.name,
        description: &s.description,
        file: &s.file,
    };
    let file = PathBuf::from(format!("{name}.repro.json"));
    let repro = Repro::parse(&file, &Repro::of_shrunk(&origin, &shrunk).to_json()).unwrap();
    assert_eq!(
        repro.plan, shrunk.shrunk.plan,
        "{name}: the plan reads back"
    );
    let simulation = repro.simulation(&file, &catalog()).unwrap();
    let replayed = repro.replay(simulation.as_ref(), false);
    assert!(
        replayed.is_recorded_run(),
        "{name}: {:?}",
        replayed.explanation(&repro)
    );
    assert!(replayed.fails_alike, "{name}");
    shrunk
}

fn events(plan: &FaultPlan, kind: fn(&FaultKind) -> bool) -> usize {
    plan.events.iter().filter(|e| kind(&e.kind)).count()
}

#[test]
fn a_lost_unsynced_write_and_its_mid_broadcast_crash_stay() {
    let shrunk = shrunk(&bundled("paxos-unsynced-acceptor"));
    let plan = &shrunk.shrunk.plan;
    // The failure is the recovered acceptor's lost promise: without storage faults, or
    // without the crash that loses it, two values are never chosen.
    assert_eq!(plan.storage, StorageFaults::LoseUnsynced, "{plan:?}");
    assert_eq!(plan.triggered.len(), 1, "{plan:?}");
    assert!(shrunk.shrunk.report.stats.storage_losses > 0);
    assert!(shrunk.shrunk.size().messages < shrunk.original.size().messages);
}

#[test]
fn a_slow_primary_stays_and_its_window_shrinks() {
    let shrunk = shrunk(&bundled("primary-backup-timeout-only-slow-primary"));
    let (before, after) = (&shrunk.original.plan, &shrunk.shrunk.plan);
    let slow = |k: &FaultKind| matches!(k, FaultKind::SlowStart { .. });
    let end = |k: &FaultKind| matches!(k, FaultKind::SlowEnd { .. });
    assert_eq!(
        (events(after, slow), events(after, end)),
        (1, 1),
        "{after:?}"
    );
    let length = |p: &FaultPlan| {
        let at = |kind: fn(&FaultKind) -> bool| p.events.iter().find(|e| kind(&e.kind)).unwrap().at;
        at(end).since(at(slow))
    };
    assert!(length(after) < length(before), "{before:?} -> {after:?}");
}

#[test]
fn a_crash_chain_stays_outside_with_fewer_nodes() {
    let shrunk = shrunk(&bundled("flooding-n7-f3-three-rounds-chain"));
    let plan = &shrunk.shrunk.plan;
    assert_eq!(plan.chains.len(), 1, "{plan:?}");
    // Three rounds tolerate two crashes: the chain keeps all three to stay outside.
    assert_eq!(plan.chains[0].links.len(), 2, "{plan:?}");
    assert!(shrunk.shrunk.size().nodes < shrunk.original.size().nodes);
    let report = &shrunk.shrunk.report;
    assert!(report
        .violations
        .iter()
        .all(|v| v.outside_assumptions.is_some()));
}

/// Flooding with one round and a crash in the middle of the first broadcast (the failure),
/// plus one fault of each other kind that the failure does not need.
const NEEDLESS: &str = r#"
name = "flooding-needless-faults"
description = "A mid-broadcast crash breaks one-round flooding; every other fault is noise."
protocol = "flooding"
nodes = 4
seeds = { start = 0, count = 200 }
duration = "50ms"
settle = "50ms"
expect = { outside = "agreement" }

[params]
rounds = 1

[network]
delay = ["1ms", "5ms"]
send_gap = "1ms"

[detector]
kind = "perfect"
delay = "6ms"

[faults]
crashes = { min = 1, max = 1, nodes = [0], mid_broadcast = 1.0, broadcasts = [1, 1] }
storage = "torn"
clocks = { nodes = [3], offset = ["1ms", "2ms"], drift = [0.0, 0.0] }
slow = { min = 1, max = 1, nodes = [3], between = ["1ms", "2ms"], lasting = ["1ms", "2ms"], factor = [1.5, 2.0] }
partitions = { min = 1, max = 1, shape = "one-way", nodes = [3], between = ["20ms", "30ms"], lasting = ["1ms", "2ms"] }
intermittent = { nodes = [3], times = [2, 2], between = ["20ms", "30ms"], down = ["1ms", "2ms"], up = ["1ms", "2ms"] }

[[faults.schedule]]
crash = 2
on_delivery = 40
"#;

#[test]
fn faults_the_failure_does_not_need_go_whatever_their_kind() {
    let catalog = catalog();
    let s = scenario::parse(Path::new("needless.toml"), NEEDLESS, &catalog).unwrap();
    let before = s
        .simulation
        .run(first_failure(&s).1, RunOptions::default())
        .plan;
    let kinds: [fn(&FaultKind) -> bool; 4] = [
        |k| matches!(k, FaultKind::ClockSkew { .. }),
        |k| matches!(k, FaultKind::SlowStart { .. }),
        |k| matches!(k, FaultKind::OneWay { .. }),
        |k| matches!(k, FaultKind::Recover { .. }),
    ];
    for kind in kinds {
        assert!(events(&before, kind) > 0, "{before:?}");
    }
    assert_eq!(before.triggered.len(), 2, "{before:?}");
    assert_eq!(before.storage, StorageFaults::Torn);

    let plan = shrunk(&s).shrunk.plan;
    // What is left is the crash that cuts the broadcast, and nothing else.
    assert_eq!(plan.events, Vec::new(), "{plan:?}");
    assert_eq!(plan.triggered.len(), 1, "{plan:?}");
    assert_eq!(plan.triggered[0].node, 0, "{plan:?}");
    assert_eq!(plan.storage, StorageFaults::None, "{plan:?}");
}

/// A chain of four partial broadcasts against two rounds, which two crashes already break
/// (and take outside FloodSet's assumption of at most one crash).
const LONG_CHAIN: &str = r#"
name = "flooding-long-chain"
description = "A chain of four partial broadcasts against two rounds: two links are enough."
protocol = "flooding"
nodes = 6
seeds = { start = 0, count = 200 }
duration = "60ms"
settle = "60ms"
expect = { outside = "agreement" }

[params]
rounds = 2

[network]
delay = ["1ms", "5ms"]
send_gap = "1ms"

[detector]
kind = "perfect"
delay = "6ms"

[faults]
crashes = { min = 4, max = 4, mid_broadcast = 1.0, chain = true, broadcasts = [1, 1] }
"#;

#[test]
fn a_chain_loses_the_links_it_does_not_need() {
    let s = scenario::parse(Path::new("long-chain.toml"), LONG_CHAIN, &catalog()).unwrap();
    let shrunk = shrunk(&s);
    assert_eq!(shrunk.original.plan.chains[0].links.len(), 3);
    let plan = &shrunk.shrunk.plan;
    assert_eq!(plan.chains.len(), 1, "{plan:?}");
    assert_eq!(plan.chains[0].links.len(), 1, "{plan:?}");
    assert_eq!(shrunk.shrunk.size().faults, 2);
}
