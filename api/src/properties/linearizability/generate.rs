//! Synthetic register histories for tests and benchmarks: several clients run operations one
//! after the other on a true atomic register, each taking effect at a random instant inside
//! its interval, so the history is linearizable by construction; [`with_stale_read`] then
//! breaks one read so that it is not.

use std::collections::BTreeMap;

use sim_core::Time;

use super::history::{History, Moment};
use super::models::{RegisterOp, RegisterOutput};

/// A register history.
pub type RegisterHistory = History<RegisterOp<u64>, RegisterOutput<u64>>;

/// A small deterministic generator (splitmix64), so a history is a function of its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// What happens at an instant of the generated run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Step {
    TakeEffect,
    Respond,
    Invoke,
}

/// A linearizable history of `ops` operations by `clients` clients on a register that starts
/// at 0; about `writes_percent` of the operations are writes, each of a new value. Operations
/// last 1 to 20 time units and clients pause 0 to 5 between them, so about `clients`
/// operations overlap at any time.
pub fn register_history(
    seed: u64,
    clients: usize,
    ops: usize,
    writes_percent: u64,
) -> RegisterHistory {
    register_history_with_crashes(seed, clients, ops, (writes_percent, 0))
}

/// An operation under way: what it asks, what it got once it took effect, and whether its
/// client crashes during it (then it takes effect only if `takes_effect`, and never returns).
struct Pending {
    input: RegisterOp<u64>,
    output: Option<RegisterOutput<u64>>,
    crashes: bool,
    takes_effect: bool,
}

/// As [`register_history`], but each operation's client crashes during it with probability
/// `crash_percent` %: the operation takes effect or not (evenly) and never returns, and the
/// client's place is taken by a fresh client (as Jepsen gives a crashed process a new
/// number). The crashed operations are those left open in the history.
pub fn register_history_with_crashes(
    seed: u64,
    clients: usize,
    ops: usize,
    (writes_percent, crash_percent): (u64, u64),
) -> RegisterHistory {
    let mut rng = Rng(seed);
    let mut fresh_client = clients;
    let mut h = History::new();
    let mut value = 0u64;
    let mut next_value = 1u64;
    let mut started = 0usize;
    let mut event = 0u64;
    // (time, step, client) → the op index (for effects and responses).
    let mut agenda: BTreeMap<(u64, Step, usize), usize> = BTreeMap::new();
    let mut pending: BTreeMap<usize, Pending> = BTreeMap::new();
    for client in 0..clients {
        agenda.insert((rng.below(5), Step::Invoke, client), usize::MAX);
    }
    while let Some(((t, step, client), op)) = agenda.pop_first() {
        match step {
            Step::Invoke if started < ops => {
                started += 1;
                event += 1;
                let at = Moment::new(event, Time(t));
                let input = if rng.below(100) < writes_percent {
                    next_value += 1;
                    RegisterOp::Write(next_value - 1)
                } else {
                    RegisterOp::Read
                };
                let index = h.call(client, input.clone(), at);
                let (effect, end) = (t + rng.below(20), t + 1 + rng.below(20));
                let (effect, end) = (effect.min(end), effect.max(end));
                let crashes = rng.below(100) < crash_percent;
                let takes_effect = !crashes || rng.below(2) == 0;
                let p = Pending {
                    input,
                    output: None,
                    crashes,
                    takes_effect,
                };
                pending.insert(index, p);
                agenda.insert((effect, Step::TakeEffect, client), index);
                agenda.insert((end, Step::Respond, client), index);
            }
            Step::Invoke => {}
            Step::TakeEffect => {
                let p = pending.get_mut(&op).expect("pending op");
                if !p.takes_effect {
                    continue;
                }
                p.output = Some(match &p.input {
                    RegisterOp::Read => RegisterOutput::Value(value),
                    RegisterOp::Write(v) => {
                        value = *v;
                        RegisterOutput::Written
                    }
                });
            }
            Step::Respond => {
                let p = pending.remove(&op).expect("pending op");
                let client = if p.crashes {
                    fresh_client += 1;
                    fresh_client - 1
                } else {
                    event += 1;
                    let at = Moment::new(event, Time(t));
                    h.ret(op, p.output.expect("took effect before responding"), at);
                    client
                };
                agenda.insert((t + rng.below(6), Step::Invoke, client), usize::MAX);
            }
        }
    }
    h
}

/// `history` with one read, as late as possible, changed to return a value overwritten before
/// it began: the value of a write `w1` that returned before another write `w2` began, `w2`
/// having returned before the read began. No linearization can then explain the read (values
/// are unique). Returns the new history and the read's index, or `None` if there is no such
/// triple.
pub fn with_stale_read(history: &RegisterHistory) -> Option<(RegisterHistory, usize)> {
    let ops = history.ops();
    let writes: Vec<usize> = (0..ops.len())
        .filter(|&i| matches!(ops[i].input, RegisterOp::Write(_)) && ops[i].is_complete())
        .collect();
    let read = (0..ops.len()).rev().find_map(|r| {
        let is_read = ops[r].input == RegisterOp::Read && ops[r].is_complete();
        let w2 = writes.iter().rev().find(|&&w| ops[w].precedes(&ops[r]))?;
        let w1 = writes.iter().rev().find(|&&w| ops[w].precedes(&ops[*w2]))?;
        is_read.then_some((r, *w1))
    })?;
    let (r, w1) = read;
    let RegisterOp::Write(stale) = ops[w1].input else {
        unreachable!("w1 is a write")
    };
    let mut broken = history.clone();
    broken.replace_output(r, RegisterOutput::Value(stale));
    Some((broken, r))
}
