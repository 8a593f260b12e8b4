//! Scenario files as the loader reads them: good files load, bad files are errors naming the
//! file, line and key, and a file written from a simulation reads back to the same one.

use std::path::Path;

use ftsim::api::FaultKind;
use ftsim::runner::scenario::{parse, to_toml, Header};
use ftsim::runner::{Catalog, Expect, Scenario, ScenarioError};

const GOOD: &str = r#"
name = "t"
protocol = "flooding"
nodes = 5
seeds = { count = 10 }
expect = "pass"
[params]
rounds = 2
[network]
delay = ["1ms", "5ms"]
loss = 0.0
[faults]
crashes = { max = 1, between = ["0ms", "20ms"] }
[[faults.schedule]]
at = "10ms"
crash = 3
"#;

fn catalog() -> Catalog {
    ftsim::catalog(&[]).expect("the bundled catalogue is valid")
}

fn load(text: &str) -> Result<Scenario, ScenarioError> {
    parse(Path::new("x.toml"), text, &catalog())
}

fn err_of(text: &str) -> ScenarioError {
    match load(text) {
        Ok(_) => panic!("accepted:\n{text}"),
        Err(e) => e,
    }
}

#[test]
fn a_good_file_loads() {
    let s = load(GOOD).unwrap();
    let spec = s.simulation.spec();
    assert_eq!(spec.nodes, 5);
    assert_eq!(s.seeds.count, 10);
    assert_eq!(s.expect, Expect::Pass);
    assert_eq!(
        spec.invariants.as_deref().unwrap(),
        ["agreement", "validity", "integrity", "termination"]
    );
    assert_eq!(
        spec.sometimes.as_deref().unwrap(),
        ["crash-before-decision"]
    );
    let plan = spec.plan(3);
    assert!(plan
        .events
        .iter()
        .any(|e| e.kind == FaultKind::Crash { node: 3 }));
    assert_eq!(plan, spec.plan(3));
}

#[test]
fn bad_files_name_the_key() {
    let cases: &[(&str, &str, &str)] = &[
        ("nodes = 5", "nodes = 0", "nodes"),
        ("loss = 0.0", "loss = 1.5", "network.loss"),
        ("crash = 3", "crash = 9", "faults.schedule"),
        ("max = 1,", "max = 6,", "faults.crashes.max"),
        ("rounds = 2", "rounds = \"two\"", "params.rounds"),
        ("rounds = 2", "roundz = 2", "params.roundz"),
        (
            "expect = \"pass\"",
            "expect = { violation = \"agremeent\" }",
            "expect.violation",
        ),
        (
            "protocol = \"flooding\"",
            "protocol = \"flood\"",
            "protocol",
        ),
        ("nodes = 5", "nodes = 5\nnodez = 5", "nodez"),
        (
            "delay = [\"1ms\", \"5ms\"]",
            "delay = [\"1ms\", \"5 parsecs\"]",
            "network.delay[1]",
        ),
        ("at = \"10ms\"", "at = \"500ms\"", "faults.schedule[0].at"),
        (
            "seeds = { count = 10 }",
            "seeds = { count = \"ten\" }",
            "seeds.count",
        ),
        (
            "expect = \"pass\"",
            "expect = \"pass\"\ninvariants = [\"agreement\", \"crash-before-decision\"]",
            "invariants[1]",
        ),
        (
            "expect = \"pass\"",
            "expect = \"pass\"\nsometimes = [\"agreement\"]",
            "sometimes[0]",
        ),
        (
            "expect = \"pass\"",
            "expect = \"pass\"\nadversary = \"mix\"",
            "adversary",
        ),
        (
            "[network]",
            "[detector]\nkind = \"none\"\n[network]",
            "detector.kind",
        ),
    ];
    for (from, to, key) in cases {
        assert!(GOOD.contains(from), "{from}");
        let e = err_of(&GOOD.replacen(from, to, 1));
        let shown = e.to_string();
        assert!(
            e.key.as_deref().is_some_and(|k| k.starts_with(key)),
            "{to:?}: expected key {key}, got {shown}"
        );
        assert!(shown.starts_with("x.toml"), "{shown}");
    }
}

#[test]
fn errors_say_what_was_expected() {
    let e = err_of(&GOOD.replacen("crash = 3", "crash = 9", 1));
    assert!(e.message.contains("expected a node id from 0 to 4"), "{e}");
    let e = err_of(&GOOD.replacen("loss = 0.0", "loss = 1.5", 1));
    assert!(e.message.contains("between 0 and 1"), "{e}");
    let e = err_of(&GOOD.replacen("nodes = 5", "nodes = 5\nnodez = 5", 1));
    assert!(e.message.contains("unknown key `nodez`"), "{e}");
    assert_eq!(e.line, Some(5), "{e}");
    let e = err_of(&GOOD.replacen("rounds = 2", "rounds = 0", 1));
    assert_eq!(
        e.message, "expected an integer from 1 to 64, found 0",
        "{e}"
    );
    assert_eq!(e.line, Some(8), "{e}");
}

/// Every bundled scenario, written back as a file, reads back to the same simulation.
#[test]
fn a_written_scenario_reads_back_the_same() {
    let catalog = catalog();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let mut checked = 0;
    for file in files {
        let Ok(s) = ftsim::runner::scenario::load(&file, &catalog) else {
            continue; // a protocol not in this catalogue yet
        };
        let text = to_toml(
            &Header {
                name: &s.name,
                description: &s.description,
                seeds: s.seeds,
                expect: &s.expect,
            },
            s.simulation.as_ref(),
        );
        let back = parse(&file, &text, &catalog)
            .unwrap_or_else(|e| panic!("{}: {e}\n{text}", file.display()));
        assert_eq!(
            back.simulation.spec(),
            s.simulation.spec(),
            "{}",
            file.display()
        );
        assert_eq!(back.simulation.params(), s.simulation.params());
        assert_eq!((back.seeds, back.expect), (s.seeds, s.expect));
        assert_eq!(
            back.simulation
                .run(s.seeds.start, Default::default())
                .trace_hash,
            s.simulation
                .run(s.seeds.start, Default::default())
                .trace_hash
        );
        checked += 1;
    }
    assert!(checked >= 4, "only {checked} scenarios checked");
}

/// A paxos file that uses every fault section and every schedule action.
const EVERY_FAULT: &str = r#"
name = "every-fault"
protocol = "paxos"
nodes = 5
seeds = { count = 3 }
duration = "100ms"
settle = "200ms"
expect = "pass"
[network]
delay = ["1ms", "5ms"]
loss = 0.2
heals = true
[faults]
storage = "torn"
partitions = { max = 1, shape = "minority", nodes = [1, 2, 3], between = ["0ms", "50ms"], lasting = ["5ms", "10ms"] }
omissions = { max = 1, nodes = [4], between = ["0ms", "50ms"], lasting = ["5ms", "10ms"], send = 0.5 }
intermittent = { nodes = [2], times = [2, 3], between = ["0ms", "10ms"], down = ["1ms", "2ms"], up = ["1ms", "2ms"] }
clocks = { count = 2, offset = ["-1ms", "1ms"], drift = [-0.01, 0.01] }
slow = { max = 1, nodes = [3], between = ["0ms", "50ms"], lasting = ["5ms", "10ms"], factor = [2.0, 4.0] }
[[faults.crashes]]
max = 1
nodes = [0]
mid_broadcast = 1.0
broadcasts = [1, 2]
[[faults.crashes]]
max = 1
nodes = [1]
between = ["0ms", "50ms"]
recover_after = ["1ms", "5ms"]
[[faults.schedule]]
at = "1ms"
isolate = 4
[[faults.schedule]]
at = "2ms"
one_way = { from = [3], to = [0, 1] }
[[faults.schedule]]
at = "3ms"
heal = true
[[faults.schedule]]
at = "0ms"
skew = 3
offset = "2ms"
drift = 0.001
[[faults.schedule]]
at = "4ms"
slow = 4
factor = 3.0
until = "9ms"
[[faults.schedule]]
crash = 3
after_sends = 4
recover_after = "2ms"
[[faults.schedule]]
crash = 4
on_message = "Prepare"
nth = 2
"#;

#[test]
fn every_fault_section_and_action_loads_and_reads_back() {
    use ftsim::api::sim_core::faults::{PartitionShape, StorageFaults, Trigger};
    let s = load(EVERY_FAULT).unwrap_or_else(|e| panic!("{e}"));
    let spec = s.simulation.spec();
    assert_eq!(spec.faults.crashes.len(), 2);
    assert_eq!(spec.faults.crashes[0].mid_broadcast_ppm, 1_000_000);
    assert_eq!(spec.faults.storage, StorageFaults::Torn);
    let partitions = spec.faults.partitions.as_ref().unwrap();
    assert_eq!(partitions.shape, PartitionShape::Minority);
    assert!(spec.network.heals);
    let plan = spec.plan(0);
    let kinds: Vec<String> = plan
        .events
        .iter()
        .map(|e| format!("{:?}", e.kind))
        .collect();
    for kind in [
        "OneWay",
        "ClockSkew",
        "SlowStart",
        "SlowEnd",
        "Partition",
        "Heal",
    ] {
        assert!(
            kinds.iter().any(|k| k.starts_with(kind)),
            "{kind}: {kinds:?}"
        );
    }
    assert!(plan
        .triggered
        .iter()
        .any(|t| t.node == 3 && t.when == Trigger::Sends { count: 4 }));
    // Written back, it is the same simulation, run for run.
    let text = to_toml(
        &Header {
            name: &s.name,
            description: &s.description,
            seeds: s.seeds,
            expect: &s.expect,
        },
        s.simulation.as_ref(),
    );
    let back = parse(Path::new("back.toml"), &text, &catalog()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(back.simulation.spec(), spec);
    for seed in 0..3 {
        assert_eq!(
            back.simulation.run(seed, Default::default()).trace_hash,
            s.simulation.run(seed, Default::default()).trace_hash
        );
    }
}

#[test]
fn bad_fault_sections_name_the_key() {
    let cases: &[(&str, &str, &str, &str)] = &[
        (
            "storage = \"torn\"",
            "storage = \"shredded\"",
            "faults.storage",
            "torn",
        ),
        (
            "shape = \"minority\"",
            "shape = \"triangle\"",
            "faults.partitions",
            "minority",
        ),
        (
            "factor = [2.0, 4.0]",
            "factor = [0.5, 4.0]",
            "faults.slow.factor",
            "1",
        ),
        (
            "drift = [-0.01, 0.01]",
            "drift = [-2.0, 0.01]",
            "faults.clocks.drift",
            "",
        ),
        (
            "mid_broadcast = 1.0",
            "mid_broadcast = 1.5",
            "faults.crashes[0].mid_broadcast",
            "",
        ),
        (
            "isolate = 4",
            "isolate = 7",
            "faults.schedule[0].isolate",
            "0 to 4",
        ),
        (
            "after_sends = 4",
            "after_sends = 4\nat = \"5ms\"",
            "faults.schedule[5].at",
            "trigger",
        ),
        (
            "nth = 2",
            "nth = 2\nsent = 1",
            "faults.schedule[6].sent",
            "in_broadcast",
        ),
        (
            "heal = true",
            "heal = false",
            "faults.schedule[2].heal",
            "heal = true",
        ),
        (
            "until = \"9ms\"",
            "until = \"2ms\"",
            "faults.schedule[4]",
            "until",
        ),
    ];
    for (from, to, key, says) in cases {
        assert!(EVERY_FAULT.contains(from), "{from}");
        let e = err_of(&EVERY_FAULT.replacen(from, to, 1));
        let shown = e.to_string();
        assert!(
            e.key.as_deref().is_some_and(|k| k.starts_with(key)),
            "{to:?}: expected key {key}, got {shown}"
        );
        assert!(shown.contains(says), "{to:?}: expected {says:?} in {shown}");
    }
}

#[test]
fn schedules_that_make_no_sense_are_errors() {
    let base = GOOD.replace("crashes = { max = 1, between = [\"0ms\", \"20ms\"] }\n", "");
    let twice = base.clone() + "[[faults.schedule]]\nat = \"12ms\"\ncrash = 3\n";
    let e = err_of(&twice);
    assert_eq!(e.key.as_deref(), Some("faults.schedule[1].crash"), "{e}");
    assert!(e.message.contains("already down"), "{e}");
    let never = base.clone() + "[[faults.schedule]]\nat = \"12ms\"\nrecover = 2\n";
    let e = err_of(&never);
    assert_eq!(e.key.as_deref(), Some("faults.schedule[1].recover"), "{e}");
    assert!(e.message.contains("never crashed"), "{e}");
    // Crash, recover, crash again: fine.
    let again = base
        + "[[faults.schedule]]\nat = \"12ms\"\nrecover = 3\n[[faults.schedule]]\nat = \"14ms\"\ncrash = 3\n";
    load(&again).unwrap_or_else(|e| panic!("{e}"));
}

/// The README's example scenario is a file the loader accepts.
#[test]
fn the_readme_example_loads() {
    let readme = include_str!("../README.md");
    let start = readme.find("```toml\n").expect("a toml block") + "```toml\n".len();
    let text = &readme[start..start + readme[start..].find("```").unwrap()];
    let s = load(text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert_eq!(s.expect, Expect::Outside("agreement".into()));
}

#[test]
fn the_budget_table_loads_reads_back_and_names_its_keys() {
    let with_budget =
        format!("{GOOD}[budget]\nmax_time = \"30ms\"\nmax_in_flight = 500\nmax_memory_mib = 64\n");
    let s = load(&with_budget).unwrap();
    let budgets = s.simulation.spec().config.budgets;
    assert_eq!(
        budgets.max_time,
        Some(ftsim::api::Duration::from_millis(30))
    );
    assert_eq!(budgets.max_in_flight, 500);
    assert_eq!(budgets.max_memory_bytes, 64 << 20);
    let header = Header {
        name: &s.name,
        description: &s.description,
        seeds: s.seeds,
        expect: &s.expect,
    };
    let back = load(&to_toml(&header, s.simulation.as_ref())).unwrap();
    assert_eq!(back.simulation.spec(), s.simulation.spec());
    let cases: &[(&str, &str, &str)] = &[
        (
            "max_in_flight = 500",
            "max_in_flight = 0",
            "budget.max_in_flight",
        ),
        (
            "max_memory_mib = 64",
            "max_memory_mib = 0",
            "budget.max_memory_mib",
        ),
        (
            "max_time = \"30ms\"",
            "max_time = \"0ms\"",
            "budget.max_time",
        ),
        ("max_time = \"30ms\"", "max_time = 30", "budget.max_time"),
        (
            "max_in_flight = 500",
            "max_inflight = 500",
            "budget.max_inflight",
        ),
        ("max_in_flight = 500", "max_events = 0", "budget.max_events"),
    ];
    for (from, to, key) in cases {
        let e = err_of(&with_budget.replacen(from, to, 1));
        assert!(e.line.is_some(), "{to:?}: no line in {e}");
        assert_eq!(e.key.as_deref(), Some(*key), "{to:?}: {e}");
    }
    let twice = format!("max_events = 10\n{with_budget}").replacen(
        "[budget]\n",
        "[budget]\nmax_events = 10\n",
        1,
    );
    assert_eq!(err_of(&twice).key.as_deref(), Some("budget.max_events"));
}
