//! The engine's own invariants, whatever the protocol and the faults: random valid scenarios
//! (every bundled protocol family, random networks and fault mixes, explicit schedule entries)
//! are run traced, and each run's trace is held to
//!
//! - every message sent is delivered, dropped, or still in flight when the run ends: no copy
//!   is resolved twice, none that was never sent, and the counts agree with the run's stats;
//! - no delivery to a process that is down at that time, and no timer fires at one;
//! - virtual time never goes backwards, and neither do event numbers;
//! - the trace hash reproduces: a second run, traced or not, has the same hash, and a second
//!   traced run the same trace.
//!
//! The generator is seeded (the same cases every run); `FTSIM_INVARIANT_CASES` sets how many.

use std::cell::Cell;
use std::collections::BTreeMap;
use std::path::Path;

use ftsim::api::sim_core::trace::{TraceEvent, TraceKind};
use ftsim::api::RunReport;
use ftsim::runner::scenario::parse;
use ftsim::runner::{Catalog, RunOptions};
use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

/// The group sizes generated.
const NODES: std::ops::Range<u32> = 4..8;

/// The catalogue's protocols whose defaults fit every generated group size (a family that
/// needs a given size, or faults the grammar below does not write, is left to its own
/// tests): derived from the catalogue, so a family added later is checked too.
fn protocols() -> Vec<&'static str> {
    let catalog = ftsim::catalog(&[]).expect("the bundled catalogue is valid");
    let fits = |name: &str| {
        NODES.clone().all(|nodes| {
            let text = format!(
                "name = \"fits\"\nprotocol = \"{name}\"\nnodes = {nodes}\n\
                 seeds = {{ start = 0, count = 1 }}\nduration = \"40ms\"\nexpect = \"pass\"\n"
            );
            parse(Path::new("fits.toml"), &text, &catalog).is_ok()
        })
    };
    let names: Vec<_> = catalog.names().into_iter().filter(|n| fits(n)).collect();
    assert!(names.len() >= 12, "only {names:?} fit {NODES:?} nodes");
    names
}

/// A window `["a ms", "b ms"]` with a <= b < limit.
fn window(limit: u64) -> impl Strategy<Value = String> {
    (0..limit, 0..limit).prop_map(|(a, b)| format!("[\"{}ms\", \"{}ms\"]", a.min(b), a.max(b)))
}

fn network() -> impl Strategy<Value = String> {
    (
        window(8),
        select(&["0.0", "0.05", "0.3"][..]),
        select(&["0.0", "0.1", "0.5"][..]),
        select(&["0ms", "1ms"][..]),
        any::<bool>(),
    )
        .prop_map(|(delay, loss, duplicate, gap, fifo)| {
            format!(
                "[network]\ndelay = {delay}\nloss = {loss}\nduplicate = {duplicate}\n\
                 send_gap = \"{gap}\"\nfifo = {fifo}\n"
            )
        })
}

fn faults() -> impl Strategy<Value = String> {
    let crashes = (
        0..3u64,
        window(30),
        proptest::option::of(window(20)),
        any::<bool>(),
    )
        .prop_map(|(max, between, recover, mid)| {
            let recover = recover.map_or(String::new(), |w| format!(", recover_after = {w}"));
            let mid = if mid { ", mid_broadcast = 0.5" } else { "" };
            format!("crashes = {{ min = 0, max = {max}, between = {between}{recover}{mid} }}\n")
        });
    let partitions = (1..3u64, window(30), window(20), 0..4usize).prop_map(|(max, b, l, s)| {
        let shape = ["random", "isolate", "minority", "one-way"][s];
        format!(
            "partitions = {{ max = {max}, between = {b}, lasting = {l}, shape = \"{shape}\" }}\n"
        )
    });
    let omissions = (window(30), window(20)).prop_map(|(b, l)| {
        format!(
            "omissions = {{ max = 1, between = {b}, lasting = {l}, send = 0.5, receive = 0.5 }}\n"
        )
    });
    let intermittent = (window(20), window(5), window(5)).prop_map(|(b, down, up)| {
        format!("intermittent = {{ times = [1, 3], between = {b}, down = {down}, up = {up} }}\n")
    });
    let slow = window(30).prop_map(|b| {
        format!("slow = {{ max = 1, between = {b}, lasting = [\"5ms\", \"20ms\"], factor = [1.0, 4.0] }}\n")
    });
    let clocks =
        Just("clocks = { offset = [\"-2ms\", \"2ms\"], drift = [-0.01, 0.01] }\n".to_string());
    (
        proptest::option::of(crashes),
        proptest::option::of(partitions),
        proptest::option::of(omissions),
        proptest::option::of(intermittent),
        proptest::option::of(slow),
        proptest::option::of(clocks),
    )
        .prop_map(|(a, b, c, d, e, f)| {
            let parts = [a, b, c, d, e, f];
            format!(
                "[faults]\n{}",
                parts.into_iter().flatten().collect::<String>()
            )
        })
}

/// An explicit crash of node 0, sometimes followed by its recovery.
fn scheduled() -> impl Strategy<Value = String> {
    (1..20u64, proptest::option::of(1..15u64)).prop_map(|(at, back)| {
        let mut text = format!("[[faults.schedule]]\nat = \"{at}ms\"\ncrash = 0\n");
        if let Some(back) = back {
            text.push_str(&format!(
                "[[faults.schedule]]\nat = \"{}ms\"\nrecover = 0\n",
                at + back
            ));
        }
        text
    })
}

fn scenario_text() -> impl Strategy<Value = (String, u64)> {
    (
        select(protocols()),
        NODES,
        network(),
        faults(),
        proptest::option::of(scheduled()),
        any::<u64>(),
    )
        .prop_map(|(protocol, nodes, network, faults, schedule, seed)| {
            let text = format!(
                "name = \"invariants\"\nprotocol = \"{protocol}\"\nnodes = {nodes}\n\
                 seeds = {{ start = 0, count = 1 }}\n\
                 duration = \"40ms\"\nsettle = \"60ms\"\nmax_events = 200000\n\
                 expect = \"pass\"\n{network}{faults}{}",
                schedule.unwrap_or_default()
            );
            (text, seed)
        })
}

/// How many copies of each message were made and how many are resolved.
#[derive(Default)]
struct Copies {
    from: usize,
    to: usize,
    made: u64,
    delivered: u64,
    dropped: u64,
}

/// Checks one traced run's entries; the first broken invariant, in words.
fn check_trace(report: &RunReport, nodes: usize) -> Result<(), String> {
    let trace = report
        .trace
        .as_deref()
        .ok_or("the traced run has no trace")?;
    let mut up = vec![false; nodes];
    let mut messages: BTreeMap<u64, Copies> = BTreeMap::new();
    let mut last: Option<&TraceEvent> = None;
    for entry in trace {
        if let Some(prev) = last {
            if entry.time < prev.time || entry.event < prev.event {
                return Err(format!(
                    "time went backwards: event #{} at {} after event #{} at {}",
                    entry.event, entry.time, prev.event, prev.time
                ));
            }
        }
        last = Some(entry);
        check_entry(entry, &mut up, &mut messages)?;
    }
    conserved(report, &messages)
}

fn check_entry(
    entry: &TraceEvent,
    up: &mut [bool],
    messages: &mut BTreeMap<u64, Copies>,
) -> Result<(), String> {
    let at = |what: &str| format!("event #{} at {}: {what}", entry.event, entry.time);
    let node = entry.node;
    match &entry.kind {
        TraceKind::Start | TraceKind::Recover => up[node.ok_or(at("no node"))?] = true,
        TraceKind::Crash => up[node.ok_or(at("no node"))?] = false,
        TraceKind::Send { to, msg_id, .. } => {
            let from = node.ok_or(at("a send without a sender"))?;
            let copies = messages.entry(*msg_id).or_default();
            if copies.made != 0 {
                return Err(at(&format!("message m{msg_id} sent twice")));
            }
            *copies = Copies {
                from,
                to: *to,
                made: 1,
                ..Copies::default()
            };
        }
        TraceKind::Duplicate { msg_id, .. } => {
            messages
                .get_mut(msg_id)
                .ok_or(at("duplicate of an unsent message"))?
                .made += 1;
        }
        TraceKind::Deliver { from, msg_id, .. } => {
            let to = node.ok_or(at("a delivery without a receiver"))?;
            if !up[to] {
                return Err(at(&format!("m{msg_id} delivered to n{to}, which is down")));
            }
            let copies = messages
                .get_mut(msg_id)
                .ok_or(at("delivery of an unsent message"))?;
            if (copies.from, copies.to) != (*from, to) {
                return Err(at(&format!("m{msg_id} delivered on the wrong link")));
            }
            copies.delivered += 1;
            resolved_at_most_made(copies, *msg_id).map_err(|e| at(&e))?;
        }
        TraceKind::Drop {
            msg_id, from, to, ..
        } => {
            let copies = messages
                .get_mut(msg_id)
                .ok_or(at("drop of an unsent message"))?;
            if (copies.from, copies.to) != (*from, *to) {
                return Err(at(&format!("m{msg_id} dropped on the wrong link")));
            }
            copies.dropped += 1;
            resolved_at_most_made(copies, *msg_id).map_err(|e| at(&e))?;
        }
        TraceKind::TimerFire { .. } => {
            let n = node.ok_or(at("a timer without a node"))?;
            if !up[n] {
                return Err(at(&format!("a timer fired at n{n}, which is down")));
            }
        }
        _ => {}
    }
    Ok(())
}

fn resolved_at_most_made(copies: &Copies, msg_id: u64) -> Result<(), String> {
    if copies.delivered + copies.dropped > copies.made {
        return Err(format!(
            "m{msg_id}: {} copies made, {} delivered and {} dropped",
            copies.made, copies.delivered, copies.dropped
        ));
    }
    Ok(())
}

/// The trace's message counts are the run's: what is neither delivered nor dropped is in
/// flight at the end.
fn conserved(report: &RunReport, messages: &BTreeMap<u64, Copies>) -> Result<(), String> {
    let sum = |f: fn(&Copies) -> u64| messages.values().map(f).sum::<u64>();
    let stats = &report.stats;
    let traced = [
        ("sent", messages.len() as u64, stats.messages_sent),
        ("delivered", sum(|c| c.delivered), stats.messages_delivered),
        ("dropped", sum(|c| c.dropped), stats.messages_dropped),
        ("duplicated", sum(|c| c.made - 1), stats.messages_duplicated),
    ];
    for (what, in_trace, in_stats) in traced {
        if in_trace != in_stats {
            return Err(format!(
                "{in_trace} {what} in the trace, {in_stats} in the stats"
            ));
        }
    }
    Ok(())
}

/// Runs `seed` three times (traced, traced again, untraced) and checks everything.
fn check_run(catalog: &Catalog, text: &str, seed: u64) -> Result<bool, String> {
    let scenario = match parse(Path::new("invariants.toml"), text, catalog) {
        Ok(scenario) => scenario,
        Err(why) => {
            // Shown when the test fails (too few accepted files).
            eprintln!("rejected: {why}");
            return Ok(false);
        }
    };
    let sim = &scenario.simulation;
    let traced = sim.run(seed, RunOptions::traced());
    check_trace(&traced, sim.spec().nodes).map_err(|e| format!("seed {seed}: {e}"))?;
    let again = sim.run(seed, RunOptions::traced());
    let untraced = sim.run(seed, RunOptions::default());
    if again.trace_hash != traced.trace_hash || untraced.trace_hash != traced.trace_hash {
        return Err(format!(
            "seed {seed}: trace hash {:016x}, then {:016x} (traced) and {:016x} (untraced)",
            traced.trace_hash, again.trace_hash, untraced.trace_hash
        ));
    }
    if again.trace != traced.trace {
        return Err(format!("seed {seed}: the same hash, another trace"));
    }
    Ok(true)
}

#[test]
fn every_run_keeps_the_engine_invariants() {
    let catalog = ftsim::catalog(&[]).expect("the bundled catalogue is valid");
    let cases = std::env::var("FTSIM_INVARIANT_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(128);
    let config = Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    };
    let rng = TestRng::deterministic_rng(RngAlgorithm::ChaCha);
    let mut runner = TestRunner::new_with_rng(config, rng);
    let (accepted, total) = (Cell::new(0u32), Cell::new(0u32));
    let result = runner.run(&scenario_text(), |(text, seed)| {
        total.set(total.get() + 1);
        match check_run(&catalog, &text, seed) {
            Ok(ran) => {
                accepted.set(accepted.get() + u32::from(ran));
                Ok(())
            }
            Err(why) => Err(TestCaseError::fail(format!("{why}\n--- file:\n{text}"))),
        }
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    let (accepted, total) = (accepted.get(), total.get());
    eprintln!("{accepted} of {total} generated scenarios accepted and checked");
    // Rejected files test nothing here: nearly all must run.
    assert!(accepted * 10 >= total * 8, "{accepted} of {total} accepted");
}
