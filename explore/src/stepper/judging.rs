//! How the monitors judge a step: each property's observations at once, in order, then its
//! state check.
//!
//! A breadth-first search of TwoPhase takes some 12 steps for each state it keeps. So it may
//! *defer* the state check of a property that can remember nothing (its type has no size:
//! the compiler says so, see `SearchMonitor::remembers_nothing`) until the step's state is
//! known not to have been seen before. That took TwoPhase with 6 RMs from 1,289 M to 1,185 M
//! instructions (at 9f61dff). Such a check sees the state, and reads the step (which event,
//! at which node) only through the [`World`]'s methods, which [`World::watching`] marks. So:
//!
//! - a check that read none of the step judged the state alone, and gives the same verdict
//!   on every path to that state: a state seen before was judged when it was found;
//! - once any deferred check read the step, the search judges every step's checks. The flag
//!   is shared by the search's threads, and a batch's flag is set before the next batch
//!   reads it. So a state seen in an earlier batch was either judged by a check that read
//!   none of the step, or is judged again;
//! - a deferred check that fails is reported as if judged at once. When a check judged at
//!   once fails, the deferred checks of the properties before it are judged first, so the
//!   property named is the first that fails, as without deferring.
//!
//! Its tests are breadth-first's (`search/bfs/tests.rs`).
//!
//! Architecture Invariant: only the check of an `always` property that remembers nothing
//! waits, and only after a step of one handler (the start's handlers are judged between one
//! another, at once), in a search without crashes (a crash is not judged, so a state first
//! reached by one was never checked; a loss is not either, but changes nothing a property
//! sees). A search with a bound on delays judges at once: it may set a violation
//! aside and find the same state again by a path that keeps it.

use std::cell::Cell;

use sim_core::engine::guarded;
use sim_core::{Falsified, NodeId, Process, PropertyKind, World};

use super::{Broken, Stepper, Verdict};
use crate::model::MonitorDef;
use crate::state::{MonitorsMut, State};

/// When the state checks of properties that remember nothing are judged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Checks {
    /// After every handler.
    AtOnce,
    /// When the search asks, through [`Stepper::check_deferred`].
    Deferred,
}

/// The stepper's part in judging: its mode, and what waits.
pub(super) struct Judging {
    checks: Checks,
    /// Per monitor: an `always` property that remembers nothing, whose check may wait.
    deferrable: Vec<bool>,
    /// Whether every `always` property's check waits: a step that observed nothing then has
    /// nothing to judge at once.
    all_wait: bool,
    /// The step whose deferred checks wait, if any: its node and event.
    waiting: Option<(NodeId, u64)>,
    /// Set when a deferrable check read the step (see [`World::watching`]).
    step_read: Cell<bool>,
}

impl Judging {
    pub(super) fn at_once() -> Self {
        Judging {
            checks: Checks::AtOnce,
            deferrable: Vec::new(),
            all_wait: false,
            waiting: None,
            step_read: Cell::new(false),
        }
    }
}

impl<P: Process + Clone> Stepper<'_, P> {
    /// From now on, the state checks of `always` properties that remember nothing wait for
    /// [`Stepper::check_deferred`] (see the module's doc). The search that asks for this
    /// calls it for every step to a state not seen before, and for every step once
    /// [`Stepper::read_the_step`] was true.
    pub(crate) fn defer_pure_checks(&mut self) {
        let always = |d: &MonitorDef<P>| d.kind == PropertyKind::Always;
        let deferrable: Vec<bool> = (self.model.monitors.iter())
            .map(|d| always(d) && (d.make)().remembers_nothing())
            .collect();
        let all_wait = (self.model.monitors.iter().zip(&deferrable)).all(|(d, &w)| w || !always(d));
        // A crash runs no handler and is not judged: a state first reached by one was never
        // checked, so a later step to it must be.
        if !deferrable.contains(&true) || self.model.config.crash_budget > 0 {
            return; // none would wait: every check is judged at once
        }
        self.judging = Judging {
            checks: Checks::Deferred,
            deferrable,
            all_wait,
            ..Judging::at_once()
        };
    }

    /// Whether a deferred check judged so far read the step (see the module's doc).
    pub(crate) fn read_the_step(&self) -> bool {
        self.judging.step_read.get()
    }

    /// Whether the last step's state checks wait (see [`Stepper::check_deferred`]).
    pub(crate) fn has_deferred(&self) -> bool {
        self.judging.waiting.is_some()
    }

    /// Forgets the last step's deferred checks (a new step begins).
    pub(super) fn forget_deferred(&mut self) {
        self.judging.waiting = None;
    }

    /// Judges the state checks the last step deferred, if any, in `s` as that step left it;
    /// `Err`, as [`Stepper::apply`] would have given, if one fails or panics.
    pub(crate) fn check_deferred(&mut self, s: &mut State<P>) -> Verdict {
        let Some((node, event)) = self.judging.waiting.take() else {
            return Ok(());
        };
        let judging = &self.judging;
        let (world, monitors) = s.judging();
        let world = world.at_node(node).at_event(event);
        let all = monitors.len();
        let ran = guarded(|| judging.first_deferred_failure(monitors, world, all));
        ran.unwrap_or_else(|why| {
            Err(Box::new(Broken {
                monitor: None,
                message: format!("a property panicked judging node {node}'s step: {why}"),
            }))
        })
    }

    /// Judges node `node`'s step, the `event`-th: each monitor's observations of it, then its
    /// state check (at once, or deferred: see the module's doc).
    pub(super) fn judge(&mut self, s: &mut State<P>, node: NodeId, event: u64) -> Verdict {
        if self.judging.checks == Checks::AtOnce {
            return self.judge_at_once(s, node, event);
        }
        if self.observed.is_empty() && self.judging.all_wait {
            // Nothing to observe, every check waits (a monitor without an `always` check
            // judges observations alone).
            self.judging.waiting = Some((node, event));
            return Ok(());
        }
        let (world, mut monitors) = s.judging();
        let world = world.at_node(node).at_event(event);
        let mut failed = None;
        for (i, monitor) in monitors.iter_mut().enumerate() {
            if self.model.monitors[i].kind != PropertyKind::Always {
                // Judged at the end of a run: each observation is seen, none breaks it now.
                for obs in &self.observed {
                    let _ = monitor.observe(&world, node, obs);
                }
                continue;
            }
            let observed =
                (self.observed.iter()).try_for_each(|obs| monitor.observe(&world, node, obs));
            let verdict = observed.and_then(|()| match self.judging.defers(i) {
                true => {
                    self.judging.waiting = Some((node, event));
                    Ok(())
                }
                false => monitor.check_state(&world).into_result(),
            });
            if let Err(why) = verdict {
                failed = Some((i, why));
                break;
            }
        }
        let Some((i, why)) = failed else {
            return Ok(());
        };
        if self.judging.waiting.is_some() {
            self.judging.first_deferred_failure(monitors, world, i)?;
        }
        Err(Box::new(Broken {
            monitor: Some(i),
            message: why.message,
        }))
    }

    /// [`Stepper::judge`] with no check waiting: the first observation or check that fails.
    /// (Apart, since a search that defers nothing pays for none of the deferring: Paxos
    /// counted 0.7% more instructions through the deferring loop.)
    fn judge_at_once(&mut self, s: &mut State<P>, node: NodeId, event: u64) -> Verdict {
        let (world, mut monitors) = s.judging();
        let world = world.at_node(node).at_event(event);
        let broken = |i, why: Falsified| Broken {
            monitor: Some(i),
            message: why.message,
        };
        for (i, monitor) in monitors.iter_mut().enumerate() {
            if self.model.monitors[i].kind != PropertyKind::Always {
                for obs in &self.observed {
                    let _ = monitor.observe(&world, node, obs);
                }
                continue;
            }
            for obs in &self.observed {
                monitor
                    .observe(&world, node, obs)
                    .map_err(|why| broken(i, why))?;
            }
            let verdict = monitor.check_state(&world).into_result();
            verdict.map_err(|why| broken(i, why))?;
        }
        Ok(())
    }

    /// Runs `f` with every state check judged at once (the start's handlers are judged
    /// between one another).
    pub(super) fn checking_at_once<R>(&mut self, f: impl FnOnce(&mut Self) -> R) -> R {
        let checks = std::mem::replace(&mut self.judging.checks, Checks::AtOnce);
        let result = f(self);
        self.judging.checks = checks;
        result
    }
}

impl Judging {
    /// Whether monitor `i`'s state check waits.
    fn defers(&self, i: usize) -> bool {
        self.checks == Checks::Deferred && self.deferrable[i]
    }

    /// The first of the deferred checks of monitors before `before` that fails, judged in
    /// `world` (marking whether one reads the step).
    fn first_deferred_failure<P: Process>(
        &self,
        mut monitors: MonitorsMut<'_, P>,
        world: World<'_, P>,
        before: usize,
    ) -> Verdict {
        let world = world.watching(&self.step_read);
        for (i, monitor) in monitors.iter_mut().take(before).enumerate() {
            if !self.defers(i) {
                continue;
            }
            monitor
                .check_state(&world)
                .into_result()
                .map_err(|why| Broken {
                    monitor: Some(i),
                    message: why.message,
                })?;
        }
        Ok(())
    }
}
