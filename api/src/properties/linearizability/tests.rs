//! The checker on known histories: the classic examples (Herlihy & Wing's queue histories,
//! which Wing & Gong's search was first run on; Porcupine's register examples), pending
//! operations, keys checked apart, the explanation of the non-linearizable part, and three
//! checkers (the search, the incremental frontier and brute force) agreeing on thousands of
//! random small histories.

use std::collections::VecDeque;

use sim_core::Time;

use super::generate::{register_history, with_stale_read};
use super::*;

/// Event `e` at time `e` ms.
fn at(e: u64) -> Moment {
    Moment::new(e, Time::from_millis(e))
}

/// An operation by hand: (client, input, output, invoke event, return event), with `None`
/// for an operation that never returned.
type Op<I, O> = (usize, I, Option<O>, u64, Option<u64>);

/// Builds a history from operations by hand. Events must be distinct.
fn history<I: Clone, O: Clone>(ops: &[Op<I, O>]) -> History<I, O> {
    let mut entries: Vec<(u64, bool, usize)> = Vec::new();
    for (i, op) in ops.iter().enumerate() {
        entries.push((op.3, false, i));
        if let Some(r) = op.4 {
            entries.push((r, true, i));
        }
    }
    entries.sort_unstable();
    let mut h = History::new();
    let mut index = vec![0; ops.len()];
    for (e, is_return, i) in entries {
        let (client, input, output, _, _) = &ops[i];
        if is_return {
            h.ret(index[i], output.clone().expect("an output"), at(e));
        } else {
            index[i] = h.call(*client, input.clone(), at(e));
        }
    }
    h
}

fn w(v: u64) -> RegisterOp<u64> {
    RegisterOp::Write(v)
}
const R: RegisterOp<u64> = RegisterOp::Read;
const OK: Option<RegisterOutput<u64>> = Some(RegisterOutput::Written);
fn val(v: u64) -> Option<RegisterOutput<u64>> {
    Some(RegisterOutput::Value(v))
}
const REG: Register<u64> = Register { initial: 0 };

fn linearizable<M: SequentialModel>(model: &M, h: &History<M::Input, M::Output>) -> bool {
    match check(model, h) {
        Verdict::Linearizable => true,
        Verdict::NotLinearizable(_) => false,
        Verdict::Undecided(why) => panic!("undecided: {why}"),
    }
}

fn explanation<M: SequentialModel>(model: &M, h: &History<M::Input, M::Output>) -> Explanation {
    match check(model, h) {
        Verdict::NotLinearizable(why) => why,
        other => panic!("expected not linearizable, got {other:?}"),
    }
}

/// A FIFO queue, as in Herlihy & Wing's examples (`None` dequeues from an empty queue).
struct Queue;

#[derive(Clone, Debug, Hash)]
enum QueueOp {
    Enq(u64),
    Deq,
}

impl SequentialModel for Queue {
    type Key = ();
    type State = VecDeque<u64>;
    type Input = QueueOp;
    type Output = Option<u64>;
    fn key(&self, _: &QueueOp) {}
    fn init(&self) -> VecDeque<u64> {
        VecDeque::new()
    }
    fn step(&self, q: &VecDeque<u64>, op: &QueueOp) -> (VecDeque<u64>, Option<u64>) {
        let mut q = q.clone();
        match op {
            QueueOp::Enq(x) => {
                q.push_back(*x);
                (q, None)
            }
            QueueOp::Deq => {
                let x = q.pop_front();
                (q, x)
            }
        }
    }
}

#[test]
fn herlihy_wing_queue_histories() {
    use QueueOp::{Deq, Enq};
    // Enq(x) by A overlaps Enq(y) by B; then A dequeues y and B dequeues x, overlapping:
    // linearizable as Enq(y) Enq(x) Deq→y Deq→x.
    let a = history(&[
        (0, Enq(1), Some(None), 1, Some(3)),
        (1, Enq(2), Some(None), 2, Some(4)),
        (0, Deq, Some(Some(2)), 5, Some(7)),
        (1, Deq, Some(Some(1)), 6, Some(8)),
    ]);
    assert!(linearizable(&Queue, &a));
    // Enq(x) returns before Enq(y) begins, yet y is dequeued first: not FIFO.
    let b = history(&[
        (0, Enq(1), Some(None), 1, Some(2)),
        (1, Enq(2), Some(None), 3, Some(4)),
        (0, Deq, Some(Some(2)), 5, Some(6)),
    ]);
    let why = explanation(&Queue, &b);
    assert_eq!(why.culprit, 2);
    // A dequeue overlapping the only enqueue may return it.
    let c = history(&[
        (0, Enq(1), Some(None), 1, Some(4)),
        (1, Deq, Some(Some(1)), 2, Some(3)),
    ]);
    assert!(linearizable(&Queue, &c));
    // The same value dequeued twice.
    let d = history(&[
        (0, Enq(1), Some(None), 1, Some(2)),
        (1, Deq, Some(Some(1)), 3, Some(5)),
        (2, Deq, Some(Some(1)), 4, Some(6)),
    ]);
    assert!(!linearizable(&Queue, &d));
}

#[test]
fn porcupine_register_examples() {
    // A write overlapping two reads: one sees the old value, one the new, in either order
    // inside the write's interval.
    let good = history(&[
        (0, w(100), OK, 1, Some(100)),
        (1, R, val(100), 25, Some(75)),
        (2, R, val(0), 30, Some(60)),
    ]);
    assert!(linearizable(&REG, &good));
    // Once a read that returned before the second read began saw the new value, the second
    // cannot see the old one.
    let bad = history(&[
        (0, w(200), OK, 1, Some(100)),
        (1, R, val(200), 10, Some(30)),
        (2, R, val(0), 40, Some(90)),
    ]);
    let why = explanation(&REG, &bad);
    assert_eq!(why.culprit, 2);
    assert_eq!(why.states, [("200".to_string(), Some(0))]);
    assert_eq!(why.concurrent, [0]);
    assert!(
        why.message
            .starts_with("read → 0 by node 2 (events #40 to #90)"),
        "{}",
        why.message
    );
    assert!(
        why.message.contains("the register could only be 200 (set by write(200) by node 0 (invoked at event #1, still open))"),
        "{}",
        why.message
    );
    // The write is still open: what pins the state is the read that saw its value.
    assert_eq!(why.pins, [1]);
    assert!(
        why.message
            .contains("Pinned by read → 200 by node 1 (events #10 to #30)."),
        "{}",
        why.message
    );
    assert_eq!(why.events, [1, 10, 30, 40, 90]);
    // Before the culprit's response: the write, then the read that saw it.
    assert_eq!(why.order, [0, 1]);
    assert!(why.smallest);
}

#[test]
fn a_stale_read_names_the_write_that_overwrote_its_value() {
    let h = history(&[
        (0, w(1), OK, 1, Some(2)),
        (0, w(2), OK, 3, Some(4)),
        (1, R, val(1), 5, Some(6)),
        (2, w(3), OK, 7, Some(8)),
    ]);
    let why = explanation(&REG, &h);
    assert_eq!(why.culprit, 2);
    assert_eq!(why.states, [("2".to_string(), Some(1))]);
    assert!(why.concurrent.is_empty());
    assert_eq!(why.events, [3, 4, 5, 6]);
    assert!(
        why.message
            .contains("No other operation on it was open meanwhile"),
        "{}",
        why.message
    );
}

#[test]
fn operations_that_never_returned_may_take_effect_or_not() {
    // A write that never returned may be seen...
    let seen = history(&[(0, w(1), None, 1, None), (1, R, val(1), 2, Some(3))]);
    assert!(linearizable(&REG, &seen));
    // ... or not ...
    let unseen = history(&[(0, w(1), None, 1, None), (1, R, val(0), 2, Some(3))]);
    assert!(linearizable(&REG, &unseen));
    // ... but not undone once seen.
    let flicker = history(&[
        (0, w(1), None, 1, None),
        (1, R, val(1), 2, Some(3)),
        (1, R, val(0), 4, Some(5)),
    ]);
    let why = explanation(&REG, &flicker);
    assert_eq!(why.culprit, 2);
    // Nor seen before it was invoked.
    let early = history(&[(1, R, val(1), 1, Some(2)), (0, w(1), None, 3, None)]);
    assert!(!linearizable(&REG, &early));
}

#[test]
fn keys_are_checked_apart_and_named() {
    let kv = KeyValue::<&str, u64>::default();
    let get = |k| KvOp::Get(k);
    let put = |k, v| KvOp::Put(k, v);
    let done = Some(KvOutput::Done);
    let got = |v| Some(KvOutput::Value(v));
    let h = history(&[
        (0, put("a", 1), done.clone(), 1, Some(2)),
        (1, put("b", 1), done.clone(), 3, Some(4)),
        (2, get("a"), got(Some(1)), 5, Some(6)),
        (2, get("b"), got(None), 7, Some(8)),
    ]);
    let why = explanation(&kv, &h);
    assert_eq!(why.key.as_deref(), Some("\"b\""));
    assert_eq!(why.culprit, 3);
    assert!(
        why.message.contains("key \"b\" could only be 1"),
        "{}",
        why.message
    );
    // Per key, a put may land between the other key's operations.
    let ok = history(&[
        (0, put("a", 1), done.clone(), 1, Some(6)),
        (1, get("b"), got(None), 2, Some(3)),
        (1, get("a"), got(Some(1)), 4, Some(5)),
    ]);
    assert!(linearizable(&kv, &ok));
}

#[test]
fn appends_judged_by_the_positions_they_got() {
    let log = AppendLog::<u64>::default();
    // Two appends told they landed at position 0.
    let split = history(&[(0, 1, Some(0), 1, Some(3)), (1, 2, Some(0), 2, Some(4))]);
    let why = explanation(&log, &split);
    assert!(
        why.message.contains("append(2) → position 0 by node 1"),
        "{}",
        why.message
    );
    // A gap at position 1 is filled by an append that never returned.
    let gap = history(&[
        (0, 1, Some(0), 1, Some(2)),
        (1, 2, None, 3, None),
        (0, 3, Some(2), 4, Some(5)),
    ]);
    assert!(linearizable(&log, &gap));
    // Positions must follow real time.
    let backwards = history(&[(0, 1, Some(1), 1, Some(2)), (1, 2, Some(0), 3, Some(4))]);
    assert!(!linearizable(&log, &backwards));
}

#[test]
fn the_step_budget_gives_up_rather_than_guess() {
    let h = register_history(7, 4, 200, 50);
    let limits = Limits {
        max_steps: 10,
        ..Limits::default()
    };
    assert!(matches!(
        check_with(&REG, &h, limits),
        Verdict::Undecided(_)
    ));
}

#[test]
fn thousands_of_operations_are_judged_and_a_stale_read_is_found() {
    for (seed, clients) in [(1, 3), (2, 8)] {
        let h = register_history(seed, clients, 5_000, 30);
        assert!(linearizable(&REG, &h), "seed {seed}");
        let (broken, read) = with_stale_read(&h).expect("a stale read to plant");
        let why = explanation(&REG, &broken);
        assert_eq!(why.culprit, read, "seed {seed}: {}", why.message);
        assert!(why.events.contains(&broken.ops()[read].invoked.event));
    }
}

/// Brute force: every order of the operations consistent with real time, pending ones
/// optional. Exponential; for histories of a few operations.
pub(super) fn brute_force<M: SequentialModel>(model: &M, h: &History<M::Input, M::Output>) -> bool {
    fn go<M: SequentialModel>(
        model: &M,
        ops: &[Operation<M::Input, M::Output>],
        done: &mut Vec<bool>,
        state: &M::State,
    ) -> bool {
        if (0..ops.len()).all(|i| done[i] || !ops[i].is_complete()) {
            return true;
        }
        for i in 0..ops.len() {
            let ready =
                !done[i] && (0..ops.len()).all(|j| done[j] || j == i || !ops[j].precedes(&ops[i]));
            if !ready {
                continue;
            }
            let (next, out) = model.step(state, &ops[i].input);
            if ops[i].output.as_ref().is_some_and(|o| *o != out) {
                continue;
            }
            done[i] = true;
            if go(model, ops, done, &next) {
                return true;
            }
            done[i] = false;
        }
        false
    }
    go(model, h.ops(), &mut vec![false; h.len()], &model.init())
}

/// A small seeded generator (xorshift): each call a number below its argument.
pub(super) fn below(seed: u64) -> impl FnMut(u64) -> u64 {
    let mut x = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    move |n: u64| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x % n
    }
}

/// A random history of up to 7 operations by 3 clients, with inputs and outputs drawn by
/// `input` and `output` from a small range, so that about half are linearizable; some
/// operations never return.
fn random_small_history<I: Clone, O: Clone>(
    seed: u64,
    input: impl Fn(&mut dyn FnMut(u64) -> u64) -> I,
    output: impl Fn(&mut dyn FnMut(u64) -> u64, &I) -> O,
) -> History<I, O> {
    let mut rand = below(seed);
    let mut h = History::new();
    let mut open: [Option<usize>; 3] = [None; 3];
    let total = 3 + rand(5) as usize;
    let mut event = 0;
    while h.len() < total || open.iter().any(Option::is_some) {
        let client = rand(3) as usize;
        event += 1;
        match open[client] {
            Some(op) if rand(8) > 0 || h.len() < total => {
                let out = output(&mut rand, &h.ops()[op].input);
                h.ret(op, out, at(event));
                open[client] = None;
            }
            Some(_) => open[client] = None, // never returns
            None if h.len() < total => {
                let input = input(&mut rand);
                open[client] = Some(h.call(client, input, at(event)));
            }
            None => {}
        }
    }
    h
}

/// A random register history: writes of 1 or 2 (a write may leave the state as it was),
/// reads of 0 to 2.
fn random_register_history(seed: u64) -> History<RegisterOp<u64>, RegisterOutput<u64>> {
    random_small_history(
        seed,
        |rand| if rand(2) == 0 { R } else { w(1 + rand(2)) },
        |rand, input| match input {
            RegisterOp::Read => RegisterOutput::Value(rand(3)),
            RegisterOp::Write(_) => RegisterOutput::Written,
        },
    )
}

/// The incremental check, as the property runs it: the operation whose response it rejects.
fn incremental_culprit<M: SequentialModel>(
    model: &M,
    h: &History<M::Input, M::Output>,
) -> Option<usize> {
    let all: Vec<usize> = (0..h.len()).collect();
    let mut f = frontier::Frontier::new(model);
    for (_, is_return, op) in frontier::entries(h.ops(), &all, u64::MAX) {
        let step = if is_return {
            f.respond(model, h.ops(), op, 1_000_000).map(drop)
        } else {
            f.invoke(model, h.ops(), op)
        };
        match step {
            Ok(()) => {}
            Err(frontier::Stop::NotLinearizable) => return Some(op),
            Err(frontier::Stop::TooMany(why)) => panic!("{why}"),
        }
    }
    None
}

/// The search, the incremental frontier and brute force agree on `seeds` random histories
/// of `model`, and the culprit ends the smallest non-linearizable prefix. Returns how many
/// were (not linearizable, linearizable).
fn three_checkers_agree<M: SequentialModel>(
    model: &M,
    seeds: std::ops::Range<u64>,
    random: impl Fn(u64) -> History<M::Input, M::Output>,
) -> [usize; 2] {
    let mut verdicts = [0, 0];
    for seed in seeds {
        let h = random(seed);
        let expected = brute_force(model, &h);
        verdicts[usize::from(expected)] += 1;
        let incremental = incremental_culprit(model, &h);
        match check(model, &h) {
            Verdict::Linearizable => {
                assert!(expected, "seed {seed}: {h:?}");
                assert_eq!(incremental, None, "seed {seed}: {h:?}");
            }
            Verdict::NotLinearizable(why) => {
                assert!(!expected, "seed {seed}: {h:?}");
                assert_eq!(incremental, Some(why.culprit), "seed {seed}: {h:?}");
                // The culprit ends the smallest non-linearizable prefix: exact.
                let before = h.prefix_through(why.culprit, false);
                let through = h.prefix_through(why.culprit, true);
                assert!(brute_force(model, &before), "seed {seed}: {}", why.message);
                assert!(
                    !brute_force(model, &through),
                    "seed {seed}: {}",
                    why.message
                );
            }
            Verdict::Undecided(why) => panic!("seed {seed}: {why}"),
        }
    }
    verdicts
}

#[test]
fn search_frontier_and_brute_force_agree_on_random_histories() {
    let verdicts = three_checkers_agree(&REG, 0..20_000, random_register_history);
    assert!(verdicts.iter().all(|&n| n > 3_000), "{verdicts:?}");
}

/// A counter: `Some(k)` adds k, `None` reads. Reads that see different totals tell the order
/// of the additions, which a frontier that merged what concurrent reads could see would
/// forget.
struct Counter;

impl SequentialModel for Counter {
    type Key = ();
    type State = u64;
    type Input = Option<u64>;
    type Output = Option<u64>;
    fn key(&self, _: &Option<u64>) {}
    fn init(&self) -> u64 {
        0
    }
    fn step(&self, total: &u64, op: &Option<u64>) -> (u64, Option<u64>) {
        match op {
            Some(k) => (total + k, None),
            None => (*total, Some(*total)),
        }
    }
}

#[test]
fn the_checkers_agree_on_counters_and_queues() {
    let counter = three_checkers_agree(&Counter, 0..10_000, |seed| {
        random_small_history(
            seed,
            |rand| [None, Some(1), Some(2)][rand(3) as usize],
            |rand, input| input.map_or(Some(rand(4)), |_| None),
        )
    });
    assert!(counter.iter().all(|&n| n > 1_000), "{counter:?}");
    // A dequeue from an empty queue leaves it as it is; from another, it changes it.
    let queue = three_checkers_agree(&Queue, 0..10_000, |seed| {
        random_small_history(
            seed,
            |rand| match rand(3) {
                0 => QueueOp::Deq,
                k => QueueOp::Enq(k),
            },
            |rand, input| match input {
                QueueOp::Deq => [None, Some(1), Some(2)][rand(3) as usize],
                QueueOp::Enq(_) => None,
            },
        )
    });
    assert!(queue.iter().all(|&n| n > 1_000), "{queue:?}");
}

/// A client process for judging hand-built observation histories with the property.
#[derive(Debug)]
struct Client;

#[derive(Clone, Debug, Hash)]
enum Obs {
    Call(u64, RegisterOp<u64>),
    Done(u64, RegisterOutput<u64>),
}

impl sim_core::Process for Client {
    type Msg = ();
    type Timer = ();
    type Obs = Obs;
    type Stable = ();
    fn on_start(&mut self, _: &mut sim_core::Ctx<'_, Self>) {}
    fn on_message(&mut self, _: &mut sim_core::Ctx<'_, Self>, _: usize, _: ()) {}
}

fn ops_of(obs: &Obs) -> Option<OpEvent<RegisterOp<u64>, RegisterOutput<u64>>> {
    Some(match obs.clone() {
        Obs::Call(op, input) => OpEvent::Invoke { op, input },
        Obs::Done(op, output) => OpEvent::Return { op, output },
    })
}

#[test]
fn the_property_judges_each_response_or_the_whole_run() {
    use crate::properties::{cites_events, observe_history};
    use sim_core::{Property, World};
    let states = [Client, Client, Client];
    let (up, never) = ([true; 3], [false; 3]);
    let world = World::new(Time::ZERO, &states, &up, &never, &never);
    let stale = [
        (1, Obs::Call(0, w(1))),
        (1, Obs::Done(0, RegisterOutput::Written)),
        (2, Obs::Call(0, R)),
        (2, Obs::Done(0, RegisterOutput::Value(0))),
    ];
    let mut now = Linearizability::<Client, _>::new(REG, ops_of);
    let err = observe_history(&world, &mut now, &stale).unwrap_err();
    assert_eq!(err.evidence, [1, 2, 3, 4]);
    assert!(cites_events(&err.message, &[1, 2, 3, 4]), "{err}");
    assert_eq!(now.history().len(), 2);

    let mut later = Linearizability::<Client, _>::at_end(REG, ops_of);
    observe_history(&world, &mut later, &stale).unwrap();
    assert_eq!(later.finish(&world).unwrap_err(), err);

    let fine = [(1, Obs::Call(0, w(1))), (2, Obs::Call(0, R))];
    let mut ok = Linearizability::<Client, _>::new(REG, ops_of);
    observe_history(&world, &mut ok, &fine).unwrap();
    assert!(ok.finish(&world).is_ok(), "open operations are fine");

    let orphan = [(1, Obs::Done(7, RegisterOutput::Written))];
    let mut bad = Linearizability::<Client, _>::new(REG, ops_of);
    let err = observe_history(&world, &mut bad, &orphan).unwrap_err();
    assert!(err.message.contains("operation 7"), "{err}");
}

#[test]
fn too_many_orders_to_follow_leave_the_run_to_the_search_at_its_end() {
    use crate::properties::observe_history;
    use sim_core::{Property, World};
    let states: Vec<Client> = (0..7).map(|_| Client).collect();
    let (up, never) = ([true; 7], [false; 7]);
    let world = World::new(Time::ZERO, &states, &up, &never, &never);
    // Six writes open at once, then answered: the frontier follows their orders.
    let mut events: Vec<(usize, Obs)> = (1..=6).map(|c| (c, Obs::Call(0, w(c as u64)))).collect();
    events.extend((1..=6).map(|c| (c, Obs::Done(0, RegisterOutput::Written))));
    let few = Limits {
        max_configs: 20,
        ..Limits::default()
    };
    let judge_with = |limits: Limits, read: u64| {
        let mut p = Linearizability::<Client, _>::new(REG, ops_of).with_limits(limits);
        let mut history = events.clone();
        history.extend([(0, Obs::Call(0, R)), (0, Obs::Done(0, val(read).unwrap()))]);
        observe_history(&world, &mut p, &history).expect("judged at the end, not as it goes");
        p.finish(&world)
    };
    // The last write to take effect may be any of them, never the initial value.
    assert!(judge_with(few, 4).is_ok());
    let err = judge_with(few, 0).unwrap_err();
    assert!(
        err.message.contains("judged at the end of the run"),
        "{err}"
    );
    assert!(
        err.message
            .contains("more than 20 configurations to follow"),
        "{err}"
    );
    let few_in_all = Limits {
        max_configs_per_run: 20,
        ..Limits::default()
    };
    assert!(judge_with(few_in_all, 4).is_ok());
    let err = judge_with(few_in_all, 0).unwrap_err();
    assert!(
        err.message.contains("more than 20 configurations followed"),
        "{err}"
    );
    // With the default limits the same stale read is caught as it happens.
    let mut now = Linearizability::<Client, _>::new(REG, ops_of);
    let mut stale = events.clone();
    stale.extend([
        (0, Obs::Call(0, R)),
        (0, Obs::Done(0, RegisterOutput::Value(0))),
    ]);
    assert!(observe_history(&world, &mut now, &stale).is_err());
}
