//! `ftsim explore` on external nodes, as a user runs it: a search copies a node by writing a
//! fresh program its inputs again (re-execution), so breadth-first, random and PCT searches
//! find FloodSet's one-round bug in Python as they find it in Rust; random and PCT runs catch
//! a broadcast node that forwards each value once, and random runs a lin-kv and a kafka node
//! that break their workloads' checkers (which a search follows); counterexamples replay, the
//! threads do not change what a search finds, and a node that answers its inputs differently
//! the second time is reported, not trusted.

mod common;

use common::{assert_has, flat, ftsim, scenario, scratch};

/// The Python twin of `explore-flooding-n3-f1-rounds-1.toml`.
const ONE_ROUND: &str = "explore-floodset-python-n3-f1-rounds-1.toml";

/// `ftsim explore` of the bundled `name` with `args`, its counterexample written to a scratch
/// repro for `test`: exit code, output (one line) and the repro's path.
fn explore(test: &str, name: &str, args: &[&str]) -> (Option<i32>, String, String) {
    let repro = scratch(test).join("cx.repro.json");
    let repro = repro.display().to_string();
    let file = scenario(name);
    let o = ftsim(&[&["explore", &file, "--repro", &repro], args].concat());
    (o.status.code(), flat(&o), repro)
}

/// The run `repro` holds replays as recorded and breaks `property`.
fn assert_replays(repro: &str, property: &str) {
    let replayed = flat(&ftsim(&["replay", "--repro", repro]));
    assert_has(&replayed, &["as recorded", property]);
}

#[test]
fn breadth_first_search_finds_the_one_round_bug_in_python_in_five_steps_as_in_rust() {
    let (code, out, repro) = explore("external-explore-bfs", ONE_ROUND, &[]);
    assert_eq!(code, Some(0), "{out}");
    // The Rust version's shortest counterexample has 5 steps too (tests/explore.rs).
    assert_has(
        &out,
        &[
            "violation of agreement after 5 steps",
            "node 0 crashes before its last 1 message(s) left",
            "expect outside agreement: met",
        ],
    );
    assert_replays(&repro, "agreement");
}

#[test]
fn random_and_pct_runs_find_the_one_round_bug_in_python_and_replay_it() {
    for strategy in ["random", "pct"] {
        let test = format!("external-explore-{strategy}");
        let args = ["--strategy", strategy, "--runs", "500"];
        let (code, out, repro) = explore(&test, ONE_ROUND, &args);
        assert_eq!(code, Some(0), "{strategy}: {out}");
        assert_has(
            &out,
            &[
                "violation of agreement in run",
                "expect outside agreement: met",
            ],
        );
        assert_replays(&repro, "agreement");
    }
}

#[test]
fn the_same_search_on_two_threads_visits_the_same_states() {
    let unique = |threads: &str| {
        let test = format!("external-explore-threads-{threads}");
        let (_, out, _) = explore(&test, ONE_ROUND, &["--threads", threads]);
        let at = out.find(" unique, depth").expect(&out);
        let count = out[..at].rsplit(' ').next().unwrap().to_string();
        assert_has(&out, &["violation of agreement after 5 steps"]);
        count
    };
    assert_eq!(unique("1"), unique("2"));
}

#[test]
fn a_node_that_answers_its_inputs_differently_when_written_them_again_is_reported() {
    let node = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/external/misbehave.py");
    let text = format!(
        "name = \"unrepeatable\"\ndescription = \"a node that reads the wall clock\"\n\
         protocol = \"maelstrom-echo\"\nnodes = 2\nseeds = {{ start = 0, count = 5 }}\n\
         duration = \"20ms\"\nsettle = \"10ms\"\nexpect = \"pass\"\n\n[params]\n\
         node = \"python3 {} unrepeatable\"\nclients = 1\nops = 3\ninterval = \"2ms\"\n",
        node.display()
    );
    let file = scratch("external-explore-unrepeatable").join("unrepeatable.toml");
    std::fs::write(&file, text).unwrap();
    let file = file.display().to_string();
    // Its runs pass: each program is asked each input once.
    let run = ftsim(&["run", &file]);
    assert!(run.status.success(), "{}", flat(&run));
    let repro = format!("{file}.repro.json");
    let o = ftsim(&["explore", &file, "--max-depth", "8", "--repro", &repro]);
    assert_eq!(o.status.code(), Some(1), "{}", flat(&o));
    assert_has(
        &flat(&o),
        &[
            "differently when it was written again",
            "not from the wall clock",
        ],
    );
}

#[test]
fn random_and_pct_runs_catch_the_broadcast_node_that_forwards_once_and_not_its_fixed_twin() {
    let name = "explore-broadcast-python-no-retry.toml";
    for strategy in ["random", "pct"] {
        let test = format!("external-explore-broadcast-{strategy}");
        let args = ["--strategy", strategy, "--runs", "500"];
        let (code, out, _) = explore(&test, name, &args);
        assert_eq!(code, Some(0), "{strategy}: {out}");
        assert_has(
            &out,
            &[
                "violation of acknowledged-read-everywhere in run",
                "lacks 1 value(s) acknowledged before it",
                "expect violation acknowledged-read-everywhere: met",
            ],
        );
    }
    // The node that gossips until every neighbour has every value: its runs never stop (its
    // timers), and no sampled path breaks reads-valid or ends with a value missing.
    let fixed = std::fs::read_to_string(scenario(name))
        .unwrap()
        .replace(" --no-retry", "")
        .replace(
            "../examples",
            &format!("{}/examples", env!("CARGO_MANIFEST_DIR")),
        );
    let file = scratch("external-explore-broadcast-fixed").join("fixed.toml");
    std::fs::write(&file, fixed).unwrap();
    let repro = file.with_extension("repro.json").display().to_string();
    let args = [
        "--strategy",
        "random",
        "--runs",
        "100",
        "--max-depth",
        "80",
        "--repro",
        &repro,
    ];
    let o = ftsim(&[&["explore", &file.display().to_string()], &args[..]].concat());
    assert_has(&flat(&o), &["no violation in 100 runs"]);
}

/// The bundled `name` without its partitions (a search does not branch on them), written for
/// `test`, with the examples found from anywhere.
fn without_partitions(test: &str, name: &str) -> String {
    let text = std::fs::read_to_string(scenario(name)).unwrap();
    let kept: Vec<&str> = text
        .lines()
        .filter(|l| !l.starts_with("partitions"))
        .collect();
    let examples = format!("{}/examples", env!("CARGO_MANIFEST_DIR"));
    let file = scratch(test).join(name);
    std::fs::write(&file, kept.join("\n").replace("../examples", &examples)).unwrap();
    file.display().to_string()
}

#[test]
fn random_runs_catch_lin_kv_over_seq_kv_and_a_kafka_without_a_leader_by_their_checkers() {
    for (name, property) in [
        ("maelstrom-lin-kv-python-seq-kv.toml", "linearizable"),
        ("maelstrom-kafka-python-local.toml", "offsets-consistent"),
    ] {
        let file = without_partitions("external-explore-checkers", name);
        let repro = format!("{file}.repro.json");
        let args = ["--strategy", "random", "--runs", "300", "--repro", &repro];
        let o = ftsim(&[&["explore", &file], &args[..]].concat());
        let out = flat(&o);
        assert_eq!(o.status.code(), Some(0), "{name}: {out}");
        let caught = format!("expect violation {property}: met");
        assert_has(&out, &[&format!("violation of {property} in run"), &caught]);
    }
}
