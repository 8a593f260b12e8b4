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

/// A register history of `ops` operations by 3 clients in which a client crashes during
/// an operation one time in three (the operation never returns, and a fresh client takes its
/// place): writes of 1 to 3 and reads of 0 to 3, so that writes repeat values and reads
/// often see what no order explains.
fn history_with_many_crashes(seed: u64, ops: usize) -> RegisterHistory {
    let mut rand = super::tests::below(seed);
    let mut h = History::new();
    let mut open: [Option<usize>; 3] = [None; 3];
    let mut client_of = [0usize, 1, 2];
    let mut event = 0;
    while h.len() < ops || open.iter().any(Option::is_some) {
        let slot = rand(3) as usize;
        event += 1;
        let at = Moment::new(event, sim_core::Time::from_millis(event));
        match open[slot] {
            Some(_) if rand(3) == 0 => {
                open[slot] = None;
                client_of[slot] += 3;
            }
            Some(op) => {
                let out = match h.ops()[op].input {
                    RegisterOp::Read => RegisterOutput::Value(rand(4)),
                    RegisterOp::Write(_) => RegisterOutput::Written,
                };
                h.ret(op, out, at);
                open[slot] = None;
            }
            None if h.len() < ops => {
                let input = match rand(2) {
                    0 => RegisterOp::Read,
                    _ => RegisterOp::Write(1 + rand(3)),
                };
                open[slot] = Some(h.call(client_of[slot], input, at));
            }
            None => {}
        }
    }
    h
}

#[test]
fn the_search_agrees_with_brute_force_when_many_operations_never_return() {
    let (mut yes, mut no) = (0, 0);
    for seed in 0..3_000 {
        let h = history_with_many_crashes(seed, 8);
        let expected = super::tests::brute_force(&REG, &h);
        let got = match check(&REG, &h) {
            Verdict::Linearizable => true,
            Verdict::NotLinearizable(_) => false,
            Verdict::Undecided(why) => panic!("seed {seed}: {why}"),
        };
        assert_eq!(got, expected, "seed {seed}: {:?}", h.ops());
        if expected {
            yes += 1;
        } else {
            no += 1;
        }
    }
    assert!(yes > 500 && no > 500, "{yes} linearizable, {no} not");
}
