//! The linearizability checker on histories of 100, 1,000 and 10,000 operations:
//! `cargo bench -p protocols --bench linearizability` (add a number to repeat each
//! measurement that many times; default 5). Prints the median wall-clock time of:
//! - `search`: the Wing & Gong search (`check`) on the whole history;
//! - `incremental`: the property judging every response as a run goes (the frontier), or
//!   `gave up` when it had more configurations to follow than its budget;
//! - `stale`: `check` on the same history with one late read made stale, including finding
//!   the smallest non-linearizable prefix and explaining it.
//!
//! Histories come from ABD runs (the `quorum` protocol, N = 3, W = R = 2, 5 to 10 clients on
//! 1-5ms links, half the operations writes) and from the synthetic generator (4 and 8 clients
//! on a true register, 30% writes).

use std::cell::RefCell;
use std::rc::Rc;

use ftsim_api::properties::linearizability::generate::{
    register_history, with_stale_read, RegisterHistory,
};
use ftsim_api::properties::linearizability::{
    check, History, Linearizability, Moment, OpEvent, Register, Verdict,
};
use ftsim_api::sim_core::{Monitor, Setup};
use ftsim_api::{
    DelayDist, DetectorModel, Duration, Falsified, FaultPlan, NetworkModel, NodeId, Property,
    PropertyKind, Protocol, RunConfig, Time, World,
};
use protocols::quorum::{Node, Obs, QuorumParams, QuorumRegister};

/// Every client observation of a run, with its event and time.
type Recorded = Rc<RefCell<Vec<(NodeId, u64, Time, Obs)>>>;

struct Recorder(Recorded);

impl Property<Node> for Recorder {
    fn observe(&mut self, w: &World<'_, Node>, node: NodeId, obs: &Obs) -> Result<(), Falsified> {
        if obs.op_event().is_some() {
            self.0
                .borrow_mut()
                .push((node, w.event(), w.now, obs.clone()));
        }
        Ok(())
    }
}

/// The observations of an ABD run with `clients` clients of `ops` operations each.
fn abd_run(clients: usize, ops: u64) -> Vec<(NodeId, u64, Time, Obs)> {
    let params = QuorumParams {
        ops,
        think: Duration::from_millis(2),
        ..QuorumParams::default()
    };
    let mut network = NetworkModel::default();
    network.default.delay = DelayDist::Uniform {
        min: Duration::from_millis(1),
        max: Duration::from_millis(5),
    };
    let recorded: Recorded = Rc::default();
    let n = 3 + clients;
    let setup = Setup {
        n,
        network,
        detector: DetectorModel::None,
        plan: FaultPlan::default(),
        config: RunConfig {
            duration: Duration::from_millis(100_000),
            settle: Duration::from_millis(100),
            max_events: 10_000_000,
            trace: false,
            ..RunConfig::default()
        },
        factory: Box::new(move |i, n| QuorumRegister.process(&params, i, n)),
        properties: vec![Monitor {
            name: "record",
            kind: PropertyKind::Always,
            property: Box::new(Recorder(Rc::clone(&recorded))),
        }],
        adversary: None,
    };
    let report = ftsim_api::sim_core::Engine::new(setup, 1).run();
    assert!(report.outcome.is_ok(), "{:?}", report.outcome);
    let run = recorded.borrow().clone();
    run
}

/// The history of recorded observations.
fn history_of(run: &[(NodeId, u64, Time, Obs)]) -> RegisterHistory {
    let mut h = History::new();
    for (node, event, time, obs) in run {
        let at = Moment::new(*event, *time);
        match obs.op_event().expect("an operation event") {
            OpEvent::Invoke { op, input } => h.invoke(*node, op, input, at).map(|_| ()),
            OpEvent::Return { op, output } => h.respond(*node, op, output, at).map(|_| ()),
        }
        .expect("a well-formed history");
    }
    h
}

/// Feeds `run` to the incremental property, the way the engine would: `false` if it gave up
/// (too many configurations to follow).
fn judge_incrementally(run: &[(NodeId, u64, Time, Obs)], nodes: &[Node]) -> bool {
    let up = vec![true; nodes.len()];
    let never = vec![false; nodes.len()];
    let mut p = Linearizability::<Node, _>::new(Register { initial: 0 }, Obs::op_event);
    for (node, event, time, obs) in run {
        let w = World::new(*time, nodes, &up, &never, &never).at_event(*event);
        if let Err(why) = p.observe(&w, *node, obs) {
            assert!(why.message.starts_with("could not judge"), "{why}");
            return false;
        }
    }
    true
}

#[allow(clippy::disallowed_methods)] // wall-clock time measures the benchmark, not a run
fn median_ms(repeat: usize, mut f: impl FnMut()) -> f64 {
    let mut times: Vec<f64> = (0..repeat)
        .map(|_| {
            let start = std::time::Instant::now();
            f();
            start.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

fn verdict_is(h: &RegisterHistory, linearizable: bool) {
    let v = check(&Register { initial: 0 }, h);
    assert_eq!(matches!(v, Verdict::Linearizable), linearizable, "{v:?}");
    if !linearizable {
        assert!(matches!(v, Verdict::NotLinearizable(_)), "{v:?}");
    }
}

fn row(name: &str, h: &RegisterHistory, run: Option<&[(NodeId, u64, Time, Obs)]>, repeat: usize) {
    let search = median_ms(repeat, || verdict_is(h, true));
    let incremental = run.map(|run| {
        let cfg = QuorumParams::default();
        let nodes: Vec<Node> = (0..run.iter().map(|r| r.0).max().unwrap_or(0) + 1)
            .map(|i| QuorumRegister.process(&cfg, i, 0))
            .collect();
        let mut judged = true;
        let ms = median_ms(repeat, || judged = judge_incrementally(run, &nodes));
        judged.then_some(ms)
    });
    let stale = with_stale_read(h).map(|(b, _)| median_ms(repeat, || verdict_is(&b, false)));
    let ms = |x: Option<f64>| x.map_or("-".to_string(), |x| format!("{x:.2}"));
    let incremental = match (run, incremental.flatten()) {
        (Some(_), None) => "gave up".to_string(),
        (_, x) => ms(x),
    };
    println!(
        "{name:<24} {:>6} {:>10.2} {:>12} {:>10}",
        h.len(),
        search,
        incremental,
        ms(stale)
    );
}

fn main() {
    let repeat: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(5);
    println!("median of {repeat} runs, milliseconds");
    println!(
        "{:<24} {:>6} {:>10} {:>12} {:>10}",
        "history", "ops", "search", "incremental", "stale"
    );
    for (clients, ops) in [(5, 20), (5, 200), (5, 2000), (8, 125), (10, 100)] {
        let run = abd_run(clients, ops);
        let h = history_of(&run);
        row(&format!("ABD, {clients} clients"), &h, Some(&run), repeat);
    }
    for clients in [4, 8] {
        for ops in [100, 1_000, 10_000] {
            let h = register_history(ops as u64, clients, ops, 30);
            row(&format!("synthetic, {clients} clients"), &h, None, repeat);
        }
    }
}
