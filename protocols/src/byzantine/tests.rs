use std::collections::BTreeSet;

use ftsim_api::properties::consensus::{Agreement, Integrity};
use ftsim_api::properties::{cites_events, observe_history};
use ftsim_api::sim_core::faults::ByzantineSpec;
use ftsim_api::sim_core::Engine;
use ftsim_api::{
    DelayDist, FaultPlan, FaultSpec, Outcome, Params, Property, RunReport, Time, World,
};
use ftsim_runner::Harness;

use super::*;

/// OM(m) with orders drawn from 0..4, on `n` nodes, with `adversary` driving the traitors.
fn om(n: usize, m: u32, adversary: &str) -> Harness<OralMessages> {
    Harness::new(&OralMessages)
        .params(OmParams {
            m,
            values: 4,
            ..OmParams::default()
        })
        .nodes(n)
        .adversary(adversary)
}

fn traitors(count: u32) -> FaultSpec {
    FaultSpec {
        byzantine: Some(ByzantineSpec { count, nodes: None }),
        ..FaultSpec::default()
    }
}

/// One seed of `h`, with the engine handed back so a test can look at the processes
/// afterwards (a sweep reports only what was observed).
fn run(h: &Harness<OralMessages>, seed: u64) -> (RunReport, Engine<Om>) {
    let mut e = h.engine(seed);
    (e.run(), e)
}

/// `h` with these nodes as the traitors of every seed.
fn with_traitors(h: Harness<OralMessages>, nodes: &[NodeId]) -> Harness<OralMessages> {
    h.schedule(FaultPlan {
        byzantine: nodes.to_vec(),
        ..FaultPlan::default()
    })
}

#[test]
fn the_declaration_keeps_its_names() {
    let info = ftsim_runner::AnyProtocol::info(&OralMessages);
    info.check().unwrap();
    let adversaries: Vec<&str> = info.adversaries.iter().map(|a| a.name).collect();
    assert_eq!(
        adversaries,
        ["equivocate", "lie", "silent", "mix", "collude"]
    );
    let m = &OmParams::schema()[0];
    assert_eq!(m.name, "m");
    assert_eq!(
        m.kind,
        ftsim_api::ParamKind::Int {
            min: 0,
            max: MAX_M as i64
        }
    );
}

#[test]
fn without_traitors_every_lieutenant_obeys_the_order() {
    let mut orders = BTreeSet::new();
    for (n, m) in [(4, 1), (7, 2), (5, 0)] {
        let h = om(n, m, "equivocate");
        for seed in 0..20 {
            let (r, e) = run(&h, seed);
            assert_eq!(r.outcome, Outcome::Ok, "n = {n}, seed {seed}");
            let order = e.states()[0].order().expect("the commander orders");
            orders.insert(order);
            for (i, p) in e.states().iter().enumerate().skip(1) {
                assert_eq!(p.decision(), Some(order), "n = {n}, seed {seed}, node {i}");
            }
        }
    }
    assert!(
        orders.len() > 1,
        "orders should vary with the seed: {orders:?}"
    );
}

#[test]
fn more_than_three_m_nodes_tolerate_m_traitors_of_every_kind() {
    for adversary in ["equivocate", "lie", "silent", "mix", "collude"] {
        for (n, m, count, seeds) in [(4, 1, 1, 0..300), (7, 2, 2, 0..100)] {
            om(n, m, adversary)
                .named(&format!("byzantine {adversary} n = {n} m = {m}"))
                .faults(traitors(count))
                .seeds(seeds)
                .check();
        }
    }
}

#[test]
fn three_generals_with_one_traitor_break_validity() {
    // The traitor must be a lieutenant and the order not RETREAT; a traitor commander
    // cannot split two loyal lieutenants, who see the same pair of values.
    for adversary in ["equivocate", "lie", "silent", "mix", "collude"] {
        let h = om(3, 1, adversary).faults(traitors(1)).seeds(0..200);
        h.expect_outside("validity");
        let v = h.run().outside_violations;
        assert!(!v.contains_key("agreement"), "{adversary}: {v:?}");
    }
}

#[test]
fn more_traitors_than_m_are_caught() {
    // Three traitors where OM(1) tolerates one: outside its assumptions, and caught.
    let t = om(7, 1, "mix").faults(traitors(3)).seeds(0..300).run();
    assert!(t.violations.is_empty(), "{:?}", t.violations);
    let v = t.outside_violations;
    assert!(
        v.contains_key("agreement") || v.contains_key("validity"),
        "{v:?}"
    );
}

#[test]
fn colluding_traitors_split_the_loyal_lieutenants() {
    // A traitor commander and a traitor lieutenant: the first half of the loyal lieutenants
    // decides RETREAT and the second half 1, in every seed, at n = 4 and at n = 7 (the run
    // stops at the first disagreement, so some may not have decided yet).
    for n in [4, 7] {
        let h = with_traitors(om(n, 1, "collude"), &[0, 1]);
        for seed in 0..20 {
            let (r, e) = run(&h, seed);
            assert_eq!(
                r.violations[0].property, "agreement",
                "n = {n}, seed {seed}"
            );
            let loyal = &e.states()[2..];
            let (first, second) = loyal.split_at(loyal.len() / 2);
            let decided = |half: &[Om]| -> BTreeSet<u64> {
                half.iter().filter_map(|p| p.decision()).collect()
            };
            assert_eq!(
                decided(first),
                BTreeSet::from([DEFAULT]),
                "n = {n}, seed {seed}"
            );
            assert_eq!(decided(second), BTreeSet::from([1]), "n = {n}, seed {seed}");
        }
    }
}

#[test]
fn two_colluding_traitors_among_four_break_agreement() {
    // Equivocate, lie and silent break only validity here; colluding traitors break
    // agreement whenever the commander is one of them.
    let found = om(4, 1, "collude").faults(traitors(2)).seeds(0..100).run();
    let v = &found.outside_violations;
    assert!(v.get("agreement").is_some_and(|&k| k >= 25), "{v:?}");
    for adversary in ["equivocate", "lie", "silent"] {
        let t = om(4, 1, adversary).faults(traitors(2)).seeds(0..100).run();
        assert!(
            !t.outside_violations.contains_key("agreement"),
            "{adversary}: {:?}",
            t.outside_violations
        );
    }
}

fn commander_is_traitor(adversary: &'static str, n: usize, seed: u64) -> (u64, Vec<Option<u64>>) {
    let (_, e) = run(&with_traitors(om(n, 1, adversary), &[0]), seed);
    let order = e.states()[0]
        .order()
        .expect("a traitor commander still runs the code");
    let heard = e.states()[1..]
        .iter()
        .map(|p| p.received(&Path::root(0)))
        .collect();
    (order, heard)
}

#[test]
fn equivocate_tells_half_the_peers_another_value() {
    for seed in 0..10 {
        let (v, heard) = commander_is_traitor("equivocate", 5, seed);
        let other = (v + 1) % 4;
        assert_eq!(heard, vec![Some(v), Some(v), Some(other), Some(other)]);
    }
}

#[test]
fn lie_tells_everyone_the_same_wrong_value() {
    for seed in 0..10 {
        let (v, heard) = commander_is_traitor("lie", 5, seed);
        assert_eq!(heard, vec![Some((v + 1) % 4); 4]);
    }
    // A lying lieutenant misreports what it heard, to everyone alike.
    let (_, e) = run(&with_traitors(om(4, 1, "lie"), &[2]), 3);
    let heard = e.states()[2].received(&Path::root(0)).unwrap();
    let relayed = Path::from_nodes(&[0, 2]).unwrap();
    for i in [1, 3] {
        assert_eq!(e.states()[i].received(&relayed), Some((heard + 1) % 4));
    }
}

#[test]
fn silent_sends_nothing() {
    let (_, heard) = commander_is_traitor("silent", 5, 1);
    assert_eq!(heard, vec![None; 4]);
}

#[test]
fn mix_forwards_drops_flips_and_invents() {
    let (mut forwarded, mut dropped, mut flipped, mut other) = (0, 0, 0, 0);
    for seed in 0..40 {
        let (v, heard) = commander_is_traitor("mix", 5, seed);
        for h in heard {
            match h {
                None => dropped += 1,
                Some(x) if x == v => forwarded += 1,
                Some(x) if x == (v + 1) % 4 => flipped += 1,
                Some(x) => {
                    assert!(x < 4);
                    other += 1;
                }
            }
        }
    }
    assert!(
        forwarded > 0 && dropped > 0 && flipped > 0 && other > 0,
        "{forwarded} {dropped} {flipped} {other}"
    );
}

#[test]
fn late_messages_count_as_retreat() {
    // Rounds shorter than the delay: every message is late, so every lieutenant
    // retreats, which breaks validity whenever the loyal commander ordered otherwise.
    let h = om(4, 1, "equivocate")
        .params(OmParams {
            round: Duration::from_millis(2),
            ..OmParams::default()
        })
        .delay(DelayDist::Constant(Duration::from_millis(5)));
    let mut broken = 0;
    for seed in 0..20 {
        let (r, e) = run(&h, seed);
        let order = e.states()[0].order().unwrap();
        // (A violation stops the run, so some lieutenants may not have decided yet.)
        let decided: Vec<u64> = e.states()[1..]
            .iter()
            .filter_map(|p| p.decision())
            .collect();
        assert!(!decided.is_empty() && decided.iter().all(|&d| d == DEFAULT));
        assert_eq!(r.violations.is_empty(), order == DEFAULT, "seed {seed}");
        broken += usize::from(!r.violations.is_empty());
    }
    assert!(broken > 0);
}

#[test]
fn majority_needs_more_than_half() {
    assert_eq!(majority(&[]), DEFAULT);
    assert_eq!(majority(&[3]), 3);
    assert_eq!(majority(&[1, 1, 0]), 1);
    assert_eq!(majority(&[0, 1, 1]), 1);
    assert_eq!(majority(&[2, 1]), DEFAULT);
    assert_eq!(majority(&[2, 2, 1, 1]), DEFAULT);
    assert_eq!(majority(&[1, 2, 1, 3, 1]), 1);
}

fn path(nodes: &[NodeId]) -> Path {
    Path::from_nodes(nodes).unwrap()
}

/// A lieutenant of OM(`m`) over binary orders that received `heard`.
fn lieutenant(m: u32, heard: &[(&[NodeId], u64)]) -> Om {
    let mut p = Om::new(0, m, 2, Duration::from_millis(10));
    for &(nodes, value) in heard {
        p.record(path(nodes), value);
    }
    p
}

#[test]
fn resolve_folds_the_tree_by_majority() {
    // n = 4, OM(1), seen by lieutenant 1: the commander said 1, lieutenant 2 relays 1,
    // lieutenant 3 (a traitor) relays 0: two out of three win.
    let p = lieutenant(1, &[(&[0], 1), (&[0, 2], 1), (&[0, 3], 0)]);
    assert_eq!(p.resolve(4, 1, Path::root(0)), 1);
    // Lieutenant 2's relay missing counts as RETREAT: 1, 0, 0.
    let p = lieutenant(1, &[(&[0], 1), (&[0, 3], 0)]);
    assert_eq!(p.resolve(4, 1, Path::root(0)), DEFAULT);
    // OM(2), n = 5, lieutenant 1: the subtree of 2 is itself decided by majority.
    // Lieutenant 2 tells 1 "0", but 3 and 4 both say 2 told them 1.
    let mut q = lieutenant(2, &[(&[0], 1), (&[0, 2], 0)]);
    for relay in [2, 3, 4] {
        q.record(path(&[0, relay]), 1);
        for other in [2, 3, 4].into_iter().filter(|&o| o != relay) {
            q.record(path(&[0, relay, other]), 1);
        }
    }
    assert_eq!(q.received(&path(&[0, 2])), Some(0), "the first copy wins");
    assert_eq!(q.resolve(5, 1, path(&[0, 2])), 1);
    assert_eq!(q.resolve(5, 1, Path::root(0)), 1);
}

#[test]
fn forged_and_malformed_paths_are_ignored() {
    let (_, e) = run(&om(4, 1, "equivocate"), 0);
    let p = &e.states()[1];
    // Lieutenant 1 only stores paths from the commander, ending with their sender,
    // without itself, and no longer than m + 1.
    for path in p.heard() {
        assert_eq!(path.first(), 0);
        assert!(!path.contains(1) && path.len() <= 2);
    }
    assert_eq!(p.heard().count(), 3);
    assert!(Path::from_nodes(&[0, 2, 2]).is_some_and(|q| !q.well_formed(4)));
    assert!(Path::from_nodes(&[0, 4]).is_some_and(|q| !q.well_formed(4)));
}

fn world_states() -> Vec<Om> {
    (0..4)
        .map(|_| Om::new(0, 1, 2, Duration::from_millis(10)))
        .collect()
}

#[test]
fn validity_judges_hand_built_histories() {
    let states = world_states();
    let up = [true; 4];
    let never = [false; 4];
    let w = World::new(Time::ZERO, &states, &up, &never, &never);
    let mut v = CommanderValidity::default();
    assert!(v.observe(&w, 0, &Obs::Order(1)).is_ok());
    assert!(v.observe(&w, 1, &Obs::Decide(1)).is_ok());
    let err = v.observe(&w, 2, &Obs::Decide(0)).unwrap_err();
    assert!(
        err.message.contains("lieutenant 2 decided 0") && err.message.contains("ordered 1"),
        "{err}"
    );

    // A traitor lieutenant's decision means nothing.
    let byz3 = [false, false, false, true];
    let w3 = World::new(Time::ZERO, &states, &up, &never, &byz3);
    let mut v = CommanderValidity::default();
    v.observe(&w3, 0, &Obs::Order(1)).unwrap();
    assert!(v.observe(&w3, 3, &Obs::Decide(0)).is_ok());

    // With a traitor commander there is no order to obey.
    let byz0 = [true, false, false, false];
    let w0 = World::new(Time::ZERO, &states, &up, &never, &byz0);
    let mut v = CommanderValidity::default();
    v.observe(&w0, 0, &Obs::Order(1)).unwrap();
    assert!(v.observe(&w0, 1, &Obs::Decide(0)).is_ok());

    // Deciding before a loyal commander ordered anything is a violation too.
    let mut v = CommanderValidity::default();
    assert!(v.observe(&w, 1, &Obs::Decide(1)).is_err());
}

#[test]
fn validity_names_the_order_and_the_decision() {
    let states = world_states();
    let (up, never) = ([true; 4], [false; 4]);
    let w = World::new(Time::ZERO, &states, &up, &never, &never);
    let h = [(0, Obs::Order(1)), (1, Obs::Decide(1)), (2, Obs::Decide(0))];
    let mut v = CommanderValidity::default();
    let err = observe_history(&w, &mut v, &h).unwrap_err();
    assert_eq!(err.evidence, [1, 3]);
    assert!(cites_events(&err.message, &[1, 3]), "{err}");
    // Without an order: the commander's last step.
    let last = [2, 0, 0, 0];
    let w = w.with_last_events(&last);
    let mut v = CommanderValidity::default();
    let err = observe_history(&w, &mut v, &[(1, Obs::Decide(1))]).unwrap_err();
    assert_eq!(err.evidence, [2, 1]);
    assert!(cites_events(&err.message, &[1, 2]), "{err}");
}

#[test]
fn termination_names_the_order_and_the_last_step_of_the_undecided() {
    let states = world_states();
    let (up, never) = ([true; 4], [false; 4]);
    let last = [1, 2, 3, 9];
    let w = World::new(Time::ZERO, &states, &up, &never, &never).with_last_events(&last);
    let h = [(0, Obs::Order(1)), (1, Obs::Decide(1)), (2, Obs::Decide(1))];
    let mut t = LieutenantsDecide::default();
    observe_history(&w, &mut t, &h).unwrap();
    let err = t.finish(&w).unwrap_err();
    let mut related = err.evidence.clone();
    related.sort_unstable();
    assert_eq!(related, [1, 9]);
    assert!(
        err.message.starts_with("loyal lieutenant 3 never decided"),
        "{err}"
    );
    assert!(cites_events(&err.message, &[1, 9]), "{err}");
}

#[test]
fn agreement_and_integrity_judge_hand_built_histories() {
    let states = world_states();
    let up = [true; 4];
    let never = [false; 4];
    let byz3 = [false, false, false, true];
    let w = World::new(Time::ZERO, &states, &up, &never, &never);
    let w3 = World::new(Time::ZERO, &states, &up, &never, &byz3);

    // Agreement is among loyal lieutenants: the commander's order is no decision.
    let mut a = Agreement::default();
    assert!(Property::<Om>::observe(&mut a, &w3, 0, &Obs::Order(0)).is_ok());
    assert!(Property::<Om>::observe(&mut a, &w3, 1, &Obs::Decide(1)).is_ok());
    assert!(Property::<Om>::observe(&mut a, &w3, 3, &Obs::Decide(0)).is_ok());
    assert!(Property::<Om>::observe(&mut a, &w3, 2, &Obs::Decide(1)).is_ok());
    assert!(Property::<Om>::observe(&mut a, &w, 3, &Obs::Decide(0)).is_err());

    // Integrity: a loyal lieutenant decides once; a traitor's decisions mean nothing.
    let mut i = Integrity::default();
    assert!(Property::<Om>::observe(&mut i, &w3, 1, &Obs::Decide(1)).is_ok());
    assert!(Property::<Om>::observe(&mut i, &w3, 3, &Obs::Decide(1)).is_ok());
    assert!(Property::<Om>::observe(&mut i, &w3, 3, &Obs::Decide(0)).is_ok());
    assert!(Property::<Om>::observe(&mut i, &w3, 1, &Obs::Decide(1)).is_err());
}

#[test]
fn termination_and_traitor_placement_judge_hand_built_histories() {
    let states = world_states();
    let up = [true; 4];
    let never = [false; 4];
    let byz0 = [true, false, false, false];
    let byz3 = [false, false, false, true];
    let w = World::new(Time::ZERO, &states, &up, &never, &never);
    let w0 = World::new(Time::ZERO, &states, &up, &never, &byz0);
    let w3 = World::new(Time::ZERO, &states, &up, &never, &byz3);

    // Termination: lieutenant 3 never decides; fine only if it is a traitor.
    let mut t = LieutenantsDecide::default();
    for node in [1, 2] {
        t.observe(&w, node, &Obs::Decide(1)).unwrap();
    }
    let err = t.finish(&w).unwrap_err();
    assert!(err.message.contains("lieutenant 3 never decided"), "{err}");
    assert!(t.finish(&w3).is_ok());

    // Which traitor placement a run tried.
    let (mut commander, mut lieutenant) = (TraitorIs::COMMANDER, TraitorIs::LIEUTENANT);
    assert!(commander.finish(&w0).is_ok() && lieutenant.finish(&w0).is_err());
    assert!(commander.finish(&w3).is_err() && lieutenant.finish(&w3).is_ok());
    assert!(commander.finish(&w).is_err() && lieutenant.finish(&w).is_err());
}

#[test]
fn validate_refuses_impossible_setups() {
    let params = |m: u32, commander: NodeId| OmParams {
        m,
        commander,
        ..OmParams::default()
    };
    assert!(OralMessages.validate(&params(1, 0), 3).is_ok());
    assert_eq!(
        OralMessages.validate(&params(2, 0), 3).unwrap_err().key,
        "params.m"
    );
    assert_eq!(
        OralMessages.validate(&params(1, 4), 4).unwrap_err().key,
        "params.commander"
    );
    assert_eq!(
        OralMessages.validate(&params(6, 0), 40).unwrap_err().key,
        "params.m"
    );
    assert_eq!(
        OralMessages.validate(&params(1, 0), 65).unwrap_err().key,
        "nodes"
    );
    assert_eq!(message_count(4, 1), 3 + 3 * 2);
    assert_eq!(message_count(7, 2), 6 + 6 * 5 + 6 * 5 * 4);
}

#[test]
fn bundled_scenarios_meet_their_expectations() {
    for name in [
        "byzantine-n3-m1-equivocate",
        "byzantine-n3-m1-silent",
        "byzantine-n4-m1-equivocate",
        "byzantine-n4-m1-lie",
        "byzantine-n4-m1-mix",
        "byzantine-n4-m1-silent",
        "byzantine-n6-m2-equivocate",
        "byzantine-n7-m1-two-traitors",
        "byzantine-n7-m2-equivocate",
        "byzantine-n7-m2-mix",
        "byzantine-n4-m1-collude",
        "byzantine-n7-m2-collude",
        "byzantine-n4-m1-two-colluding-traitors",
    ] {
        ftsim_runner::check_scenario(format!("../scenarios/{name}.toml"), crate::all());
    }
}
