//! How long a protocol needs to finish what it started: after its last fault (a recovery, a
//! healed partition, a lost message), and after an operation begins, it needs up to this much
//! time (a retry interval, a round of timeouts) to answer. A liveness property judged at the
//! end of a run that gave it less did not find the protocol stuck: the run ended too early.
//! So a scenario whose `settle` is shorter is flagged before any run, and a liveness violation
//! in a run that ended too early is counted outside the model, with the evidence: when the
//! wait it names began, if the property says (a wait older than the quiescence is stuck,
//! whatever came after), else the run's last fault.

use sim_core::{Duration, PropertyKind, RunReport, Time, Violation};

use super::Model;
use crate::run_spec::RunSpec;

/// The time a protocol needs to finish what it started, with the rule that sets it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Quiesce {
    /// The longest it may take, after the last fault or the start of an operation.
    pub within: Duration,
    /// Where it comes from, in words ("two retry intervals: 2 × params.retry").
    pub rule: String,
}

impl Model {
    /// The protocol finishes what it started within `within` of its last fault or of the start
    /// of an operation, by `rule`: a liveness violation in a run that ended sooner is the run
    /// ending too early, and a scenario whose `settle` is shorter is flagged.
    pub fn quiesces_within(mut self, within: Duration, rule: &str) -> Self {
        self.quiesce = Some(Quiesce {
            within,
            rule: rule.to_string(),
        });
        self
    }

    /// A `settle` shorter than what the protocol needs to quiesce, in a sentence.
    pub(super) fn settle_breach(&self, protocol: &str, spec: &RunSpec) -> Option<String> {
        let q = self.quiesce.as_ref()?;
        let settle = spec.config.settle;
        (settle < q.within).then(|| {
            format!(
                "settle ({settle}) is shorter than the {} {protocol} needs to finish what it \
                 started ({}): a liveness failure may only mean the run ended too early",
                q.within, q.rule
            )
        })
    }

    /// Why a liveness violation only shows the run ending too early, if it does: the wait it
    /// names began, or the run's last fault came, less than the quiescence before the end.
    pub(super) fn ended_too_early(
        &self,
        protocol: &str,
        run: &RunReport,
        violation: &Violation,
    ) -> Option<String> {
        let q = self.quiesce.as_ref()?;
        if violation.kind != PropertyKind::Eventually {
            return None;
        }
        let end = run.stats.end_time.max(violation.time);
        let late = |at: Time| end.since(at) < q.within;
        // When the property says when the wait began, that decides: a wait older than the
        // quiescence is stuck, whatever faults came since (on a network that never heals,
        // some message is always lost near the end). Else the last fault does.
        let what = match violation.waiting_since {
            Some(t) if late(t) => format!("the wait it names began at {t}"),
            Some(_) => return None,
            None => match last_fault(run).filter(|&(t, _)| late(t)) {
                Some((t, fault)) => format!("its last fault ({fault}) came at {t}"),
                None => return None,
            },
        };
        Some(format!(
            "the run ended too early: {what}, less than the {} {protocol} needs to finish what \
             it started ({}) before the end at {end}",
            q.within, q.rule
        ))
    }
}

/// The latest fault of a run before its end, with what it was: a planned event that took
/// effect (a crash, a recovery, a partition or its healing, an omission window, a slow node),
/// or a message the link lost.
fn last_fault(run: &RunReport) -> Option<(Time, &'static str)> {
    let planned = (run.plan.events.iter())
        .filter(|e| e.at <= run.stats.end_time)
        .map(|e| (e.at, e.kind.what()));
    let lost = run.stats.last_lost_at.map(|t| (t, "a message lost"));
    planned.chain(lost).max_by_key(|&(t, _)| t)
}

#[cfg(test)]
mod tests {
    use sim_core::Stats;

    use super::*;

    fn run_lost_at(ms: u64) -> RunReport {
        RunReport {
            stats: Stats {
                end_time: Time(100_000_000),
                last_lost_at: Some(Time(ms * 1_000_000)),
                ..Stats::default()
            },
            ..RunReport::default()
        }
    }

    fn stuck_since(ms: Option<u64>) -> Violation {
        Violation {
            property: "operations-return".into(),
            kind: PropertyKind::Eventually,
            time: Time(100_000_000),
            waiting_since: ms.map(|ms| Time(ms * 1_000_000)),
            ..Violation::default()
        }
    }

    /// A wait begun within the quiescence is the run ending too early; one begun before it is
    /// stuck, even on a network still losing messages at the end; without a start, the last
    /// fault decides.
    #[test]
    fn a_wait_decides_before_the_last_fault() {
        let model = Model::new().quiesces_within(Duration::from_millis(20), "2 retries");
        let recent_loss = run_lost_at(95);
        let early = model.ended_too_early("p", &recent_loss, &stuck_since(Some(90)));
        assert!(early.unwrap().contains("the wait it names began at 90ms"));
        assert_eq!(
            model.ended_too_early("p", &recent_loss, &stuck_since(Some(10))),
            None
        );
        let lost = model
            .ended_too_early("p", &recent_loss, &stuck_since(None))
            .unwrap();
        assert!(
            lost.contains("its last fault (a message lost) came at 95ms"),
            "{lost}"
        );
        assert_eq!(
            model.ended_too_early("p", &run_lost_at(50), &stuck_since(None)),
            None
        );
        let safety = Violation {
            kind: PropertyKind::Always,
            ..stuck_since(Some(90))
        };
        assert_eq!(model.ended_too_early("p", &recent_loss, &safety), None);
        assert_eq!(
            Model::new().ended_too_early("p", &recent_loss, &stuck_since(Some(90))),
            None
        );
    }
}
