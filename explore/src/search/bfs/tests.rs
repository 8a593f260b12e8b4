//! A breadth-first search judges a property that remembers nothing once per state (see
//! `stepper::judging`), finds a violation that only a later path to a state shows once a
//! judgement read the step, and names the first property that fails, as judging every step
//! does.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use sim_core::entropy::DetHasher;
use sim_core::{
    Ctx, Duration, Explorable, NodeId, Process, Property, PropertyKind, StateCheck, World,
};

use crate::config::LinkRule;
use crate::draws::Taken;
use crate::limits::Limits;
use crate::model::{Model, MonitorDef};
use crate::report::{End, Report};
use crate::stepper::{enabled, Stepper};

/// One node with two timers, adding 1 and 2 to its count, each set again while the count is
/// below 6: the count 2 is reached in one step (2) and in two (1, 1), with the same timers.
#[derive(Clone, Debug, Hash)]
struct Counter {
    count: u8,
}

impl Process for Counter {
    type Msg = ();
    type Timer = u8;
    type Obs = ();
    type Stable = ();

    fn on_start(&mut self, ctx: &mut Ctx<'_, Self>) {
        ctx.set_timer(Duration::from_millis(1), 1);
        ctx.set_timer(Duration::from_millis(1), 2);
    }

    fn on_message(&mut self, _: &mut Ctx<'_, Self>, _: NodeId, (): ()) {}

    fn on_timer(&mut self, ctx: &mut Ctx<'_, Self>, add: u8) {
        self.count += add;
        if self.count < 6 {
            ctx.set_timer(Duration::from_millis(1), add);
        }
    }
}

/// A property that remembers nothing (a type without fields), judging a state with `$judge`.
macro_rules! pure {
    ($name:ident, $judge:expr) => {
        #[derive(Clone, Copy)]
        struct $name;
        impl Property<Counter> for $name {
            fn check_state(&mut self, w: &World<'_, Counter>) -> StateCheck {
                let judge: fn(&World<'_, Counter>) -> Result<(), String> = $judge;
                judge(w).into()
            }
        }
        impl Explorable<Counter> for $name {
            fn fingerprint(&self, _: &mut DetHasher) {}
        }
    };
}

fn always(
    name: &'static str,
    make: impl Fn() -> Box<dyn sim_core::SearchMonitor<Counter>> + Send + Sync + 'static,
) -> MonitorDef<Counter> {
    MonitorDef {
        name,
        kind: PropertyKind::Always,
        make: Arc::new(make),
    }
}

const LINK: LinkRule = LinkRule {
    lossy: false,
    duplicating: false,
    fifo: false,
};

fn search(monitors: Vec<MonitorDef<Counter>>, threads: usize) -> Report {
    let factory = Box::new(|_, _| Counter { count: 0 });
    let model = Model::for_test(1, LINK, factory, monitors);
    let limits = Limits {
        threads,
        ..Limits::default()
    };
    super::search(&model, &limits, &mut |_| None).expect("the search runs")
}

static COUNTED: AtomicU64 = AtomicU64::new(0);

pure!(Counted, |_| {
    COUNTED.fetch_add(1, Ordering::Relaxed);
    Ok(())
});

#[test]
fn a_property_that_remembers_nothing_is_judged_once_a_state() {
    let report = search(vec![always("counted", || Box::new(Counted))], 1);
    assert!(matches!(report.end, End::Complete), "{:?}", report.end);
    assert!(
        report.states > report.unique,
        "the model reaches states again: {} steps, {} states",
        report.states,
        report.unique
    );
    // The initial state's (its start's), then each new state's, once.
    assert_eq!(COUNTED.load(Ordering::Relaxed), report.unique);
}

pure!(
    EvenTwo,
    |w| match w.state(0).count == 2 && w.event() % 2 == 0 {
        true => Err(format!("the count is 2 at step {}", w.event())),
        false => Ok(()),
    }
);

#[test]
fn a_judgement_that_reads_the_step_has_every_step_judged() {
    // The count 2 is first reached at step 1 (odd), then again at step 2 (even): only the
    // second path breaks the property, and its state was seen.
    for threads in [1, 2] {
        let report = search(vec![always("even-two", || Box::new(EvenTwo))], threads);
        let End::Violation(found) = &report.end else {
            panic!("{threads} threads: not found: {:?}", report.end);
        };
        assert_eq!(found.property, "even-two");
        assert_eq!(found.message, "the count is 2 at step 2");
        assert_eq!(found.steps.len(), 2, "{:?}", found.steps);
    }
}

pure!(NotThreePure, |w| match w.state(0).count == 3 {
    true => Err("the pure one".to_string()),
    false => Ok(()),
});

/// The same judgement as [`NotThreePure`], by a property with memory (judged at once).
#[derive(Clone)]
struct NotThreeRemembering {
    memory: u8,
}

impl Property<Counter> for NotThreeRemembering {
    fn check_state(&mut self, w: &World<'_, Counter>) -> StateCheck {
        match w.state(0).count == 3 {
            true => StateCheck::Violated("the one with memory".into()),
            false => StateCheck::Holds,
        }
    }
}

impl Explorable<Counter> for NotThreeRemembering {
    fn fingerprint(&self, h: &mut DetHasher) {
        std::hash::Hash::hash(&self.memory, h);
    }
}

fn not_three_twice() -> Vec<MonitorDef<Counter>> {
    vec![
        always("pure", || Box::new(NotThreePure)),
        always("remembering", || {
            Box::new(NotThreeRemembering { memory: 0 })
        }),
    ]
}

#[test]
fn a_step_that_breaks_two_properties_names_the_first() {
    let model = Model::for_test(
        1,
        LINK,
        Box::new(|_, _| Counter { count: 0 }),
        not_three_twice(),
    );
    let mut stepper = Stepper::new(&model);
    stepper.defer_pure_checks();
    let (initial, verdict) = stepper.initial();
    verdict
        .map_err(|b| b.message)
        .expect("the start breaks nothing");
    let (mut level, mut moves, mut named) = (vec![initial], Vec::new(), Vec::new());
    for depth in 1..=3 {
        let mut next = Vec::new();
        for state in &level {
            enabled(&model, state, &mut moves);
            for &t in &moves {
                let mut after = state.clone();
                match stepper.take(&mut after, Taken { t, plan: 0 }, depth) {
                    Ok(()) => next.push(after),
                    Err(broken) => named.push(broken.monitor),
                }
            }
        }
        level = next;
    }
    assert!(!named.is_empty(), "the count reaches 3 within 3 steps");
    assert!(named.iter().all(|&m| m == Some(0)), "{named:?}");
}

/// End to end: the counterexample names the first property. (Its description replays the
/// path judging at once, so this holds even if the search's own verdict named another: the
/// search's ordering is `a_step_that_breaks_two_properties_names_the_first`.)
#[test]
fn the_first_property_that_fails_is_named_as_without_deferring() {
    let report = search(not_three_twice(), 1);
    let End::Violation(found) = &report.end else {
        panic!("not found: {:?}", report.end);
    };
    assert_eq!(
        (&*found.property, &*found.message),
        ("pure", "the pure one")
    );
}

pure!(
    CrashedAndOne,
    |w| match w.ever_crashed(0) && w.state(1).count == 1 {
        true => Err("node 0 crashed and node 1 counted 1".to_string()),
        false => Ok(()),
    }
);

#[test]
fn a_state_first_reached_by_a_crash_is_judged_when_a_step_reaches_it() {
    // Node 1 counting 1 then node 0 crashing reaches the broken state by the crash, which is
    // not judged; node 0 crashing then node 1 counting reaches it again, by a handler.
    let monitors = vec![always("crashed-and-one", || Box::new(CrashedAndOne))];
    let factory = Box::new(|_, _| Counter { count: 0 });
    let mut model = Model::for_test(2, LINK, factory, monitors);
    model.config.crash_budget = 1;
    model.config.may_crash[0] = true;
    let report = super::search(&model, &Limits::default(), &mut |_| None).expect("it runs");
    let End::Violation(found) = &report.end else {
        panic!("not found: {:?}", report.end);
    };
    assert_eq!(found.property, "crashed-and-one");
    assert_eq!(found.steps.len(), 2, "{:?}", found.steps);
}
