//! The failure detector a protocol needs, as a class of Chandra and Toueg's hierarchy: a
//! perfect detector (P: never suspects a live node), an eventually perfect one (◇P: may
//! suspect live nodes wrongly until it stabilises) or none. A model needs one class; a
//! scenario's `[detector]` provides one. A scenario that provides a weaker class than the
//! model needs is flagged before any run, and a run in which the weaker detector's mistakes
//! fired (a live node suspected) is outside the model, with the reason.

use std::fmt;

use sim_core::{DetectorModel, RunReport};

use super::Model;
use crate::run_spec::RunSpec;

/// A class of failure detector, weakest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DetectorClass {
    /// No detector: the protocol learns nothing of crashes but what its own timeouts say.
    None,
    /// ◇P: every crash is detected; live nodes may be suspected wrongly before it stabilises.
    EventuallyPerfect,
    /// P: every crash is detected, and no live node is ever suspected.
    Perfect,
}

impl DetectorClass {
    /// The class a detector model provides.
    pub fn of(model: Option<&DetectorModel>) -> Self {
        match model {
            None | Some(DetectorModel::None) => DetectorClass::None,
            Some(DetectorModel::EventuallyPerfect { .. }) => DetectorClass::EventuallyPerfect,
            Some(DetectorModel::Perfect { .. }) => DetectorClass::Perfect,
        }
    }

    /// The words tables and reasons use.
    pub fn name(self) -> &'static str {
        match self {
            DetectorClass::None => "no failure detector",
            DetectorClass::EventuallyPerfect => "an eventually perfect detector (◇P)",
            DetectorClass::Perfect => "a perfect detector (P)",
        }
    }

    /// The scenario's `detector.kind` that provides it.
    pub fn kind(self) -> &'static str {
        match self {
            DetectorClass::None => "none",
            DetectorClass::EventuallyPerfect => "eventually_perfect",
            DetectorClass::Perfect => "perfect",
        }
    }
}

impl fmt::Display for DetectorClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Model {
    /// How `spec`'s detector falls short of the one this model needs, in a sentence.
    pub(super) fn detector_spec_breach(&self, protocol: &str, spec: &RunSpec) -> Option<String> {
        let needed = self.detector_needed();
        let given = DetectorClass::of(spec.detector.as_ref());
        (given < needed).then(|| {
            let mistakes = match spec.detector {
                Some(DetectorModel::EventuallyPerfect {
                    mistakes,
                    stabilize_at,
                    ..
                }) => format!(", with {mistakes} false suspicion(s) before {stabilize_at}"),
                _ => String::new(),
            };
            format!(
                "detector.kind \"{}\" gives {given}{mistakes}; {protocol} needs {needed}",
                given.kind()
            )
        })
    }

    /// What a run's detector did beyond the model: live nodes suspected where the model needs
    /// a perfect detector.
    pub(super) fn detector_breach(&self, protocol: &str, run: &RunReport) -> Option<String> {
        let wrong = run.stats.false_suspicions;
        (wrong > 0 && self.detector_needed() == DetectorClass::Perfect).then(|| {
            format!(
                "the detector suspected a live node {wrong} time(s); {protocol} needs {}",
                DetectorClass::Perfect
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use sim_core::{Duration, Stats, Time};

    use super::*;

    fn eventually_perfect(mistakes: u32) -> DetectorModel {
        DetectorModel::EventuallyPerfect {
            delay: Duration::from_millis(2),
            stabilize_at: Time(5_000_000),
            mistakes,
        }
    }

    #[test]
    fn a_weaker_detector_than_the_model_needs_is_a_scenario_breach() {
        let needs_p = Model::new()
            .tolerates(super::super::FaultClass::Reordering)
            .needs_detector(DetectorClass::Perfect);
        let mut spec = RunSpec::new(3);
        spec.detector = Some(eventually_perfect(10));
        let found = needs_p.scenario_breaches("p", &spec);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].starts_with("detector.kind \"eventually_perfect\""));
        assert!(found[0].contains("10 false suspicion(s)"), "{found:?}");
        assert!(
            found[0].ends_with("p needs a perfect detector (P)"),
            "{found:?}"
        );
        spec.detector = Some(DetectorModel::None);
        assert_eq!(needs_p.scenario_breaches("p", &spec).len(), 1);
        spec.detector = Some(DetectorModel::Perfect {
            delay: Duration::from_millis(2),
        });
        assert!(needs_p.scenario_breaches("p", &spec).is_empty());
        // ◇P is enough for a model that needs only that.
        let needs_ep = Model::new()
            .tolerates(super::super::FaultClass::Reordering)
            .needs_detector(DetectorClass::EventuallyPerfect);
        spec.detector = Some(eventually_perfect(10));
        assert!(needs_ep.scenario_breaches("p", &spec).is_empty());
    }

    #[test]
    fn a_run_whose_detector_suspected_a_live_node_is_outside_a_model_that_needs_p() {
        let run = |false_suspicions| RunReport {
            stats: Stats {
                false_suspicions,
                ..Stats::default()
            },
            ..RunReport::default()
        };
        let needs_p = Model::new().needs_detector(DetectorClass::Perfect);
        let b = needs_p.breaches("p", &run(3));
        assert_eq!(b.safety.len(), 1, "{b:?}");
        assert!(b.safety[0].contains("suspected a live node 3 time(s)"));
        assert!(needs_p.breaches("p", &run(0)).safety.is_empty());
        let needs_ep = Model::new().needs_detector(DetectorClass::EventuallyPerfect);
        assert!(needs_ep.breaches("p", &run(3)).safety.is_empty());
    }

    /// Undeclared, the need is the class of the protocol's default detector; a declaration
    /// wins over it, weaker or stronger.
    #[test]
    fn the_default_detector_fills_in_an_undeclared_need() {
        let undeclared = Model::new().or_detector(DetectorClass::Perfect);
        assert_eq!(undeclared.detector_needed(), DetectorClass::Perfect);
        let declared = Model::new()
            .needs_detector(DetectorClass::None)
            .or_detector(DetectorClass::Perfect);
        assert_eq!(declared.detector_needed(), DetectorClass::None);
        assert!(undeclared
            .describe()
            .contains(&"needs a perfect detector (P)".to_string()));
    }
}
