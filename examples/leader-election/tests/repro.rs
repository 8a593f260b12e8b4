//! A failure of a user's protocol shrinks to a repro file that this crate's own binary (built
//! with `ftsim::cli::main_with`) replays, and that a build without the protocol refuses by
//! name. In code, `Harness::shrink` does the same for a harness.

use std::path::Path;
use std::process::Command;

use ftsim::runner::repro::{Origin, Repro};
use ftsim::runner::shrink::Failure;
use ftsim::runner::Harness;
use ftsim_api::Duration;
use leader_election::{Bully, BullyParams};

#[test]
fn the_binary_shrinks_a_failure_and_replays_its_repro() {
    // Under the build's own temporary directory: checkouts testing at once stay apart.
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("leader-election-repro");
    std::fs::create_dir_all(&dir).unwrap();
    let repro = dir.join("bully.repro.json");
    let binary = env!("CARGO_BIN_EXE_leader-election");
    let shrink = Command::new(binary)
        .args([
            "shrink",
            "scenarios/bully-impatient.toml",
            "--seed",
            "0",
            "-o",
        ])
        .arg(&repro)
        .output()
        .unwrap();
    assert_eq!(shrink.status.code(), Some(0), "{shrink:?}");
    let replay = Command::new(binary)
        .arg("replay")
        .arg("--repro")
        .arg(&repro)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&replay.stdout);
    assert_eq!(replay.status.code(), Some(1), "the repro fails: {text}");
    assert!(text.contains("the repro's run: trace hash"), "{text}");
    assert!(text.contains("one-leader-per-epoch"), "{text}");
}

#[test]
fn a_harness_failure_shrinks_and_needs_the_protocol_to_replay() {
    let h = Harness::new(&Bully)
        .params(BullyParams {
            answer_wait: Duration::from_millis(2),
            ..BullyParams::default()
        })
        .nodes(5)
        .seeds(0..50);
    // Answers that take longer than the wait allows: outside the bully's timing assumption,
    // and the shrunk run stays outside it.
    let seed = h.expect_outside("one-leader-per-epoch");
    let shrunk = h.shrink(seed);
    assert!(shrunk.shrunk.size().within(&shrunk.original.size()));
    let outside = Failure::Violated {
        property: "one-leader-per-epoch".into(),
        outside: true,
    };
    assert_eq!(shrunk.failure, outside);
    let origin = Origin {
        name: "impatient",
        description: "",
        file: Path::new("tests/repro.rs"),
    };
    let file = Path::new("impatient.repro.json");
    let repro = Repro::parse(file, &Repro::of_shrunk(&origin, &shrunk).to_json()).unwrap();
    let with_bully = ftsim::catalog(&[&Bully]).unwrap();
    let simulation = repro.simulation(file, &with_bully).unwrap();
    let replayed = repro.replay(simulation.as_ref(), false);
    assert!(replayed.is_recorded_run() && replayed.fails_alike);
    let without = ftsim::catalog(&[]).unwrap();
    let err = repro.simulation(file, &without).err().unwrap().to_string();
    assert!(
        err.contains("protocol \"bully\" is not in this build's catalogue"),
        "{err}"
    );
}
