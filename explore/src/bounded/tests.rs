//! The check against a bound on delays, on a two-node ask-and-wait: node 0 asks node 1 and
//! waits `wait_ms` for the answer; with the bound at 5 ms a one-way wait (5 ms) may end while
//! a timely answer is on its way, a round-trip wait (11 ms) may not.

use sim_core::{Ctx, Duration, NodeId, Process};

use super::super::config::LinkRule;
use super::super::draws::Taken;
use super::super::model::Model;
use super::super::transition::Transition;
use super::{schedule, solve, Edge};

const BOUND_NS: u64 = 5_000_000;

#[derive(Clone, Debug)]
struct Asker {
    wait_ms: u64,
    /// Node 0 also arms a second timer of the same delay (two events due at one instant).
    twin: bool,
}

impl Process for Asker {
    type Msg = &'static str;
    type Timer = u8;
    type Obs = ();
    type Stable = ();

    fn on_start(&mut self, ctx: &mut Ctx<'_, Self>) {
        if ctx.id() == 0 {
            ctx.send(1, "ask");
            ctx.set_timer(Duration::from_millis(self.wait_ms), 0);
            if self.twin {
                ctx.set_timer(Duration::from_millis(self.wait_ms), 1);
            }
        }
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, msg: Self::Msg) {
        if msg == "ask" {
            ctx.send(from, "answer");
        }
    }
}

fn model(wait_ms: u64, twin: bool, lossy: bool) -> Model<Asker> {
    let link = LinkRule {
        lossy,
        duplicating: false,
        fifo: false,
    };
    let factory = Box::new(move |_, _| Asker { wait_ms, twin });
    Model::for_test(2, link, factory, Vec::new())
}

fn path(ts: &[Transition]) -> Vec<Taken> {
    ts.iter().map(|&t| Taken { t, plan: 0 }).collect()
}

/// Node 1 gets the question and answers; node 0's wait ends (the answer still in flight).
fn wait_ends_after_answer() -> Vec<Taken> {
    path(&[
        Transition::Deliver(0),
        Transition::Fire { node: 0, index: 0 },
    ])
}

#[test]
fn a_one_way_wait_ends_with_a_timely_answer_in_flight() {
    let times = schedule(&model(5, false, false), &wait_ends_after_answer(), BOUND_NS)
        .expect("the answer may be sent just before 5 ms and take up to 5 ms");
    assert_eq!(times.len(), 3);
    assert_eq!(times[0], 0);
    assert_eq!(
        times[2], 5_000_000,
        "the wait ends exactly its delay after the start"
    );
    assert!(times[1] <= times[2], "in order");
    assert!(
        times[2] - times[1] <= BOUND_NS,
        "the answer is not overdue at the end"
    );
}

#[test]
fn a_round_trip_wait_cannot_end_with_the_answer_in_flight() {
    let m = model(11, false, false);
    assert_eq!(
        schedule(&m, &wait_ends_after_answer(), BOUND_NS),
        None,
        "the question arrives by 5 ms, so the answer by 10 ms, before the wait ends at 11"
    );
    let early = path(&[Transition::Fire { node: 0, index: 0 }]);
    assert_eq!(
        schedule(&m, &early, BOUND_NS),
        None,
        "the question would still be in flight 11 ms after it was sent"
    );
    let answered = path(&[
        Transition::Deliver(0),
        Transition::Deliver(0),
        Transition::Fire { node: 0, index: 0 },
    ]);
    let times = schedule(&m, &answered, BOUND_NS).expect("answered in time");
    assert_eq!(times[3], 11_000_000);
}

#[test]
fn on_a_lossy_link_what_is_in_flight_at_the_end_may_yet_be_lost() {
    let early = path(&[Transition::Fire { node: 0, index: 0 }]);
    assert!(schedule(&model(11, false, true), &early, BOUND_NS).is_some());
    let late_delivery = path(&[
        Transition::Fire { node: 0, index: 0 },
        Transition::Deliver(0),
    ]);
    assert_eq!(
        schedule(&model(11, false, true), &late_delivery, BOUND_NS),
        None,
        "a message that does arrive arrives within the bound, lossy link or not"
    );
}

#[test]
fn simultaneous_timers_fire_in_the_order_they_were_set() {
    let m = model(3, true, false);
    // Timer 0 was set before timer 1: at 3 ms the engine fires it first.
    let in_order = path(&[
        Transition::Fire { node: 0, index: 0 },
        Transition::Fire { node: 0, index: 0 },
    ]);
    let times = schedule(&m, &in_order, BOUND_NS).expect("both due at 3 ms, in order");
    assert_eq!((times[1], times[2]), (3_000_000, 3_000_000));
    let reversed = path(&[
        Transition::Fire { node: 0, index: 1 },
        Transition::Fire { node: 0, index: 0 },
    ]);
    assert_eq!(
        schedule(&m, &reversed, BOUND_NS),
        None,
        "the engine never does that"
    );
    let question_first = path(&[Transition::Fire { node: 0, index: 0 }]);
    let times = schedule(&model(5, false, false), &question_first, BOUND_NS);
    assert_eq!(
        times, None,
        "the question, sent before the wait was set, arrives by 5 ms and, if at 5 ms, first"
    );
}

fn edge(from: usize, to: usize, weight: i64) -> Edge {
    Edge { from, to, weight }
}

#[test]
fn a_timer_and_a_message_pin_each_other() {
    // Time 1 is exactly 10 after time 0; time 2 comes after 1 and at most 100 after it.
    let fixed = [
        edge(0, 1, 10),
        edge(1, 0, -10),
        edge(2, 1, 0),
        edge(1, 2, 100),
    ];
    let times = solve(3, &fixed).expect("10, then 10 or later");
    assert_eq!(times[1], 10);
    assert!(times[2] >= 10);
    let mut late = fixed.to_vec();
    late.push(edge(0, 2, 5));
    assert_eq!(
        solve(3, &late),
        None,
        "step 2 cannot be both after 10 and by 5"
    );
}
