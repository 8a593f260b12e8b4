//! Flooding consensus for an asynchronous system with a perfect failure detector (Cachin,
//! Guerraoui & Rodrigues, *Introduction to Reliable and Secure Distributed Programming*,
//! algorithm "Flooding Consensus").
//!
//! FloodSet's fixed `f + 1` rounds rely on synchronous rounds: a late message of a crashed
//! process, ignored because its round is over, can leave processes with different sets. Here
//! no message is ever late: each round keeps collecting whatever arrives for it. A process ends
//! a round once it heard from every process it does not suspect, and decides in a round that
//! brought no change in who it heard from (no new crash reached it), otherwise it floods the
//! values it knows in the next round. A decision is relayed, so a process that missed the
//! decisive round learns it from a correct decider. This gives regular agreement (no two
//! correct processes decide differently) under any delays; a process that decides and crashes
//! at once may have decided alone.

use ftsim_api::metrics::{measures::TimeToDecide, Metrics};
use ftsim_api::properties::consensus::{
    CrashBeforeDecision, Integrity, Obliged, RegularAgreement, Termination, Validity,
};
use ftsim_api::DetectorClass;
use ftsim_api::{
    params, Ctx, DetectorModel, Duration, Exploring, FaultClass, Model, NodeId, NodeSet, Process,
    Properties, Protocol, SpecError,
};

use super::{Obs, Proposals, Values, VALUE_RANGE};

/// What asynchronous flooding sends.
#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub enum AsyncMsg {
    /// "In round `round` I know `values`."
    Proposal { round: u32, values: Values },
    /// "I decided `value`": relayed so that everyone correct decides.
    Decided { value: u64 },
}

/// A process of asynchronous flooding consensus.
#[derive(Clone, Debug, Hash)]
pub struct AsyncFlooding {
    by_id: bool,
    /// The processes not suspected.
    correct: NodeSet,
    /// The current round, from 1.
    round: u32,
    /// Per round (index = round): who we heard from, and the union of what they sent. Round 0
    /// is "everyone", as if everyone had been heard from before the start.
    heard: Vec<NodeSet>,
    values: Vec<Values>,
    decided: Option<u64>,
}

impl AsyncFlooding {
    /// A process that proposes its id (`by_id`) or a random value.
    pub fn new(by_id: bool, n: usize) -> Self {
        AsyncFlooding {
            by_id,
            correct: NodeSet::all(n),
            round: 1,
            heard: vec![NodeSet::all(n), NodeSet::EMPTY],
            values: vec![Values::default(); 2],
            decided: None,
        }
    }

    /// The bookkeeping of `round`, grown on demand (a message may come rounds early).
    fn slot(&mut self, round: u32) -> usize {
        let r = round as usize;
        if self.heard.len() <= r {
            self.heard.resize(r + 1, NodeSet::EMPTY);
            self.values.resize(r + 1, Values::default());
        }
        r
    }

    fn record(&mut self, round: u32, from: NodeId, values: Values) {
        let r = self.slot(round);
        self.heard[r].insert(from);
        self.values[r] = self.values[r].union(values);
    }

    /// Ends every round whose messages are all in: decides, or floods into the next round.
    fn advance(&mut self, ctx: &mut Ctx<'_, Self>) {
        while self.decided.is_none() {
            let r = self.round as usize;
            if !self.heard[r].is_superset(self.correct) {
                return;
            }
            if self.heard[r] == self.heard[r - 1] {
                if let Some(v) = self.values[r].min() {
                    self.decide(ctx, v);
                }
                return;
            }
            let known = self.values[r];
            self.round += 1;
            let round = self.round;
            self.record(round, ctx.id(), known);
            ctx.broadcast(AsyncMsg::Proposal {
                round,
                values: known,
            });
        }
    }

    fn decide(&mut self, ctx: &mut Ctx<'_, Self>, value: u64) {
        self.decided = Some(value);
        ctx.observe(Obs::Decide(value));
        ctx.broadcast(AsyncMsg::Decided { value });
    }
}

impl Process for AsyncFlooding {
    type Msg = AsyncMsg;
    type Timer = ();
    type Obs = Obs;
    type Stable = ();

    fn on_start(&mut self, ctx: &mut Ctx<'_, Self>) {
        let v = if self.by_id {
            ctx.id() as u64
        } else {
            ctx.random_below(VALUE_RANGE)
        };
        ctx.observe(Obs::Propose(v));
        self.record(1, ctx.id(), Values::single(v));
        ctx.broadcast(AsyncMsg::Proposal {
            round: 1,
            values: Values::single(v),
        });
        self.advance(ctx);
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, msg: AsyncMsg) {
        match msg {
            AsyncMsg::Proposal { round, values } => self.record(round, from, values),
            // As in the book, only a decision from a process not suspected is taken over.
            AsyncMsg::Decided { value } => {
                if self.decided.is_none() && self.correct.contains(from) {
                    self.decide(ctx, value);
                }
            }
        }
        self.advance(ctx);
    }

    fn on_suspect(&mut self, ctx: &mut Ctx<'_, Self>, node: NodeId) {
        self.correct.remove(node);
        self.advance(ctx);
    }
}

params! {
    /// Parameters of asynchronous flooding consensus.
    pub struct AsyncFloodingParams {
        /// random: each process proposes a value in 0..100 from its own stream; by-id: process
        /// i proposes i.
        proposals: Proposals = Proposals::Random;
    }
}

/// The declaration of asynchronous flooding consensus.
pub struct AsyncFloodingConsensus;

impl Protocol for AsyncFloodingConsensus {
    type Process = AsyncFlooding;
    type Params = AsyncFloodingParams;

    fn name(&self) -> &'static str {
        "flooding-async"
    }

    fn summary(&self) -> &'static str {
        "Flooding consensus for asynchronous systems with a perfect failure detector: rounds \
         end when every unsuspected process was heard from; decide in a round with no new \
         crash, and relay the decision"
    }

    fn properties(&self) -> Properties<AsyncFlooding> {
        Properties::new()
            .eventually_in_runs(
                "agreement",
                "no two correct processes decide differently (regular: judged at the end, when \
                 it is known who never crashed)",
                RegularAgreement::default,
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

    fn detector(&self) -> Option<DetectorModel> {
        Some(DetectorModel::Perfect {
            delay: Duration::from_millis(2),
        })
    }

    fn validate(&self, _: &AsyncFloodingParams, nodes: usize) -> Result<(), SpecError> {
        ftsim_api::fits_node_set("asynchronous flooding consensus", nodes)
    }

    fn model(&self, _: &AsyncFloodingParams, nodes: usize) -> Model {
        // Any delays, any crash pattern short of everyone, if no live process is ever
        // suspected: a false suspicion makes a process decide without a live peer's values.
        Model::new()
            .tolerates_at_most(FaultClass::CrashStop, nodes - 1, "all but one")
            .needs_detector(DetectorClass::Perfect)
            .tolerates(FaultClass::Duplication)
            .tolerates(FaultClass::Reordering)
    }

    fn metrics(&self, _: &AsyncFloodingParams) -> Metrics<Self::Process> {
        Metrics::measured_by(TimeToDecide::default).latency(
            "time to decide",
            "from the start of the run to each process's decision",
        )
    }
    fn process(&self, params: &AsyncFloodingParams, _: NodeId, nodes: usize) -> AsyncFlooding {
        AsyncFlooding::new(params.proposals == Proposals::ById, nodes)
    }

    fn exploration<E: Exploring<Self>>(&self, explorer: E) -> Option<E::Explorer> {
        Some(explorer.searchable())
    }
}
