//! Flooding consensus (FloodSet) over a perfect failure detector, crash-stop.
//!
//! **Model.** Crash-stop processes, reliable links, a perfect failure detector.
//!
//! **Algorithm.** Each process knows a set of values, initially its proposal. In each round it
//! sends its set to every process, then waits until it has the round's message from every
//! process it does not suspect; a message missed from a crashed peer moves it on without it.
//! After the last round it decides the minimum value it knows.
//!
//! **Invariants.** Agreement (uniform), validity, integrity, termination of every process
//! that never crashed.
//!
//! **Known result.** With at most `f` crashes, `f + 1` rounds guarantee agreement (some round
//! is clean, after which all sets are equal); with `f` rounds a crash in the middle of a
//! broadcast can leave processes with different sets, and the simulator must find such a seed
//! (`scenarios/flooding-*.toml`).

mod asynchronous;
mod process;
#[cfg(test)]
mod tests;

use ftsim_api::metrics::{measures::TimeToDecide, Metrics};
use ftsim_api::properties::consensus::{
    Agreement, CrashBeforeDecision, Decision, Integrity, Obliged, Termination, Validity,
};
use ftsim_api::DetectorClass;
use ftsim_api::Exploring;
use ftsim_api::{
    choice, params, DetectorModel, Duration, FaultClass, Model, NodeId, Process, Properties,
    Protocol, SpecError, Timing,
};

pub use asynchronous::{AsyncFlooding, AsyncFloodingConsensus, AsyncMsg};
use process::VALUE_RANGE;
pub use process::{Flooding, Msg, Obs, Values};

choice! {
    /// How processes pick what they propose.
    pub enum Proposals {
        /// Each process draws a value in 0..100 from its own stream.
        Random = "random",
        /// Process i proposes i.
        ById = "by-id",
    }
}

params! {
    /// Parameters of flooding consensus.
    pub struct FloodingParams {
        /// Rounds before deciding; f + 1 tolerates f crashes.
        rounds: u32 = 2, range 1..=64;
        /// random: each process proposes a value in 0..100 from its own stream; by-id: process
        /// i proposes i.
        proposals: Proposals = Proposals::Random;
    }
}

/// The declaration of flooding consensus.
pub struct FloodingConsensus;

impl Protocol for FloodingConsensus {
    type Process = Flooding;
    type Params = FloodingParams;

    fn name(&self) -> &'static str {
        "flooding"
    }

    fn summary(&self) -> &'static str {
        "Flooding consensus (FloodSet): flood known values for a fixed number of rounds over a \
         perfect failure detector, then decide the minimum"
    }

    fn properties(&self) -> Properties<Flooding> {
        floodset_properties()
    }

    fn detector(&self) -> Option<DetectorModel> {
        Some(floodset_detector())
    }

    fn validate(&self, _: &FloodingParams, nodes: usize) -> Result<(), SpecError> {
        ftsim_api::fits_node_set("flooding consensus", nodes)
    }

    fn model(&self, params: &FloodingParams, _: usize) -> Model {
        floodset_model(params.rounds)
    }

    fn metrics(&self, _: &FloodingParams) -> Metrics<Self::Process> {
        floodset_metrics()
    }
    fn process(&self, params: &FloodingParams, _: NodeId, _: usize) -> Flooding {
        Flooding::new(params.rounds, params.proposals == Proposals::ById)
    }

    fn exploration<E: Exploring<Self>>(&self, explorer: E) -> Option<E::Explorer> {
        Some(explorer.searchable())
    }
}

/// FloodSet's property table, for any process whose observations are decisions: the Rust
/// `flooding` and a FloodSet written in another language (ftsim-external's
/// `external-floodset`) are judged by the very same properties.
pub fn floodset_properties<P: Process + 'static>() -> Properties<P>
where
    P::Obs: Decision,
{
    Properties::new()
        .always(
            "agreement",
            "no two processes decide differently (uniform: including ones that crash later)",
            Agreement::default,
        )
        .always(
            "validity",
            "a decided value was proposed",
            Validity::default,
        )
        .always("integrity", "no process decides twice", Integrity::default)
        .eventually(
            "termination",
            "every process that never crashed decides",
            || Termination::new(Obliged::Correct),
        )
        .sometimes(
            "crash-before-decision",
            "some process crashed before the first decision",
            CrashBeforeDecision::default,
        )
}

/// The detector a FloodSet scenario gets when it names none: later than the default
/// network's slowest message (5ms), as the model assumes.
pub fn floodset_detector() -> DetectorModel {
    DetectorModel::Perfect {
        delay: Duration::from_millis(6),
    }
}

/// FloodSet's model with `rounds` rounds. It is a synchronous-round algorithm: f + 1 rounds
/// survive f crashes only if a crashed process's last messages are in before anyone is told
/// it crashed.
pub fn floodset_model(rounds: u32) -> Model {
    Model::new()
        .tolerates_at_most(FaultClass::CrashStop, rounds as usize - 1, "rounds − 1")
        .tolerates(FaultClass::Duplication)
        .tolerates(FaultClass::Reordering)
        .needs_detector(DetectorClass::Perfect)
        .timing(Timing::DetectorAfterLastMessage)
}

/// FloodSet's metric: the time to decide.
pub fn floodset_metrics<P: Process + 'static>() -> Metrics<P>
where
    P::Obs: Decision,
{
    Metrics::measured_by(TimeToDecide::default).latency(
        "time to decide",
        "from the start of the run to each process's decision",
    )
}
