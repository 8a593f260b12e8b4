//! The test harness as a protocol author meets it: a failure names the seed, the property, the
//! message and how to replay it; a protocol that is not deterministic is caught; a `sometimes`
//! property never reached fails the check; a panicking protocol fails its seed only.

use std::sync::atomic::{AtomicU64, Ordering};

use ftsim_api::properties::consensus::Agreement;
use ftsim_api::{
    params, Ctx, Falsified, Model, NodeId, Process, Properties, Property, Protocol, World,
};
use ftsim_runner::Harness;

#[path = "common/decide.rs"]
mod decide;
use decide::Decide;

/// Decides a random bit at start: agreement breaks in most seeds of three nodes.
#[derive(Debug)]
struct Coin {
    panic_at_start: bool,
}

/// Counts runs across the whole test binary: what a protocol must never do.
static STARTS: AtomicU64 = AtomicU64::new(0);

impl Process for Coin {
    type Msg = ();
    type Timer = ();
    type Obs = Decide;
    type Stable = ();
    fn on_start(&mut self, ctx: &mut Ctx<'_, Self>) {
        assert!(!self.panic_at_start, "coin dropped on node {}", ctx.id());
        let toss = ctx.random_below(2);
        ctx.observe(Decide(toss));
    }
    fn on_message(&mut self, _: &mut Ctx<'_, Self>, _: NodeId, _: ()) {}
}

/// Reached when node 0 decided 1.
#[derive(Default)]
struct ZeroSaysOne(bool);

impl Property<Coin> for ZeroSaysOne {
    fn observe(
        &mut self,
        _: &World<'_, Coin>,
        node: NodeId,
        obs: &Decide,
    ) -> Result<(), Falsified> {
        self.0 |= node == 0 && obs.0 == 1;
        Ok(())
    }
    fn finish(&mut self, _: &World<'_, Coin>) -> Result<(), Falsified> {
        if self.0 {
            Ok(())
        } else {
            Err("node 0 never decided 1".into())
        }
    }
}

params! {
    /// What can go wrong with the coin.
    pub struct CoinParams {
        /// Panic in every start handler.
        panic_at_start: bool = false;
    }
}

struct CoinToss;

impl Protocol for CoinToss {
    type Process = Coin;
    type Params = CoinParams;
    fn name(&self) -> &'static str {
        "coin"
    }
    fn summary(&self) -> &'static str {
        "every node decides a coin toss"
    }
    fn properties(&self) -> Properties<Coin> {
        Properties::new()
            .always("agreement", "all decide alike", Agreement::default)
            .sometimes("zero-says-one", "node 0 decided 1", ZeroSaysOne::default)
    }
    fn model(&self, _: &CoinParams, _: usize) -> Model {
        Model::new()
    }
    fn process(&self, params: &CoinParams, _: NodeId, _: usize) -> Coin {
        Coin {
            panic_at_start: params.panic_at_start,
        }
    }
}

/// Like the coin, but the toss depends on how many runs came before: not a function of the seed.
#[derive(Debug)]
struct Leaky;

impl Process for Leaky {
    type Msg = ();
    type Timer = ();
    type Obs = Decide;
    type Stable = ();
    fn on_start(&mut self, ctx: &mut Ctx<'_, Self>) {
        ctx.observe(Decide(STARTS.fetch_add(1, Ordering::Relaxed) % 7));
    }
    fn on_message(&mut self, _: &mut Ctx<'_, Self>, _: NodeId, _: ()) {}
}

struct LeakyToss;

impl Protocol for LeakyToss {
    type Process = Leaky;
    type Params = CoinParams;
    fn name(&self) -> &'static str {
        "leaky"
    }
    fn summary(&self) -> &'static str {
        "decides from a global counter"
    }
    fn properties(&self) -> Properties<Leaky> {
        Properties::new()
    }
    fn model(&self, _: &CoinParams, _: usize) -> Model {
        Model::new()
    }
    fn process(&self, _: &CoinParams, _: NodeId, _: usize) -> Leaky {
        Leaky
    }
}

fn panic_text(f: impl FnOnce() + std::panic::UnwindSafe) -> String {
    let payload = std::panic::catch_unwind(f).expect_err("the check must fail");
    ftsim_api::sim_core::engine::panic_message(payload.as_ref())
}

#[test]
fn a_failure_names_the_seed_the_property_and_the_replay() {
    let text = panic_text(|| {
        Harness::new(&CoinToss)
            .named("coin failure")
            .seeds(0..50)
            .check();
    });
    assert!(text.contains("ftsim harness \"coin failure\""), "{text}");
    assert!(text.contains("violated \"agreement\""), "{text}");
    assert!(text.contains("decided"), "the property's message: {text}");
    let seed = Harness::new(&CoinToss)
        .seeds(0..50)
        .run()
        .first_failing_seed
        .unwrap();
    assert!(text.contains(&format!("seed {seed}:")), "{text}");
    assert!(text.contains(&format!(".replay({seed})")), "{text}");
    assert!(text.contains("cargo run -- replay"), "{text}");
    let file = text
        .split("cargo run -- replay ")
        .nth(1)
        .and_then(|rest| rest.split(" --seed").next())
        .expect("the command names a scenario file");
    assert!(file.ends_with("ftsim-harness/coin-failure.toml"), "{file}");
    let written = std::fs::read_to_string(file).expect("the scenario file is written");
    assert!(written.contains("protocol = \"coin\""), "{written}");
}

#[test]
fn a_violation_that_is_expected_is_found() {
    let h = Harness::new(&CoinToss).seeds(0..50);
    let seed = h.expect_violation("agreement");
    assert!(!h.run_seed(seed).violations.is_empty());
    h.assert_replays(seed);
}

#[test]
fn a_sometimes_property_never_reached_fails_the_check() {
    // With one node, node 0 tosses once per seed: find a seed where it tosses 0.
    let unreached = (0..64)
        .find(|&s| {
            Harness::new(&CoinToss)
                .nodes(1)
                .seeds(s..s + 1)
                .run()
                .reached
                .is_empty()
        })
        .expect("some seed tosses 0");
    let text = panic_text(move || {
        Harness::new(&CoinToss)
            .nodes(1)
            .seeds(unreached..unreached + 1)
            .check();
    });
    assert!(
        text.contains("\"zero-says-one\" was never reached"),
        "{text}"
    );
}

#[test]
fn a_protocol_that_is_not_deterministic_is_caught() {
    let text = panic_text(|| {
        Harness::new(&LeakyToss).nodes(2).seeds(0..3).check();
    });
    assert!(text.contains("is not deterministic"), "{text}");
    assert!(
        text.contains("HashMap"),
        "the message names the usual causes: {text}"
    );
}

#[test]
fn a_panicking_protocol_fails_its_seeds_with_the_message() {
    let h = Harness::new(&CoinToss)
        .params(CoinParams {
            panic_at_start: true,
        })
        .seeds(0..5);
    let t = h.run();
    assert_eq!((t.runs, t.panics), (5, 5));
    let text = panic_text(move || {
        h.check();
    });
    assert!(text.contains("coin dropped on node 0"), "{text}");
}

#[test]
fn check_determinism_runs_each_seed_twice_and_fails_a_leaky_protocol() {
    use ftsim_runner::sweep::{self, Seeds, SweepOptions};
    use ftsim_runner::Simulation;
    use std::sync::Arc;
    let never = std::sync::atomic::AtomicBool::new(false);
    let options = SweepOptions {
        stop: &never,
        twice: true,
        seed_wall_time: None,
    };
    let seeds = Seeds {
        start: 0,
        count: 20,
    };
    let leaky: Arc<dyn Simulation> = Harness::new(&LeakyToss).nodes(2).simulation();
    let t = sweep::tally_until(&leaky, seeds, &|| {}, options).unwrap();
    assert!(t.nondeterministic > 0, "{t:?}");
    let (ok, verdict) = sweep::judge(&ftsim_runner::Expect::Pass, &[], &t);
    assert!(!ok);
    assert!(
        verdict.contains("ran differently the second time (first: seed"),
        "{verdict}"
    );
    let coin: Arc<dyn Simulation> = Harness::new(&CoinToss).nodes(2).simulation();
    let t = sweep::tally_until(&coin, seeds, &|| {}, options).unwrap();
    assert_eq!((t.nondeterministic, t.runs), (0, 20));
}

/// Set once the test no longer needs the stuck handler to be stuck.
static RELEASE: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
/// Set by the first start: only one run gets stuck.
static STUCK_ONCE: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// A handler that never returns (in its first run only): a livelock inside one event, which
/// no event budget can end.
#[derive(Debug)]
struct Stuck;

impl Process for Stuck {
    type Msg = ();
    type Timer = ();
    type Obs = Decide;
    type Stable = ();
    fn on_start(&mut self, ctx: &mut Ctx<'_, Self>) {
        if !STUCK_ONCE.swap(true, Ordering::SeqCst) {
            while !RELEASE.load(Ordering::SeqCst) {
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
        }
        ctx.observe(Decide(1));
    }
    fn on_message(&mut self, _: &mut Ctx<'_, Self>, _: NodeId, _: ()) {}
}

struct StuckOnce;

impl Protocol for StuckOnce {
    type Process = Stuck;
    type Params = CoinParams;
    fn name(&self) -> &'static str {
        "stuck"
    }
    fn summary(&self) -> &'static str {
        "its first start never returns"
    }
    fn properties(&self) -> Properties<Stuck> {
        Properties::new()
    }
    fn model(&self, _: &CoinParams, _: usize) -> Model {
        Model::new()
    }
    fn process(&self, _: &CoinParams, _: NodeId, _: usize) -> Stuck {
        Stuck
    }
}

#[test]
fn a_seed_stuck_in_a_handler_fails_on_the_watchdog_and_the_sweep_goes_on() {
    use ftsim_runner::sweep::{self, Seeds, SweepOptions};
    use ftsim_runner::Simulation;
    use std::sync::Arc;
    let never = std::sync::atomic::AtomicBool::new(false);
    let options = SweepOptions {
        stop: &never,
        twice: false,
        seed_wall_time: Some(std::time::Duration::from_millis(300)),
    };
    let sim: Arc<dyn Simulation> = Harness::new(&StuckOnce).nodes(1).simulation();
    let seeds = Seeds {
        start: 0,
        count: 10,
    };
    let t = sweep::tally_until(&sim, seeds, &|| {}, options).unwrap();
    RELEASE.store(true, Ordering::SeqCst);
    assert_eq!(t.runs, 10, "every seed has a result");
    assert_eq!(t.budget_exceeded, 1, "{t:?}");
    assert_eq!(t.failed_runs, 1);
    let (ok, verdict) = sweep::judge(&ftsim_runner::Expect::Pass, &[], &t);
    assert!(!ok, "{verdict}");
}

/// A protocol whose model needs a perfect detector but which provides none by default.
struct BlindToss;

impl Protocol for BlindToss {
    type Process = Leaky;
    type Params = CoinParams;
    fn name(&self) -> &'static str {
        "blind"
    }
    fn summary(&self) -> &'static str {
        "needs a detector it never declares"
    }
    fn properties(&self) -> Properties<Leaky> {
        Properties::new()
    }
    fn model(&self, _: &CoinParams, _: usize) -> Model {
        Model::new().needs_detector(ftsim_api::DetectorClass::Perfect)
    }
    fn process(&self, _: &CoinParams, _: NodeId, _: usize) -> Leaky {
        Leaky
    }
}

/// The detector a model needs must be one the protocol gives by default: the declaration is
/// refused before any run, not judged against a scenario that silently has none.
#[test]
fn a_model_needing_a_detector_the_protocol_never_gives_is_refused() {
    use ftsim_runner::AnyProtocol;
    let error = BlindToss.info().check().unwrap_err();
    assert!(
        error.contains("its model needs a perfect detector (P), but its default detector gives no failure detector"),
        "{error}"
    );
    assert!(CoinToss.info().check().is_ok());
}
