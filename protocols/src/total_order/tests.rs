use std::collections::BTreeMap;

use ftsim_api::properties::delivery::{Agreement, CausalOrder, Integrity, TotalOrder, Validity};
use ftsim_api::sim_core::faults::CrashSpec;
use ftsim_api::{
    DelayDist, Duration, Falsified, FaultSpec, Outcome, Property, RunReport, Time, TraceKind, World,
};
use ftsim_runner::Harness;

use super::*;

/// Five processes on reliable FIFO links.
fn harness(membership: Membership) -> Harness<TotalOrderMulticast> {
    let mut h = Harness::new(&TotalOrderMulticast)
        .params(TotalOrderParams {
            membership,
            ..TotalOrderParams::default()
        })
        .nodes(5);
    h.spec_mut().network.default.fifo = true;
    h
}

/// Exactly `k` crashes in the first 40ms.
fn crashes(k: u32) -> FaultSpec {
    FaultSpec::crashes(CrashSpec::exactly(k, [Time::ZERO, Time::from_millis(40)]))
}

fn deliveries(r: &RunReport) -> BTreeMap<NodeId, Vec<String>> {
    let mut out: BTreeMap<NodeId, Vec<String>> = BTreeMap::new();
    for e in r.trace.as_ref().unwrap() {
        if let TraceKind::Observe { obs } = &e.kind {
            if obs.starts_with("Deliver") {
                out.entry(e.node.unwrap()).or_default().push(obs.clone());
            }
        }
    }
    out
}

#[test]
fn without_faults_everyone_delivers_everything_in_one_order() {
    let r = harness(Membership::Static).replay(0);
    assert_eq!(r.outcome, Outcome::Ok, "{:?}", r.violations);
    let d = deliveries(&r);
    assert_eq!(d.len(), 5);
    assert_eq!(d[&0].len(), 15);
    assert!(d.values().all(|seq| seq == &d[&0]));
}

#[test]
fn static_membership_passes_without_crashes() {
    // Nothing crashes, so no message is multicast while a process is down.
    harness(Membership::Static)
        .seeds(0..200)
        .sometimes(&[])
        .check();
}

#[test]
fn static_membership_blocks_on_a_crash() {
    // Static membership assumes no crash: the block is outside its assumptions.
    let h = harness(Membership::Static).faults(crashes(1));
    h.expect_outside("termination");
    let v = h.run().outside_violations;
    assert!(v["termination"] > 50, "{v:?}");
    assert!(
        !v.contains_key("total-order") && !v.contains_key("causal-order"),
        "{v:?}"
    );
}

#[test]
fn live_membership_keeps_delivering_in_order() {
    for k in 1..=2 {
        harness(Membership::Live)
            .named(&format!("total-order live, {k} crashes"))
            .faults(crashes(k))
            .seeds(0..300)
            .check();
    }
}

#[test]
fn a_suspected_members_ack_does_not_cover_what_it_relayed() {
    // Seed 255 of this mix: n0 crashes mid-stream, n2 acks n1's message, relays n0's
    // smaller-stamped message in its flush, then crashes. Counting n2's ack made n1 deliver
    // out of order (found once in about 3,000 seeds before the fix).
    let mut faults = crashes(1);
    faults.crashes[0].max = 4;
    harness(Membership::Live)
        .params(TotalOrderParams {
            membership: Membership::Live,
            messages: 6,
        })
        .delay(DelayDist::Exponential {
            min: Duration::from_millis(1),
            mean: Duration::from_millis(2),
        })
        .faults(faults)
        .seeds(255..256)
        .sometimes(&[])
        .check();
}

fn mc(seq: u64) -> Obs {
    Obs::Multicast { seq }
}

fn dl(origin: NodeId, seq: u64) -> Obs {
    Obs::Deliver { origin, seq }
}

/// Nodes 0 and 1 deliver 0#0 then 1#0; node 2 multicasts 2#0 and delivers only 0#0.
fn good() -> Vec<(NodeId, Obs)> {
    vec![
        (0, mc(0)),
        (1, mc(0)),
        (0, dl(0, 0)),
        (1, dl(0, 0)),
        (0, dl(1, 0)),
        (1, dl(1, 0)),
        (2, mc(0)),
        (2, dl(0, 0)),
    ]
}

const UP: [bool; 3] = [true; 3];
const NEVER: [bool; 3] = [false; 3];

fn states() -> Vec<TotalOrderProcess> {
    (0..3).map(|_| TotalOrderProcess::new(3, true, 1)).collect()
}

/// A view of three processes with these up and ever-crashed flags, none Byzantine.
fn world<'a>(
    states: &'a [TotalOrderProcess],
    up: &'a [bool],
    crashed: &'a [bool],
) -> World<'a, TotalOrderProcess> {
    World::new(Time::ZERO, states, up, crashed, &NEVER)
}

fn run(
    w: &World<'_, TotalOrderProcess>,
    p: &mut dyn Property<TotalOrderProcess>,
    h: &[(NodeId, Obs)],
) -> Result<(), Falsified> {
    h.iter().try_for_each(|(n, o)| p.observe(w, *n, o))
}

#[test]
fn order_properties_judge_hand_built_histories() {
    let s = states();
    let w = &world(&s, &UP, &NEVER);
    let inverted = [
        (0, mc(0)),
        (1, mc(0)),
        (0, dl(0, 0)),
        (0, dl(1, 0)),
        (1, dl(1, 0)),
        (1, dl(0, 0)),
    ];
    assert!(run(w, &mut TotalOrder::default(), &good()).is_ok());
    let err = run(w, &mut TotalOrder::default(), &inverted).unwrap_err();
    assert!(
        err.message
            .contains("node 1 delivered 1#0 (event #0) before 0#0 (event #0)"),
        "{err}"
    );

    assert!(run(w, &mut CausalOrder::default(), &good()).is_ok());
    // Node 1 delivered 0#0 before multicasting 1#1, so 0#0 must come first everywhere.
    let acausal = [(0, mc(0)), (1, dl(0, 0)), (1, mc(1)), (2, dl(1, 1))];
    let err = run(w, &mut CausalOrder::default(), &acausal).unwrap_err();
    assert!(
        err.message
            .contains("node 2 delivered 1#1 at event #0 before 0#0"),
        "{err}"
    );
}

#[test]
fn integrity_judges_hand_built_histories() {
    let s = states();
    let w = &world(&s, &UP, &NEVER);
    assert!(run(w, &mut Integrity::default(), &good()).is_ok());
    let twice = [(0, mc(0)), (1, dl(0, 0)), (1, dl(0, 0))];
    assert!(run(w, &mut Integrity::default(), &twice).is_err());
    assert!(run(w, &mut Integrity::default(), &[(1, dl(2, 5))]).is_err());
}

#[test]
fn agreement_and_termination_judge_hand_built_histories() {
    let s = states();
    let w = world(&s, &UP, &NEVER);
    let w2 = world(&s, &UP, &[false, false, true]);
    // Node 2 never delivers 1#0: agreement and termination fail unless node 2 crashed.
    let mut a = Agreement::uniform();
    let mut t = Validity::default();
    run(&w, &mut a, &good()).unwrap();
    run(&w, &mut t, &good()).unwrap();
    let err = Property::<TotalOrderProcess>::finish(&mut a, &w).unwrap_err();
    assert!(err.message.contains("node 2 never did"), "{err}");
    assert!(Property::<TotalOrderProcess>::finish(&mut t, &w).is_err());
    assert!(Property::<TotalOrderProcess>::finish(&mut a, &w2).is_ok());
    // Node 2's own multicast 2#0 was not delivered by 1: fine once 2 crashed.
    assert!(Property::<TotalOrderProcess>::finish(&mut t, &w2).is_ok());
}

#[test]
fn delivered_after_crash_needs_a_message_multicast_while_a_process_was_down() {
    let s = states();
    let w = world(&s, &UP, &NEVER);
    let w_down2 = world(&s, &[true, true, false], &NEVER);
    let mut p = DeliveredAfterCrash::default();
    p.observe(&w, 0, &Obs::Multicast { seq: 0 }).unwrap();
    p.observe(&w, 1, &Obs::Deliver { origin: 0, seq: 0 })
        .unwrap();
    assert!(p.finish(&w).is_err());
    p.observe(&w_down2, 1, &Obs::Multicast { seq: 0 }).unwrap();
    p.observe(&w, 0, &Obs::Deliver { origin: 1, seq: 0 })
        .unwrap();
    assert!(p.finish(&w).is_ok());
}

#[test]
fn bundled_scenarios_meet_their_expectations() {
    for file in [
        "total-order-live-crashes",
        "total-order-static-crash",
        "total-order-static-no-faults",
    ] {
        ftsim_runner::check_scenario(format!("../scenarios/{file}.toml"), crate::all());
    }
}

#[test]
fn groups_must_fit_a_node_set() {
    let p = TotalOrderParams::default();
    let e = TotalOrderMulticast.validate(&p, 65).unwrap_err();
    assert_eq!(e.key, "nodes");
    assert_eq!(
        e.message,
        "total-order multicast supports at most 64 nodes, found 65"
    );
    assert!(TotalOrderMulticast.validate(&p, 64).is_ok());
}
