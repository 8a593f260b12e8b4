//! Histories with crashed clients (operations that never return): the incremental check,
//! told which operations are abandoned as their clients crash, decides more of them, and
//! whenever it decides it agrees with the offline search.

use super::frontier::{self, Frontier, Stop};
use super::generate::{register_history_with_crashes, with_stale_read, RegisterHistory};
use super::*;

const REG: Register<u64> = Register { initial: 0 };

/// What the incremental check says of a whole history: `Ok(())` if every response was
/// explained, the culprit if one was not, or why it gave up. Each operation that never
/// returns is abandoned right after its invocation (its client crashed then).
fn incremental(h: &RegisterHistory, abandon: bool) -> Result<(), Result<usize, String>> {
    let ops = h.ops();
    let all: Vec<usize> = (0..ops.len()).collect();
    let mut f = Frontier::new(&REG);
    for (_, is_return, op) in frontier::entries(ops, &all, u64::MAX) {
        let step = if is_return {
            f.respond(&REG, ops, op, 10_000).map(drop)
        } else {
            let invoked = f.invoke(&REG, ops, op);
            if abandon && !ops[op].is_complete() {
                f.abandon(op);
            }
            invoked
        };
        match step {
            Ok(()) => {}
            Err(Stop::NotLinearizable) => return Err(Ok(op)),
            Err(Stop::TooMany(why)) => return Err(Err(why)),
        }
    }
    Ok(())
}

/// The offline verdict: `Ok(())` or the culprit.
fn offline(h: &RegisterHistory) -> Result<(), usize> {
    match check(&REG, h) {
        Verdict::Linearizable => Ok(()),
        Verdict::NotLinearizable(why) => {
            assert!(why.smallest);
            Err(why.culprit)
        }
        Verdict::Undecided(why) => panic!("undecided: {why}"),
    }
}

/// Over `seeds` histories of `shape` (clients, operations, writes %, crashes %) and their
/// broken copies: whenever the incremental check decides, it agrees with the search; returns
/// how many of them it decided with and without being told of the crashes.
fn agreement(
    seeds: u64,
    (clients, ops, writes, crashes): (usize, usize, u64, u64),
) -> (usize, usize) {
    let (mut with, mut without) = (0, 0);
    for seed in 0..seeds {
        let good = register_history_with_crashes(seed, clients, ops, (writes, crashes));
        let mut histories = vec![(good.clone(), Ok(()))];
        if let Some((bad, _)) = with_stale_read(&good) {
            let culprit = offline(&bad).expect_err("a stale read");
            histories.push((bad, Err(culprit)));
        }
        assert_eq!(offline(&good), Ok(()), "seed {seed}");
        for (h, truth) in histories {
            for (abandon, decided) in [(true, &mut with), (false, &mut without)] {
                match incremental(&h, abandon) {
                    Err(Err(_)) => {}
                    Ok(()) => {
                        assert_eq!(truth, Ok(()), "seed {seed}, abandon {abandon}");
                        *decided += 1;
                    }
                    Err(Ok(c)) => {
                        assert_eq!(truth, Err(c), "seed {seed}, abandon {abandon}");
                        *decided += 1;
                    }
                }
            }
        }
    }
    (with, without)
}

#[test]
fn with_crashed_clients_the_incremental_check_agrees_with_the_search() {
    // 4 clients, 40 operations, half writes, a fifth crashing: the search decides them all.
    let (with, without) = agreement(40, (4, 40, 50, 20));
    // Told of the crashes, it gives up on fewer.
    eprintln!("decided {with} of 80 with crashes told, {without} without");
    assert!(
        with > without,
        "{with} with crashes told, {without} without"
    );
}
