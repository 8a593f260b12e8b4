//! `ftsim explore --strategy decisions`: the engine's own runs, every decision taking each of a
//! few outcomes, fewest away from their simplest first. The lease lock, which a state search
//! cannot explore (its clients read clocks that are off and drift), is caught reading the
//! server's expiry date on its own clock with one decision moved, and caught overstaying
//! its lease when clocks drift beyond its margin; its correct variant passes every run of a
//! small group, and every run within a bound of the bundled one; counterexamples replay.

mod common;

use common::{assert_has, flat, ftsim, scenario, scratch};

#[test]
fn a_client_reading_the_servers_expiry_date_is_caught_with_one_decision_moved() {
    let repro = scratch("server-timestamp").join("cx.repro.json");
    let repro_arg = repro.to_str().unwrap();
    let file = scenario("explore-lease-server-timestamp-skew.toml");
    let args = [
        "explore",
        &file,
        "--strategy",
        "decisions",
        "--repro",
        repro_arg,
    ];
    let o = ftsim(&args);
    let out = flat(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert_has(
        &out,
        &[
            "5 runs,",
            "violation of mutual-exclusion, 1 decision(s) away from their simplest outcome \
             (no run with fewer fails)",
            "clock of n0: 10ms ahead",
            "node 2 entered the critical section",
            "expect violation mutual-exclusion: met",
        ],
    );
    // The same search, the same report (past its timing): a function of the scenario.
    let past_timing = |out: &str| out.split(" MB ").nth(1).unwrap_or_default().to_string();
    assert_eq!(past_timing(&flat(&ftsim(&args))), past_timing(&out));
    assert!(past_timing(&out).starts_with("violation of"), "{out}");
    // Replayed, the run breaks the property again (exit 1), with the hash recorded.
    let o = ftsim(&["replay", "--repro", repro_arg]);
    assert_eq!(o.status.code(), Some(1), "{}", flat(&o));
    assert_has(
        &flat(&o),
        &[
            "clock of n0: 10ms ahead",
            "VIOLATED mutual-exclusion",
            "as recorded",
        ],
    );
    let o = ftsim(&["shrink", "--repro", repro_arg]);
    assert_eq!(o.status.code(), Some(0), "{}", flat(&o));
    assert_has(&flat(&o), &["violates \"mutual-exclusion\""]);
}

#[test]
fn clocks_drifting_beyond_the_margin_are_caught_outside_the_assumptions() {
    let repro = scratch("drift").join("cx.repro.json");
    let o = ftsim(&[
        "explore",
        &scenario("explore-lease-drift-beyond-margin.toml"),
        "--strategy",
        "decisions",
        "--repro",
        repro.to_str().unwrap(),
    ]);
    let out = flat(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert_has(
        &out,
        &[
            "violation of mutual-exclusion, 1 decision(s) away",
            "expect outside mutual-exclusion: met",
        ],
    );
}

#[test]
fn leases_timed_locally_hold_in_every_run_of_a_small_group() {
    // The bundled scenario with fixed delays and one client's clock off: 80 runs in all.
    let text = std::fs::read_to_string(scenario("explore-lease-local-duration-skew.toml"))
        .unwrap()
        .replace("delay = [\"1ms\", \"4ms\"]", "delay = \"2ms\"")
        .replace("clocks = { offset", "clocks = { nodes = [1], offset");
    let file = scratch("local-small").join("small.toml");
    std::fs::write(&file, text).unwrap();
    let o = ftsim(&["explore", file.to_str().unwrap(), "--strategy", "decisions"]);
    let out = flat(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert_has(
        &out,
        &[
            "80 runs, up to 8 decisions each",
            "complete: no checked property fails in any run",
            "expect pass: met",
        ],
    );
}

#[test]
fn a_bound_on_deviations_or_runs_is_no_pass() {
    let file = scenario("explore-lease-local-duration-skew.toml");
    let explore = |extra: &[&str]| {
        let mut args = vec!["explore", &file, "--strategy", "decisions"];
        args.extend_from_slice(extra);
        ftsim(&args)
    };
    let o = explore(&["--max-deviations", "2"]);
    let out = flat(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert_has(
        &out,
        &[
            "193 runs, up to 20 decisions each",
            "no violation in any run with at most 2 deviation(s); runs with more were not \
             checked (a bound, not a pass)",
            "expect pass: NOT MET",
        ],
    );
    let o = explore(&["--runs", "30"]);
    let out = flat(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert_has(
        &out,
        &["stopped by --runs 30: no violation in the runs checked, every run with at most 1"],
    );
}

#[test]
fn flags_of_another_strategy_are_bad_usage_and_a_state_search_points_here() {
    let file = scenario("explore-lease-local-duration-skew.toml");
    let o = ftsim(&["explore", &file, "--strategy", "decisions", "--symmetry"]);
    assert_eq!(o.status.code(), Some(2));
    assert_has(
        &flat(&o),
        &["--symmetry does not apply to --strategy decisions"],
    );
    let flooding = scenario("explore-flooding-n3-f1-rounds-1.toml");
    let o = ftsim(&["explore", &flooding, "--values", "3"]);
    assert_eq!(o.status.code(), Some(2));
    assert_has(
        &flat(&o),
        &["--values and --max-deviations apply to --strategy decisions only"],
    );
    // Lease declares no state search; the refusal names the one that takes it.
    let o = ftsim(&["explore", &file]);
    assert_eq!(o.status.code(), Some(2));
    assert_has(&flat(&o), &["key `protocol`", "--strategy decisions"]);
}

#[test]
fn runs_failing_only_outside_the_model_are_counted_apart_from_a_pass() {
    // Clocks drifting by 30% against a margin for 8%, expecting `pass`: like a sweep, the
    // search counts the runs that step outside the model and goes on.
    let text = std::fs::read_to_string(scenario("explore-lease-drift-beyond-margin.toml"))
        .unwrap()
        .replace(
            "expect = { outside = \"mutual-exclusion\" }",
            "expect = \"pass\"",
        );
    let file = scratch("outside-apart").join("drift.toml");
    std::fs::write(&file, text).unwrap();
    let o = ftsim(&[
        "explore",
        file.to_str().unwrap(),
        "--strategy",
        "decisions",
        "--max-deviations",
        "1",
    ]);
    let out = flat(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert_has(
        &out,
        &[
            "run(s) failed only outside the protocol's assumptions, no bug in it (the first \
             violates \"mutual-exclusion\" outside the protocol's assumptions, 1 decision(s) \
             moved)",
            "no violation in any run with at most 1 deviation(s)",
        ],
    );
}
