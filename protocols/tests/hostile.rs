//! Hostile protocols: one that panics, one whose Byzantine adversary panics, one whose
//! property panics, one whose copies panic (in a search, which copies states), one that floods
//! the network, one whose state grows without end, one that never quiesces. Each must end its
//! own seeds (or its search) with a report naming what went wrong (a panic and whose code it
//! was, the budget it exceeded) while the sweep goes on over every seed, and never take the
//! process down. The budgets are set in the scenario's `[budget]` table, as a user would.

use std::path::Path;

use ftsim_api::sim_core::Budget;
use ftsim_api::{
    Adversaries, Adversary, AdversaryCtx, AdversarySnapshot, Ctx, Duration, Exploring, Falsified,
    Model, NoParams, NodeId, Outcome, Process, Properties, Property, Protocol, World,
};
use ftsim_runner::explore::{
    search_decisions, Counterexample, DecisionEnd, DecisionLimits, End, Limits, Order, Strategy,
};
use ftsim_runner::shrink::Failure;
use ftsim_runner::sweep::{self, Seeds};
use ftsim_runner::{AnyProtocol, Catalog, RunOptions, Scenario};

/// Panics in its third message handler on odd seeds' node 1 (decided by its own draw, so
/// some seeds pass): a sweep must count the panics and still run the rest.
#[derive(Debug)]
struct Panicker {
    received: u32,
    doomed: bool,
}

impl Process for Panicker {
    type Msg = u32;
    type Timer = ();
    type Obs = ();
    type Stable = ();
    fn on_start(&mut self, ctx: &mut Ctx<'_, Self>) {
        self.doomed = ctx.id() == 1 && ctx.random_below(2) == 1;
        ctx.broadcast(0);
    }
    fn on_message(&mut self, ctx: &mut Ctx<'_, Self>, _: NodeId, hop: u32) {
        self.received += 1;
        assert!(
            !(self.doomed && self.received == 3),
            "hostile: panics on purpose"
        );
        if hop < 3 {
            ctx.broadcast(hop + 1);
        }
    }
}

/// Answers every message with two broadcasts: the messages in flight double every hop.
#[derive(Debug)]
struct Flooder;

impl Process for Flooder {
    type Msg = ();
    type Timer = ();
    type Obs = ();
    type Stable = ();
    fn on_start(&mut self, ctx: &mut Ctx<'_, Self>) {
        ctx.broadcast(());
    }
    fn on_message(&mut self, ctx: &mut Ctx<'_, Self>, _: NodeId, _: ()) {
        ctx.broadcast(());
        ctx.broadcast(());
    }
}

/// Keeps 64 KiB more of state on every tick of a timer, sending nothing.
#[derive(Debug)]
struct Hoarder {
    hoard: Vec<Vec<u8>>,
}

impl Process for Hoarder {
    type Msg = ();
    type Timer = ();
    type Obs = ();
    type Stable = ();
    fn on_start(&mut self, ctx: &mut Ctx<'_, Self>) {
        ctx.set_timer(Duration::from_micros(10), ());
    }
    fn on_message(&mut self, _: &mut Ctx<'_, Self>, _: NodeId, _: ()) {}
    fn on_timer(&mut self, ctx: &mut Ctx<'_, Self>, _: ()) {
        self.hoard.push(vec![7; 64 << 10]);
        ctx.set_timer(Duration::from_micros(10), ());
    }
}

/// Panics when node 1 takes its second message, on every seed and in every search: whatever
/// the order, a search reaches it.
#[derive(Clone, Debug, Hash)]
struct Tripwire {
    received: u32,
}

impl Process for Tripwire {
    type Msg = ();
    type Timer = ();
    type Obs = ();
    type Stable = ();
    fn on_start(&mut self, ctx: &mut Ctx<'_, Self>) {
        ctx.broadcast(());
    }
    fn on_message(&mut self, ctx: &mut Ctx<'_, Self>, _: NodeId, _: ()) {
        self.received += 1;
        assert!(
            !(ctx.id() == 1 && self.received == 2),
            "hostile: trips on purpose"
        );
    }
}

/// Draws once more at its start every other time any process starts, counted in a global: with
/// 3 nodes, the same answers lead to other nodes' draws, so its runs are not functions of
/// their decisions.
#[derive(Debug)]
struct Forgetful;

static STARTS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

impl Process for Forgetful {
    type Msg = ();
    type Timer = ();
    type Obs = ();
    type Stable = ();
    fn on_start(&mut self, ctx: &mut Ctx<'_, Self>) {
        ctx.random_below(3);
        if STARTS
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
            .is_multiple_of(2)
        {
            ctx.random_below(3);
        }
    }
    fn on_message(&mut self, _: &mut Ctx<'_, Self>, _: NodeId, _: ()) {}
}

/// Each node sends one message to the next; a copy of a node that has received one panics.
/// No run copies a process; a search copies states between its steps.
#[derive(Debug, Hash)]
struct Brittle {
    received: u32,
}

impl Clone for Brittle {
    fn clone(&self) -> Self {
        assert!(self.received == 0, "hostile: copies break on purpose");
        Brittle { received: 0 }
    }
}

impl Process for Brittle {
    type Msg = ();
    type Timer = ();
    type Obs = ();
    type Stable = ();
    fn on_start(&mut self, ctx: &mut Ctx<'_, Self>) {
        ctx.send((ctx.id() + 1) % ctx.n(), ());
    }
    fn on_message(&mut self, _: &mut Ctx<'_, Self>, _: NodeId, _: ()) {
        self.received += 1;
    }
}

/// A liveness property whose judgement at the end of a run panics: the protocol's code too.
struct FragileJudge;

impl Property<Brittle> for FragileJudge {
    fn finish(&mut self, _: &World<'_, Brittle>) -> Result<(), Falsified> {
        panic!("hostile: the judge breaks on purpose")
    }
}

/// Declares a protocol with no parameters and no properties around a process (with its
/// `exploration`, if given).
macro_rules! hostile {
    ($ty:ident, $process:ident, $name:literal, $make:expr $(, $searchable:ident)?) => {
        struct $ty;
        impl Protocol for $ty {
            type Process = $process;
            type Params = NoParams;
            fn name(&self) -> &'static str {
                $name
            }
            fn summary(&self) -> &'static str {
                "a hostile test protocol"
            }
            fn properties(&self) -> Properties<$process> {
                Properties::new()
            }
            fn model(&self, _: &NoParams, _: usize) -> Model {
                Model::new()
            }
            fn process(&self, _: &NoParams, _: NodeId, _: usize) -> $process {
                $make
            }
            $(
                fn exploration<E: Exploring<Self>>(&self, explorer: E) -> Option<E::Explorer> {
                    Some(explorer.$searchable())
                }
            )?
        }
    };
}

hostile!(
    Panics,
    Panicker,
    "panics",
    Panicker {
        received: 0,
        doomed: false
    }
);
hostile!(Floods, Flooder, "floods", Flooder);
hostile!(Forgets, Forgetful, "forgets", Forgetful);
hostile!(Hoards, Hoarder, "hoards", Hoarder { hoard: Vec::new() });
hostile!(
    Trips,
    Tripwire,
    "trips",
    Tripwire { received: 0 },
    searchable
);

hostile!(
    Brittles,
    Brittle,
    "brittle",
    Brittle { received: 0 },
    searchable
);

/// A traitor's adversary that panics on the first message it is handed: the protocol's own
/// code (the traitor runs `Tripwire`'s handlers) is not what broke.
#[derive(Clone, Debug)]
struct Saboteur;

impl Adversary<Tripwire> for Saboteur {
    fn tamper(&mut self, _: &mut AdversaryCtx<'_>, _: NodeId, _: NodeId, _: ()) -> Option<()> {
        panic!("hostile: the adversary breaks on purpose")
    }

    fn snapshot(&self) -> Option<AdversarySnapshot<Tripwire>> {
        Some(Box::new(Saboteur))
    }
}

/// `Brittle`'s nodes judged by the `FragileJudge`.
struct Misjudged;

impl Protocol for Misjudged {
    type Process = Brittle;
    type Params = NoParams;
    fn name(&self) -> &'static str {
        "misjudged"
    }
    fn summary(&self) -> &'static str {
        "a hostile test protocol whose property panics"
    }
    fn properties(&self) -> Properties<Brittle> {
        Properties::new().eventually_in_runs("judged", "panics judging a run", || FragileJudge)
    }
    fn model(&self, _: &NoParams, _: usize) -> Model {
        Model::new()
    }
    fn process(&self, _: &NoParams, _: NodeId, _: usize) -> Brittle {
        Brittle { received: 0 }
    }
}

/// `Tripwire`'s nodes with one traitor whose adversary is the `Saboteur`.
struct Sabotaged;

impl Protocol for Sabotaged {
    type Process = Tripwire;
    type Params = NoParams;
    fn name(&self) -> &'static str {
        "sabotaged"
    }
    fn summary(&self) -> &'static str {
        "a hostile test protocol whose adversary panics"
    }
    fn properties(&self) -> Properties<Tripwire> {
        Properties::new()
    }
    fn adversaries(&self) -> Adversaries<Self> {
        Adversaries::new().add("saboteur", "panics on its first message", |_, _| Saboteur)
    }
    fn model(&self, _: &NoParams, _: usize) -> Model {
        Model::new()
    }
    fn process(&self, _: &NoParams, _: NodeId, _: usize) -> Tripwire {
        Tripwire { received: 0 }
    }
    fn exploration<E: Exploring<Self>>(&self, explorer: E) -> Option<E::Explorer> {
        Some(explorer.searchable())
    }
}

fn scenario(protocol: &str, nodes: usize, budget: &str) -> Scenario {
    scenario_with(protocol, nodes, &format!("[budget]\n{budget}\n"))
}

/// A scenario of one of the hostile protocols, ending with the tables in `tables`.
fn scenario_with(protocol: &str, nodes: usize, tables: &str) -> Scenario {
    let catalog = Catalog::new([
        &Panics as &'static dyn AnyProtocol,
        &Floods,
        &Hoards,
        &Trips,
        &Forgets,
        &Sabotaged,
        &Brittles,
        &Misjudged,
    ])
    .expect("a catalogue");
    let text = format!(
        "name = \"hostile-{protocol}\"\nprotocol = \"{protocol}\"\nnodes = {nodes}\n\
         seeds = {{ count = 20 }}\nduration = \"1s\"\nsettle = \"0ms\"\nexpect = \"pass\"\n\
         [network]\ndelay = [\"1ms\", \"2ms\"]\n{tables}"
    );
    ftsim_runner::scenario::parse(Path::new("hostile.toml"), &text, &catalog).expect("valid")
}

/// Sweeps all 20 seeds on two threads and returns the tally.
fn sweep(s: &Scenario) -> sweep::Tally {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .expect("a pool");
    let seeds = Seeds {
        start: 0,
        count: 20,
    };
    pool.install(|| sweep::tally(s.simulation.as_ref(), seeds, &|| {}))
}

#[test]
fn a_protocol_that_panics_fails_its_seeds_and_the_sweep_goes_on() {
    let s = scenario("panics", 3, "");
    let t = sweep(&s);
    assert_eq!(t.runs, 20);
    assert!(t.panics > 0 && t.panics < 20, "{} of 20 panicked", t.panics);
    let (seed, message) = t.first_panic.clone().expect("a panic");
    assert!(message.contains("hostile: panics on purpose"), "{message}");
    let again = s.simulation.run(seed, RunOptions::traced());
    assert!(matches!(again.outcome, Outcome::Panicked { .. }));
}

#[test]
fn a_protocol_that_floods_ends_each_seed_at_its_in_flight_budget() {
    let s = scenario(
        "floods",
        4,
        "max_in_flight = 5_000\nmax_events = 100_000_000",
    );
    let t = sweep(&s);
    assert_eq!((t.runs, t.budget_exceeded), (20, 20));
    let (_, what) = t.first_budget.clone().expect("a budget");
    assert_eq!(what, "budget exceeded: 5,000 messages in flight");
    let r = s.simulation.run(3, RunOptions::default());
    assert_eq!(
        r.outcome,
        Outcome::BudgetExceeded {
            budget: Budget::MessagesInFlight,
            limit: 5_000
        }
    );
}

#[test]
fn a_flood_with_default_budgets_ends_at_a_budget_not_in_a_crash() {
    let s = scenario("floods", 8, "max_events = 100_000_000");
    let r = s.simulation.run(0, RunOptions::default());
    assert!(
        matches!(r.outcome, Outcome::BudgetExceeded { budget, .. }
            if budget == Budget::MessagesInFlight || budget == Budget::Memory),
        "{:?}",
        r.outcome
    );
}

#[test]
fn a_protocol_whose_state_grows_without_end_ends_at_its_memory_budget() {
    let s = scenario("hoards", 3, "max_memory_mib = 16");
    let t = sweep(&s);
    assert_eq!((t.runs, t.budget_exceeded), (20, 20));
    let (_, what) = t.first_budget.clone().expect("a budget");
    assert_eq!(what, "budget exceeded: 16 MiB of memory");
}

#[test]
fn a_run_that_never_quiesces_ends_at_its_virtual_time_budget() {
    let s = scenario("hoards", 1, "max_time = \"2ms\"");
    let r = s.simulation.run(0, RunOptions::default());
    assert_eq!(
        r.outcome.budget_text().as_deref(),
        Some("budget exceeded: 2ms of virtual time")
    );
    assert!(r.stats.end_time.0 <= 2_000_000, "{:?}", r.stats.end_time);
}

#[test]
fn a_search_that_reaches_a_panic_reports_it_as_its_counterexample_and_the_run_replays_it() {
    let s = scenario("trips", 3, "");
    let cx = searched_panic(&s);
    assert_eq!(cx.property, "panic");
    assert!(
        cx.message
            .contains("node 1's handler panicked: hostile: trips on purpose"),
        "{}",
        cx.message
    );
    // Breadth-first, the shortest path: two messages delivered to node 1.
    assert_eq!(cx.steps.len(), 2, "{:?}", cx.steps);
    let timed = &cx.run;
    let options = RunOptions {
        trace: true,
        plan: Some(&timed.plan),
        choices: None,
        script: Some(&timed.script),
    };
    let run = s.simulation.run_recorded(0, options);
    assert!(
        matches!(&run.report.outcome, Outcome::Panicked { message, .. }
            if message.contains("hostile: trips on purpose")),
        "{:?}",
        run.report.outcome
    );
}

/// A panic in a traitor's adversary is a finding, said to be the adversary's (not the
/// node's handler's), by a sweep and by a search alike.
#[test]
fn a_panicking_adversary_is_named_as_what_panicked() {
    let s = scenario_with("sabotaged", 3, "[faults]\nbyzantine = { count = 1 }\n");
    let t = sweep(&s);
    assert_eq!((t.runs, t.panics), (20, 20));
    let (seed, message) = t.first_panic.clone().expect("a panic");
    assert!(
        message.contains("the adversary breaks on purpose"),
        "{message}"
    );
    let again = s.simulation.run(seed, RunOptions::traced());
    let Outcome::Panicked { during, .. } = &again.outcome else {
        panic!("{:?}", again.outcome);
    };
    assert!(during.ends_with("'s adversary"), "{during}");
    let cx = searched_panic(&s);
    assert!(
        cx.message.contains(
            "'s adversary panicked tampering with its messages: hostile: \
             the adversary breaks on purpose"
        ),
        "{}",
        cx.message
    );
}

/// A property that panics judging the end of a run fails that seed with the panic, said to
/// be at the end of the run, and the sweep goes on.
#[test]
fn a_property_that_panics_judging_a_run_fails_its_seeds_and_the_sweep_goes_on() {
    let s = scenario("misjudged", 3, "");
    let t = sweep(&s);
    assert_eq!((t.runs, t.panics), (20, 20));
    let (seed, message) = t.first_panic.clone().expect("a panic");
    assert!(message.contains("the judge breaks on purpose"), "{message}");
    let again = s.simulation.run(seed, RunOptions::traced());
    let Outcome::Panicked { during, .. } = &again.outcome else {
        panic!("{:?}", again.outcome);
    };
    assert!(during.contains("end of run"), "{during}");
}

/// A panic while a search copies a state (here a process's `Clone`) ends the search with
/// what panicked, on one thread or several, breadth- or depth-first: no counterexample (no run
/// copies states), and the test process survives it.
#[test]
fn a_panic_copying_a_state_ends_the_search_with_what_panicked() {
    let s = scenario("brittle", 3, "");
    assert!(s.simulation.run(0, RunOptions::traced()).outcome.is_ok());
    let explorer = s.simulation.explorer().expect("explorable");
    let breadth = |threads| {
        let limits = Limits {
            threads,
            ..Limits::default()
        };
        explorer.explore(&limits, &mut |_| None).expect("a search")
    };
    let depth = Strategy::Exhaustive {
        order: Order::Depth,
    };
    let deep = (explorer.search(&depth, &Limits::default(), &mut |_| None)).expect("a search");
    for report in [breadth(1), breadth(2), deep] {
        let End::Panicked(why) = &report.end else {
            panic!("not ended by the panic: {:?}", report.end);
        };
        assert_eq!(why, "hostile: copies break on purpose");
    }
}

/// The counterexample a breadth-first search of the scenario finds, which must be a panic.
fn searched_panic(s: &Scenario) -> Counterexample {
    let explorer = s.simulation.explorer().expect("explorable");
    let report = explorer
        .explore(&Limits::default(), &mut |_| None)
        .expect("a search");
    let End::Violation(cx) = report.end else {
        panic!("no counterexample: {:?}", report.end);
    };
    assert!(cx.panicked, "{cx:?}");
    cx
}

/// The engine's runs searched decision by decision: every decision at its simplest first.
fn decisions(s: &Scenario) -> DecisionEnd {
    let limits = DecisionLimits {
        values: 2,
        max_deviations: None,
        max_runs: Some(10_000),
        outside_ends: false,
    };
    search_decisions(s.simulation.as_ref(), &limits, &mut |_| None).end
}

#[test]
fn a_search_over_decisions_reports_a_panic_as_its_run_which_replays_it() {
    let s = scenario("panics", 3, "");
    let DecisionEnd::Found(found) = decisions(&s) else {
        panic!("no failing run");
    };
    // Node 1 is doomed by its one draw's other outcome: one decision away from the simplest.
    assert_eq!(found.deviations, 1);
    assert!(
        matches!(&found.failure, Failure::Panicked { message } if message.contains("hostile")),
        "{:?}",
        found.failure
    );
    let options = RunOptions {
        trace: false,
        plan: Some(&found.plan),
        choices: Some(&found.choices),
        script: None,
    };
    let again = s.simulation.run_recorded(0, options);
    assert!(again.fit.is_some_and(|f| f.is_exact()));
    assert_eq!(again.report.trace_hash, found.report.trace_hash);
    assert!(matches!(again.report.outcome, Outcome::Panicked { .. }));
}

#[test]
fn a_protocol_whose_runs_are_not_functions_of_their_decisions_is_caught() {
    let s = scenario("forgets", 3, "");
    let end = decisions(&s);
    assert!(
        matches!(end, DecisionEnd::Nondeterministic { .. }),
        "{end:?}"
    );
}
