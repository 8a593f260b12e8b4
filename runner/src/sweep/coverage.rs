//! Which faults a sweep exercised: per fault kind, how many times it happened over all runs.
//! A sweep that never crashed a node tested nothing about crashes, whatever it passed; the
//! summary says so next to the verdict.
//!
//! Timed plan entries count if the run reached their time (a run that ended earlier never saw
//! them); the network's own faults come from the run's counters (messages lost, duplicated,
//! reordered), storage faults from the crashes that lost writes, Byzantine nodes from the plan.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sim_core::{FaultKind, RunReport};

/// The faults a summary counts, in the order of [`FaultCounts::NAMES`].
#[derive(Clone, Copy)]
enum Counted {
    Crash,
    Recover,
    Partition,
    Omission,
    OneWay,
    ClockSkew,
    SlowNode,
    Byzantine,
    TriggeredCrash,
    TriggeredCrashFired,
    CrashChain,
    ChainCrashFired,
    Lost,
    Duplicated,
    Reordered,
    StorageLoss,
    FalseSuspicionPlanned,
    FalseSuspicion,
    FalseSuspicionWithdrawn,
}

/// The kind of a timed fault, as a summary counts it; `None` for the end of a window (heal,
/// omission end, slow end), which is not a fault.
fn counted(kind: &FaultKind) -> Option<Counted> {
    Some(match kind {
        FaultKind::Crash { .. } => Counted::Crash,
        FaultKind::Recover { .. } => Counted::Recover,
        FaultKind::Partition { .. } => Counted::Partition,
        FaultKind::OmissionStart { .. } => Counted::Omission,
        FaultKind::OneWay { .. } => Counted::OneWay,
        FaultKind::ClockSkew { .. } => Counted::ClockSkew,
        FaultKind::SlowStart { .. } => Counted::SlowNode,
        FaultKind::Heal | FaultKind::OmissionEnd { .. } | FaultKind::SlowEnd { .. } => return None,
    })
}

/// A kind of planned fault of which not one fired in a sweep.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NeverFired {
    /// The kind, in words ("triggered crashes").
    pub what: &'static str,
    /// How many were planned over all runs.
    pub planned: u64,
    /// What to ask of the scenario, in a question.
    pub why: &'static str,
}

/// How many times each fault happened over the runs added: one counter per kind, so that
/// adding a run (every run of a sweep) is a few additions, not map look-ups by name. Written
/// (a shard's tally) as the map [`by_name`](FaultCounts::by_name) gives.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "BTreeMap<String, u64>", try_from = "BTreeMap<String, u64>")]
pub struct FaultCounts([u64; FaultCounts::NAMES.len()]);

impl FaultCounts {
    /// Each counted fault's name in summaries, by [`Counted`] order.
    const NAMES: [&'static str; 19] = [
        "crash",
        "recover",
        "partition",
        "omission",
        "one-way partition",
        "clock skew",
        "slow node",
        "byzantine node",
        "triggered crash (planned)",
        "triggered crash (fired)",
        "crash chain (planned)",
        "chain crash (fired)",
        "message lost",
        "message duplicated",
        "message reordered",
        "storage loss at a crash",
        "false suspicion (planned)",
        "false suspicion (fired)",
        "false suspicion withdrawn",
    ];

    fn add(&mut self, kind: Counted, n: u64) {
        let count = &mut self.0[kind as usize];
        *count = count.saturating_add(n);
    }

    /// Adds what happened in one run. Timed plan entries count if the run reached their time.
    pub fn add_run(&mut self, report: &RunReport) {
        for event in &report.plan.events {
            if event.at > report.stats.end_time {
                continue;
            }
            if let Some(kind) = counted(&event.kind) {
                self.add(kind, 1);
            }
        }
        let (plan, stats) = (&report.plan, &report.stats);
        self.add(Counted::Byzantine, plan.byzantine.len() as u64);
        self.add(Counted::TriggeredCrash, plan.triggered.len() as u64);
        self.add(Counted::TriggeredCrashFired, stats.triggered_crashes);
        self.add(Counted::CrashChain, plan.chains.len() as u64);
        self.add(Counted::ChainCrashFired, stats.chain_crashes);
        self.add(Counted::Lost, stats.messages_lost);
        self.add(Counted::Duplicated, stats.messages_duplicated);
        self.add(Counted::Reordered, stats.messages_reordered);
        self.add(Counted::StorageLoss, stats.storage_losses);
        self.add(
            Counted::FalseSuspicionPlanned,
            stats.false_suspicions_planned,
        );
        self.add(Counted::FalseSuspicion, stats.false_suspicions);
        self.add(
            Counted::FalseSuspicionWithdrawn,
            stats.false_suspicions_withdrawn,
        );
    }

    /// The triggered crashes, crash chains and detector mistakes planned, each kind with its
    /// count and a question on why, of which not one fired in any run: a trigger waiting for
    /// a message kind the node never receives, a count never reached, a node that never
    /// broadcasts; a false suspicion planned after the run ended or whose watcher was down.
    /// What such a sweep passed, it passed without those faults.
    pub fn never_fired(&self) -> Vec<NeverFired> {
        const TRIGGER: &str = "does its node ever reach what the trigger waits for: that \
                               message kind, observation, broadcast or count?";
        let kinds = [
            (
                "triggered crashes",
                Counted::TriggeredCrash,
                Counted::TriggeredCrashFired,
                TRIGGER,
            ),
            (
                "crash chains",
                Counted::CrashChain,
                Counted::ChainCrashFired,
                TRIGGER,
            ),
            (
                "false suspicions",
                Counted::FalseSuspicionPlanned,
                Counted::FalseSuspicion,
                "does the run last until the detector's stabilize_at, with its nodes up?",
            ),
        ];
        let count = |c: Counted| self.0[c as usize];
        (kinds.into_iter())
            .filter(|&(_, planned, fired, _)| count(planned) > 0 && count(fired) == 0)
            .map(|(what, planned, _, why)| NeverFired {
                what,
                planned: count(planned),
                why,
            })
            .collect()
    }

    /// What no sweep counts: more triggered crashes fired than planned (a chain's crashes
    /// fire once per link, so they have no such bound).
    pub(crate) fn contradiction(&self) -> Option<String> {
        let planned = self.0[Counted::TriggeredCrash as usize];
        let fired = self.0[Counted::TriggeredCrashFired as usize];
        (fired > planned).then(|| format!("{fired} triggered crashes fired of {planned} planned"))
    }

    /// Adds another tally's counts.
    pub fn merge(&mut self, other: &FaultCounts) {
        for (count, more) in self.0.iter_mut().zip(other.0) {
            *count = count.saturating_add(more);
        }
    }

    /// The faults that happened, by name, with how many times (kinds that never happened are
    /// left out).
    pub fn by_name(&self) -> BTreeMap<String, u64> {
        (Self::NAMES.iter().zip(self.0))
            .filter(|&(_, count)| count > 0)
            .map(|(name, count)| (name.to_string(), count))
            .collect()
    }
}

impl From<FaultCounts> for BTreeMap<String, u64> {
    fn from(counts: FaultCounts) -> Self {
        counts.by_name()
    }
}

impl TryFrom<BTreeMap<String, u64>> for FaultCounts {
    type Error = String;

    /// The counts of a map [`FaultCounts::by_name`] made; a name it never writes is an error.
    fn try_from(by_name: BTreeMap<String, u64>) -> Result<Self, String> {
        let mut counts = FaultCounts::default();
        for (name, count) in by_name {
            let Some(i) = FaultCounts::NAMES.iter().position(|&n| n == name) else {
                return Err(format!(
                    "unknown fault kind \"{name}\" (expected one of: {})",
                    FaultCounts::NAMES.join(", ")
                ));
            };
            counts.0[i] = count;
        }
        Ok(counts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_and_read_back_as_the_map_of_names() {
        let mut counts = FaultCounts::default();
        counts.add(Counted::Crash, 3);
        counts.add(Counted::StorageLoss, 1);
        let json = serde_json::to_string(&counts).unwrap();
        assert_eq!(json, r#"{"crash":3,"storage loss at a crash":1}"#);
        assert_eq!(serde_json::from_str::<FaultCounts>(&json).unwrap(), counts);
        let unknown = serde_json::from_str::<FaultCounts>(r#"{"meteor":1}"#).unwrap_err();
        assert!(unknown
            .to_string()
            .contains("unknown fault kind \"meteor\""));
    }
}
