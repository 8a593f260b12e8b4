//! FloodSet in any language, declared by the catalogue's own FloodSet (`protocol =
//! "flooding"`): the same property table (agreement, validity, integrity, termination), the
//! same model (crash-stop, at most `rounds − 1` crashes, a perfect failure detector whose
//! notice comes after a crashed node's last message), the same default detector and metric.
//! Each node observes its proposal (`{"ftsim": "observe", "kind": "propose", "value": 7}`)
//! and its decision (`"kind": "decide"`), and reads `rounds` and `proposals` from `init`'s
//! `ftsim.params`. So a FloodSet written in another language runs the flooding scenarios with
//! only its `protocol` and `node` lines changed, and must get their verdicts.

use ftsim_api::command::Command;
use ftsim_api::metrics::Metrics;
use ftsim_api::{
    choice, params, DetectorModel, Duration, Exploring, Model, NodeId, Properties, Protocol,
    SpecError,
};
use protocols::flooding::{
    floodset_detector, floodset_metrics, floodset_model, floodset_properties,
};

use super::Speaks;
use crate::member::Member;
use crate::names::Names;

choice! {
    /// How nodes pick what they propose (they read it from `init`).
    pub enum Proposals {
        /// Each node draws a value in 0..100 from its own seeded randomness.
        Random = "random",
        /// Node i proposes i.
        ById = "by-id",
    }
}

params! {
    /// Parameters of FloodSet over external nodes.
    pub struct FloodSetParams {
        /// the command that runs one node (a file beside the scenario is found there)
        node: Command = Command::default();
        /// wall-clock time a node may take for one step before its seed fails (it hangs)
        step_timeout: Duration = Duration::from_secs(10), range "1ms"..="3600s";
        /// resident memory a node may hold, in MiB, before its seed fails (read every 64
        /// steps)
        node_memory_max_mb: u64 = 1024, range 1..=1_048_576;
        /// rounds before deciding (f + 1 tolerates f crashes); given to the nodes
        rounds: u32 = 2, range 1..=64;
        /// random: each node proposes a value in 0..100 from its seeded randomness; by-id:
        /// node i proposes i; given to the nodes
        proposals: Proposals = Proposals::Random;
    }
}

/// FloodSet over external nodes.
pub struct ExternalFloodSet;

impl Protocol for ExternalFloodSet {
    type Process = Member;
    type Params = FloodSetParams;

    fn name(&self) -> &'static str {
        "external-floodset"
    }

    fn summary(&self) -> &'static str {
        "FloodSet over external nodes (params.node), declared as the catalogue's flooding: \
         its properties, model and detector"
    }

    fn properties(&self) -> Properties<Member> {
        floodset_properties()
    }

    fn detector(&self) -> Option<DetectorModel> {
        Some(floodset_detector())
    }

    fn validate(&self, params: &FloodSetParams, nodes: usize) -> Result<(), SpecError> {
        super::validate_group(&params.node, &Names::of_group(nodes, 0, &[]))
    }

    fn model(&self, params: &FloodSetParams, _: usize) -> Model {
        floodset_model(params.rounds)
    }

    fn metrics(&self, _: &FloodSetParams) -> Metrics<Member> {
        floodset_metrics()
    }

    fn process(&self, params: &FloodSetParams, node: NodeId, nodes: usize) -> Member {
        super::member(
            &params.node,
            // Its observations are ftsim's extension: a plain Maelstrom node has none.
            Speaks::Ftsim,
            params,
            super::limits(params.step_timeout, params.node_memory_max_mb),
            Names::of_group(nodes, 0, &[]),
            node,
            || unreachable!("FloodSet has no clients"),
        )
    }

    /// Searchable: a search copies and hashes members (`member::Member`).
    fn exploration<E: Exploring<Self>>(&self, explorer: E) -> Option<E::Explorer> {
        Some(explorer.searchable())
    }
}
