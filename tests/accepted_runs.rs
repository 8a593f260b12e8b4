//! The property behind `ftsim check`: any scenario file it accepts runs without a panic. Files
//! are generated from a grammar of the format's keys with ordinary and extreme values (0, the
//! limits, one past them, 2^32 - 1, 2^64 - 1 ns, look-alike numbers), so most sections are
//! sometimes rejected and sometimes run at their limits. The generator is seeded, so a run is
//! the same every time; `FTSIM_FUZZ_CASES` sets how many files (CI runs thousands in release).
//! The committed fuzz corpora (`fuzz/corpus/scenario/`, `fuzz/corpus/repro/`) are replayed here
//! too, so a finding of a cargo-fuzz target stays fixed in every `cargo test`.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

use ftsim::api::Outcome;
use ftsim::runner::repro::Repro;
use ftsim::runner::scenario::parse;
use ftsim::runner::{Catalog, RunOptions};
use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

/// Every protocol of the bundled catalogue: a family added later is generated too.
fn protocols() -> Vec<&'static str> {
    catalog().names()
}
/// Values as a person writes them, mostly, and now and then one at or past a limit: most
/// generated files are accepted and run, and every limit is crossed in some.
fn usual_or_extreme<T: Clone + std::fmt::Debug + 'static>(
    usual: &'static [T],
    extreme: &'static [T],
) -> impl Strategy<Value = T> {
    prop_oneof![12 => select(usual), 1 => select(extreme)]
}

fn nodes() -> impl Strategy<Value = i64> {
    usual_or_extreme(&[3, 4, 5, 7], &[1, 2, 1024, 1025, -1])
}

fn dur() -> impl Strategy<Value = &'static str> {
    usual_or_extreme(
        &["0ms", "1ms", "2ms", "5ms", "20ms"],
        &[
            "1ns",
            "1.5ms",
            "999999s",
            "1000000s",
            "1000001s",
            "18446744073709551615ns",
            "1\u{a0}ms",
        ],
    )
}

fn count() -> impl Strategy<Value = u64> {
    usual_or_extreme(&[0, 1, 1, 2], &[3, 10_000, 10_001, 4_294_967_295])
}

fn id() -> impl Strategy<Value = i64> {
    usual_or_extreme(&[0, 1, 2], &[5, 1023, 1024, -1])
}

fn probability() -> impl Strategy<Value = &'static str> {
    usual_or_extreme(&["0.0", "0.1", "0.5"], &["1.0", "1.5", "-0.1", "nan"])
}

/// A window `[earliest, latest]`: usually ordered and inside the fault phase.
fn window() -> impl Strategy<Value = String> {
    prop_oneof![
        12 => (0..20u64, 0..20u64).prop_map(|(a, b)| {
            let (lo, hi) = (a.min(b), a.max(b));
            format!("[\"{lo}ms\", \"{hi}ms\"]")
        }),
        1 => (dur(), dur()).prop_map(|(a, b)| format!("[\"{a}\", \"{b}\"]")),
    ]
}

fn header() -> impl Strategy<Value = String> {
    (
        select(protocols()),
        nodes(),
        usual_or_extreme(&[0u64, 100], &[9_223_372_036_854_775_000]),
        (
            usual_or_extreme(&["50ms", "100ms"], &["1ns", "1000000s", "1000001s"]),
            usual_or_extreme(&["50ms", "100ms"], &["0ms", "1000000s", "1000001s"]),
        ),
        usual_or_extreme(&[20_000u64], &[0, 1, 1_000]),
    )
        .prop_map(|(protocol, nodes, start, (duration, settle), events)| {
            format!(
                "name = \"generated\"\nprotocol = \"{protocol}\"\nnodes = {nodes}\n\
                 seeds = {{ start = {start}, count = 2 }}\nduration = \"{duration}\"\n\
                 settle = \"{settle}\"\nmax_events = {events}\nexpect = \"pass\"\n"
            )
        })
}

fn network() -> impl Strategy<Value = String> {
    let delay = prop_oneof![
        dur().prop_map(|d| format!("\"{d}\"")),
        window(),
        (dur(), dur()).prop_map(|(min, mean)| format!("{{ min = \"{min}\", mean = \"{mean}\" }}")),
    ];
    (
        delay,
        probability(),
        probability(),
        dur(),
        any::<bool>(),
        (id(), id()),
    )
        .prop_map(|(delay, loss, duplicate, gap, fifo, (from, to))| {
            format!(
                "[network]\ndelay = {delay}\nloss = {loss}\nduplicate = {duplicate}\n\
                 send_gap = \"{gap}\"\nfifo = {fifo}\nheals = {fifo}\n\
                 [[network.link]]\nfrom = {from}\nto = {to}\nloss = {loss}\n"
            )
        })
}

fn detector() -> impl Strategy<Value = String> {
    (0..3u8, dur(), dur(), count()).prop_map(|(kind, delay, at, mistakes)| match kind {
        0 => "[detector]\nkind = \"none\"\n".to_string(),
        1 => format!("[detector]\nkind = \"perfect\"\ndelay = \"{delay}\"\n"),
        _ => format!(
            "[detector]\nkind = \"eventually_perfect\"\ndelay = \"{delay}\"\n\
             stabilize_at = \"{at}\"\nmistakes = {mistakes}\n"
        ),
    })
}

/// `[faults]`: each random section present or not.
fn faults() -> impl Strategy<Value = String> {
    let crashes = (count(), count(), window(), window(), probability()).prop_map(
        |(min, max, between, recover, mid)| {
            format!(
                "crashes = {{ min = {min}, max = {max}, between = {between}, \
                 recover_after = {recover}, mid_broadcast = {mid} }}\n"
            )
        },
    );
    let partitions = (count(), window(), window(), 0..4usize).prop_map(|(max, b, l, shape)| {
        let shape = ["random", "isolate", "minority", "one-way"][shape];
        format!(
            "partitions = {{ max = {max}, between = {b}, lasting = {l}, shape = \"{shape}\" }}\n"
        )
    });
    let omissions = (count(), window(), window(), probability()).prop_map(
        |(max, b, l, p)| {
            format!("omissions = {{ max = {max}, between = {b}, lasting = {l}, send = {p}, receive = {p} }}\n")
        },
    );
    let intermittent = (count(), count(), window(), window(), window()).prop_map(
        |(lo, hi, b, down, up)| {
            format!("intermittent = {{ times = [{lo}, {hi}], between = {b}, down = {down}, up = {up} }}\n")
        },
    );
    let clocks = (dur(), dur(), select(&[0.0f64, 0.01, 0.5, 0.6][..])).prop_map(|(lo, hi, d)| {
        format!("clocks = {{ offset = [\"-{lo}\", \"{hi}\"], drift = [-{d}, {d}] }}\n")
    });
    let slow = (
        count(),
        window(),
        window(),
        select(&[1.0f64, 4.0, 1000.0, 1001.0][..]),
    )
        .prop_map(|(max, b, l, f)| {
            format!("slow = {{ max = {max}, between = {b}, lasting = {l}, factor = [1.0, {f}] }}\n")
        });
    let storage =
        select(&["none", "lose-unsynced", "torn"][..]).prop_map(|s| format!("storage = \"{s}\"\n"));
    let byzantine = count().prop_map(|c| format!("byzantine = {{ count = {c} }}\n"));
    (
        proptest::option::of(crashes),
        proptest::option::of(partitions),
        proptest::option::of(omissions),
        proptest::option::of(intermittent),
        proptest::option::of(clocks),
        proptest::option::of(slow),
        proptest::option::of(storage),
        proptest::option::of(byzantine),
    )
        .prop_map(|(a, b, c, d, e, f, g, h)| {
            let parts = [a, b, c, d, e, f, g, h];
            format!(
                "[faults]\n{}",
                parts.into_iter().flatten().collect::<String>()
            )
        })
}

/// One `[[faults.schedule]]` entry of any action.
fn scheduled() -> impl Strategy<Value = String> {
    (0..8u8, dur(), dur(), id(), count()).prop_map(|(action, at, until, node, k)| {
        let body = match action {
            0 => format!("at = \"{at}\"\ncrash = {node}\n"),
            1 => format!("at = \"{at}\"\nrecover = {node}\n"),
            2 => format!("at = \"{at}\"\nisolate = {node}\n"),
            3 => format!("at = \"{at}\"\nheal = true\n"),
            4 => format!("at = \"{at}\"\nomission = {node}\nuntil = \"{until}\"\n"),
            5 => format!("at = \"{at}\"\nskew = {node}\noffset = \"-{until}\"\ndrift = 0.1\n"),
            6 => format!("at = \"{at}\"\nslow = {node}\nfactor = 2.0\nuntil = \"{until}\"\n"),
            _ => format!("crash = {node}\nafter_sends = {k}\nrecover_after = \"{until}\"\n"),
        };
        format!("[[faults.schedule]]\n{body}")
    })
}

fn scenario_text() -> impl Strategy<Value = String> {
    (
        header(),
        proptest::option::of(network()),
        proptest::option::of(detector()),
        proptest::option::of(faults()),
        proptest::collection::vec(scheduled(), 0..3),
    )
        .prop_map(|(header, network, detector, faults, schedule)| {
            let mut text = header;
            for part in [network, detector].into_iter().flatten() {
                text.push_str(&part);
            }
            // Schedule entries belong under [faults]; an absent [faults] is implied by them.
            text.push_str(&faults.unwrap_or_default());
            text.push_str(&schedule.concat());
            text
        })
}

fn catalog() -> Catalog {
    ftsim::catalog(&[]).expect("the bundled catalogue is valid")
}

/// Parses `text` as the file `file` (an external node's program is found beside it); if it
/// is accepted, runs its seeds. `Ok(true)`: accepted and ran without a panic; `Ok(false)`:
/// rejected with an error; `Err`: a panic, with what it said.
fn check_then_run(catalog: &Catalog, file: &Path, text: &str) -> Result<bool, String> {
    let attempt = catch_unwind(AssertUnwindSafe(|| {
        let Ok(scenario) = parse(file, text, catalog) else {
            return Ok(false);
        };
        let start = scenario.seeds.start;
        for seed in start..start.saturating_add(scenario.seeds.count.min(2)) {
            let report = scenario.simulation.run(seed, RunOptions::default());
            if let Outcome::Panicked { message, .. } = &report.outcome {
                return Err(format!("seed {seed} panicked: {message}"));
            }
        }
        Ok(true)
    }));
    attempt.unwrap_or_else(|panic| {
        let said = panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default();
        Err(format!("panicked outside a run: {said}"))
    })
}

fn cases() -> u32 {
    std::env::var("FTSIM_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(48)
}

#[test]
fn every_file_check_accepts_runs_without_a_panic() {
    let catalog = catalog();
    let config = Config {
        cases: cases(),
        failure_persistence: None,
        ..Config::default()
    };
    let rng = TestRng::deterministic_rng(RngAlgorithm::ChaCha);
    let mut runner = TestRunner::new_with_rng(config, rng);
    let accepted = AtomicUsize::new(0);
    let total = AtomicUsize::new(0);
    let result = runner.run(&scenario_text(), |text| {
        total.fetch_add(1, Ordering::Relaxed);
        match check_then_run(&catalog, Path::new("generated.toml"), &text) {
            Ok(true) => {
                accepted.fetch_add(1, Ordering::Relaxed);
                Ok(())
            }
            Ok(false) => Ok(()),
            Err(why) => Err(TestCaseError::fail(format!("{why}\n--- file:\n{text}"))),
        }
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    let (accepted, total) = (accepted.into_inner(), total.into_inner());
    eprintln!("{accepted} of {total} generated files accepted and run");
    // The grammar must reach runs, not only rejections, or the property says nothing.
    assert!(accepted * 10 >= total, "{accepted} of {total} accepted");
}

#[test]
fn the_fuzz_corpus_and_the_bundled_scenarios_run_without_a_panic() {
    let catalog = catalog();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ["fuzz/corpus/scenario", "scenarios"] {
        for entry in std::fs::read_dir(root.join(dir)).expect("the corpus is committed") {
            files.push(entry.expect("a readable entry").path());
        }
    }
    files.sort();
    assert!(files.len() > 60, "{} files", files.len());
    for file in files {
        let bytes = std::fs::read(&file).expect("readable");
        let text = String::from_utf8_lossy(&bytes);
        if let Err(why) = check_then_run(&catalog, &file, &text) {
            panic!("{}: {why}", file.display());
        }
    }
}

#[test]
fn the_repro_fuzz_corpus_is_read_and_replayed_without_a_panic() {
    let catalog = catalog();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/repro");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("the corpus is committed")
        .map(|entry| entry.expect("a readable entry").path())
        .collect();
    files.sort();
    assert!(files.len() > 3, "{} files", files.len());
    let mut replayed = 0;
    for file in files {
        let bytes = std::fs::read(&file).expect("readable");
        let text = String::from_utf8_lossy(&bytes);
        let attempt = catch_unwind(AssertUnwindSafe(|| {
            let Ok(repro) = Repro::parse(&file, &text) else {
                return false;
            };
            let Ok(simulation) = repro.simulation(&file, &catalog) else {
                return false;
            };
            let run = repro.replay(simulation.as_ref(), false);
            assert!(
                !matches!(run.report.outcome, Outcome::Panicked { .. }),
                "the run panicked: {:?}",
                run.report.outcome
            );
            let _ = run.explanation(&repro);
            true
        }));
        match attempt {
            Ok(ran) => replayed += usize::from(ran),
            Err(_) => panic!("{}: a panic reading or replaying it", file.display()),
        }
    }
    // The seeds (repros `ftsim shrink` wrote) at least must replay.
    assert!(replayed >= 3, "{replayed} replayed");
}
