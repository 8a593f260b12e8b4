//! Flooding consensus (FloodSet) over a perfect failure detector, crash-stop.
//!
//! Each process knows a set of values, initially its proposal. In each round it sends its set
//! to every process, then waits until it has the round's message from every process it does
//! not suspect; a message missed from a crashed peer moves it on without it. After the last
//! round it decides the minimum value it knows. With at most `f` crashes, `f + 1` rounds
//! guarantee agreement (some round is clean, after which all sets are equal); with `f` rounds
//! a crash in the middle of a broadcast can leave processes with different sets.

use std::fmt;

use sim_core::{Ctx, NodeId, Process, PropertyKind, RunReport, World};

use crate::consensus::{Agreement, Decision, Obliged, Validity};
use crate::registry::{
    describe, setup, ParamInfo, Params, PropertyDef, Protocol, ProtocolInfo, RunSpec, SpecError,
};

/// Proposals are drawn from 0..VALUE_RANGE so a set of values fits a bitmask.
const VALUE_RANGE: u64 = 100;

/// A set of values below 128, as a bitmask: cheap to copy, union and print.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Values(u128);

impl Values {
    pub fn single(v: u64) -> Self {
        Values(1 << v)
    }
    pub fn union(self, other: Values) -> Values {
        Values(self.0 | other.0)
    }
    pub fn min(self) -> Option<u64> {
        (self.0 != 0).then(|| self.0.trailing_zeros() as u64)
    }
}

impl fmt::Debug for Values {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set()
            .entries((0..128u64).filter(|v| self.0 & (1 << v) != 0))
            .finish()
    }
}

#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub enum Msg {
    /// "In round `round` I know `values`."
    Round { round: u32, values: Values },
}

#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub enum Obs {
    Propose(u64),
    Decide(u64),
}

impl Decision for Obs {
    fn proposed(&self) -> Option<u64> {
        match self {
            Obs::Propose(v) => Some(*v),
            Obs::Decide(_) => None,
        }
    }
    fn decided(&self) -> Option<u64> {
        match self {
            Obs::Decide(v) => Some(*v),
            Obs::Propose(_) => None,
        }
    }
}

#[derive(Debug)]
pub struct Flooding {
    rounds: u32,
    by_id: bool,
    /// The current round, from 1; `rounds + 1` once decided.
    round: u32,
    known: Values,
    /// Per round (index = round): who we heard from, and the union of what they sent.
    heard: Vec<u64>,
    incoming: Vec<Values>,
    suspected: u64,
}

impl Flooding {
    pub fn new(rounds: u32, by_id: bool) -> Self {
        Flooding {
            rounds,
            by_id,
            round: 1,
            known: Values::default(),
            heard: vec![0; rounds as usize + 2],
            incoming: vec![Values::default(); rounds as usize + 2],
            suspected: 0,
        }
    }

    fn everyone(n: usize) -> u64 {
        if n == 64 {
            u64::MAX
        } else {
            (1 << n) - 1
        }
    }

    /// Finishes every round whose messages are all in (or whose missing senders are suspected).
    fn advance(&mut self, ctx: &mut Ctx<'_, Self>) {
        let all = Self::everyone(ctx.n());
        while self.round <= self.rounds {
            let r = self.round as usize;
            if (self.heard[r] | self.suspected) & all != all {
                return;
            }
            self.known = self.known.union(self.incoming[r]);
            self.round += 1;
            if self.round > self.rounds {
                if let Some(v) = self.known.min() {
                    ctx.observe(Obs::Decide(v));
                }
            } else {
                self.send_round(ctx);
            }
        }
    }

    fn send_round(&mut self, ctx: &mut Ctx<'_, Self>) {
        let r = self.round as usize;
        self.heard[r] |= 1 << ctx.id();
        self.incoming[r] = self.incoming[r].union(self.known);
        ctx.broadcast(Msg::Round {
            round: self.round,
            values: self.known,
        });
    }
}

impl Process for Flooding {
    type Msg = Msg;
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
        self.known = Values::single(v);
        self.send_round(ctx);
        self.advance(ctx);
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, msg: Msg) {
        let Msg::Round { round, values } = msg;
        // Messages of finished rounds are late (their sender was suspected); ignore them.
        if round < self.round || round > self.rounds {
            return;
        }
        let r = round as usize;
        self.heard[r] |= 1 << from;
        self.incoming[r] = self.incoming[r].union(values);
        self.advance(ctx);
    }

    fn on_suspect(&mut self, ctx: &mut Ctx<'_, Self>, node: NodeId) {
        self.suspected |= 1 << node;
        self.advance(ctx);
    }
}

/// Reached when some process crashed before anyone decided: the run actually tested the
/// interesting case, so a passing sweep is not a vacuous one.
#[derive(Default)]
struct CrashBeforeDecision {
    reached: bool,
    decided: bool,
}

impl sim_core::Property<Flooding> for CrashBeforeDecision {
    fn name(&self) -> &str {
        "crash-before-decision"
    }
    fn kind(&self) -> PropertyKind {
        PropertyKind::Sometimes
    }
    fn observe(&mut self, w: &World<'_, Flooding>, _: NodeId, obs: &Obs) -> Result<(), String> {
        if matches!(obs, Obs::Decide(_)) && !self.decided {
            self.decided = true;
            self.reached = w.nodes().any(|i| w.ever_crashed(i));
        }
        Ok(())
    }
    fn finish(&mut self, _: &World<'_, Flooding>) -> Result<(), String> {
        if self.reached {
            Ok(())
        } else {
            Err("no process crashed before the first decision".into())
        }
    }
}

fn properties() -> Vec<PropertyDef<Flooding>> {
    vec![
        PropertyDef {
            name: "agreement",
            kind: PropertyKind::Always,
            help: "no two processes decide differently (uniform: including ones that crash later)",
            make: || Box::<Agreement>::default(),
        },
        PropertyDef {
            name: "validity",
            kind: PropertyKind::Always,
            help: "a decided value was proposed",
            make: || Box::<Validity>::default(),
        },
        crate::consensus::integrity("no process decides twice"),
        crate::consensus::termination(Obliged::Correct, "every process that never crashed decides"),
        PropertyDef {
            name: "crash-before-decision",
            kind: PropertyKind::Sometimes,
            help: "some process crashed before the first decision",
            make: || Box::<CrashBeforeDecision>::default(),
        },
    ]
}

pub struct FloodingConsensus;

impl Protocol for FloodingConsensus {
    fn info(&self) -> ProtocolInfo {
        ProtocolInfo {
            name: "flooding",
            summary: "Flooding consensus (FloodSet): flood known values for a fixed number of \
                      rounds over a perfect failure detector, then decide the minimum",
            params: vec![
                ParamInfo::int(
                    "rounds",
                    1,
                    64,
                    2,
                    "rounds before deciding; f + 1 tolerates f crashes",
                ),
                ParamInfo::choice(
                    "proposals",
                    &["random", "by-id"],
                    "random",
                    "random: each process proposes a value in 0..100 from its own stream; \
                     by-id: process i proposes i",
                ),
            ],
            invariants: describe(&properties()),
            adversaries: vec![],
            needs_detector: true,
        }
    }

    fn check(&self, _: &Params, n: usize) -> Result<(), SpecError> {
        crate::registry::at_most_nodes("flooding consensus", 64, n)
    }

    fn run(&self, spec: &RunSpec) -> RunReport {
        let rounds = spec.params.int("rounds") as u32;
        let by_id = spec.params.choice("proposals") == "by-id";
        let setup = setup(
            spec,
            &properties(),
            move |_, _| Flooding::new(rounds, by_id),
            None,
        );
        sim_core::Engine::new(setup, spec.seed).run()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::consensus::{Integrity, Termination};
    use crate::registry::ParamValue;
    use crate::testing::{ms, spec, sweep, violated};
    use sim_core::faults::CrashSpec;
    use sim_core::{FaultSpec, Outcome, Property, Time};

    fn crashes(f: u32) -> FaultSpec {
        FaultSpec {
            crashes: Some(CrashSpec {
                min: f,
                max: f,
                between: [ms(0), ms(12)],
                nodes: None,
                recover_after: None,
            }),
            ..FaultSpec::default()
        }
    }

    fn with_gap(rounds: i64) -> RunSpec {
        let mut s = spec(
            &FloodingConsensus,
            5,
            &[("rounds", ParamValue::Int(rounds))],
        );
        s.network.send_gap = sim_core::Duration::from_millis(1);
        s
    }

    #[test]
    fn without_faults_everyone_decides_the_minimum() {
        let s = spec(
            &FloodingConsensus,
            5,
            &[("proposals", ParamValue::Str("by-id".into()))],
        );
        let mut traced = s.clone();
        traced.config.trace = true;
        let r = FloodingConsensus.run(&traced);
        assert_eq!(r.outcome, Outcome::Ok);
        let decisions: Vec<&str> = r
            .trace
            .as_ref()
            .unwrap()
            .iter()
            .filter_map(|e| match &e.kind {
                sim_core::TraceKind::Observe { obs } if obs.starts_with("Decide") => {
                    Some(obs.as_str())
                }
                _ => None,
            })
            .collect();
        assert_eq!(decisions, vec!["Decide(0)"; 5]);
    }

    #[test]
    fn f_plus_one_rounds_tolerate_f_crashes() {
        for f in 1..=2u32 {
            let reports = sweep(
                &FloodingConsensus,
                &with_gap(f as i64 + 1),
                &crashes(f),
                0..300,
            );
            assert!(
                violated(&reports).is_empty(),
                "f = {f}: {:?}",
                violated(&reports)
            );
        }
    }

    #[test]
    fn f_rounds_are_caught_violating_agreement() {
        // With f = 2 a violation needs a chain of two crashes, each in the middle of a
        // broadcast: about 5 seeds in 1,000 here.
        for f in 1..=2u32 {
            let reports = sweep(
                &FloodingConsensus,
                &with_gap(f as i64),
                &crashes(f),
                0..1000,
            );
            let v = violated(&reports);
            assert!(
                v.get("agreement").copied().unwrap_or(0) > 0,
                "f = {f}: {v:?}"
            );
            assert!(!v.contains_key("validity") && !v.contains_key("integrity"));
        }
    }

    #[test]
    fn invariants_judge_hand_built_histories() {
        let states: Vec<Flooding> = (0..3).map(|_| Flooding::new(1, false)).collect();
        let up = [true; 3];
        let never = [false; 3];
        let crashed1 = [false, true, false];
        let w = World::new(Time::ZERO, &states, &up, &never, &never);

        let mut agreement = Agreement::default();
        let history = [
            (0, Obs::Propose(4)),
            (1, Obs::Propose(2)),
            (0, Obs::Decide(2)),
            (2, Obs::Decide(2)),
        ];
        for (node, obs) in &history {
            assert!(Property::<Flooding>::observe(&mut agreement, &w, *node, obs).is_ok());
        }
        let err =
            Property::<Flooding>::observe(&mut agreement, &w, 1, &Obs::Decide(4)).unwrap_err();
        assert!(
            err.contains("node 1 decided 4") && err.contains("decided 2"),
            "{err}"
        );

        let mut validity = Validity::default();
        for (node, obs) in &history {
            assert!(Property::<Flooding>::observe(&mut validity, &w, *node, obs).is_ok());
        }
        assert!(Property::<Flooding>::observe(&mut validity, &w, 1, &Obs::Decide(7)).is_err());

        let mut integrity = Integrity::default();
        assert!(Property::<Flooding>::observe(&mut integrity, &w, 0, &Obs::Decide(2)).is_ok());
        assert!(Property::<Flooding>::observe(&mut integrity, &w, 1, &Obs::Decide(2)).is_ok());
        assert!(Property::<Flooding>::observe(&mut integrity, &w, 0, &Obs::Decide(2)).is_err());

        // Termination: node 1 never decides. Fine if it crashed, a violation if it did not.
        let mut t = Termination::new(Obliged::Correct);
        for (node, obs) in [(0, Obs::Decide(2)), (2, Obs::Decide(2))] {
            Property::<Flooding>::observe(&mut t, &w, node, &obs).unwrap();
        }
        let err = Property::<Flooding>::finish(&mut t, &w).unwrap_err();
        assert!(err.starts_with("node 1 never decided"), "{err}");
        let w_crashed = World::new(Time::ZERO, &states, &up, &crashed1, &never);
        assert!(Property::<Flooding>::finish(&mut t, &w_crashed).is_ok());
    }
}
