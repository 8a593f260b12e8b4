//! `ftsim explore` on checkpointing and rollback recovery (crash-recover with stable storage):
//! each known-buggy recovery is caught with its shortest counterexample, which replays as an
//! ordinary run, and the correct ones hold in every reachable state and every fair run. The
//! scenarios bound checkpoints and retries (`checkpoint_limit`, `retry_limit`): without them a
//! process's schedule never ends and the space is infinite.

mod common;

use common::{assert_has, explore_then_replay, flat, ftsim, scenario};

#[test]
fn rolling_back_to_everyones_latest_checkpoint_leaves_an_orphan_in_eight_steps() {
    explore_then_replay(
        "explore-checkpoint-n2-latest-orphans.toml",
        0,
        &[
            "1650 unique, depth 8",
            "violation of consistent-cut after 8 steps (no shorter path breaks a property)",
            "2. node 1 receives Transfer { epoch: 0, seq: 1, amount: 1 } from node 0",
            "3. node 1: timer Checkpoint { epoch: 0 } fires",
            "4. node 0 crashes",
            "node 1 has received 1 transfers from node 0, which had sent it only 0",
            "expect violation consistent-cut: met",
        ],
        &[
            "VIOLATED",
            "consistent-cut (always), event #10 at 8ms",
            "as recorded",
        ],
    );
}

#[test]
fn without_logging_a_transfer_on_the_crashed_senders_wire_is_lost_in_seven_steps() {
    explore_then_replay(
        "explore-checkpoint-n2-unlogged-loss.toml",
        0,
        &[
            "915 unique, depth 7",
            "violation of no-lost-transfer after 7 steps",
            "3. node 0 crashes before its last 1 message(s) left: Transfer",
            "node 0 sent 1 to node 1, which has 0 of them and 0 are replayed",
            "expect violation no-lost-transfer: met",
        ],
        &["VIOLATED", "no-lost-transfer (always)", "as recorded"],
    );
}

#[test]
fn the_consistent_line_search_cascades_past_a_checkpoint_in_seven_steps() {
    explore_then_replay(
        "explore-checkpoint-n2-domino.toml",
        0,
        &[
            "1367 unique, depth 7",
            "violation of no-domino after 7 steps",
            "2. node 0 receives Transfer { epoch: 0, seq: 1, amount: 1 } from node 1",
            "node 0 rolled back at event #9 past 1 of its checkpoints",
            "expect violation no-domino: met",
        ],
        &["VIOLATED", "no-domino (always)", "as recorded"],
    );
}

/// Explores a bundled scenario expected to hold: it must visit `unique` states to `depth`,
/// complete, with the liveness search over the same states finding `cycles` cycles where an
/// `eventually` property fails, every one of them unfair.
fn holds_everywhere(name: &str, unique: u64, depth: u32, cycles: u64) {
    let o = ftsim(&["explore", &scenario(name)]);
    let out = flat(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert_has(
        &out,
        &[
            &format!("{unique} unique, depth {depth}"),
            &format!("liveness: {unique} states"),
            &format!(
                "{cycles} cycle(s) where an eventually property does not hold, {cycles} of \
                 them unfair"
            ),
            "complete: no checked property fails in any state reachable",
            "expect pass: met",
        ],
    );
    assert!(
        !out.contains("not checked"),
        "every property followed:\n{out}"
    );
}

#[test]
fn logged_independent_checkpoints_with_the_consistent_line_hold_in_every_state() {
    // The cycles: a process frozen by a recovery round skips its checkpoints but keeps its
    // schedule, forever if the round's messages are never delivered (unfair).
    holds_everywhere(
        "explore-checkpoint-n2-logged-consistent.toml",
        14431,
        18,
        775,
    );
}

#[test]
fn coordinated_snapshots_hold_in_every_state_through_any_one_crash() {
    holds_everywhere("explore-checkpoint-n2-coordinated.toml", 7773, 18, 0);
}
