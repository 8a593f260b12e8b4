//! `ftsim explore` end to end: every bundled `explore-*` scenario meets its expectation under
//! exhaustive search (the known-buggy variants caught with their shortest counterexample, the
//! correct ones visited completely), and what a search cannot explore is refused as bad input.

use std::path::Path;
use std::process::{Command, Output};

mod common;
use common::scratch;

fn ftsim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ftsim"))
        .args(args)
        .env("NO_COLOR", "1")
        .env("COLUMNS", "80")
        .output()
        .expect("ftsim runs")
}

fn scenario(name: &str) -> String {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    dir.join(name).display().to_string()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Explores a bundled scenario and checks its exit code and the lines it must print.
fn explores(name: &str, code: i32, lines: &[&str]) {
    // A directory per scenario: tests running at once never clear each other's.
    let repro = scratch(&format!("explores-{name}")).join(format!("{name}.repro.json"));
    let o = ftsim(&[
        "explore",
        &scenario(name),
        "--repro",
        repro.to_str().unwrap(),
    ]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(code), "{name}:\n{out}");
    // Output is wrapped at 80 columns: a phrase may span a line break.
    let words = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let flat = words(&out);
    for line in lines {
        assert!(flat.contains(&words(line)), "{name}: no {line:?} in\n{out}");
    }
}

/// Searches a bundled scenario whose space is infinite to `depth` steps: no violation among
/// the `unique` states visited, and the search says it was cut (exit 1: a bound is no pass).
/// A protocol's timer handles count by their canonical names (`sim_core::timer_names`): a
/// timer cancelled and set again, or timers set in another order, make no new state (the
/// counts of the protocols with timers fell when that came in; the verdicts did not change).
fn holds_to_depth(name: &str, depth: u32, unique: u64) {
    // A debug build holds Paxos's 699,097 states in about 3.7 GB: more than the default cap
    // keeps (it stops with an eighth to spare).
    let o = ftsim(&[
        "explore",
        &scenario(name),
        "--max-depth",
        &depth.to_string(),
        "--max-memory",
        "8192",
    ]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{name}:\n{out}");
    let visited = format!("{unique} unique, depth {depth}");
    assert!(out.contains(&visited), "{name}: no {visited:?} in\n{out}");
    let cut = format!("stopped by --max-depth {depth}: no violation");
    assert!(out.contains(&cut), "{name}: no {cut:?} in\n{out}");
}

#[test]
fn floodset_with_one_round_too_few_is_caught_in_five_steps_at_n3() {
    explores(
        "explore-flooding-n3-f1-rounds-1.toml",
        0,
        &[
            "violation of agreement after 5 steps",
            "node 0 crashes before its last 1 message(s) left",
            "expect outside agreement: met",
        ],
    );
}

#[test]
fn floodset_with_one_round_too_few_is_caught_in_seven_steps_at_n4() {
    explores(
        "explore-flooding-n4-f1-rounds-1.toml",
        0,
        &["violation of agreement after 7 steps", "met"],
    );
}

#[test]
fn floodset_with_f_plus_one_rounds_holds_in_every_reachable_state() {
    explores(
        "explore-flooding-n3-f1-rounds-2.toml",
        0,
        &[
            "4858 unique",
            "complete: no checked property fails",
            "expect pass: met",
        ],
    );
}

#[test]
fn the_twophase_spec_has_tlcs_288_states_for_3_rms() {
    explores(
        "explore-two-phase-tla-3.toml",
        0,
        &["1602 states generated, 288 unique, depth 10", "complete"],
    );
}

#[test]
fn a_paxos_leader_that_ignores_accepted_values_is_caught_in_ten_steps() {
    explores(
        "explore-paxos-3-ignore-accepted.toml",
        0,
        &[
            "violation of agreement after 10 steps",
            "node 1 receives Put('B') from node 4",
            "agreement: node 0 decided 'A' at event #10 but node 1 decided 'B' at event #15",
            "expect violation agreement: met",
        ],
    );
}

#[test]
fn a_paxos_acceptor_that_breaks_its_promise_is_caught_in_ten_steps() {
    explores(
        "explore-paxos-3-break-promise.toml",
        0,
        &["violation of agreement after 10 steps", "met"],
    );
}

#[test]
fn a_paxos_acceptor_that_forgets_its_promise_on_recovery_is_caught_in_eight_steps() {
    explores(
        "explore-paxos-n3-volatile-acceptor.toml",
        0,
        &[
            "violation of one-chosen after 8 steps",
            "node 2 crashes",
            "node 2 recovers",
            "100 chosen in ballot b1.0 at event #11 by acceptors [0, 2], but 101",
            "expect violation one-chosen: met",
        ],
    );
}

/// Retries make Paxos's state space infinite: its stable twin is searched to the volatile
/// variant's counterexample length, and nothing breaks there.
#[test]
fn paxos_with_stable_acceptors_holds_to_the_volatile_counterexample_depth() {
    holds_to_depth("explore-paxos-n3-stable-acceptor.toml", 8, 699097);
}

#[test]
fn quorums_that_need_not_meet_are_caught_in_ten_steps() {
    explores(
        "explore-quorum-n2-disjoint-quorums.toml",
        0,
        &[
            "violation of linearizable after 10 steps",
            "node 1 receives Query { tag: 1 } from node 3",
            "read → 0 by node 3 (events #10 to #14) cannot be linearized",
            "expect violation linearizable: met",
        ],
    );
}

#[test]
fn reads_without_write_back_are_caught_in_ten_steps() {
    explores(
        "explore-quorum-n2-no-write-back.toml",
        0,
        &[
            "violation of linearizable after 10 steps",
            "read → 0 by node 3 (events #12 to #14) cannot be linearized",
            "Open meanwhile: write(2001) by node 2",
            "expect violation linearizable: met",
        ],
    );
}

/// Client retries make the register's state space infinite: ABD is searched past the
/// no-write-back twin's counterexample length, and nothing breaks there.
#[test]
fn abd_holds_beyond_the_no_write_back_counterexample_depth() {
    holds_to_depth("explore-quorum-n2-abd.toml", 12, 398448);
}

#[test]
fn timeout_only_failover_shows_split_brain_in_one_step() {
    explores(
        "explore-primary-backup-n2-timeout-only.toml",
        0,
        &[
            "violation of single-primary after 1 step",
            "node 1: timer FailureCheck fires",
            "split brain: nodes 0 and 1 both act as primary of view 0",
            "expect violation single-primary: met",
        ],
    );
}

#[test]
fn a_rejoin_without_state_transfer_is_caught_in_five_steps() {
    explores(
        "explore-membership-n3-no-state-transfer.toml",
        0,
        &[
            "violation of joined-state after 5 steps (no shorter path breaks a property)",
            "2. node 1 crashes",
            "4. node 0 receives Join { inc: 1 } from node 1",
            "node 1 installed a view with a state of 0 message(s), but node 0 installed it with 1",
            // Every safety property is followed; the two judged at a run's end are not.
            "not checked (a search cannot follow them yet): views-converge, all-delivered",
            "expect violation joined-state: met",
        ],
    );
}

#[test]
fn views_installed_locally_break_view_synchrony_in_four_steps() {
    explores(
        "explore-membership-n3-local-views.toml",
        0,
        &[
            "violation of view-synchrony after 4 steps (no shorter path breaks a property)",
            "2. node 1 crashes",
            "4. node 2 is told node 1 crashed",
            "node 2 went from view 1 to view 2",
            "without delivering 0.0#0, which node 0 delivered in view 1",
            "expect violation view-synchrony: met",
        ],
    );
}

/// Join retries re-arm forever: the membership service with its state transfer is searched
/// to a stated depth, with crashes and recoveries anywhere, and nothing it follows breaks.
#[test]
fn a_rejoin_with_state_transfer_holds_to_twice_the_counterexample_depth() {
    holds_to_depth("explore-membership-n3-state-transfer.toml", 10, 147485);
}

/// Heartbeats re-arm forever: fenced failover is searched to a stated depth, with failure
/// checks firing at any point, and nothing breaks there.
#[test]
fn fenced_failover_holds_to_a_bounded_depth() {
    holds_to_depth("explore-primary-backup-n2-fenced.toml", 10, 130631);
}

#[test]
fn a_twophase_coordinator_that_crashes_for_good_blocks_its_participant() {
    // The safety search visits every state (atomicity holds in all), then the liveness search
    // finds the shortest run that stops with the participant undecided: the coordinator
    // crashes before its Prepare leaves.
    explores(
        "explore-twophase-coordinator-crash-blocks.toml",
        0,
        &[
            "12380 unique, depth 18",
            "violation of termination: after 1 step a run can stop with it unmet",
            "node 0 crashes before its last 1 message(s) left: Prepare to node 1",
            "expect outside termination: met",
        ],
    );
}

#[test]
fn twophase_with_logs_and_recovery_is_safe_and_terminates_in_every_fair_run() {
    explores(
        "explore-twophase-crash-recover.toml",
        0,
        &[
            "100225 unique, depth 27",
            "complete: no checked property fails",
            "expect pass: met",
        ],
    );
}

#[test]
fn best_effort_broadcast_with_a_sender_crash_mid_send_breaks_agreement_in_three_steps() {
    explores(
        "explore-broadcast-best-effort-sender-crash.toml",
        0,
        &[
            "13 unique, depth 4",
            "violation of agreement: after 3 steps a run can stop with it unmet",
            "node 0 crashes before its last 1 message(s) left: Data",
            "correct node 1 delivered message 0#0",
            "expect violation agreement: met",
        ],
    );
}

#[test]
fn eager_reliable_broadcast_holds_through_any_crash() {
    explores(
        "explore-broadcast-eager-reliable-crash.toml",
        0,
        &["160 unique, depth 7", "complete", "expect pass: met"],
    );
}

#[test]
fn a_stateless_lock_server_grants_a_held_lock_after_a_reboot_in_eleven_steps() {
    explores(
        "explore-lock-server-stateless-two-owners.toml",
        0,
        &[
            "violation of mutual-exclusion after 11 steps",
            "node 0 recovers",
            "node 2 receives Grant { ticket: 0 } from node 0",
            "expect violation mutual-exclusion: met",
        ],
    );
}

#[test]
fn static_total_order_blocks_forever_on_one_crash() {
    explores(
        "explore-total-order-static-crash.toml",
        0,
        &[
            "154 unique, depth 8",
            "violation of termination: after 3 steps a run can stop with it unmet",
            "node 1 crashes",
            "expect outside termination: met",
        ],
    );
}

#[test]
fn total_order_with_live_membership_holds_through_a_crash() {
    explores(
        "explore-total-order-live-crash.toml",
        0,
        &["168 unique, depth 8", "complete", "expect pass: met"],
    );
}

#[test]
fn replicas_applying_commands_on_arrival_diverge_in_four_steps() {
    explores(
        "explore-rsm-n2-broadcast.toml",
        0,
        &[
            "48 unique, depth 4",
            "violation of prefix-agreement after 4 steps",
            "replicas diverge at log position 0",
            "expect violation prefix-agreement: met",
        ],
    );
}

#[test]
fn a_limit_leaves_a_passing_scenario_unproven() {
    let o = ftsim(&[
        "explore",
        &scenario("explore-two-phase-tla-3.toml"),
        "--max-depth",
        "3",
    ]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("stopped by --max-depth 3"), "{out}");
    assert!(out.contains("expect pass: NOT MET"), "{out}");
}

/// The memory budget: a search past it stops with a partial verdict (unproven, exit 1), for
/// every order (depth-first on ABD grew to 24 GB before there was one); 0 MiB is bad usage.
#[test]
fn a_search_stops_at_its_memory_budget() {
    let file = scenario("explore-quorum-n2-abd.toml");
    for order in ["bfs", "dfs"] {
        let o = ftsim(&["explore", &file, "--order", order, "--max-memory", "1"]);
        let out = text(&o);
        assert_eq!(o.status.code(), Some(1), "{out}");
        assert!(out.contains("stopped by --max-memory 1"), "{out}");
        assert!(out.contains("expect pass: NOT MET"), "{out}");
    }
    let o = ftsim(&["explore", &file, "--max-memory", "0"]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(2), "{out}");
    assert!(
        out.contains("expected a whole number of MiB, 1 or more"),
        "{out}"
    );
    assert!(!out.contains("18446744073709551615"), "{out}");
}

/// Explores the bundled scenario `base` as `edit` changes it, written to `name` in a scratch
/// directory: the exit code and what it printed (the file name among it).
fn explore_edited(
    base: &str,
    name: &str,
    edit: impl FnOnce(String) -> String,
) -> (Option<i32>, String) {
    let base = std::fs::read_to_string(scenario(base)).unwrap();
    let file = scratch(name).join(name);
    std::fs::write(&file, edit(base)).unwrap();
    let o = ftsim(&["explore", &file.display().to_string()]);
    // An error is wrapped at 80 columns: a phrase may span a line break.
    let out = text(&o).split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(out.contains(name), "{out}");
    (o.status.code(), out)
}

#[test]
fn what_a_search_cannot_branch_on_is_refused_naming_the_key() {
    let flooding = "explore-flooding-n3-f1-rounds-2.toml";
    let (code, out) = explore_edited(flooding, "partitioned.toml", |base| {
        format!(
            "{base}partitions = {{ max = 1, between = [\"0ms\", \"5ms\"], \
             lasting = [\"1ms\", \"2ms\"] }}\n"
        )
    });
    assert_eq!(code, Some(2), "{out}");
    assert!(out.contains("key `faults.partitions`"), "{out}");
    assert!(out.contains("cannot be explored"), "{out}");
}

/// Who suspects whom is a set of nodes in a search's state: a group larger than such a set
/// holds is refused on `nodes`, not searched with suspicions folded onto the wrong nodes
/// (broadcast itself takes groups of any size).
#[test]
fn a_group_larger_than_a_search_holds_is_refused_on_nodes() {
    let broadcast = "explore-broadcast-eager-reliable-crash.toml";
    let (code, out) = explore_edited(broadcast, "sixty-five.toml", |base| {
        base.replace("nodes = 3", "nodes = 65")
    });
    assert_eq!(code, Some(2), "{out}");
    assert!(out.contains("nodes"), "{out}");
    assert!(
        out.contains("a search supports at most 64 nodes, found 65"),
        "{out}"
    );
}

#[test]
fn a_protocol_without_exploration_is_refused() {
    let o = ftsim(&["explore", &scenario("lease-drift-beyond-margin.toml")]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(2), "{out}");
    assert!(out.contains("cannot be explored"), "{out}");
}

#[test]
fn symmetry_counts_twophase_states_once_per_renaming_of_the_rms() {
    let o = ftsim(&[
        "explore",
        &scenario("explore-two-phase-tla-3.toml"),
        "--symmetry",
    ]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(out.contains(" 80 unique, depth 10"), "{out}");
}

#[test]
fn symmetry_a_protocol_does_not_declare_is_bad_usage() {
    let o = ftsim(&[
        "explore",
        &scenario("explore-flooding-n3-f1-rounds-2.toml"),
        "--symmetry",
    ]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(2), "{out}");
    assert!(out.contains("declares no interchangeable nodes"), "{out}");
    // Refused before the search is announced: the error is all that is printed.
    assert!(o.stdout.is_empty(), "{out}");
    let o = ftsim(&[
        "explore",
        &scenario("explore-two-phase-tla-3.toml"),
        "--strategy",
        "random",
        "--symmetry",
    ]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(2), "{out}");
    assert!(
        out.contains("applies to an exhaustive search only"),
        "{out}"
    );
    assert!(o.stdout.is_empty(), "{out}");
}

/// Explores `file`, whose shortest counterexample breaks `property` after `steps` steps, and
/// checks that its repro replays (text, HTML), diffs, and shrinks as an ordinary repro, with
/// the same property broken at the last step's time (step k at k ms).
fn counterexample_is_a_repro(file: &str, property: &str, steps: u32, dir: &Path) {
    let repro = dir.join("cx.repro.json");
    let repro_arg = repro.to_str().unwrap();
    let o = ftsim(&["explore", file, "--repro", repro_arg]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(
        out.contains(&format!("violation of {property} after {steps} steps")),
        "{out}"
    );
    assert!(
        out.contains(&format!("{property} breaks at {steps}ms")),
        "{out}"
    );
    assert!(out.contains(repro_arg), "{out}");
    let html = dir.join("cx.html");
    let html_arg = html.to_str().unwrap();
    let o = ftsim(&["replay", "--repro", repro_arg, "--html", html_arg]);
    let out = text(&o);
    assert!(out.contains(&format!("VIOLATION {property}")), "{out}");
    assert!(out.contains(&format!(" at {steps}ms: ")), "{out}");
    assert!(out.contains("as recorded"), "{out}");
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(
        page.contains("<svg") && page.contains(property),
        "{html_arg}"
    );
    let o = ftsim(&["diff", repro_arg]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("the runs are the same"), "{}", text(&o));
    let o = ftsim(&["shrink", "--repro", repro_arg]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(
        common::words(&text(&o)).contains("cannot shrink further"),
        "{}",
        text(&o)
    );
}

#[test]
fn floodset_counterexamples_replay_as_ordinary_runs() {
    let dir = scratch("floodset-repro");
    let n3 = scenario("explore-flooding-n3-f1-rounds-1.toml");
    counterexample_is_a_repro(&n3, "agreement", 5, &dir);
    let n4 = scenario("explore-flooding-n4-f1-rounds-1.toml");
    counterexample_is_a_repro(&n4, "agreement", 7, &dir);
}

#[test]
fn twophase_early_commit_counterexample_replays_over_duplicating_links() {
    let dir = scratch("twophase-repro");
    let base = std::fs::read_to_string(scenario("explore-two-phase-tla-3.toml")).unwrap();
    let buggy = base.replace(
        "expect = \"pass\"",
        "expect = { violation = \"consistent\" }\n\n[params]\nearly_commit = true",
    );
    assert_ne!(buggy, base);
    let file = dir.join("early-commit.toml");
    std::fs::write(&file, buggy).unwrap();
    counterexample_is_a_repro(file.to_str().unwrap(), "consistent", 5, &dir);
}

#[test]
fn the_stateless_lock_server_counterexample_replays_as_an_ordinary_run() {
    let dir = scratch("lock-server-repro");
    let file = scenario("explore-lock-server-stateless-two-owners.toml");
    counterexample_is_a_repro(&file, "mutual-exclusion", 11, &dir);
}

#[test]
fn a_scripted_repro_of_a_later_version_is_refused_with_the_versions_read() {
    let dir = scratch("repro-version");
    let repro = dir.join("cx.repro.json");
    let repro_arg = repro.to_str().unwrap();
    let file = scenario("explore-flooding-n3-f1-rounds-1.toml");
    assert_eq!(
        ftsim(&["explore", &file, "--repro", repro_arg])
            .status
            .code(),
        Some(0)
    );
    let written = std::fs::read_to_string(&repro).unwrap();
    assert!(written.contains("\"repro_version\": 2") && written.contains("\"script\""));
    // A version after this build's: refused with the versions it reads.
    let newest = ftsim_runner::repro::REPRO_VERSION;
    let future = format!("\"repro_version\": {}", newest + 1);
    std::fs::write(&repro, written.replace("\"repro_version\": 2", &future)).unwrap();
    let o = ftsim(&["replay", "--repro", repro_arg]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        common::words(&text(&o)).contains(&format!("reads versions 1 to {newest} only")),
        "{}",
        text(&o)
    );
}

/// An exhaustive search keeps to its `--max-memory` (it stops with some to spare: memory grows
/// between two looks of its watch, and a set of seen states doubles at once), and, stopped
/// unfinished, says what to try: the smaller exploration files of its protocol, sampling.
#[cfg(unix)]
#[test]
fn a_search_keeps_to_its_memory_cap_and_says_what_to_try() {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/flooding-f1-one-round.toml");
    let file = file.display().to_string();
    let cap_mib = 160;
    let (code, peak_kib, text) = common::measured(&[
        "explore",
        &file,
        "--max-memory",
        &cap_mib.to_string(),
        "--time-limit",
        "600s",
    ]);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("stopped by --max-memory 160"), "{text}");
    assert!(peak_kib < cap_mib * 1024, "peak {peak_kib} KiB: {text}");
    let words = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        words.contains("to go further, try a smaller scenario (")
            && words.contains("explore-flooding-n3-f1-rounds-1.toml")
            && words.contains("--strategy pct or random"),
        "{text}"
    );
}
