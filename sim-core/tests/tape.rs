//! An edited tape: each recorded decision keeps its meaning when the run around it changes,
//! which is what lets a shrinker undo one loss without reshuffling every other message's fate.

mod common;

use common::*;
use sim_core::*;

/// Probes on a link that loses a fifth of the messages.
fn lossy() -> Setup<Probe> {
    let mut s = traced(setup(4, 20));
    s.network.default.loss_ppm = 200_000;
    s
}

/// The ids of the messages lost by the link.
fn lost(report: &RunReport) -> Vec<u64> {
    let trace = report.trace.as_deref().unwrap_or_default();
    trace
        .iter()
        .filter_map(|e| match e.kind {
            TraceKind::Drop {
                msg_id,
                reason: DropReason::Loss,
                ..
            } => Some(msg_id),
            _ => None,
        })
        .collect()
}

#[test]
fn undoing_one_loss_leaves_every_other_fate_as_recorded() {
    let seed = 7;
    let mut recorded = Engine::with_choices(lossy(), seed, Recorder::new(Seeded::new(seed)));
    let original = recorded.run();
    let mut tape = recorded.into_choices().tape;
    // A lost pong: delivering it makes nobody send anything, so every message keeps its id.
    let pongs: Vec<MsgKey> = tape
        .iter()
        .filter_map(|c| c.draw.msg())
        .filter(|m| m.to == 0 && m.from != 0)
        .collect();
    let i = tape
        .iter()
        .position(|c| {
            matches!(c.draw, Draw::Loss { .. })
                && c.draw.happens(c.value)
                && pongs.contains(&c.draw.msg().unwrap())
        })
        .expect("a lost pong");
    tape[i].value = tape[i].draw.simplest(tape[i].bound);

    let mut replay = Engine::with_choices(lossy(), seed, Tape::new(tape));
    let edited = replay.run();
    let before = lost(&original);
    let after = lost(&edited);
    assert_eq!(after.len() + 1, before.len(), "{before:?} -> {after:?}");
    assert!(after.iter().all(|id| before.contains(id)), "no new loss");
    assert_eq!(
        edited.stats.messages_delivered,
        original.stats.messages_delivered + 1
    );
    // The delivered pong's delay was never recorded: the shortest, and counted.
    let tape = replay.choices();
    assert_eq!(tape.divergences, 1);
    assert_eq!(tape.unused(), 0);
    let first = tape.first_divergence.unwrap();
    assert!(
        matches!(first.draw, Draw::Delay { copy: false, .. }),
        "{first:?}"
    );
}

/// Writes its stable storage once a millisecond without syncing; reports what it finds there
/// when it recovers.
#[derive(Debug)]
struct Scribbler;

#[derive(Clone, Debug, Default, Hash)]
struct Pages(u32);

impl Process for Scribbler {
    type Msg = ();
    type Timer = ();
    type Obs = u32;
    type Stable = Pages;
    fn on_start(&mut self, ctx: &mut Ctx<'_, Self>) {
        ctx.set_timer(Duration::from_millis(1), ());
    }
    fn on_message(&mut self, _: &mut Ctx<'_, Self>, _: NodeId, _: ()) {}
    fn on_timer(&mut self, ctx: &mut Ctx<'_, Self>, _: ()) {
        ctx.stable_mut().0 += 1;
        ctx.set_timer(Duration::from_millis(1), ());
    }
    fn on_recover(&mut self, ctx: &mut Ctx<'_, Self>) {
        let pages = ctx.stable().0;
        ctx.observe(pages);
    }
}

/// Two nodes scribble; node 1 crashes at 5ms (after four unsynced writes) and recovers at
/// 6ms, under torn writes.
fn torn() -> Setup<Scribbler> {
    let plan = FaultPlan {
        events: vec![
            fault(5, FaultKind::Crash { node: 1 }),
            fault(6, FaultKind::Recover { node: 1 }),
        ],
        storage: faults::StorageFaults::Torn,
        ..FaultPlan::default()
    };
    Setup {
        n: 2,
        network: NetworkModel::default(),
        detector: DetectorModel::None,
        plan,
        config: RunConfig {
            trace: true,
            ..RunConfig::default()
        },
        factory: Box::new(|_, _| Scribbler),
        properties: Vec::new(),
        adversary: None,
    }
}

/// What node 1 found on its disk when it recovered.
fn recovered_pages(report: &RunReport) -> String {
    let trace = report.trace.as_deref().unwrap_or_default();
    trace
        .iter()
        .find_map(|e| match &e.kind {
            TraceKind::Observe { obs } => Some(obs.clone()),
            _ => None,
        })
        .expect("node 1 recovered")
}

#[test]
fn a_torn_write_is_a_decision_about_its_node() {
    // A seed whose tear keeps some of the writes.
    let (seed, recorded, tape) = (0..50)
        .find_map(|seed| {
            let mut engine = Engine::with_choices(torn(), seed, Recorder::new(Seeded::new(seed)));
            let report = engine.run();
            let tape = engine.into_choices().tape;
            (recovered_pages(&report) != "0").then_some((seed, report, tape))
        })
        .expect("a tear that keeps a write");
    let [tear] = &tape[..] else {
        panic!("one decision, the tear: {tape:?}");
    };
    assert_eq!(
        (tear.stream, tear.draw),
        (Stream::Storage, Draw::Tear { node: 1 })
    );
    assert_eq!(tear.bound, 4, "four unsynced writes to choose from");

    // The tape replays the tear without the seed.
    let mut replay = Engine::with_choices(torn(), seed, Tape::new(tape.clone()));
    assert_eq!(replay.run().trace_hash, recorded.trace_hash);
    assert!(replay.choices().is_exact());

    // Edited to its simplest outcome, the tear keeps nothing: every unsynced write is lost.
    let mut edited = tape;
    edited[0].value = edited[0].draw.simplest(edited[0].bound);
    let mut replay = Engine::with_choices(torn(), seed, Tape::new(edited));
    assert_eq!(recovered_pages(&replay.run()), "0");
    assert!(replay.choices().is_exact());
}
