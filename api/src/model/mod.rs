//! The model a protocol claims to tolerate: which kinds of fault, how many, and what timing it
//! needs. A verdict means something only inside that model, so ftsim compares every scenario
//! with it before running (the scenario *may* step outside) and every failing run after it
//! ran (its drawn faults *did* step outside): such a failure is counted as "outside
//! assumptions", apart from real violations, with the reason.
//!
//! Safety and liveness assume different things: two-phase commit stays atomic under any
//! crashes but terminates only if crashed nodes come back. So a model lists what safety
//! tolerates ([`Model::tolerates`]) and, on top, what liveness needs ([`Liveness`]); a
//! liveness violation is judged against both, a safety violation against the first only.

mod detector;
mod quiesce;
mod roles;
mod run;
mod scenario;

pub use detector::DetectorClass;
use quiesce::Quiesce;
use roles::Role;
pub use run::classify;
pub use run::Breaches;

use std::fmt;

use sim_core::Duration;

/// A kind of fault a scenario can inject.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FaultClass {
    /// Nodes stop for good.
    CrashStop,
    /// Nodes stop and restart from their stable storage.
    CrashRecover,
    /// Links lose messages.
    Loss,
    /// Links deliver a message twice.
    Duplication,
    /// Links deliver out of order (links not FIFO).
    Reordering,
    /// The network splits (both ways or one way).
    Partition,
    /// Nodes lose some of the messages they send or receive.
    Omission,
    /// Nodes behave arbitrarily (driven by an adversary).
    Byzantine,
    /// Node clocks run off or at another rate (timers fire on the node's clock).
    ClockSkew,
    /// Stable storage loses writes that were not synced, at a crash.
    StorageLoss,
    /// Nodes run slow for a while (their sends and timers stretched).
    FailSlow,
}

impl FaultClass {
    /// Every class, in the order tables show them.
    pub const ALL: [FaultClass; 11] = [
        FaultClass::CrashStop,
        FaultClass::CrashRecover,
        FaultClass::Loss,
        FaultClass::Duplication,
        FaultClass::Reordering,
        FaultClass::Partition,
        FaultClass::Omission,
        FaultClass::Byzantine,
        FaultClass::ClockSkew,
        FaultClass::StorageLoss,
        FaultClass::FailSlow,
    ];

    /// Whether the class only changes *when* things happen (clocks, slow nodes): a protocol
    /// with no timing assumption tolerates it without saying so.
    pub fn is_timing(self) -> bool {
        matches!(self, FaultClass::ClockSkew | FaultClass::FailSlow)
    }

    /// The words tables and reasons use.
    pub fn name(self) -> &'static str {
        match self {
            FaultClass::CrashStop => "crash-stop",
            FaultClass::CrashRecover => "crash-recover",
            FaultClass::Loss => "loss",
            FaultClass::Duplication => "duplication",
            FaultClass::Reordering => "reordering",
            FaultClass::Partition => "partitions",
            FaultClass::Omission => "omissions",
            FaultClass::Byzantine => "byzantine",
            FaultClass::ClockSkew => "clock skew",
            FaultClass::StorageLoss => "storage loss",
            FaultClass::FailSlow => "fail-slow",
        }
    }
}

impl fmt::Display for FaultClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How many nodes a fault may hit, with the rule that sets it ("rounds − 1", "n > 3m").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bound {
    /// The most nodes it may hit in a run.
    pub max: usize,
    /// Where the number comes from, in words.
    pub rule: String,
}

/// A timing assumption.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Timing {
    /// Every message is delivered within `bound` of being sent (synchronous rounds).
    DeliveredWithin {
        /// The longest a message may take, from the send to the delivery.
        bound: Duration,
        /// Where it comes from, in words (e.g. "params.round").
        rule: String,
    },
    /// The failure detector tells of a crash only after every message the crashed node sent
    /// has arrived (its notice never overtakes the node's last messages).
    DetectorAfterLastMessage,
    /// Clocks drift by at most `ppm` parts per million either way (an offset alone is fine:
    /// the protocol measures intervals, not dates).
    DriftAtMost {
        /// The largest drift tolerated, in parts per million.
        ppm: u32,
        /// Where it comes from, in words.
        rule: String,
    },
}

impl fmt::Display for Timing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Timing::DeliveredWithin { bound, rule } => {
                write!(f, "every message delivered within {bound} ({rule})")
            }
            Timing::DetectorAfterLastMessage => {
                f.write_str("a crash is detected only after the crashed node's last messages")
            }
            Timing::DriftAtMost { ppm, rule } => {
                write!(
                    f,
                    "clocks drift by at most {}% ({rule})",
                    *ppm as f64 / 10_000.0
                )
            }
        }
    }
}

/// What liveness needs beyond what safety tolerates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Liveness {
    /// Every node that crashes is up again at the end of the run.
    CrashedNodesRecover,
    /// At most `max` nodes are down at the end of the run (e.g. a majority stays up).
    AtMostDownAtEnd {
        /// The most nodes that may be down at the end.
        max: usize,
        /// Where the number comes from, in words.
        rule: String,
    },
}

impl fmt::Display for Liveness {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Liveness::CrashedNodesRecover => f.write_str("live if every crashed node recovers"),
            Liveness::AtMostDownAtEnd { max, rule } => {
                write!(
                    f,
                    "live if at most {max} nodes are down at the end ({rule})"
                )
            }
        }
    }
}

/// What a protocol claims to tolerate, for one choice of parameters and group size.
///
/// ```
/// use ftsim_api::model::{FaultClass, Model, Timing};
///
/// let rounds = 3;
/// let model = Model::new()
///     .tolerates_at_most(FaultClass::CrashStop, rounds - 1, "rounds − 1")
///     .tolerates(FaultClass::Reordering)
///     .timing(Timing::DetectorAfterLastMessage);
/// assert_eq!(model.bound(FaultClass::CrashStop).map(|b| b.max), Some(2));
/// assert!(!model.allows(FaultClass::Loss));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Model {
    tolerated: Vec<(FaultClass, Option<Bound>)>,
    /// The most nodes that may be faulty in all, crashed (either way) or Byzantine, a node
    /// counted once: OM(m) tolerates m traitors or m crashes, not m of each.
    faulty_nodes: Option<Bound>,
    timing: Vec<Timing>,
    liveness: Vec<Liveness>,
    /// The failure detector the protocol needs; `None` until declared, or until the
    /// protocol's default detector fills it in ([`Model::or_detector`]).
    detector: Option<DetectorClass>,
    /// Roles no fault may hit.
    never_faulted: Vec<Role>,
    /// How long it needs to finish what it started, if it says.
    quiesce: Option<Quiesce>,
}

impl Model {
    /// A model that tolerates nothing but timing: no faults, reliable FIFO links, any delays,
    /// and so any clock skew and slow nodes ([`FaultClass::is_timing`]) until a
    /// [`Model::timing`] assumption is added; then those must be declared too.
    pub fn new() -> Self {
        Model::default()
    }

    /// Tolerates faults of this class, any number of them.
    pub fn tolerates(mut self, class: FaultClass) -> Self {
        self.tolerated.retain(|(c, _)| *c != class);
        self.tolerated.push((class, None));
        self
    }

    /// Tolerates faults of this class on at most `max` nodes, by the given rule.
    pub fn tolerates_at_most(mut self, class: FaultClass, max: usize, rule: &str) -> Self {
        self.tolerated.retain(|(c, _)| *c != class);
        self.tolerated.push((
            class,
            Some(Bound {
                max,
                rule: rule.to_string(),
            }),
        ));
        self
    }

    /// At most `max` nodes faulty in all, by the given rule: crashed (stop or recover) or
    /// Byzantine, each node counted once, on top of each class's own bound. For a protocol
    /// whose proof counts faulty processes, whatever their kind: a run with one traitor and
    /// one crash has two faulty nodes, though neither class exceeds a bound of one.
    pub fn faulty_nodes_at_most(mut self, max: usize, rule: &str) -> Self {
        self.faulty_nodes = Some(Bound {
            max,
            rule: rule.to_string(),
        });
        self
    }

    /// Adds a timing assumption.
    pub fn timing(mut self, timing: Timing) -> Self {
        self.timing.push(timing);
        self
    }

    /// Adds what liveness needs on top of what safety tolerates.
    pub fn live_if(mut self, liveness: Liveness) -> Self {
        self.liveness.push(liveness);
        self
    }

    /// The failure detector the protocol needs (the class its proof assumes). Undeclared, a
    /// protocol needs the class of the detector it declares by default (the protocol's
    /// `detector`): a protocol written against a perfect detector is judged against one
    /// unless it says it needs less.
    pub fn needs_detector(mut self, class: DetectorClass) -> Self {
        self.detector = Some(class);
        self
    }

    /// The detector class `default` provides, where [`Model::needs_detector`] was not said.
    pub fn or_detector(mut self, default: DetectorClass) -> Self {
        self.detector.get_or_insert(default);
        self
    }

    /// The failure detector the protocol needs.
    pub fn detector_needed(&self) -> DetectorClass {
        self.detector.unwrap_or(DetectorClass::None)
    }

    /// Nodes `nodes` play a role no fault may hit (`role`: "the clients"): no crash, no
    /// omission, no Byzantine behaviour. Random faults are drawn from the other nodes.
    pub fn never_faulted(mut self, nodes: std::ops::Range<sim_core::NodeId>, role: &str) -> Self {
        if !nodes.is_empty() {
            self.never_faulted.push(Role {
                nodes,
                name: role.to_string(),
            });
        }
        self
    }

    /// Whether faults of this class are tolerated at all.
    pub fn allows(&self, class: FaultClass) -> bool {
        self.tolerated.iter().any(|(c, _)| *c == class) || self.allows_timing_faults(class)
    }

    /// Timing faults are tolerated without saying so when nothing is assumed about timing.
    fn allows_timing_faults(&self, class: FaultClass) -> bool {
        class.is_timing() && self.timing.is_empty()
    }

    /// Whether `count` faults of this class are outside the model on their own: the class is
    /// not tolerated, or its bound is below `count`.
    fn breaks(&self, class: FaultClass, count: usize) -> bool {
        count > 0 && (!self.allows(class) || self.bound(class).is_some_and(|b| count > b.max))
    }

    /// The bound on this class, if it is tolerated with one.
    pub fn bound(&self, class: FaultClass) -> Option<&Bound> {
        self.tolerated
            .iter()
            .find(|(c, _)| *c == class)
            .and_then(|(_, b)| b.as_ref())
    }

    /// The timing assumptions.
    pub fn timings(&self) -> &[Timing] {
        &self.timing
    }

    /// What liveness needs beyond what safety tolerates.
    pub fn liveness(&self) -> &[Liveness] {
        &self.liveness
    }

    /// The tolerated classes with their bounds, in the order of [`FaultClass::ALL`] (timing
    /// faults included when nothing is assumed about timing).
    pub fn tolerated(&self) -> Vec<(FaultClass, Option<&Bound>)> {
        FaultClass::ALL
            .iter()
            .filter(|&&c| self.allows(c))
            .map(|&c| (c, self.bound(c)))
            .collect()
    }

    /// The model in one line per item, for `ftsim list`.
    pub fn describe(&self) -> Vec<String> {
        let mut lines: Vec<String> = self
            .tolerated()
            .into_iter()
            .map(|(class, bound)| match bound {
                Some(b) => format!("{class}: at most {} ({})", b.max, b.rule),
                None => format!("{class}"),
            })
            .collect();
        if lines.is_empty() {
            lines.push("no faults".to_string());
        }
        lines.extend(self.faulty_nodes.iter().map(|b| {
            format!(
                "faulty nodes in all (crashed or byzantine): at most {} ({})",
                b.max, b.rule
            )
        }));
        if !self.allows(FaultClass::Reordering) {
            lines.push("FIFO links".to_string());
        }
        if self.detector_needed() != DetectorClass::None {
            lines.push(format!("needs {}", self.detector_needed()));
        }
        lines.extend(self.never_faulted.iter().map(|r| {
            let last = r.nodes.end - 1;
            format!(
                "never faulted: {} (nodes {}..={last})",
                r.name, r.nodes.start
            )
        }));
        lines.extend(self.timing.iter().map(|t| t.to_string()));
        lines.extend(self.liveness.iter().map(|l| l.to_string()));
        lines.extend(
            self.quiesce
                .iter()
                .map(|q| format!("finishes what it started within {} ({})", q.within, q.rule)),
        );
        lines
    }
}

#[cfg(test)]
mod tests {
    use sim_core::faults::CrashSpec;
    use sim_core::{
        DelayDist, DetectorModel, FaultEvent, FaultKind, FaultSpec, PropertyKind, RunReport, Stats,
        Time,
    };

    use super::*;
    use crate::run_spec::RunSpec;

    fn floodset(rounds: usize) -> Model {
        Model::new()
            .tolerates_at_most(FaultClass::CrashStop, rounds - 1, "rounds − 1")
            .tolerates(FaultClass::Reordering)
            .timing(Timing::DetectorAfterLastMessage)
    }

    #[test]
    fn a_scenario_that_may_step_outside_says_which_key_allows_it() {
        let mut spec = RunSpec::new(5);
        spec.faults = FaultSpec::crashes(CrashSpec::exactly(2, [Time::ZERO, Time(10)]));
        spec.network.default.loss_ppm = 1000;
        spec.detector = Some(DetectorModel::Perfect {
            delay: Duration::from_millis(2),
        });
        let found = floodset(2).scenario_breaches("flooding", &spec);
        assert!(found[0].starts_with("faults.crashes allows 2"), "{found:?}");
        assert!(found[0].contains("at most 1 (rounds − 1)"), "{found:?}");
        assert!(
            found.iter().any(|w| w.starts_with("network.loss")),
            "{found:?}"
        );
        assert!(
            found.iter().any(|w| w.starts_with("detector.delay (2ms)")),
            "{found:?}"
        );
        spec.faults = FaultSpec::crashes(CrashSpec::exactly(1, [Time::ZERO, Time(10)]));
        spec.network.default.loss_ppm = 0;
        spec.detector = Some(DetectorModel::Perfect {
            delay: Duration::from_millis(6),
        });
        assert_eq!(
            floodset(2).scenario_breaches("flooding", &spec),
            Vec::<String>::new()
        );
    }

    #[test]
    fn a_round_shorter_than_the_slowest_message_is_a_timing_breach() {
        let rounds = Model::new().timing(Timing::DeliveredWithin {
            bound: Duration::from_millis(4),
            rule: "params.round".into(),
        });
        let mut spec = RunSpec::new(3);
        spec.network.default.delay = DelayDist::Constant(Duration::from_millis(3));
        assert!(rounds.scenario_breaches("p", &spec).is_empty());
        spec.network.send_gap = Duration::from_millis(2);
        let found = rounds.scenario_breaches("p", &spec);
        assert!(found[0].contains("up to 5ms"), "{found:?}");
        let run = RunReport {
            stats: Stats {
                max_transit: Duration::from_millis(5),
                ..Stats::default()
            },
            ..RunReport::default()
        };
        let b = rounds.breaches("p", &run);
        assert!(b.safety[0].contains("took 5ms"), "{b:?}");
    }

    #[test]
    fn a_run_outside_names_what_it_did_beyond_the_model() {
        let run = RunReport {
            crashed: vec![0, 3],
            stats: Stats {
                messages_lost: 2,
                late_after_detection: 1,
                ..Stats::default()
            },
            ..RunReport::default()
        };
        let b = floodset(2).breaches("flooding", &run);
        assert_eq!(b.safety.len(), 3, "{b:?}");
        assert!(b.safety[0].starts_with("nodes 0 and 3 crashed"), "{b:?}");
        assert!(b.safety[1].contains("lost by the link"), "{b:?}");
        assert!(
            b.safety[2].contains("after its crash was detected"),
            "{b:?}"
        );
        let inside = RunReport {
            crashed: vec![3],
            ..RunReport::default()
        };
        assert_eq!(
            floodset(2).breaches("flooding", &inside),
            Breaches::default()
        );
    }

    /// OM(1)'s model: one traitor or one crash, not one of each. A node both Byzantine and
    /// crashed is one faulty node.
    #[test]
    fn crashed_and_byzantine_nodes_count_together_against_faulty_nodes() {
        let om1 = Model::new()
            .tolerates_at_most(FaultClass::Byzantine, 1, "m")
            .tolerates_at_most(FaultClass::CrashStop, 1, "m")
            .tolerates(FaultClass::Reordering)
            .faulty_nodes_at_most(1, "m");
        let run = |crashed: Vec<sim_core::NodeId>, byzantine: Vec<sim_core::NodeId>| {
            let mut run = RunReport {
                crashed,
                ..RunReport::default()
            };
            run.plan.byzantine = byzantine;
            om1.breaches("byzantine", &run).safety
        };
        let two = run(vec![1], vec![3]);
        assert_eq!(two.len(), 1, "{two:?}");
        assert!(
            two[0].starts_with("node 1 crashed and node 3 Byzantine: 2 faulty nodes"),
            "{two:?}"
        );
        assert!(two[0].contains("at most 1 in all (m)"), "{two:?}");
        assert!(run(vec![3], vec![3]).is_empty());
        assert!(run(vec![], vec![3]).is_empty());
        // Two crashes break the crash bound itself, said once.
        assert_eq!(run(vec![1, 2], vec![3]).len(), 1);
        let mut spec = RunSpec::new(4);
        spec.faults = FaultSpec::crashes(CrashSpec::exactly(1, [Time::ZERO, Time(10)]));
        spec.faults.byzantine = Some(sim_core::faults::ByzantineSpec {
            count: 1,
            nodes: None,
        });
        let found = om1.scenario_breaches("byzantine", &spec);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0].starts_with("faults.crashes and faults.byzantine allow 2 faulty node(s)"),
            "{found:?}"
        );
        assert!(om1
            .describe()
            .iter()
            .any(|l| l.starts_with("faulty nodes in all")));
        // A class bounded above the bound in all: two crashes are within their own bound, so
        // only the bound in all says them.
        let looser = Model::new()
            .tolerates_at_most(FaultClass::CrashStop, 2, "c")
            .faulty_nodes_at_most(1, "f");
        let run = RunReport {
            crashed: vec![1, 2],
            ..RunReport::default()
        };
        let found = looser.breaches("p", &run).safety;
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0].starts_with("nodes 1 and 2 crashed: 2 faulty nodes"),
            "{found:?}"
        );
    }

    #[test]
    fn liveness_needs_only_count_against_liveness_properties() {
        let model = Model::new()
            .tolerates(FaultClass::CrashRecover)
            .live_if(Liveness::CrashedNodesRecover);
        let run = RunReport {
            crashed: vec![0],
            down_at_end: vec![0],
            plan: sim_core::FaultPlan {
                events: vec![FaultEvent {
                    at: Time(5),
                    kind: FaultKind::Crash { node: 0 },
                }],
                ..Default::default()
            },
            ..RunReport::default()
        };
        let b = model.breaches("2pc", &run);
        assert!(b.safety.is_empty(), "{b:?}");
        assert_eq!(b.reason_for(PropertyKind::Always), None);
        let why = b.reason_for(PropertyKind::Eventually).unwrap();
        assert!(why.contains("node 0 crashed and stayed down"), "{why}");
    }

    #[test]
    fn the_model_describes_itself() {
        let lines = floodset(3).describe();
        assert_eq!(
            lines,
            [
                "crash-stop: at most 2 (rounds − 1)",
                "reordering",
                "a crash is detected only after the crashed node's last messages",
            ]
        );
        assert!(Model::new().describe().contains(&"FIFO links".to_string()));
    }
}
