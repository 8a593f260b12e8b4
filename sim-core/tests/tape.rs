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
