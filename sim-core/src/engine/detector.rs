//! The failure detector the engine provides to processes: its model, what each node suspects
//! now, and the notices it schedules (after a crash, after a recovery, and the false
//! suspicions of an eventually perfect detector before it stabilises).

use serde::{Deserialize, Serialize};

use crate::entropy::{Choices, Draw, Stream};
use crate::process::Process;
use crate::time::{Duration, Time};
use crate::trace::TraceKind;
use crate::NodeId;

use super::queue::Ev;
use super::Engine;

/// The failure detector the engine provides to processes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", deny_unknown_fields)]
pub enum DetectorModel {
    /// No failure detector: processes are never notified.
    #[default]
    None,
    /// Every live process is told of a crash `delay` after it happens (and of a recovery
    /// `delay` after it); never suspects a live process.
    Perfect {
        /// How long after a crash (or recovery) live processes are told.
        delay: Duration,
    },
    /// Like `Perfect`, but before `stabilize_at` it makes `mistakes` false suspicions of live
    /// processes, each withdrawn after `delay` to `2 * delay`.
    EventuallyPerfect {
        /// How long after a crash (or recovery) live processes are told.
        delay: Duration,
        /// After this time the detector makes no mistake.
        stabilize_at: Time,
        /// How many false suspicions it makes before `stabilize_at`.
        mistakes: u32,
    },
}

impl DetectorModel {
    fn delay(&self) -> Option<Duration> {
        match *self {
            DetectorModel::None => None,
            DetectorModel::Perfect { delay } | DetectorModel::EventuallyPerfect { delay, .. } => {
                Some(delay)
            }
        }
    }
}

/// The detector during a run.
pub(super) struct Detector {
    model: DetectorModel,
    n: usize,
    /// Whether node `a` suspects node `b`: bit `a * n + b`. Allocated at the first suspicion
    /// of a run (most runs have none), an n×n bit table rather than n×n flags.
    suspects: Vec<u64>,
}

impl Detector {
    pub(super) fn new(model: DetectorModel, n: usize) -> Self {
        Detector {
            model,
            n,
            suspects: Vec::new(),
        }
    }

    /// No one suspects anyone (a new run), keeping the memory.
    pub(super) fn reset(&mut self) {
        self.suspects.fill(0);
    }

    /// Whether `node` suspects `about` now.
    #[inline]
    pub(super) fn suspects(&self, node: NodeId, about: NodeId) -> bool {
        let bit = node * self.n + about;
        self.suspects
            .get(bit / 64)
            .is_some_and(|word| word & (1 << (bit % 64)) != 0)
    }

    fn set(&mut self, node: NodeId, about: NodeId, suspect: bool) {
        if self.suspects.is_empty() {
            self.suspects = vec![0; (self.n * self.n).div_ceil(64)];
        }
        let bit = node * self.n + about;
        if suspect {
            self.suspects[bit / 64] |= 1 << (bit % 64);
        } else {
            self.suspects[bit / 64] &= !(1 << (bit % 64));
        }
    }

    /// A recovered node starts out suspecting no one.
    pub(super) fn forget_suspicions_of(&mut self, node: NodeId) {
        for about in 0..self.n {
            if self.suspects(node, about) {
                self.set(node, about, false);
            }
        }
    }
}

impl<P: Process, C: Choices> Engine<P, C> {
    /// Schedules an eventually perfect detector's false suspicions (each with its withdrawal),
    /// drawn before the run starts.
    pub(super) fn schedule_false_suspicions(&mut self) {
        let DetectorModel::EventuallyPerfect {
            delay,
            stabilize_at,
            mistakes,
        } = self.detector.model
        else {
            return;
        };
        if self.n < 2 || self.choices.script().is_some() {
            return;
        }
        for _ in 0..mistakes {
            let c = &mut self.choices;
            let at = Time(c.choose(
                Stream::Detector,
                Draw::Pick,
                stabilize_at.0.saturating_add(1),
            ));
            let node = c.choose(Stream::Detector, Draw::Pick, self.n as u64) as NodeId;
            let other = c.choose(Stream::Detector, Draw::Pick, self.n as u64 - 1) as NodeId;
            let about = if other >= node { other + 1 } else { other };
            let extra = c.choose(Stream::Detector, Draw::Pick, delay.0.saturating_add(1));
            let lasting = Duration(delay.0.saturating_add(extra));
            let detect = |suspect| Ev::Detect {
                node,
                about,
                suspect,
                false_alarm: true,
            };
            self.queue.push(at, detect(true));
            self.queue.push(at + lasting, detect(false));
            self.stats.false_suspicions_planned += 1;
        }
    }

    /// After `node` crashed: every other node will suspect it.
    pub(super) fn announce_crash(&mut self, node: NodeId) {
        let Some(delay) = self.detector.model.delay() else {
            return;
        };
        if self.choices.script().is_some() {
            return; // a script schedules the notices itself
        }
        for other in (0..self.n).filter(|&o| o != node) {
            self.queue.push(
                self.now + delay,
                Ev::Detect {
                    node: other,
                    about: node,
                    suspect: true,
                    false_alarm: false,
                },
            );
        }
    }

    /// After `node` recovered (suspecting no one): it will suspect each node that is down, and
    /// each node that is up will stop suspecting it.
    pub(super) fn announce_recovery(&mut self, node: NodeId) {
        let Some(delay) = self.detector.model.delay() else {
            return;
        };
        if self.choices.script().is_some() {
            return; // a script schedules the notices itself
        }
        for other in (0..self.n).filter(|&o| o != node) {
            let (about, suspect) = if self.nodes.up[other] {
                (node, false)
            } else {
                (other, true)
            };
            let watcher = if suspect { node } else { other };
            self.queue.push(
                self.now + delay,
                Ev::Detect {
                    node: watcher,
                    about,
                    suspect,
                    false_alarm: false,
                },
            );
        }
    }

    /// Delivers a failure-detector notice; false if it is moot (watcher down, already known,
    /// or a perfect detector's notice about a crash the node has already recovered from).
    pub(super) fn detect(
        &mut self,
        node: NodeId,
        about: NodeId,
        suspect: bool,
        false_alarm: bool,
    ) -> bool {
        let up = &self.nodes.up;
        let moot = !up[node]
            || self.detector.suspects(node, about) == suspect
            || (suspect && !false_alarm && up[about])
            || (!suspect && !up[about]);
        if moot {
            return false;
        }
        self.detector.set(node, about, suspect);
        if false_alarm && self.nodes.up[about] {
            let count = if suspect {
                &mut self.stats.false_suspicions
            } else {
                &mut self.stats.false_suspicions_withdrawn
            };
            *count += 1;
        }
        let what = if suspect { "suspicion" } else { "restoration" };
        self.begin(what, Some(node), Some(about), None);
        self.tick(node);
        if suspect {
            self.trace(Some(node), || TraceKind::Suspect { about });
            self.dispatch(node, |p, ctx| p.on_suspect(ctx, about));
        } else {
            self.trace(Some(node), || TraceKind::Restore { about });
            self.dispatch(node, |p, ctx| p.on_restore(ctx, about));
        }
        true
    }
}
