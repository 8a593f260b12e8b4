//! How a run ends when it cannot end well: a protocol's panic is its outcome, a run that never
//! quiesces ends at its events budget, and a cancelled timer is not work left over.

mod common;

use common::*;
use sim_core::*;

#[test]
fn a_protocol_panic_is_a_reported_outcome() {
    struct Boom;
    impl Adversary<Probe> for Boom {
        fn tamper(
            &mut self,
            _: &mut AdversaryCtx<'_>,
            _: NodeId,
            _: NodeId,
            _: Msg,
        ) -> Option<Msg> {
            Some(Msg::Boom)
        }
    }
    let mut s = setup(3, 5);
    s.plan.byzantine = vec![0];
    s.adversary = Some(Box::new(|_| Box::new(Boom)));
    let r = run(s, 1);
    match &r.outcome {
        Outcome::Panicked { message, during } => {
            assert!(message.starts_with("boom at node"), "{message}");
            assert!(during.contains("delivery"), "{during}");
        }
        other => panic!("expected a panic outcome, got {other:?}"),
    }
    assert!(!in_simulation());
}

#[test]
fn a_livelock_exceeds_the_event_budget() {
    #[derive(Debug)]
    struct Loop;
    impl Process for Loop {
        type Msg = ();
        type Timer = ();
        type Obs = ();
        type Stable = ();
        fn on_start(&mut self, ctx: &mut Ctx<'_, Self>) {
            ctx.set_timer(Duration::ZERO, ());
        }
        fn on_message(&mut self, _: &mut Ctx<'_, Self>, _: NodeId, _: ()) {}
        fn on_timer(&mut self, ctx: &mut Ctx<'_, Self>, _: ()) {
            ctx.set_timer(Duration::ZERO, ()); // time never advances
        }
    }
    let setup = Setup {
        n: 1,
        network: NetworkModel::default(),
        detector: DetectorModel::None,
        plan: FaultPlan::default(),
        config: RunConfig {
            max_events: 10_000,
            ..RunConfig::default()
        },
        factory: Box::new(|_, _| Loop),
        properties: Vec::new(),
        adversary: None,
    };
    let r = Engine::new(setup, 0).run();
    assert_eq!(
        r.outcome,
        Outcome::BudgetExceeded {
            budget: trace::Budget::Events,
            limit: 10_000
        }
    );
    assert_eq!(r.stats.events, 10_000);
    assert_eq!(r.stats.end_time, Time::ZERO);
}

/// A process that sets a far guard timer (150 ms, after the fault phase) and a near one, and
/// cancels the guard when the near one fires: the guard is left queued, cancelled.
#[derive(Debug)]
struct Guarded {
    guard: Option<TimerId>,
}

impl Process for Guarded {
    type Msg = ();
    type Timer = bool; // true: the guard
    type Obs = ();
    type Stable = ();
    fn on_start(&mut self, ctx: &mut Ctx<'_, Self>) {
        self.guard = Some(ctx.set_timer(Duration::from_millis(150), true));
        ctx.set_timer(Duration::from_millis(1), false);
    }
    fn on_message(&mut self, _: &mut Ctx<'_, Self>, _: NodeId, _: ()) {}
    fn on_timer(&mut self, ctx: &mut Ctx<'_, Self>, guard: bool) {
        assert!(!guard, "a cancelled timer fired");
        if let Some(id) = self.guard.take() {
            ctx.cancel_timer(id);
        }
    }
}

fn guarded_run(config: RunConfig) -> RunReport {
    let setup = Setup {
        n: 1,
        network: NetworkModel::default(),
        detector: DetectorModel::None,
        plan: FaultPlan::default(),
        config,
        factory: Box::new(|_, _| Guarded { guard: None }),
        properties: Vec::new(),
        adversary: None,
    };
    Engine::new(setup, 0).run()
}

/// A cancelled timer is not work left: the run ends at its last event, and neither the events
/// budget (all of it used) nor the virtual-time budget (shorter than the guard) is exceeded.
#[test]
fn a_cancelled_timer_neither_ends_a_run_late_nor_exceeds_a_budget() {
    let free = guarded_run(RunConfig::default());
    assert_eq!(free.outcome, Outcome::Ok);
    // The last event is the end of the fault phase (100 ms), not the guard (150 ms).
    assert_eq!(
        free.stats.end_time,
        Time::ZERO + RunConfig::default().duration
    );
    let exact = guarded_run(RunConfig {
        max_events: free.stats.events,
        ..RunConfig::default()
    });
    assert_eq!(exact.outcome, Outcome::Ok);
    assert_eq!(exact.stats.events, free.stats.events);
    let short = guarded_run(RunConfig {
        budgets: Budgets {
            max_time: Some(Duration::from_millis(120)),
            ..Budgets::default()
        },
        ..RunConfig::default()
    });
    assert_eq!(short.outcome, Outcome::Ok);
}
