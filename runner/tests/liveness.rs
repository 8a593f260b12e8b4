//! Liveness under `explore`: an `eventually` property fails on a fair cycle that never meets
//! it (a lasso) or a state where nothing more must happen, and holds when every cycle that
//! misses it is unfair. The protocol: node 0 pings node 1, node 1 decides and answers, node 0
//! decides on the answer. The known-buggy
//! variant answers every pong with another ping and never decides (ping-pong forever: a
//! search that only looks at the ends of runs misses it); a silent node 1 leaves node 0
//! waiting in a state where nothing can happen.

use std::sync::Arc;

use ftsim_api::properties::consensus::{Decision, Obliged, Termination};
use ftsim_api::{
    params, Ctx, Duration, Exploring, Model, NodeId, Process, Properties, Protocol, RunSpec,
};
use ftsim_runner::explore::{Counterexample, End, Limits, Report};
use ftsim_runner::{RunOptions, Simulation};

#[derive(Clone, Debug, Hash)]
enum Msg {
    Ping,
    Pong,
}

#[derive(Clone, Debug, Hash)]
struct Decide;

impl Decision for Decide {
    fn proposed(&self) -> Option<u64> {
        None
    }
    fn decided(&self) -> Option<u64> {
        Some(1)
    }
}

#[derive(Clone, Debug, Hash)]
struct Node {
    forever: bool,
    silent: bool,
    heartbeat: bool,
    decided: bool,
}

impl Node {
    fn decide(&mut self, ctx: &mut Ctx<'_, Self>) {
        if !self.decided {
            self.decided = true;
            ctx.observe(Decide);
        }
    }
}

impl Process for Node {
    type Msg = Msg;
    type Timer = ();
    type Obs = Decide;
    type Stable = ();
    fn on_start(&mut self, ctx: &mut Ctx<'_, Self>) {
        if ctx.id() == 0 {
            ctx.send(1, Msg::Ping);
        } else if self.heartbeat {
            ctx.set_timer(Duration::from_millis(1), ());
        }
    }
    fn on_message(&mut self, ctx: &mut Ctx<'_, Self>, _: NodeId, msg: Msg) {
        match msg {
            Msg::Ping if self.silent => {}
            Msg::Ping => {
                self.decide(ctx);
                ctx.send(0, Msg::Pong);
            }
            Msg::Pong if self.forever => ctx.send(1, Msg::Ping),
            Msg::Pong => self.decide(ctx),
        }
    }
    fn on_timer(&mut self, ctx: &mut Ctx<'_, Self>, _: ()) {
        ctx.set_timer(Duration::from_millis(1), ());
    }
}

params! {
    /// Which variant.
    pub struct PingParams {
        /// The bug: node 0 answers a pong with another ping, forever, and never decides.
        forever: bool = false;
        /// Node 1 never answers (node 0 waits in a state where nothing can happen).
        silent: bool = false;
        /// Node 1 re-arms a timer forever. (A search tells timers apart by handle, so this
        /// makes its state space infinite: not used by the tests yet.)
        heartbeat: bool = false;
    }
}

struct PingPong;

impl Protocol for PingPong {
    type Process = Node;
    type Params = PingParams;
    fn name(&self) -> &'static str {
        "ping-pong"
    }
    fn summary(&self) -> &'static str {
        "node 0 pings node 1; both decide once the pong is in"
    }
    fn properties(&self) -> Properties<Node> {
        Properties::new().eventually("termination", "every node decides", || {
            Termination::new(Obliged::Correct)
        })
    }
    fn model(&self, _: &PingParams, _: usize) -> Model {
        Model::new()
    }
    fn process(&self, params: &PingParams, _: NodeId, _: usize) -> Node {
        Node {
            forever: params.forever,
            silent: params.silent,
            heartbeat: params.heartbeat,
            decided: false,
        }
    }
    fn exploration<E: Exploring<Self>>(&self, explorer: E) -> Option<E::Explorer> {
        Some(explorer.searchable())
    }
}

fn prepared(params: PingParams) -> Arc<dyn Simulation> {
    ftsim_runner::simulation::prepare_typed(&PingPong, params, RunSpec::new(2)).unwrap()
}

fn explore(simulation: &Arc<dyn Simulation>) -> Report {
    let explorer = simulation.explorer().unwrap();
    explorer.explore(&Limits::default(), &mut |_| None).unwrap()
}

fn violation(report: &Report) -> &Counterexample {
    match &report.end {
        End::Violation(cx) => cx,
        other => panic!("expected a violation, got {other:?}"),
    }
}

#[test]
fn ping_pong_forever_is_a_lasso_that_replays_as_a_run() {
    let simulation = prepared(PingParams {
        forever: true,
        ..PingParams::default()
    });
    // Ping, pong, ping: the loop's states repeat (a lasso), though the run never ends.
    let report = explore(&simulation);
    let cx = violation(&report);
    assert_eq!(cx.property, "termination");
    assert!(cx.liveness);
    let start = cx.loop_start.expect("a loop");
    let turn = cx.steps[start..].join(" / ");
    assert!(turn.contains("node 1 receives Ping") && turn.contains("node 0 receives Pong"));
    assert!(cx.message.contains("node 0"), "{}", cx.message);
    // The stem and one turn of the loop, as a run: termination fails at its end.
    let options = RunOptions {
        trace: true,
        plan: Some(&cx.run.plan),
        script: Some(&cx.run.script),
        ..RunOptions::default()
    };
    let run = simulation.run_recorded(0, options).report;
    assert!(run.violations.iter().any(|v| v.property == "termination"));
    let again = simulation.run_recorded(0, options).report;
    assert_eq!(
        run.trace_hash, again.trace_hash,
        "a scripted run is deterministic"
    );
}

#[test]
fn a_correct_ping_pong_passes() {
    let report = explore(&prepared(PingParams::default()));
    assert!(matches!(report.end, End::Complete), "{:?}", report.end);
    let figures = report.liveness.expect("liveness was checked");
    assert_eq!((figures.cycles, figures.unfair), (0, 0), "{figures:?}");
}

#[test]
fn a_silent_peer_leaves_a_state_where_nothing_more_happens() {
    let report = explore(&prepared(PingParams {
        silent: true,
        heartbeat: false,
        ..PingParams::default()
    }));
    let cx = violation(&report);
    assert!(cx.liveness && cx.loop_start.is_none());
    assert_eq!(cx.steps, ["node 1 receives Ping from node 0"]);
}
