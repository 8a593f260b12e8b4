//! The clocks a traced run stamps its entries with follow Lamport's rules, through crashes,
//! recoveries, losses, duplicates and a detector's notices: a node's clock counts its events
//! and sends, and a delivery takes it past the clock its message left with. Only a traced run
//! keeps these clocks (the tracer does, not the engine's messages), so nothing else checks them.

mod common;

use std::collections::BTreeMap;

use common::*;
use sim_core::*;

/// Whether an entry of this kind is a step its node's Lamport clock counts.
fn counts(kind: &TraceKind) -> bool {
    matches!(
        kind,
        TraceKind::Start
            | TraceKind::Crash
            | TraceKind::Recover
            | TraceKind::Send { .. }
            | TraceKind::TimerFire { .. }
            | TraceKind::Suspect { .. }
            | TraceKind::Restore { .. }
    )
}

#[test]
fn every_entry_follows_lamports_rules_across_chaotic_runs() {
    let mut delivered = 0;
    for seed in 0..40 {
        let report = Engine::new(chaotic_setup(seed, true), seed).run();
        let mut clock: BTreeMap<NodeId, u64> = BTreeMap::new();
        let mut sent: BTreeMap<u64, u64> = BTreeMap::new();
        for entry in trace_of(&report) {
            let Some(node) = entry.node else {
                assert_eq!(entry.lamport, 0, "seed {seed}: {entry:?}");
                continue;
            };
            let before = clock.get(&node).copied().unwrap_or(0);
            let expected = match &entry.kind {
                TraceKind::Deliver { msg_id, .. } => {
                    delivered += 1;
                    before.max(sent[msg_id]) + 1
                }
                kind if counts(kind) => before + 1,
                _ => before,
            };
            assert_eq!(entry.lamport, expected, "seed {seed}: {entry:?}");
            if let TraceKind::Send { msg_id, .. } = entry.kind {
                sent.insert(msg_id, entry.lamport);
            }
            clock.insert(node, entry.lamport);
        }
    }
    assert!(delivered > 1_000, "too few deliveries checked: {delivered}");
}
