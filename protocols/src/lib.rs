//! The protocol catalogue of ftsim. Each family is one module holding its processes, its
//! known-buggy variants (as parameters) and its invariants; properties shared by several
//! families (agreement, validity…) live in their own modules and are reused, not copied. The
//! [`registry`] describes every family to the CLI and erases its process type once per run.

pub mod broadcast;
pub mod byzantine;
pub mod checkpoint;
pub mod consensus;
pub mod delivery;
pub mod flooding;
pub mod lock_server;
pub mod paxos;
pub mod primary_backup;
pub mod registry;
#[cfg(test)]
mod testing;
pub mod total_order;
pub mod twophase;

pub use registry::{
    InvariantInfo, ParamInfo, ParamKind, ParamValue, Params, Protocol, ProtocolInfo, RunSpec,
    SpecError,
};

/// Every protocol family, in the order `ftsim list` shows them.
pub fn all() -> &'static [&'static dyn Protocol] {
    &[
        &flooding::FloodingConsensus,
        &broadcast::Broadcast,
        &primary_backup::PrimaryBackup,
        &twophase::TwoPhaseCommit,
        &checkpoint::Checkpointing,
        &total_order::TotalOrderMulticast,
        &lock_server::LockServer,
        &byzantine::OralMessages,
        &paxos::SingleDecreePaxos,
    ]
}

/// The protocol family with this name.
pub fn find(name: &str) -> Option<&'static dyn Protocol> {
    all().iter().copied().find(|p| p.info().name == name)
}

/// "node 3" or "nodes 1, 2 and 4", for violation messages.
pub fn nodes_phrase(nodes: &[sim_core::NodeId]) -> String {
    match nodes {
        [] => "no node".to_string(),
        [one] => format!("node {one}"),
        [init @ .., last] => format!(
            "nodes {} and {last}",
            init.iter()
                .map(|n| n.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}
