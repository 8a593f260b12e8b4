//! Properties judged by the engine: a safety violation stops the run at the bad event,
//! liveness is judged at the end, and `sometimes` properties are reported when reached.

mod common;

use common::*;
use sim_core::*;

/// "Node 1 never receives ping 3": a safety property over observations.
struct NoPing3;
impl Property<Probe> for NoPing3 {
    fn observe(&mut self, _: &World<'_, Probe>, node: NodeId, obs: &Obs) -> Result<(), Falsified> {
        match obs {
            Obs::Ping { seq: 3, .. } if node == 1 => Err("node 1 got ping 3".into()),
            _ => Ok(()),
        }
    }
}

/// "Every live node eventually got `want` pings": liveness over process state.
struct AllPinged(u64);
impl Property<Probe> for AllPinged {
    fn finish(&mut self, w: &World<'_, Probe>) -> Result<(), Falsified> {
        for i in w.nodes().filter(|&i| i != 0 && w.is_correct(i)) {
            if w.state(i).volatile_pings < self.0 {
                return Err(format!("node {i} got {} pings", w.state(i).volatile_pings).into());
            }
        }
        Ok(())
    }
}

/// "Some node crashed": reachability.
struct SomeCrash;
impl Property<Probe> for SomeCrash {
    fn finish(&mut self, w: &World<'_, Probe>) -> Result<(), Falsified> {
        if w.nodes().any(|i| w.ever_crashed(i)) {
            Ok(())
        } else {
            Err("no crash".into())
        }
    }
}

fn no_ping_3() -> Monitor<Probe> {
    Monitor {
        name: "no-ping-3",
        kind: PropertyKind::Always,
        property: Box::new(NoPing3),
    }
}

fn all_pinged(want: u64) -> Monitor<Probe> {
    Monitor {
        name: "all-pinged",
        kind: PropertyKind::Eventually,
        property: Box::new(AllPinged(want)),
    }
}

fn some_crash() -> Monitor<Probe> {
    Monitor {
        name: "some-crash",
        kind: PropertyKind::Sometimes,
        property: Box::new(SomeCrash),
    }
}

#[test]
fn a_safety_violation_stops_the_run_at_the_bad_event() {
    let mut s = traced(setup(3, 50));
    s.properties = vec![no_ping_3(), all_pinged(50)];
    s.network.default.delay = DelayDist::Constant(Duration::from_millis(1));
    let r = run(s, 0);
    assert_eq!(r.outcome, Outcome::Violated);
    assert_eq!(
        r.violations.len(),
        1,
        "liveness is not judged after a safety stop"
    );
    let v = &r.violations[0];
    assert_eq!(v.property, "no-ping-3");
    assert_eq!(v.kind, PropertyKind::Always);
    // Pings go out about every 1ms (ping 3 at about 4ms) and take 1ms; the violation is at
    // exactly the delivery of ping 3 to node 1.
    let delivered = trace_of(&r)
        .iter()
        .find(|e| {
            e.node == Some(1)
                && matches!(&e.kind, TraceKind::Deliver { msg, .. } if msg == "Ping(3)")
        })
        .expect("ping 3 delivered");
    assert_eq!(v.time, delivered.time);
    assert!(v.time >= at(5) && v.time < at(5) + Duration::from_micros(100));
    assert_eq!(v.event, delivered.event);
    assert!(
        v.during.contains("delivery") && v.during.contains("at node 1"),
        "{}",
        v.during
    );
    let last = trace_of(&r).last().unwrap();
    assert!(matches!(last.kind, TraceKind::Violation { .. }));
}

#[test]
fn liveness_is_judged_at_the_end_and_sometimes_is_reported() {
    let mut ok = setup(3, 20);
    ok.properties = vec![all_pinged(20), some_crash()];
    let r = run(ok, 0);
    assert_eq!(r.outcome, Outcome::Ok);
    assert!(r.reached.is_empty());

    let mut bad = setup(3, 20);
    bad.properties = vec![all_pinged(20), some_crash()];
    bad.network.default.loss_ppm = 200_000;
    bad.plan.events.push(fault(1, FaultKind::Crash { node: 2 }));
    let r = run(bad, 0);
    assert_eq!(r.outcome, Outcome::Violated);
    assert_eq!(r.violations[0].property, "all-pinged");
    assert_eq!(r.violations[0].kind, PropertyKind::Eventually);
    assert_eq!(r.reached, vec!["some-crash".to_string()]);
}

#[test]
fn a_safety_property_may_fail_the_run_at_its_end() {
    // A safety property that judges at the end what it deferred (`AllPinged` listed as
    // `always`): its `finish` fails the run like a liveness property's.
    let mut s = setup(3, 20);
    s.properties = vec![Monitor {
        name: "judged-late",
        kind: PropertyKind::Always,
        property: Box::new(AllPinged(1_000)),
    }];
    let r = run(s, 0);
    assert_eq!(r.outcome, Outcome::Violated);
    assert_eq!(r.violations[0].property, "judged-late");
    assert_eq!(r.violations[0].kind, PropertyKind::Always);
}

/// Fails twice in one event, at node 1's ping 3: first in `observe`, citing events 7, 2 and 7
/// again and a wait begun at 1ms, then in `check_state`, citing event 1.
#[derive(Default)]
struct FailsTwice {
    failed: bool,
}
impl Property<Probe> for FailsTwice {
    fn observe(&mut self, _: &World<'_, Probe>, node: NodeId, obs: &Obs) -> Result<(), Falsified> {
        match obs {
            Obs::Ping { seq: 3, .. } if node == 1 => {
                self.failed = true;
                Err(Falsified::new("first")
                    .citing([7, 2, 7])
                    .waiting_since(Time::from_millis(1)))
            }
            _ => Ok(()),
        }
    }
    fn check_state(&mut self, _: &World<'_, Probe>) -> StateCheck {
        match self.failed {
            true => StateCheck::Violated(Falsified::new("second").citing([1])),
            false => StateCheck::Holds,
        }
    }
}

/// A violation is the property's first failure, whole: its message with its own evidence
/// (sorted, each once) and wait, whatever else the property says in the same event.
#[test]
fn a_violation_carries_the_evidence_of_its_own_failure() {
    let mut s = setup(3, 50);
    s.network.default.delay = DelayDist::Constant(Duration::from_millis(1));
    s.properties = vec![Monitor {
        name: "fails-twice",
        kind: PropertyKind::Always,
        property: Box::new(FailsTwice::default()),
    }];
    let r = run(s, 0);
    assert_eq!(r.violations.len(), 1);
    let v = &r.violations[0];
    assert_eq!(v.message, "first");
    assert_eq!(v.related, [2, 7]);
    assert_eq!(v.waiting_since, Some(Time::from_millis(1)));
}

/// "Node 1 never holds 3 volatile pings", judged on states alone: it overrides `check_state`
/// and nothing else. There is no switch to turn it on, so none to forget.
struct FewPings;
impl Property<Probe> for FewPings {
    fn check_state(&mut self, w: &World<'_, Probe>) -> StateCheck {
        match w.state(1).volatile_pings {
            3.. => StateCheck::Violated("node 1 holds 3 pings".into()),
            _ => StateCheck::Holds,
        }
    }
}

/// A property that overrides only `check_state` is asked after every event, beside one that
/// does not judge states (which drops out of the asking after its first answer): its
/// violation comes at the event that made the state bad.
#[test]
fn a_property_that_judges_states_is_asked_without_being_switched_on() {
    let mut s = traced(setup(3, 50));
    s.network.default.delay = DelayDist::Constant(Duration::from_millis(1));
    s.properties = vec![
        all_pinged(50),
        Monitor {
            name: "few-pings",
            kind: PropertyKind::Always,
            property: Box::new(FewPings),
        },
    ];
    let r = run(s, 0);
    assert_eq!(r.outcome, Outcome::Violated);
    let v = &r.violations[0];
    assert_eq!(v.property, "few-pings");
    let third = trace_of(&r)
        .iter()
        .filter(|e| e.node == Some(1) && matches!(&e.kind, TraceKind::Deliver { .. }))
        .nth(2)
        .expect("a third delivery to node 1");
    assert_eq!(v.event, third.event);
    assert_eq!(
        AllPinged(1).check_state(&World::new(Time::ZERO, &[], &[], &[], &[])),
        StateCheck::NotWatched
    );
}
