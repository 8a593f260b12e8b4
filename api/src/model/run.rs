//! Did a run step outside its protocol's model? The drawn fault plan and what the engine saw
//! (lost, duplicated and reordered messages, the longest transit, messages that arrived after
//! their crashed sender was detected, who crashed and who was down at the end) against what the
//! model tolerates. Each breach is a sentence for the report.

use sim_core::{FaultKind, NodeId, PropertyKind, RunReport};

use super::{FaultClass, Liveness, Model, Timing};
use crate::nodes::nodes_phrase;

/// Why a run stepped outside a model: what broke safety's assumptions, and what broke only
/// liveness's.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Breaches {
    /// Faults beyond what the protocol tolerates at all.
    pub safety: Vec<String>,
    /// Conditions liveness needs that the run did not meet.
    pub liveness: Vec<String>,
}

impl Breaches {
    /// Why a violation of a property of this kind is outside the model, if it is.
    pub fn reason_for(&self, kind: PropertyKind) -> Option<String> {
        let mut reasons = self.safety.clone();
        if kind != PropertyKind::Always {
            reasons.extend(self.liveness.iter().cloned());
        }
        (!reasons.is_empty()).then(|| reasons.join("; "))
    }
}

impl Model {
    /// What in this run the model does not cover.
    pub fn breaches(&self, protocol: &str, run: &RunReport) -> Breaches {
        let mut b = Breaches::default();
        self.crash_breaches(protocol, run, &mut b);
        b.safety.extend(self.role_breach(protocol, run));
        b.safety.extend(self.detector_breach(protocol, run));
        self.faulty_node_breaches(protocol, run, &mut b.safety);
        self.plan_breaches(protocol, run, &mut b.safety);
        self.network_breaches(protocol, run, &mut b.safety);
        self.timing_breaches(run, &mut b.safety);
        self.liveness_breaches(run, &mut b.liveness);
        b
    }

    /// A bound broken or a class not tolerated, in words.
    fn exceeds(
        &self,
        protocol: &str,
        class: FaultClass,
        count: usize,
        what: &str,
    ) -> Option<String> {
        if count == 0 {
            return None;
        }
        if !self.allows(class) {
            return Some(format!("{what}; {protocol} does not tolerate {class}"));
        }
        let bound = self.bound(class)?;
        (count > bound.max).then(|| {
            format!(
                "{what}; {protocol} tolerates at most {} ({})",
                bound.max, bound.rule
            )
        })
    }

    fn crash_breaches(&self, protocol: &str, run: &RunReport, b: &mut Breaches) {
        let class = self.crash_class(run);
        let what = format!("{} crashed", nodes_phrase(&run.crashed));
        b.safety
            .extend(self.exceeds(protocol, class, run.crashed.len(), &what));
    }

    /// The crash class a run's crashes are judged as.
    fn crash_class(&self, run: &RunReport) -> FaultClass {
        let recovered =
            run.plan.events.iter().any(
                |e| matches!(e.kind, FaultKind::Recover { node } if run.crashed.contains(&node)),
            );
        // A model that tolerates crash-recover tolerates crash-stop (a node not back yet).
        if recovered || self.allows(FaultClass::CrashRecover) {
            FaultClass::CrashRecover
        } else {
            FaultClass::CrashStop
        }
    }

    /// Crashed and Byzantine nodes together beyond the model's bound on faulty nodes, where
    /// neither kind alone is outside the model (that breach is said already).
    fn faulty_node_breaches(&self, protocol: &str, run: &RunReport, out: &mut Vec<String>) {
        let Some(bound) = &self.faulty_nodes else {
            return;
        };
        let traitors = &run.plan.byzantine;
        if self.breaks(self.crash_class(run), run.crashed.len())
            || self.breaks(FaultClass::Byzantine, traitors.len())
        {
            return;
        }
        let mut faulty: Vec<NodeId> = run.crashed.iter().chain(traitors).copied().collect();
        faulty.sort_unstable();
        faulty.dedup();
        if faulty.len() > bound.max {
            let kinds: Vec<String> = [(&run.crashed, "crashed"), (traitors, "Byzantine")]
                .into_iter()
                .filter(|(nodes, _)| !nodes.is_empty())
                .map(|(nodes, kind)| format!("{} {kind}", nodes_phrase(nodes)))
                .collect();
            out.push(format!(
                "{}: {} faulty nodes; {protocol} tolerates at most {} in all ({})",
                kinds.join(" and "),
                faulty.len(),
                bound.max,
                bound.rule
            ));
        }
    }

    fn plan_breaches(&self, protocol: &str, run: &RunReport, out: &mut Vec<String>) {
        let count =
            |pred: fn(&FaultKind) -> bool| run.plan.events.iter().filter(|e| pred(&e.kind)).count();
        let partitions =
            count(|k| matches!(k, FaultKind::Partition { .. } | FaultKind::OneWay { .. }));
        let omissions = count(|k| matches!(k, FaultKind::OmissionStart { .. }));
        let skews = count(|k| matches!(k, FaultKind::ClockSkew { .. }));
        let slow = count(|k| matches!(k, FaultKind::SlowStart { .. }));
        let lost = run.stats.storage_losses as usize;
        let traitors = &run.plan.byzantine;
        let checks = [
            (
                FaultClass::Partition,
                partitions,
                format!("{partitions} partition(s)"),
            ),
            (
                FaultClass::Omission,
                omissions,
                format!("{omissions} omission window(s)"),
            ),
            (
                FaultClass::ClockSkew,
                skews,
                format!("{skews} clock(s) off"),
            ),
            (FaultClass::FailSlow, slow, format!("{slow} slow window(s)")),
            (
                FaultClass::StorageLoss,
                lost,
                format!("{lost} crash(es) lost unsynced writes"),
            ),
            (
                FaultClass::Byzantine,
                traitors.len(),
                format!("{} Byzantine", nodes_phrase(traitors)),
            ),
        ];
        for (class, n, what) in checks {
            out.extend(self.exceeds(protocol, class, n, &what));
        }
    }

    fn network_breaches(&self, protocol: &str, run: &RunReport, out: &mut Vec<String>) {
        let s = &run.stats;
        let checks = [
            (FaultClass::Loss, s.messages_lost, "lost by the link"),
            (FaultClass::Duplication, s.messages_duplicated, "duplicated"),
            (FaultClass::Reordering, s.messages_reordered, "reordered"),
        ];
        for (class, n, what) in checks {
            if n > 0 && !self.allows(class) {
                out.push(format!(
                    "{n} message(s) {what}; {protocol} does not tolerate {class}"
                ));
            }
        }
    }

    fn timing_breaches(&self, run: &RunReport, out: &mut Vec<String>) {
        for timing in &self.timing {
            match timing {
                Timing::DeliveredWithin { bound, rule } if run.stats.max_transit > *bound => {
                    out.push(format!(
                        "a message took {} from send to arrival, more than {bound} ({rule})",
                        run.stats.max_transit
                    ));
                }
                Timing::DriftAtMost { ppm, rule } => {
                    let worst = run
                        .plan
                        .events
                        .iter()
                        .filter_map(|e| match e.kind {
                            FaultKind::ClockSkew { drift_ppm, .. } => {
                                Some(drift_ppm.unsigned_abs())
                            }
                            _ => None,
                        })
                        .max()
                        .unwrap_or(0);
                    if worst > *ppm {
                        out.push(format!(
                            "a clock drifted by {}%, more than {}% ({rule})",
                            worst as f64 / 10_000.0,
                            *ppm as f64 / 10_000.0
                        ));
                    }
                }
                Timing::DetectorAfterLastMessage if run.stats.late_after_detection > 0 => {
                    out.push(format!(
                        "{} message(s) of a crashed node arrived after its crash was detected",
                        run.stats.late_after_detection
                    ));
                }
                _ => {}
            }
        }
    }

    fn liveness_breaches(&self, run: &RunReport, out: &mut Vec<String>) {
        for need in &self.liveness {
            match need {
                Liveness::CrashedNodesRecover if !run.down_at_end.is_empty() => {
                    out.push(format!(
                        "{} crashed and stayed down; liveness needs crashed nodes back",
                        nodes_phrase(&run.down_at_end)
                    ));
                }
                Liveness::AtMostDownAtEnd { max, rule } if run.down_at_end.len() > *max => {
                    out.push(format!(
                        "{} down at the end; liveness needs at most {max} ({rule})",
                        nodes_phrase(&run.down_at_end)
                    ));
                }
                _ => {}
            }
        }
    }
}

/// Marks a failing run, and each of its violations, that is outside `model`, with the reason.
pub fn classify(model: &Model, protocol: &str, run: &mut RunReport) {
    if run.outcome.is_ok() {
        return;
    }
    let breaches = model.breaches(protocol, run);
    let mut too_early = Vec::new();
    for i in 0..run.violations.len() {
        let early = model.ended_too_early(protocol, run, &run.violations[i]);
        let v = &mut run.violations[i];
        v.outside_assumptions = match (breaches.reason_for(v.kind), &early) {
            (Some(reason), Some(early)) => Some(format!("{reason}; {early}")),
            (reason, early) => reason.or_else(|| early.clone()),
        };
        too_early.extend(early);
    }
    run.outside_assumptions = breaches.safety;
    run.outside_assumptions.extend(breaches.liveness);
    run.outside_assumptions.extend(too_early);
}

/// The node ids of a plan's crash events, for scenario checks.
pub(crate) fn crash_nodes(events: &[sim_core::FaultEvent]) -> Vec<NodeId> {
    let mut nodes: Vec<NodeId> = events
        .iter()
        .filter_map(|e| match e.kind {
            FaultKind::Crash { node } => Some(node),
            _ => None,
        })
        .collect();
    nodes.sort_unstable();
    nodes.dedup();
    nodes
}
