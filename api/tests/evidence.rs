//! Every shared property's violation names the events that make it false, in its message and
//! in its evidence: judged on hand-built histories where the `i`th observation is event
//! `i + 1`.

use ftsim_api::properties::consensus::{self, Obliged, Termination};
use ftsim_api::properties::delivery::{self, CausalOrder, NoCreation, NoDuplication, TotalOrder};
use ftsim_api::properties::mutex::MutualExclusion;
use ftsim_api::properties::{
    cites_events, observe_history, CriticalSection, Decision, DeliveryObs, Pairwise,
};
use ftsim_api::{Ctx, NodeId, Process, Property, Time, World};

#[derive(Debug)]
struct Node;

#[derive(Clone, Debug, Hash)]
enum Obs {
    Propose(u64),
    Decide(u64),
    Broadcast(u64),
    Deliver(NodeId, u64),
    Enter,
    Leave,
}

impl Process for Node {
    type Msg = ();
    type Timer = ();
    type Obs = Obs;
    type Stable = ();
    fn on_start(&mut self, _: &mut Ctx<'_, Self>) {}
    fn on_message(&mut self, _: &mut Ctx<'_, Self>, _: NodeId, _: ()) {}
}

impl Decision for Obs {
    fn proposed(&self) -> Option<u64> {
        match self {
            Obs::Propose(v) => Some(*v),
            _ => None,
        }
    }
    fn decided(&self) -> Option<u64> {
        match self {
            Obs::Decide(v) => Some(*v),
            _ => None,
        }
    }
}

impl DeliveryObs for Obs {
    fn broadcast(&self) -> Option<u64> {
        match self {
            Obs::Broadcast(s) => Some(*s),
            _ => None,
        }
    }
    fn delivered(&self) -> Option<(NodeId, u64)> {
        match self {
            Obs::Deliver(o, s) => Some((*o, *s)),
            _ => None,
        }
    }
}

impl CriticalSection for Obs {
    fn enters(&self) -> bool {
        matches!(self, Obs::Enter)
    }
    fn leaves(&self) -> bool {
        matches!(self, Obs::Leave)
    }
}

const NODES: [Node; 3] = [Node, Node, Node];
const UP: [bool; 3] = [true; 3];
const NEVER: [bool; 3] = [false; 3];

fn world() -> World<'static, Node> {
    World::new(Time::from_millis(9), &NODES, &UP, &NEVER, &NEVER)
}

/// Runs `history` into `property`, expects a violation at its last observation, and checks
/// that it names `events` both in its message and in its evidence.
fn names(property: &mut dyn Property<Node>, history: &[(NodeId, Obs)], events: &[u64]) -> String {
    let err = observe_history(&world(), property, history).expect_err("a violation");
    assert_eq!(err.evidence, events, "{err}");
    assert!(
        cites_events(&err.message, events),
        "{err} should cite {events:?}"
    );
    err.message
}

/// A liveness property's violation at the end, with the given last steps.
fn finish_names(
    property: &mut dyn Property<Node>,
    history: &[(NodeId, Obs)],
    last: &[u64],
    events: &[u64],
) -> String {
    observe_history(&world(), property, history).expect("no safety violation");
    let err = property
        .finish(&world().with_last_events(last))
        .expect_err("a violation");
    let mut related = err.evidence.clone();
    related.sort_unstable();
    assert_eq!(related, events, "{err}");
    assert!(
        cites_events(&err.message, events),
        "{err} should cite {events:?}"
    );
    err.message
}

#[test]
fn agreement_names_both_decisions() {
    let h = [
        (0, Obs::Decide(1)),
        (1, Obs::Decide(1)),
        (2, Obs::Decide(2)),
    ];
    let err = names(&mut consensus::Agreement::default(), &h, &[1, 3]);
    assert!(
        err.starts_with("node 2 decided 2 at event #3 but node 0"),
        "{err}"
    );
}

#[test]
fn validity_names_the_decision_and_every_proposal() {
    let h = [
        (0, Obs::Propose(1)),
        (1, Obs::Propose(2)),
        (2, Obs::Decide(3)),
    ];
    names(&mut consensus::Validity::default(), &h, &[1, 2, 3]);
}

#[test]
fn consensus_integrity_names_both_decisions() {
    let h = [
        (0, Obs::Decide(1)),
        (1, Obs::Decide(1)),
        (0, Obs::Decide(2)),
    ];
    names(&mut consensus::Integrity::default(), &h, &[1, 3]);
}

#[test]
fn termination_names_the_proposal_and_last_step_of_the_undecided() {
    let h = [
        (0, Obs::Propose(1)),
        (2, Obs::Propose(2)),
        (0, Obs::Decide(1)),
        (1, Obs::Decide(1)),
    ];
    let err = finish_names(
        &mut Termination::new(Obliged::Correct),
        &h,
        &[3, 4, 7],
        &[2, 7],
    );
    assert!(err.starts_with("node 2 never decided"), "{err}");
}

#[test]
fn no_duplication_names_both_deliveries() {
    let h = [
        (0, Obs::Broadcast(0)),
        (1, Obs::Deliver(0, 0)),
        (1, Obs::Deliver(0, 0)),
    ];
    names(&mut NoDuplication::default(), &h, &[2, 3]);
    names(&mut delivery::Integrity::default(), &h, &[2, 3]);
}

#[test]
fn no_creation_names_the_delivery_and_the_origins_latest_broadcast() {
    let h = [(0, Obs::Broadcast(0)), (1, Obs::Deliver(0, 1))];
    let err = names(&mut NoCreation::default(), &h, &[1, 2]);
    assert!(err.contains("its latest was 0#0 at event #1"), "{err}");
    names(&mut delivery::Integrity::default(), &h, &[1, 2]);
}

#[test]
fn delivery_validity_names_the_broadcast_and_the_missing_process() {
    let h = [
        (0, Obs::Broadcast(0)),
        (0, Obs::Deliver(0, 0)),
        (1, Obs::Deliver(0, 0)),
    ];
    let err = finish_names(&mut delivery::Validity::default(), &h, &[2, 3, 5], &[1, 5]);
    assert!(err.contains("never reached node 2"), "{err}");
}

#[test]
fn delivery_agreement_names_the_delivery_and_the_missing_process() {
    let h = [(0, Obs::Deliver(2, 0))];
    let err = finish_names(
        &mut delivery::Agreement::regular(),
        &h,
        &[1, 4, 6],
        &[1, 4, 6],
    );
    assert!(err.contains("but nodes 1 and 2 never did"), "{err}");
}

#[test]
fn total_order_names_all_four_deliveries() {
    let h = [
        (0, Obs::Deliver(0, 0)),
        (0, Obs::Deliver(1, 0)),
        (1, Obs::Deliver(1, 0)),
        (1, Obs::Deliver(0, 0)),
    ];
    let err = names(&mut TotalOrder::default(), &h, &[3, 4, 1, 2]);
    assert!(
        err.contains("node 1 delivered 1#0 (event #3) before 0#0 (event #4)"),
        "{err}"
    );
}

#[test]
fn causal_order_names_where_the_dependency_entered_the_origins_past() {
    let h = [
        (0, Obs::Broadcast(0)),
        (1, Obs::Deliver(0, 0)),
        (1, Obs::Broadcast(0)),
        (2, Obs::Deliver(1, 0)),
    ];
    let err = names(&mut CausalOrder::default(), &h, &[2, 3, 4]);
    assert!(err.contains("node 1 had delivered it at event #2"), "{err}");
}

#[test]
fn mutual_exclusion_names_both_entries() {
    let h = [
        (0, Obs::Enter),
        (0, Obs::Leave),
        (1, Obs::Enter),
        (2, Obs::Enter),
    ];
    let err = names(&mut MutualExclusion::default(), &h, &[3, 4]);
    assert!(
        err.contains("at event #4 while node 1 was in it (since event #3"),
        "{err}"
    );
}

#[test]
fn a_pairwise_property_names_both_events_for_free() {
    let mut one_decision = Pairwise::<Node, (), u64>::new(
        |_, _, obs| obs.decided().map(|v| ((), v)),
        |_, a, b| (a.value != b.value).then(|| format!("{} and {} differ", a.value, b.value)),
    );
    let h = [
        (0, Obs::Decide(4)),
        (1, Obs::Propose(5)),
        (2, Obs::Decide(5)),
    ];
    let err = names(&mut one_decision, &h, &[1, 3]);
    assert_eq!(err, "4 and 5 differ (events #1 and #3)");
}
