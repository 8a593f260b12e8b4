//! Protocols in any language. A scenario names a program (`[params] node = "python3
//! echo.py"`); ftsim starts one per node and talks to it over stdin and stdout in Maelstrom's
//! message format with ftsim's extension (`wire`): virtual time in every input, an explicit
//! end to every step, timers, randomness, durable storage and observations through ftsim. So a
//! run of external nodes is a pure function of the scenario and the seed, like any other:
//! replay, shrink, diff and the diagrams work on it.
//!
//! The workloads (`workloads`) are ordinary protocols whose servers are external nodes
//! ([`member::Member::Node`]) and whose clients and services (`lin-kv`, `seq-kv`, `lww-kv`)
//! are ftsim's own nodes. Programs are kept running between the seeds of a sweep, one set per
//! thread (`pool`), and started over with `init`.

pub mod client;
pub mod history;
pub mod live;
pub mod member;
pub mod messages;
pub mod names;
pub mod node;
pub mod plain;
pub mod pool;
pub mod program;
pub mod services;
pub mod wire;
pub mod workloads;

use ftsim_runner::AnyProtocol;

/// The workloads over external nodes, for the catalogue.
pub fn all() -> &'static [&'static dyn AnyProtocol] {
    &[
        &workloads::echo::Echo,
        &workloads::unique_ids::UniqueIds,
        &workloads::broadcast::Broadcast,
        &workloads::counter::G_COUNTER,
        &workloads::counter::PN_COUNTER,
        &workloads::lin_kv::LinKv,
        &workloads::kafka::Kafka,
        &workloads::floodset::ExternalFloodSet,
        &workloads::two_phase::ExternalTwoPhase,
    ]
}
