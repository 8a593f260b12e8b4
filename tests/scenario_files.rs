//! Scenario files as the loader reads them: good files load, bad files are errors naming the
//! file, line and key, and a file written from a simulation reads back to the same one.

use std::path::Path;

use ftsim::api::scenario::{parse, to_toml, Header};
use ftsim::api::{Catalog, Expect, FaultKind, Scenario, ScenarioError};

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
    assert!(e.message.contains("unknown field `nodez`"), "{e}");
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
        let Ok(s) = ftsim::api::scenario::load(&file, &catalog) else {
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
