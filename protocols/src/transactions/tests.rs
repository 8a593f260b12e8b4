use ftsim_api::properties::{cites_events, observe_history};
use ftsim_api::sim_core::network::DelayDist;
use ftsim_api::{Outcome, Property, Time, TraceKind, World};
use ftsim_runner::Harness;

use super::*;

/// Two servers with two items each, four clients with three transactions each, delays of 1
/// to 5ms (messages overtake each other).
fn harness(params: TransactionsParams) -> Harness<Transactions> {
    Harness::new(&Transactions)
        .params(params)
        .nodes(6)
        .delay(DelayDist::Uniform {
            min: Duration::from_millis(1),
            max: Duration::from_millis(5),
        })
        .duration(Duration::from_millis(200))
        .settle(Duration::from_secs(2))
}

/// The default parameters with this locking and release.
fn variant(locking: Locking, release: Release) -> TransactionsParams {
    TransactionsParams {
        locking,
        release,
        ..TransactionsParams::default()
    }
}

/// No-wait without no votes: every abort is a refused lock.
fn no_wait() -> TransactionsParams {
    TransactionsParams {
        no_vote_percent: 0,
        ..variant(Locking::NoWait, Release::AtDecision)
    }
}

#[test]
fn ordered_locking_is_serialisable_and_never_deadlocks() {
    harness(variant(Locking::Ordered, Release::AtDecision))
        .sometimes(&["lock-conflict", "committed-after-abort"])
        .seeds(0..300)
        .check();
}

#[test]
fn no_wait_is_serialisable_and_every_transaction_commits() {
    harness(no_wait())
        .sometimes(&["lock-conflict", "committed-after-abort"])
        .seeds(0..300)
        .check();
    // A single item per server: every two concurrent transactions conflict.
    harness(TransactionsParams {
        items_per_server: 1,
        ..no_wait()
    })
    .seeds(0..300)
    .check();
}

/// The client decisions of one traced run, as `(commit, why)` words from the timeline.
fn decisions(h: &Harness<Transactions>, seed: u64) -> Vec<String> {
    let r = h.replay(seed);
    assert_eq!(r.outcome, Outcome::Ok, "{:?}", r.violations);
    r.trace
        .unwrap()
        .into_iter()
        .filter_map(|e| match e.kind {
            TraceKind::Observe { obs } if obs.starts_with("Decide") => Some(obs),
            _ => None,
        })
        .collect()
}

#[test]
fn no_wait_counts_its_aborts_and_retries_each_refused_attempt() {
    let h = harness(no_wait());
    let mut refused = 0;
    for seed in 0..40 {
        let d = decisions(&h, seed);
        // Four clients commit three transactions each; every other decision is an abort.
        assert_eq!(d.iter().filter(|o| o.contains("commit: true")).count(), 12);
        refused += d.iter().filter(|o| o.contains("why: Refused")).count();
        assert!(!d.iter().any(|o| o.contains("why: NoVote")), "{d:?}");
    }
    assert!(refused > 0, "no lock was ever refused in 40 seeds");
}

#[test]
fn arbitrary_order_is_caught_deadlocked_with_its_wait_for_cycle() {
    let h = harness(variant(Locking::Arbitrary, Release::AtDecision)).seeds(0..20);
    let seed = h.expect_violation("termination");
    let r = h.replay(seed);
    let v = &r.violations[0];
    assert!(
        v.message.contains("deadlock, a wait-for cycle: t"),
        "{}",
        v.message
    );
    assert!(v.message.contains("which waits for"), "{}", v.message);
    assert!(cites_events(&v.message, &v.related), "{}", v.message);
    // A deadlock is not a safety problem: the locks still serialise what commits.
    assert!(h.run().violations.keys().all(|k| k == "termination"));
}

#[test]
fn releasing_locks_at_the_vote_is_caught_not_serialisable() {
    let h = harness(variant(Locking::Ordered, Release::AtVote)).seeds(0..20);
    let seed = h.expect_violation("serialisability");
    let v = &h.replay(seed).violations[0];
    assert!(
        v.message.contains("their conflicts form a cycle"),
        "{}",
        v.message
    );
    assert!(cites_events(&v.message, &v.related), "{}", v.message);
}

#[test]
fn lost_messages_are_outside_the_model() {
    // Nothing is retransmitted: a lost lock request or vote leaves a client waiting forever,
    // which the declared model (no loss) reports as outside it, not as a bug.
    let mut h = harness(variant(Locking::Ordered, Release::AtDecision)).seeds(0..50);
    h.spec_mut().network.default.loss_ppm = 50_000;
    h.expect_outside("termination");
}

/// Two servers and two clients (nodes 2 and 3), all up.
fn judge<R>(f: impl FnOnce(&World<'_, Node>) -> R) -> R {
    let cfg = Config::from(&TransactionsParams::default());
    let states: Vec<Node> = (0..4).map(|i| Node::new(cfg, i)).collect();
    let up = [true; 4];
    let never = [false; 4];
    f(&World::new(Time::ZERO, &states, &up, &never, &never))
}

fn t(client: NodeId) -> TxnId {
    TxnId {
        client,
        number: 1,
        attempt: 1,
    }
}

const X0: Item = Item {
    server: 0,
    index: 0,
};
const X1: Item = Item {
    server: 1,
    index: 0,
};

fn commit(txn: TxnId) -> Obs {
    Obs::Decide {
        txn,
        commit: true,
        why: Why::AllYes,
        aborts: 0,
    }
}

#[test]
fn serialisability_names_the_cycle_of_committed_transactions() {
    judge(|w| {
        let read = |txn, item| Obs::Granted {
            txn,
            item,
            version: 0,
        };
        let wrote = |txn, item| Obs::Wrote {
            txn,
            item,
            version: 1,
        };
        // t2 reads x@s0 (event 1) before t3 writes it (event 5); t3 reads x@s1 (event 2)
        // before t2 writes it (event 6).
        let history = [
            (0, read(t(2), X0)),
            (1, read(t(3), X1)),
            (2, commit(t(2))),
            (3, commit(t(3))),
            (0, wrote(t(3), X0)),
            (1, wrote(t(2), X1)),
        ];
        let mut s = Serialisability::default();
        let err = observe_history(w, &mut s, &history).unwrap_err();
        assert_eq!(
            err.message,
            "committed transactions t2.1 -> t3.1 are not serialisable, their conflicts form a \
             cycle: t2.1 read x@s0 at event #1 before t3.1 wrote it at event #5; t3.1 read \
             x@s1 at event #2 before t2.1 wrote it at event #6"
        );
        assert_eq!(err.evidence, [1, 5, 2, 6]);
        // The same operations with t3 aborted: nothing to serialise.
        let mut s = Serialisability::default();
        let without_t3: Vec<(NodeId, Obs)> = history
            .iter()
            .filter(|(_, o)| *o != commit(t(3)))
            .cloned()
            .collect();
        assert!(observe_history(w, &mut s, &without_t3).is_ok());
        // Reads alone never conflict.
        let mut s = Serialisability::default();
        let reads = [
            (0, read(t(2), X0)),
            (0, read(t(3), X0)),
            (2, commit(t(2))),
            (3, commit(t(3))),
        ];
        assert!(observe_history(w, &mut s, &reads).is_ok());
    });
}

#[test]
fn termination_names_the_wait_for_cycle_and_who_is_behind_it() {
    judge(|w| {
        let granted = |txn, item| Obs::Granted {
            txn,
            item,
            version: 0,
        };
        let queued = |txn, item, holder| Obs::Queued { txn, item, holder };
        let history = [
            (2, Obs::Begin { txn: t(2) }),
            (3, Obs::Begin { txn: t(3) }),
            (0, granted(t(2), X0)),
            (1, granted(t(3), X1)),
            (0, queued(t(3), X0, t(2))),
            (1, queued(t(2), X1, t(3))),
        ];
        let mut term = Termination::default();
        observe_history(w, &mut term, &history).unwrap();
        let err = term.finish(w).unwrap_err();
        assert_eq!(
            err.message,
            format!(
                "nodes 2 and 3 did not finish their transactions by {}: deadlock, a wait-for \
                 cycle: t2.1 (client 2) waits for x@s1 (queued at event #6) held by t3.1 \
                 (client 3, granted at event #4), which waits for x@s0 (queued at event #5) \
                 held by t2.1 (client 2, granted at event #3)",
                Time::ZERO
            )
        );
        assert!(cites_events(&err.message, &err.evidence));
    });
}

#[test]
fn atomicity_and_commit_validity_judge_hand_built_histories() {
    judge(|w| {
        let mut atomic = atomicity();
        let history = [
            (2, commit(t(2))),
            (
                0,
                Obs::Applied {
                    txn: t(2),
                    commit: false,
                },
            ),
        ];
        let err = observe_history(w, &mut atomic, &history).unwrap_err();
        assert_eq!(
            err.message,
            "node 2 committed t2.1 but node 0 aborted it (events #1 and #2)"
        );

        let mut valid = CommitValidity::default();
        let history = [
            (
                0,
                Obs::Granted {
                    txn: t(2),
                    item: X0,
                    version: 0,
                },
            ),
            (
                1,
                Obs::Granted {
                    txn: t(2),
                    item: X1,
                    version: 0,
                },
            ),
            (
                0,
                Obs::Vote {
                    txn: t(2),
                    yes: false,
                },
            ),
            (2, commit(t(2))),
        ];
        let err = observe_history(w, &mut valid, &history).unwrap_err();
        assert_eq!(
            err.message,
            "client 2 committed t2.1 at event #4 without every yes: server 0 voted no at event \
             #3; server 1 never voted"
        );
    });
}

#[test]
fn validate_asks_for_a_client_beyond_the_servers() {
    let p = TransactionsParams::default();
    let e = Transactions.validate(&p, 2).unwrap_err();
    assert_eq!(e.key, "nodes");
    assert!(Transactions.validate(&p, 3).is_ok());
}

#[test]
fn bundled_scenarios_meet_their_expectations() {
    for file in [
        "transactions-ordered",
        "transactions-no-wait",
        "transactions-arbitrary-deadlock",
        "transactions-early-release",
    ] {
        ftsim_runner::check_scenario(format!("../scenarios/{file}.toml"), crate::all());
    }
}

/// A cycle in the full precedence graph of `history` (every pair of conflicting operations of
/// committed transactions), by brute force: the reference the property's reduced graph must
/// agree with.
fn brute_force_cycle(history: &[(NodeId, Obs)]) -> bool {
    let committed: Vec<TxnId> = history
        .iter()
        .filter_map(|(_, o)| match *o {
            Obs::Decide {
                txn, commit: true, ..
            } => Some(txn),
            _ => None,
        })
        .collect();
    let ops: Vec<(Item, TxnId, bool)> = history
        .iter()
        .filter_map(|(_, o)| match *o {
            Obs::Granted { txn, item, .. } => Some((item, txn, false)),
            Obs::Wrote { txn, item, .. } => Some((item, txn, true)),
            _ => None,
        })
        .filter(|(_, txn, _)| committed.contains(txn))
        .collect();
    let mut edges = std::collections::BTreeSet::new();
    for (i, a) in ops.iter().enumerate() {
        for b in &ops[i + 1..] {
            if a.0 == b.0 && a.1 != b.1 && (a.2 || b.2) {
                edges.insert((a.1, b.1));
            }
        }
    }
    // Transitive closure over the few transactions: a cycle is a transaction reaching itself.
    let mut reach = edges.clone();
    loop {
        let more: Vec<(TxnId, TxnId)> = reach
            .iter()
            .flat_map(|&(a, b)| {
                reach
                    .iter()
                    .filter(move |&&(c, _)| c == b)
                    .map(move |&(_, d)| (a, d))
            })
            .filter(|e| !reach.contains(e))
            .collect();
        if more.is_empty() {
            return reach.iter().any(|(a, b)| a == b);
        }
        reach.extend(more);
    }
}

#[test]
fn serialisability_agrees_with_the_full_precedence_graph_on_random_histories() {
    // Random histories of five transactions over three items: each reads some items (a lock
    // grant), may commit (or abort), and a committed one writes some of what it read. No
    // locking at all, so cycles are common.
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = |bound: u64| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state % bound
    };
    let items = [
        X0,
        X1,
        Item {
            server: 0,
            index: 1,
        },
    ];
    let (mut cycles, mut acyclic) = (0, 0);
    for _ in 0..3000 {
        let txns: Vec<TxnId> = (2..7).map(t).collect();
        let mut reads: Vec<Vec<Item>> = vec![Vec::new(); txns.len()];
        let mut stage = vec![0u8; txns.len()]; // 0 reading, 1 committed, 2 done
        let mut history: Vec<(NodeId, Obs)> = Vec::new();
        while stage.iter().any(|&s| s < 2) {
            let i = next(txns.len() as u64) as usize;
            let txn = txns[i];
            match (stage[i], next(4)) {
                (0, 0..=1) => {
                    let item = items[next(3) as usize];
                    reads[i].push(item);
                    history.push((
                        item.server,
                        Obs::Granted {
                            txn,
                            item,
                            version: 0,
                        },
                    ));
                }
                (0, 2) => {
                    let commit = next(4) > 0;
                    history.push((
                        txn.client,
                        Obs::Decide {
                            txn,
                            commit,
                            why: Why::AllYes,
                            aborts: 0,
                        },
                    ));
                    stage[i] = if commit { 1 } else { 2 };
                }
                (1, _) if !reads[i].is_empty() => {
                    let pick = next(reads[i].len() as u64) as usize;
                    let item = reads[i].remove(pick);
                    history.push((
                        item.server,
                        Obs::Wrote {
                            txn,
                            item,
                            version: 1,
                        },
                    ));
                }
                (1, _) => stage[i] = 2,
                _ => {}
            }
        }
        judge(|w| {
            let mut s = Serialisability::default();
            let caught = observe_history(w, &mut s, &history).is_err();
            assert_eq!(caught, brute_force_cycle(&history), "{history:?}");
        });
        if brute_force_cycle(&history) {
            cycles += 1;
        } else {
            acyclic += 1;
        }
    }
    assert!(
        cycles > 100 && acyclic > 100,
        "{cycles} cyclic, {acyclic} acyclic"
    );
}

#[test]
fn nodes_are_named_as_the_deadlock_text_names_them() {
    // Servers are nodes 0..servers ("x@s0"); a client is named by its node id ("client 3").
    let params = TransactionsParams::default();
    assert_eq!(params.servers, 2);
    let labels: Vec<Option<String>> = (0..5)
        .map(|n| Transactions.node_label(&params, n, 5))
        .collect();
    let want = ["s0", "s1", "client 2", "client 3", "client 4"];
    assert_eq!(labels, want.map(|s| Some(s.to_string())));
}
