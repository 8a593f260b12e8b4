//! Can a scenario step outside its protocol's model? Checked once, before any run, from the
//! fault spec, the explicit schedule, the network and the detector: each finding names the
//! scenario key that allows it. Runs that actually step outside are judged one by one (see
//! `run.rs`); this only warns that they can.

use sim_core::{DelayDist, DetectorModel, Duration, FaultKind, LinkModel};

use super::run::crash_nodes;
use super::{FaultClass, Liveness, Model, Timing};
use crate::run_spec::RunSpec;

impl Model {
    /// How runs of `spec` may step outside this model, one sentence each.
    pub fn scenario_breaches(&self, protocol: &str, spec: &RunSpec) -> Vec<String> {
        let mut out = Vec::new();
        self.fault_spec_breaches(protocol, spec, &mut out);
        self.role_spec_breaches(protocol, spec, &mut out);
        out.extend(self.detector_spec_breach(protocol, spec));
        self.link_breaches(protocol, spec, &mut out);
        self.timing_spec_breaches(spec, &mut out);
        self.liveness_spec_breaches(spec, &mut out);
        out.extend(self.settle_breach(protocol, spec));
        out
    }

    /// `key` allows `count` faults of `class`: beyond the model?
    fn allows_up_to(
        &self,
        protocol: &str,
        class: FaultClass,
        count: usize,
        key: &str,
    ) -> Option<String> {
        if count == 0 {
            return None;
        }
        if !self.allows(class) {
            return Some(format!(
                "{key} allows {class}, which {protocol} does not tolerate"
            ));
        }
        let bound = self.bound(class)?;
        (count > bound.max).then(|| {
            format!(
                "{key} allows {count} node(s) with {class}; {protocol} tolerates at most {} ({})",
                bound.max, bound.rule
            )
        })
    }

    fn fault_spec_breaches(&self, protocol: &str, spec: &RunSpec, out: &mut Vec<String>) {
        let f = &spec.faults;
        let scheduled =
            |pred: fn(&FaultKind) -> bool| spec.schedule.events.iter().any(|e| pred(&e.kind));
        let recovers = f.crashes.iter().any(|c| c.recover_after.is_some())
            || f.intermittent.is_some()
            || scheduled(|k| matches!(k, FaultKind::Recover { .. }));
        let crash_class = if recovers || self.allows(FaultClass::CrashRecover) {
            FaultClass::CrashRecover
        } else {
            FaultClass::CrashStop
        };
        let crashes = f.crashes.iter().map(|c| c.max as usize).sum::<usize>()
            + crash_nodes(&spec.schedule.events).len()
            + spec.schedule.triggered.len();
        let traitors =
            f.byzantine.as_ref().map_or(0, |b| b.count as usize) + spec.schedule.byzantine.len();
        let partitions = f.partitions.as_ref().map_or(0, |p| p.max as usize)
            + usize::from(scheduled(|k| matches!(k, FaultKind::Partition { .. })));
        let omissions = f.omissions.as_ref().map_or(0, |o| o.max as usize)
            + usize::from(scheduled(|k| matches!(k, FaultKind::OmissionStart { .. })));
        let skews = f
            .clocks
            .as_ref()
            .map_or(0, |k| k.count.unwrap_or(1) as usize)
            + usize::from(scheduled(|k| matches!(k, FaultKind::ClockSkew { .. })));
        let slow = f.slow.as_ref().map_or(0, |s| s.max as usize)
            + usize::from(scheduled(|k| matches!(k, FaultKind::SlowStart { .. })));
        let storage = usize::from(f.storage != sim_core::faults::StorageFaults::None);
        let partitions =
            partitions + usize::from(scheduled(|k| matches!(k, FaultKind::OneWay { .. })));
        let crashes = crashes + usize::from(f.intermittent.is_some());
        let checks = [
            (crash_class, crashes, "faults.crashes"),
            (FaultClass::Byzantine, traitors, "faults.byzantine"),
            (FaultClass::Partition, partitions, "faults.partitions"),
            (FaultClass::Omission, omissions, "faults.omissions"),
            (FaultClass::ClockSkew, skews, "faults.clocks"),
            (FaultClass::FailSlow, slow, "faults.slow"),
            (FaultClass::StorageLoss, storage, "faults.storage"),
        ];
        for (class, count, key) in checks {
            out.extend(self.allows_up_to(protocol, class, count, key));
        }
        out.extend(self.allows_faulty_up_to(protocol, crash_class, crashes, traitors));
    }

    /// Crashes and traitors together beyond the model's bound on faulty nodes in all, where
    /// neither kind alone is outside the model (that finding is said already).
    fn allows_faulty_up_to(
        &self,
        protocol: &str,
        crash_class: FaultClass,
        crashes: usize,
        traitors: usize,
    ) -> Option<String> {
        let bound = self.faulty_nodes.as_ref()?;
        let said_alone =
            self.breaks(crash_class, crashes) || self.breaks(FaultClass::Byzantine, traitors);
        (!said_alone && crashes + traitors > bound.max).then(|| {
            format!(
                "faults.crashes and faults.byzantine allow {} faulty node(s) together; \
                     {protocol} tolerates at most {} in all ({})",
                crashes + traitors,
                bound.max,
                bound.rule
            )
        })
    }

    fn link_breaches(&self, protocol: &str, spec: &RunSpec, out: &mut Vec<String>) {
        let links: Vec<&LinkModel> = std::iter::once(&spec.network.default)
            .chain(spec.network.links.iter().map(|l| &l.model))
            .collect();
        let checks = [
            (
                FaultClass::Loss,
                links.iter().any(|l| l.loss_ppm > 0),
                "network.loss",
            ),
            (
                FaultClass::Duplication,
                links.iter().any(|l| l.duplicate_ppm > 0),
                "network.duplicate",
            ),
            (
                FaultClass::Reordering,
                links.iter().any(|l| !l.fifo && can_reorder(&l.delay)),
                "network.fifo",
            ),
        ];
        for (class, present, key) in checks {
            if present && !self.allows(class) {
                out.push(format!(
                    "{key} allows {class}, which {protocol} does not tolerate"
                ));
            }
        }
    }

    fn timing_spec_breaches(&self, spec: &RunSpec, out: &mut Vec<String>) {
        let slowest = max_delay(spec);
        for timing in &self.timing {
            match timing {
                Timing::DeliveredWithin { bound, rule } => {
                    let queued = Duration(
                        spec.network
                            .send_gap
                            .0
                            .saturating_mul(spec.nodes.saturating_sub(2) as u64),
                    );
                    match slowest {
                        None => out.push(format!(
                            "network.delay is unbounded, but every message must arrive within \
                             {bound} ({rule})"
                        )),
                        Some(d) if d + queued > *bound => out.push(format!(
                            "network.delay and send_gap let a message take up to {} (a broadcast's \
                             last message), but every message must arrive within {bound} ({rule})",
                            d + queued
                        )),
                        Some(_) => {}
                    }
                }
                Timing::DetectorAfterLastMessage => {
                    if let Some(msg) = detector_overtakes(spec, slowest) {
                        out.push(msg);
                    }
                }
                Timing::DriftAtMost { ppm, rule } => {
                    let worst = spec.faults.clocks.iter().flat_map(|k| k.drift_ppm).chain(
                        spec.schedule.events.iter().filter_map(|e| match e.kind {
                            FaultKind::ClockSkew { drift_ppm, .. } => Some(drift_ppm),
                            _ => None,
                        }),
                    );
                    if let Some(d) = worst.map(i32::unsigned_abs).max().filter(|d| d > ppm) {
                        out.push(format!(
                            "faults.clocks lets a clock drift by {}%, but {}% at most are \
                             tolerated ({rule})",
                            d as f64 / 10_000.0,
                            *ppm as f64 / 10_000.0
                        ));
                    }
                }
            }
        }
    }

    fn liveness_spec_breaches(&self, spec: &RunSpec, out: &mut Vec<String>) {
        let staying_down: usize = spec
            .faults
            .crashes
            .iter()
            .filter(|c| c.recover_after.is_none())
            .map(|c| c.max as usize)
            .sum();
        if staying_down == 0 {
            return;
        }
        for need in &self.liveness {
            match need {
                Liveness::CrashedNodesRecover => out.push(
                    "faults.crashes lets crashed nodes stay down (no recover_after), but \
                     liveness needs them back"
                        .to_string(),
                ),
                Liveness::AtMostDownAtEnd { max, rule } if staying_down > *max => {
                    out.push(format!(
                        "faults.crashes lets {staying_down} nodes stay down; liveness needs at \
                         most {max} ({rule})"
                    ))
                }
                _ => {}
            }
        }
    }
}

/// Whether a link with this delay can deliver out of order (a constant delay cannot).
fn can_reorder(delay: &DelayDist) -> bool {
    !matches!(delay, DelayDist::Constant(_))
}

/// The longest delay of any link (an exponential tail is capped at 50 means above its
/// minimum; `None`: beyond any time).
fn max_delay(spec: &RunSpec) -> Option<Duration> {
    let of = |d: &DelayDist| match *d {
        DelayDist::Constant(x) => Some(x),
        DelayDist::Uniform { max, .. } => Some(max),
        DelayDist::Exponential { min, mean } => mean.0.checked_mul(50).map(|t| min + Duration(t)),
    };
    std::iter::once(&spec.network.default)
        .chain(spec.network.links.iter().map(|l| &l.model))
        .map(|l| of(&l.delay))
        .try_fold(Duration::ZERO, |acc, d| d.map(|d| acc.max(d)))
}

/// The warning when the detector's notice can come before a crashed node's last messages.
fn detector_overtakes(spec: &RunSpec, slowest: Option<Duration>) -> Option<String> {
    let notice = match spec.detector? {
        DetectorModel::None => return None,
        DetectorModel::Perfect { delay } | DetectorModel::EventuallyPerfect { delay, .. } => delay,
    };
    match slowest {
        None => Some(format!(
            "detector.delay ({notice}) can come before a crashed node's last messages: \
             network.delay is unbounded"
        )),
        Some(d) if notice <= d => Some(format!(
            "detector.delay ({notice}) can come before a crashed node's last messages, which \
             may take up to {d} (network.delay)"
        )),
        Some(_) => None,
    }
}
