//! The command line against hostile or mistaken arguments: seeds past the last one, a
//! directory where one file is meant, too many threads, flags that could only mislead or
//! never end, inputs that are not there or never end, destinations that cannot be written (reported
//! before any seed runs), symlinks and stale files in a report directory.

use std::process::Output;

mod common;
use common::{ftsim, scenario, scratch, stderr, stdout, words};

/// Exit code 2, nothing on stdout, and stderr saying `what`.
fn refused(o: &Output, what: &str) {
    assert_eq!(o.status.code(), Some(2), "{}{}", stdout(o), stderr(o));
    assert!(stdout(o).is_empty(), "ran anyway:\n{}", stdout(o));
    assert!(words(&stderr(o)).contains(what), "{}", stderr(o));
}

const PASSING: &str = "total-order-static-no-faults.toml";

#[test]
fn seeds_past_the_last_seed_are_an_error_not_a_run_of_none() {
    let o = ftsim(&["run", &scenario(PASSING), "--seed", "18446744073709551615"]);
    refused(&o, "expected a seed from 0 to 18446744073709551614");
    let dir = scratch("seeds");
    let file = dir.join("high.toml");
    std::fs::write(
        &file,
        "name = \"high\"\nprotocol = \"paxos\"\nnodes = 3\n\
         seeds = { start = 9223372036854775807, count = 5 }\nexpect = \"pass\"\n",
    )
    .unwrap();
    let o = ftsim(&[
        "run",
        file.to_str().unwrap(),
        "--seeds",
        "9223372036854775809",
    ]);
    refused(&o, "--seeds 9223372036854775809");
    let o = ftsim(&["run", &scenario(PASSING), "--seeds", "0"]);
    refused(&o, "at least 1 seed");
    // A count that fits but would never end.
    let o = ftsim(&["run", &scenario(PASSING), "--seeds", "18446744073709551615"]);
    refused(&o, "expected at most 1000000000 seeds");
    // An integer past TOML's: the key and the line, in the format's words.
    let big = dir.join("big.toml");
    std::fs::write(
        &big,
        "name = \"big\"\nprotocol = \"paxos\"\nnodes = 3\n\
         seeds = { start = 0, count = 99999999999999999999 }\nexpect = \"pass\"\n",
    )
    .unwrap();
    let o = ftsim(&["check", big.to_str().unwrap()]);
    refused(
        &o,
        "big.toml:4: key `seeds.count`: expected an integer of at most 9223372036854775807",
    );
    // The last seed itself runs.
    let o = ftsim(&["run", &scenario(PASSING), "--seed", "18446744073709551614"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn replay_and_shrink_want_one_file_not_a_directory() {
    let scenarios = scenario("");
    let o = ftsim(&["replay", &scenarios, "--seed", "4"]);
    refused(&o, "is a directory: expected one scenario file");
    let o = ftsim(&["replay", ".", "--seed", "1"]);
    refused(&o, "is a directory");
    let o = ftsim(&["shrink", &scenarios, "--seed", "1"]);
    refused(&o, "is a directory");
}

/// Flags whose values could only mislead (a verdict from no runs, a window with no entry) or
/// never end (seeds past any sweep, a bug depth drawing billions of change points a run).
#[test]
fn flags_that_mislead_or_never_end_are_refused() {
    let twophase = scenario("two-phase-commit-crash-recover.toml");
    let o = ftsim(&["classify", &twophase, "--seeds", "0"]);
    refused(&o, "--seeds 0: expected at least 1 seed");
    let o = ftsim(&["classify", &twophase, "--seeds", "18446744073709551615"]);
    refused(&o, "expected at most 1000000000 seeds");
    let o = ftsim(&["classify", &twophase, "--envelope", "--seeds", "0"]);
    refused(&o, "--seeds 0");
    let flooding = scenario("explore-flooding-n3-f1-rounds-2.toml");
    // An envelope of Byzantine nodes of a protocol that has no adversary: every f invalid.
    let o = ftsim(&["classify", &flooding, "--envelope", "--byzantine"]);
    refused(&o, "--byzantine: flooding declares no Byzantine adversary");
    let pct = ["explore", &flooding, "--strategy", "pct", "--runs", "3"];
    let o = ftsim(&[&pct[..], &["--depth", "4294967295"]].concat());
    refused(&o, "4294967295 is not in 1..=1000");
    let o = ftsim(&[&pct[..], &["--depth", "1000", "--max-depth", "4000"]].concat());
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let o = ftsim(&[
        "replay", &twophase, "--seed", "1", "--from", "10ms", "--to", "1ms",
    ]);
    refused(&o, "--from 10ms is after --to 1ms");
    let o = ftsim(&["replay", &twophase, "--seed", "1", "--last", "0"]);
    refused(&o, "--last 0");
}

/// An input that is not there is named as a file that cannot be read, by every command that
/// reads one (classify once said "cannot write" it).
#[test]
fn a_missing_input_is_a_file_that_cannot_be_read_in_every_command() {
    let dir = scratch("missing-input");
    let missing = dir.join("missing.toml");
    let missing = missing.to_str().unwrap();
    let commands: [&[&str]; 9] = [
        &["run", missing],
        &["check", missing],
        &["replay", missing, "--seed", "1"],
        &["shrink", missing, "--seed", "1"],
        &["explore", missing],
        &["classify", missing],
        &["classify", missing, "--envelope"],
        &["diff", missing, missing],
        &["merge", missing],
    ];
    for command in commands {
        let o = ftsim(command);
        refused(&o, &format!("{missing}: cannot read the file: "));
        assert!(!stderr(&o).contains("cannot write"), "{command:?}");
    }
}

/// An input that never ends (`/dev/zero`) is read only up to a bound, in every command; a
/// pipe named `*.toml` in a directory is not read at all (it would wait for a writer).
#[cfg(unix)]
#[test]
fn an_endless_input_is_refused_and_a_pipe_in_a_directory_is_passed_over() {
    let zero = "/dev/zero";
    let commands: [&[&str]; 9] = [
        &["run", zero],
        &["check", zero],
        &["replay", zero, "--seed", "1"],
        &["replay", "--repro", zero],
        &["shrink", zero, "--seed", "1"],
        &["explore", zero],
        &["classify", zero],
        &["diff", zero, zero],
        &["merge", zero],
    ];
    for command in commands {
        let o = ftsim(command);
        refused(
            &o,
            "/dev/zero: cannot read the file: it holds more than 64 MiB",
        );
    }
    let dir = scratch("pipe-in-dir");
    let made = std::process::Command::new("mkfifo")
        .arg(dir.join("waiting.toml"))
        .status();
    if made.is_ok_and(|s| s.success()) {
        std::fs::copy(scenario(PASSING), dir.join(PASSING)).unwrap();
        let o = ftsim(&["check", dir.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        assert!(!stdout(&o).contains("waiting"), "{}", stdout(&o));
    }
}

/// A breadth-first search of a large group stops at its time or memory limit even inside a
/// batch: one state of 16 nodes of flooding with crashes has successors enough to take
/// gigabytes before the search would ask its limits again (it was killed, or aborted for
/// memory, past any `--max-memory`).
#[test]
fn a_search_of_a_large_group_stops_at_its_limits_within_a_batch() {
    let dir = scratch("explore-large");
    let file = dir.join("large.toml");
    std::fs::write(
        &file,
        "name = \"large\"\nprotocol = \"flooding\"\nnodes = 16\nseeds = { start = 0, count = 1 }\n\
         duration = \"50ms\"\nsettle = \"50ms\"\nexpect = \"pass\"\n\
         [detector]\nkind = \"perfect\"\ndelay = \"6ms\"\n\
         [faults]\ncrashes = { max = 15, between = [\"0ms\", \"12ms\"] }\n",
    )
    .unwrap();
    let file = file.to_str().unwrap();
    for (flags, limit) in [
        (["--time-limit", "1s"], "stopped by --time-limit: "),
        (["--max-memory", "300"], "stopped by --max-memory 300: "),
    ] {
        let o = ftsim(&[&["explore", file][..], &flags[..]].concat());
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        assert!(stdout(&o).contains(limit), "{}", stdout(&o));
    }
}

/// A search stopped by `--max-states` names the limit given (the figures say how many states
/// it found), not the count it stopped at.
#[test]
fn a_search_stopped_by_max_states_names_the_limit_given() {
    let flooding = scenario("explore-flooding-n3-f1-rounds-2.toml");
    let o = ftsim(&["explore", &flooding, "--max-states", "10"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("stopped by --max-states 10: no violation"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn too_many_worker_threads_are_refused() {
    let o = ftsim(&["run", &scenario(PASSING), "--jobs", "5000"]);
    refused(&o, "--jobs 5000: expected 1 to");
    let o = ftsim(&["run", &scenario(PASSING), "--jobs", "0"]);
    refused(&o, "--jobs 0");
}

#[test]
fn unwritable_destinations_are_reported_before_any_seed_runs() {
    let dir = scratch("unwritable");
    let file = dir.join("a-file");
    std::fs::write(&file, "x").unwrap();
    // A sweep this long would never end: the error must come first.
    let o = ftsim(&[
        "run",
        &scenario(PASSING),
        "--seeds",
        "1000000000",
        "--report",
        file.to_str().unwrap(),
    ]);
    refused(&o, "expected a directory");
    let missing = dir.join("missing").join("out.html");
    let o = ftsim(&[
        "replay",
        &scenario(PASSING),
        "--seed",
        "1",
        "--html",
        missing.to_str().unwrap(),
    ]);
    refused(&o, "does not exist");
    let o = ftsim(&[
        "shrink",
        &scenario("paxos-volatile-acceptor.toml"),
        "--seed",
        "1",
        "-o",
        missing.to_str().unwrap(),
    ]);
    refused(&o, "does not exist");
}

#[cfg(unix)]
#[test]
fn a_symlink_in_the_report_is_replaced_not_followed_and_stale_files_go() {
    let dir = scratch("symlink");
    let report = dir.join("report");
    std::fs::create_dir_all(&report).unwrap();
    let target = dir.join("precious.txt");
    std::fs::write(&target, "precious").unwrap();
    std::os::unix::fs::symlink(&target, report.join("index.html")).unwrap();
    let html = dir.join("one.html");
    std::os::unix::fs::symlink(&target, &html).unwrap();
    std::fs::write(report.join("mine.txt"), "the user's").unwrap();
    std::fs::write(report.join("old-seed-1.html"), "stale").unwrap();
    std::fs::write(report.join(".ftsim-report-files"), "old-seed-1.html\n").unwrap();
    let o = ftsim(&[
        "run",
        &scenario("flooding-f1-one-round.toml"),
        "--seeds",
        "50",
        "--report",
        report.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = ftsim(&[
        "replay",
        &scenario(PASSING),
        "--seed",
        "1",
        "--html",
        html.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "precious");
    for page in [report.join("index.html"), html] {
        let meta = std::fs::symlink_metadata(&page).unwrap();
        assert!(meta.is_file(), "{} is still a link", page.display());
    }
    assert!(!report.join("old-seed-1.html").exists(), "a stale diagram");
    assert!(
        report.join("mine.txt").exists(),
        "a file ftsim did not write"
    );
    let leftovers: Vec<_> = std::fs::read_dir(&report)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left");
}
