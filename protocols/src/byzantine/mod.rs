//! Byzantine agreement: Lamport, Shostak and Pease's oral-messages algorithm OM(m).
//!
//! **Model.** Up to m Byzantine traitors among n nodes (2 to 64), the commander possibly one
//! of them; a traitor may send anything or nothing. The bundled scenarios have no crashes (a
//! crashed lieutenant would only be excused from deciding). Links are authenticated point to
//! point (a receiver knows who sent a message, so a traitor can lie about what it heard but
//! not speak for another node) and may delay, reorder and duplicate; no failure detector.
//! Timing is synchronous: the algorithm runs in rounds of `round`, which must exceed the
//! network's maximum delay, since a message that arrives after its round closes counts as
//! missing.
//!
//! **Algorithm.** The commander sends its order to every lieutenant; each lieutenant then acts
//! as the commander of OM(m - 1), relaying what it received to the others, down to OM(0).
//! Every value carries the path of nodes it went through ("1 says 2 says the commander says
//! v"), so the whole recursion runs as m + 1 synchronous rounds of an exponential
//! information-gathering tree: round k carries the paths of length k + 1. At the end a
//! lieutenant folds the tree back from the leaves: the value for a path is the majority of
//! what it received for that path and the values resolved for each of its extensions, and
//! RETREAT (0) when there is no strict majority or a message is missing. It decides the value
//! of the root path (the commander alone).
//!
//! Traitors are not special cases: a Byzantine node runs this same code and the engine passes
//! each of its messages through the scenario's adversary (equivocate, lie, silent, mix; see
//! [`adversaries`]).
//!
//! **Invariants.** IC1, agreement: no two loyal lieutenants decide differently. IC2,
//! validity: if the commander is loyal, every loyal lieutenant decides its order. Integrity:
//! no lieutenant decides twice. Termination: every loyal lieutenant decides.
//!
//! **Known result.** With at most m traitors, OM(m) gives agreement and validity exactly when
//! n > 3m, whoever the traitors are and whatever they send
//! (`scenarios/byzantine-n4-m1-*.toml` and `byzantine-n7-m2-*.toml`, which must try both a
//! traitor commander and a traitor lieutenant). With n = 3 and one traitor it fails: a loyal
//! lieutenant hears "v" from a loyal commander and "the commander said w" from the traitor,
//! cannot break the tie, and retreats against the order, which the simulator must catch as a
//! validity violation (`byzantine-n3-m1-*.toml`). The bound is tight for deeper recursions too
//! (two traitors among 6 nodes break agreement: `byzantine-n6-m2-equivocate.toml`), and the
//! recursion must be as deep as the traitors are many (OM(1) with two traitors among 7 nodes
//! breaks agreement: `byzantine-n7-m1-two-traitors.toml`).

pub mod adversaries;
mod path;
mod process;
mod properties;
#[cfg(test)]
mod tests;

use ftsim_api::metrics::{measures::TimeToDecide, Metrics};
use ftsim_api::properties::consensus::{Agreement, Integrity};
use ftsim_api::Exploring;
use ftsim_api::{
    params, Adversaries, Duration, FaultClass, Model, NodeId, Properties, Protocol, Silent,
    SpecError, Timing,
};

pub use adversaries::{Collude, Equivocate, Lie, Mix};
pub use path::{Path, MAX_M};
pub use process::{majority, Msg, Obs, Om, Timer, DEFAULT};
pub use properties::{CommanderValidity, LieutenantsDecide, TraitorIs};

/// The most messages one run may need; larger (n, m) are refused at validation rather than
/// cut short by the event budget.
const MAX_MESSAGES: u64 = 200_000;

params! {
    /// Parameters of OM(m).
    pub struct OmParams {
        /// recursion depth: OM(m) runs m + 1 rounds and tolerates m traitors if n > 3m
        m: u32 = 1, range 0..=6;
        /// the commander's node id
        commander: NodeId = 0, range 0..=63;
        /// orders are drawn from 0..values; 0 is RETREAT, the default for a missing message or
        /// a tie
        values: u64 = 2, range 2..=16;
        /// length of a synchronous round; must exceed the network's maximum delay, or a slow
        /// correct message counts as missing
        round: Duration = Duration::from_millis(10), range "1ms"..="10s";
    }
}

/// How many messages OM(m) sends with n nodes: round k carries every path of length k + 1,
/// each to the n - k - 1 nodes not on it.
pub fn message_count(n: u64, m: u64) -> u64 {
    let mut total = 0u64;
    let mut paths = 1u64; // paths of length k + 1 starting at the commander
    for k in 0..=m {
        if k > 0 {
            paths = paths.saturating_mul(n.saturating_sub(k));
        }
        total = total.saturating_add(paths.saturating_mul(n.saturating_sub(k + 1)));
    }
    total
}

/// The declaration of OM(m).
pub struct OralMessages;

impl Protocol for OralMessages {
    type Process = Om;
    type Params = OmParams;

    fn name(&self) -> &'static str {
        "byzantine"
    }

    fn summary(&self) -> &'static str {
        "Byzantine agreement with Lamport's oral-messages algorithm OM(m): a commander's order \
         relayed for m rounds, decided by recursive majority; tolerates m traitors when n > 3m"
    }

    fn properties(&self) -> Properties<Om> {
        Properties::new()
            .always(
                "agreement",
                "IC1: no two loyal lieutenants decide differently",
                Agreement::default,
            )
            .always(
                "validity",
                "IC2: if the commander is loyal, every loyal lieutenant decides its order",
                CommanderValidity::default,
            )
            .always(
                "integrity",
                "no lieutenant decides twice",
                Integrity::default,
            )
            .eventually_in_runs(
                "termination",
                "every loyal lieutenant decides",
                LieutenantsDecide::default,
            )
            .sometimes("traitor-commander", "the commander is a traitor", || {
                TraitorIs::COMMANDER
            })
            .sometimes(
                "traitor-lieutenant",
                "the commander is loyal and some lieutenant is a traitor",
                || TraitorIs::LIEUTENANT,
            )
    }

    fn adversaries(&self) -> Adversaries<Self> {
        Adversaries::new()
            .add(
                "equivocate",
                "tells the lower half of its peers the truth and the upper half another value",
                |p: &OmParams, _| Equivocate { values: p.values },
            )
            .add(
                "lie",
                "tells everyone the same wrong value",
                |p: &OmParams, _| Lie { values: p.values },
            )
            .add("silent", "sends nothing", |_, _| Silent)
            .add(
                "mix",
                "per message, at random: forwards it, drops it, flips its value or sends a \
                 random one",
                |p: &OmParams, _| Mix { values: p.values },
            )
            .add(
                "collude",
                "the traitors split the loyal lieutenants in two halves and tell each half its \
                 own consistent value, on every path (the worst case)",
                |p: &OmParams, _| Collude::new(p.values, p.commander),
            )
    }

    fn validate(&self, params: &OmParams, nodes: usize) -> Result<(), SpecError> {
        if !(2..=64).contains(&nodes) {
            return Err(SpecError::new(
                "nodes",
                format!("Byzantine agreement needs 2 to 64 nodes, found {nodes}"),
            ));
        }
        if params.commander >= nodes {
            return Err(SpecError::new(
                "params.commander",
                format!(
                    "node {} does not exist: expected 0 to {}",
                    params.commander,
                    nodes - 1
                ),
            ));
        }
        validate_depth(params.m, nodes)
    }

    fn model(&self, params: &OmParams, nodes: usize) -> Model {
        // OM(m) is proved for at most m traitors among more than 3m generals, in synchronous
        // rounds: a message that misses its round counts as missing.
        let m = params.m as usize;
        let (traitors, rule) = if nodes > 3 * m {
            (m, "m, with n > 3m")
        } else {
            (0, "none: OM(m) needs n > 3m")
        };
        Model::new()
            .tolerates_at_most(FaultClass::Byzantine, traitors, rule)
            .tolerates_at_most(FaultClass::CrashStop, traitors, rule)
            // m faulty generals in all: a crashed loyal general's messages are missing, as a
            // traitor's may be, so one traitor and one crash are two faults of OM(1)'s m.
            .faulty_nodes_at_most(traitors, rule)
            .tolerates(FaultClass::Duplication)
            .tolerates(FaultClass::Reordering)
            // A message must arrive before its round ends: one arriving as the round's timer
            // fires, scheduled after it, counts as missing (a search keeping time finds that
            // run when the bound is the round itself).
            .timing(Timing::DeliveredWithin {
                bound: Duration(params.round.0 - 1),
                rule: "params.round, strictly".into(),
            })
    }

    fn metrics(&self, _: &OmParams) -> Metrics<Self::Process> {
        Metrics::measured_by(TimeToDecide::default).latency(
            "time to decide",
            "from the start of the run to each lieutenant's decision",
        )
    }
    fn exploration<E: Exploring<Self>>(&self, explorer: E) -> Option<E::Explorer> {
        Some(explorer.searchable())
    }

    fn process(&self, params: &OmParams, _: NodeId, _: usize) -> Om {
        Om::new(params.commander, params.m, params.values, params.round)
    }
}

/// OM(m) needs m relays plus a receiver, and a message count a run can afford.
fn validate_depth(m: u32, nodes: usize) -> Result<(), SpecError> {
    if m as usize + 2 > nodes {
        return Err(SpecError::new(
            "params.m",
            format!(
                "OM({m}) relays through m lieutenants plus one receiver: expected m ≤ {} for \
                 {nodes} nodes",
                nodes - 2
            ),
        ));
    }
    let messages = message_count(nodes as u64, m as u64);
    if messages > MAX_MESSAGES {
        return Err(SpecError::new(
            "params.m",
            format!(
                "OM({m}) with {nodes} nodes sends {messages} messages per run: at most \
                 {MAX_MESSAGES} are supported"
            ),
        ));
    }
    Ok(())
}
