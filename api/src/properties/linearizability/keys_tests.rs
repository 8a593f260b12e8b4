//! Keys judged apart: a refutable key is found among hard ones whatever the key order, the
//! smallest non-linearizable prefix is found across keys, and a check that stops says which
//! limit stopped it.

use std::time::Duration;

use sim_core::Time;

use super::*;

type Kv = KeyValue<u64, u64>;
type KvHistory = History<KvOp<u64, u64>, KvOutput<u64>>;

/// Appends events to a history, numbering them in order.
struct Builder {
    history: KvHistory,
    event: u64,
}

impl Builder {
    fn new() -> Self {
        Builder {
            history: History::new(),
            event: 0,
        }
    }

    fn at(&mut self) -> Moment {
        self.event += 1;
        Moment::new(self.event, Time::from_millis(self.event))
    }

    fn call(&mut self, client: usize, op: KvOp<u64, u64>) -> usize {
        let at = self.at();
        self.history.call(client, op, at)
    }

    fn ret(&mut self, op: usize, out: KvOutput<u64>) {
        let at = self.at();
        self.history.ret(op, out, at);
    }

    /// `client` puts `value` at `key` and the put returns.
    fn put(&mut self, client: usize, key: u64, value: u64) -> usize {
        let op = self.call(client, KvOp::Put(key, value));
        self.ret(op, KvOutput::Done);
        op
    }

    /// `client` gets `key`, reading `value`.
    fn get(&mut self, client: usize, key: u64, value: Option<u64>) -> usize {
        let op = self.call(client, KvOp::Get(key));
        self.ret(op, KvOutput::Value(value));
        op
    }

    /// A key whose refutation takes millions of steps: `writers` puts all open at once, then
    /// a read of a value none of them wrote. Every order of the puts is tried before the
    /// search knows.
    fn hard_key(&mut self, key: u64, writers: usize) {
        let puts: Vec<usize> = (0..writers)
            .map(|c| self.call(c, KvOp::Put(key, c as u64)))
            .collect();
        for op in puts {
            self.ret(op, KvOutput::Done);
        }
        self.get(writers, key, Some(999));
    }
}

fn limits(max_steps: u64, threads: usize) -> Limits {
    Limits {
        max_steps,
        threads,
        ..Limits::default()
    }
}

#[test]
fn a_refutable_key_is_found_among_hard_ones_on_one_thread_or_two() {
    let mut h = Builder::new();
    // Key 3, after two hard keys in key order: a read that misses a finished put.
    h.put(0, 3, 1);
    let stale = h.get(1, 3, None);
    h.hard_key(0, 22);
    h.hard_key(1, 22);
    h.hard_key(9, 22);
    // Alone, a hard key is more than this budget.
    let mut alone = Builder::new();
    alone.hard_key(0, 22);
    let budget = 2_000_000;
    assert!(matches!(
        check_with(&Kv::default(), &alone.history, limits(budget, 1)),
        Verdict::Undecided(Undecided {
            limit: Limit::Steps(2_000_000),
            ..
        })
    ));
    for threads in [1, 2] {
        let Verdict::NotLinearizable(why) =
            check_with(&Kv::default(), &h.history, limits(budget, threads))
        else {
            panic!("key 3 is not linearizable ({threads} threads)")
        };
        assert_eq!(why.culprit, stale, "{threads} threads");
        assert_eq!(why.key.as_deref(), Some("3"));
        // The hard keys begin after that response.
        assert!(why.smallest, "{}", why.message);
    }
}

#[test]
fn the_smallest_prefix_is_found_across_keys_not_in_key_order() {
    let mut h = Builder::new();
    h.put(0, 1, 1);
    h.put(0, 2, 1);
    let early = h.get(1, 2, None); // key 2's stale read comes first
    h.put(2, 5, 7);
    h.get(1, 1, None);
    let Verdict::NotLinearizable(why) = check(&Kv::default(), &h.history) else {
        panic!("not linearizable")
    };
    assert_eq!(why.culprit, early);
    assert_eq!(why.key.as_deref(), Some("2"));
    assert!(why.smallest);
}

#[test]
fn a_hard_key_left_unjudged_is_named_and_the_prefix_not_called_smallest() {
    let mut h = Builder::new();
    // Key 0 refuted late; key 1, hard, refuted at its end, before key 0's culprit.
    h.put(0, 0, 1);
    h.hard_key(1, 22);
    let late = h.get(1, 0, None);
    let mut few = limits(100_000_000, 1);
    few.max_steps_other_keys = 10_000;
    let verdict = check_with(&Kv::default(), &h.history, few);
    let Verdict::NotLinearizable(why) = verdict else {
        panic!("not linearizable: {verdict:?}")
    };
    // Both keys are refuted; key 0 in the first round, and key 1 cannot be judged up to its
    // response within 10,000 steps.
    assert_eq!(why.culprit, late);
    assert_eq!(why.unjudged, ["1"]);
    assert!(!why.smallest);
    assert!(
        why.message.contains("Keys not judged up to this response"),
        "{}",
        why.message
    );
}

#[test]
fn a_time_limit_says_it_was_the_time() {
    let mut h = Builder::new();
    h.hard_key(0, 24);
    let mut quick = limits(u64::MAX, 1);
    quick.time = Some(Duration::ZERO);
    let Verdict::Undecided(why) = check_with(&Kv::default(), &h.history, quick) else {
        panic!("no time to decide")
    };
    assert_eq!(why.limit, Limit::Time(Duration::ZERO));
    assert_eq!(why.key.as_deref(), Some("0"));
    assert_eq!(why.operations, 25);
    assert!(why.to_string().contains("time limit on key 0"), "{why}");
}

#[test]
fn the_order_before_the_culprit_is_a_linearization_of_that_prefix() {
    let mut h = Builder::new();
    let a = h.put(0, 4, 1);
    let b = h.get(1, 4, Some(1));
    let c = h.put(2, 4, 2);
    let stale = h.get(1, 4, Some(1));
    let Verdict::NotLinearizable(why) = check(&Kv::default(), &h.history) else {
        panic!("not linearizable")
    };
    assert_eq!(why.culprit, stale);
    assert_eq!(why.order, [a, b, c]);
    // What pins the state 2 at the stale read's invocation: the put of 2 returning.
    assert_eq!(why.pins, [c]);
}

#[test]
fn the_verdict_alone_agrees_with_the_explained_verdict() {
    use super::generate::{register_history_with_crashes, with_stale_read};
    let model = Register { initial: 0 };
    let mut refuted = 0;
    for seed in 0..200 {
        let generated = register_history_with_crashes(seed, 3, 16, (50, 20));
        let mut cases = vec![generated.clone()];
        cases.extend(with_stale_read(&generated).map(|(h, _)| h));
        for h in cases {
            let explained = check_with(&model, &h, Limits::default());
            let decided = decide_with(&model, &h, Limits::default());
            match (&explained, &decided) {
                (Verdict::Linearizable, Decision::Linearizable) => {}
                (Verdict::NotLinearizable(why), Decision::NotLinearizable { key }) => {
                    assert_eq!(&why.key, key);
                    refuted += 1;
                }
                _ => panic!("seed {seed}: {explained:?} but {decided:?}"),
            }
        }
    }
    assert!(refuted >= 100, "only {refuted} refuted");
}
