//! Judging a run with its properties: observations and watched states after every event
//! (safety), and at the end of a run that was not cut short, liveness and reachability. The
//! first failure of each property is its violation.

use crate::client_history::ClientHistory;
use crate::entropy::Choices;
use crate::process::Process;
use crate::property::{Falsified, PropertyKind, StateCheck, World};
use crate::trace::{TraceKind, Violation};
use crate::NodeId;

use super::{Current, Engine};

impl<P: Process, C: Choices> Engine<P, C> {
    /// Judges the event that ran at `node`: its observations and the watched states. Most
    /// events of most protocols have neither; they cost a test, not a call.
    #[inline]
    pub(super) fn check_properties(&mut self, node: NodeId) {
        if !self.observations.is_empty() || !self.state_watchers.is_empty() {
            self.judge_event(node);
        }
    }

    /// [`check_properties`](Engine::check_properties)'s work, out of line so the test is not.
    #[inline(never)]
    fn judge_event(&mut self, node: NodeId) {
        let world = World {
            now: self.now,
            event: self.current.index,
            states: &self.nodes.processes,
            up: &self.nodes.up,
            ever_crashed: &self.nodes.ever_crashed,
            byzantine: &self.nodes.byzantine,
            last_steps: &self.nodes.last_step,
            event_node: Some(node),
            step_read: None,
        };
        let mut failures: Vec<(usize, Falsified)> = Vec::new();
        for obs in &self.observations {
            for (i, monitor) in self.properties.iter_mut().enumerate() {
                if let Err(why) = monitor.property.observe(&world, node, obs) {
                    failures.push((i, why));
                }
            }
        }
        // A property that does not judge states says so at its first ask, and is not asked
        // again this run (the order of the others is kept: it orders their violations).
        let properties = &mut self.properties;
        self.state_watchers
            .retain(|&i| match properties[i].property.check_state(&world) {
                StateCheck::NotWatched => false,
                StateCheck::Holds => true,
                StateCheck::Violated(why) => {
                    failures.push((i, why));
                    true
                }
            });
        self.observations.clear();
        for (i, why) in failures {
            self.violate(i, why);
        }
    }

    /// Records `why` as the violation of `property`, unless it was violated already (the first
    /// failure of each property is its violation).
    fn violate(&mut self, property: usize, why: Falsified) {
        let Falsified {
            message,
            evidence,
            waiting_since,
        } = why;
        let name = self.properties[property].name.to_string();
        if self.violations.iter().any(|v| v.property == name) {
            return;
        }
        self.hash.mix(0x0bad ^ property as u64);
        self.trace(None, || TraceKind::Violation {
            property: name.clone(),
            message: message.clone(),
        });
        self.violations.push(Violation {
            property: name,
            kind: self.properties[property].kind,
            time: self.now,
            event: self.current.index,
            during: self.current.describe(),
            message,
            related: related_events(evidence),
            outside_assumptions: None,
            waiting_since,
        });
    }

    pub(super) fn finish_properties(&mut self) {
        self.current = Current {
            index: self.stats.events,
            time: self.now,
            what: "end of run",
            node: None,
            peer: None,
            msg_id: None,
        };
        let world = World {
            now: self.now,
            event: self.current.index,
            states: &self.nodes.processes,
            up: &self.nodes.up,
            ever_crashed: &self.nodes.ever_crashed,
            byzantine: &self.nodes.byzantine,
            last_steps: &self.nodes.last_step,
            event_node: None,
            step_read: None,
        };
        let mut failures = Vec::new();
        for (i, monitor) in self.properties.iter_mut().enumerate() {
            match (monitor.kind, monitor.property.finish(&world)) {
                // A safety property may judge at the end what it could not judge as it went.
                (PropertyKind::Always | PropertyKind::Eventually, Err(why)) => {
                    failures.push((i, why))
                }
                (PropertyKind::Always | PropertyKind::Eventually, Ok(())) => {}
                (PropertyKind::Sometimes, Ok(())) => self.reached.push(monitor.name.to_string()),
                (PropertyKind::Sometimes, Err(_)) => {}
            }
        }
        for (i, why) in failures {
            self.violate(i, why);
        }
    }
}

impl<P: Process, C: Choices> Engine<P, C> {
    /// The client histories the run's properties kept, each named after its property.
    pub(super) fn client_histories(&self) -> Vec<ClientHistory> {
        let named = |monitor: &crate::property::Monitor<P>| {
            let mut history = monitor.property.client_history()?;
            history.property = monitor.name.to_string();
            Some(history)
        };
        self.properties.iter().filter_map(named).collect()
    }
}

/// The events a violation names, in order, each once.
fn related_events(mut events: Vec<u64>) -> Vec<u64> {
    events.sort_unstable();
    events.dedup();
    events
}
