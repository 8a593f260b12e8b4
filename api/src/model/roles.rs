//! Roles a protocol never faults: the clients of a replicated service, say, whose requests
//! would restart from scratch after a crash. A model names each such role with its nodes.
//! Random node faults (crashes, intermittent crashes, omissions, Byzantine nodes) whose
//! scenario names no `nodes` are drawn from the other nodes only; a scenario that names such
//! a node, or schedules a fault on one, is flagged before any run, and a run in which one was
//! faulted is outside the model, with the reason.

use std::ops::Range;

use sim_core::faults::FaultSpec;
use sim_core::{FaultKind, FaultPlan, NodeId, RunReport};

use super::Model;
use crate::nodes::nodes_phrase;
use crate::run_spec::RunSpec;

/// Nodes that play a role the protocol never faults.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Role {
    /// Its nodes.
    pub nodes: Range<NodeId>,
    /// Its name, in words ("the clients").
    pub name: String,
}

impl Model {
    /// Whether `node` plays a role this model never faults.
    fn never_faults(&self, node: NodeId) -> bool {
        self.never_faulted.iter().any(|r| r.nodes.contains(&node))
    }

    /// The role `node` plays that is never faulted, if any.
    fn role_of(&self, node: NodeId) -> Option<&Role> {
        self.never_faulted.iter().find(|r| r.nodes.contains(&node))
    }

    /// Gives random node faults with no `nodes` of their own the nodes that may be faulted, so
    /// a scenario need not list them; a model with no such role leaves them as they are.
    pub fn keep_faults_off_roles(&self, faults: &mut FaultSpec, n: usize) {
        if self.never_faulted.is_empty() {
            return;
        }
        let faultable: Vec<NodeId> = (0..n).filter(|&v| !self.never_faults(v)).collect();
        let pools = (faults.crashes.iter_mut().map(|c| &mut c.nodes))
            .chain(faults.intermittent.iter_mut().map(|i| &mut i.nodes))
            .chain(faults.omissions.iter_mut().map(|o| &mut o.nodes))
            .chain(faults.byzantine.iter_mut().map(|b| &mut b.nodes));
        for pool in pools {
            pool.get_or_insert_with(|| faultable.clone());
        }
    }

    /// The scenario keys that aim a node fault at a role this model never faults.
    pub(super) fn role_spec_breaches(&self, protocol: &str, spec: &RunSpec, out: &mut Vec<String>) {
        let f = &spec.faults;
        let pools = (f.crashes.iter().map(|c| ("faults.crashes.nodes", &c.nodes)))
            .chain(
                f.intermittent
                    .iter()
                    .map(|i| ("faults.intermittent.nodes", &i.nodes)),
            )
            .chain(
                f.omissions
                    .iter()
                    .map(|o| ("faults.omissions.nodes", &o.nodes)),
            )
            .chain(
                f.byzantine
                    .iter()
                    .map(|b| ("faults.byzantine.nodes", &b.nodes)),
            );
        for (key, pool) in pools {
            let nodes = pool.as_deref().unwrap_or(&[]);
            out.extend(self.aimed_at_roles(protocol, key, nodes));
        }
        let scheduled = faulted_by_plan(&spec.schedule);
        out.extend(self.aimed_at_roles(protocol, "faults.schedule", &scheduled));
    }

    /// `key` may fault these `nodes`: the ones of a never-faulted role, in a sentence.
    fn aimed_at_roles(&self, protocol: &str, key: &str, nodes: &[NodeId]) -> Option<String> {
        let (hit, roles) = self.in_roles(nodes);
        (!hit.is_empty()).then(|| {
            format!(
                "{key} may fault {} ({}), which {protocol} never faults",
                nodes_phrase(&hit),
                roles.join(", ")
            )
        })
    }

    /// The nodes of `nodes` in never-faulted roles, and those roles' names.
    fn in_roles(&self, nodes: &[NodeId]) -> (Vec<NodeId>, Vec<&str>) {
        let mut hit: Vec<NodeId> = nodes
            .iter()
            .copied()
            .filter(|&v| self.never_faults(v))
            .collect();
        hit.sort_unstable();
        hit.dedup();
        let mut roles: Vec<&str> = hit
            .iter()
            .filter_map(|&v| self.role_of(v))
            .map(|r| r.name.as_str())
            .collect();
        roles.dedup();
        (hit, roles)
    }

    /// A run that crashed, made Byzantine, or gave an omission window to a node of a
    /// never-faulted role.
    pub(super) fn role_breach(&self, protocol: &str, run: &RunReport) -> Option<String> {
        let omitting = run.plan.events.iter().filter_map(|e| match e.kind {
            FaultKind::OmissionStart { node, .. } if e.at <= run.stats.end_time => Some(node),
            _ => None,
        });
        let faulted: Vec<NodeId> = (run.crashed.iter().chain(&run.plan.byzantine))
            .copied()
            .chain(omitting)
            .collect();
        let (hit, roles) = self.in_roles(&faulted);
        (!hit.is_empty()).then(|| {
            format!(
                "{} faulted ({}); {protocol} never faults that role",
                nodes_phrase(&hit),
                roles.join(", ")
            )
        })
    }
}

/// The nodes an explicit schedule faults: crashed, in an omission window, or Byzantine.
fn faulted_by_plan(plan: &FaultPlan) -> Vec<NodeId> {
    let timed = plan.events.iter().filter_map(|e| match e.kind {
        FaultKind::Crash { node } | FaultKind::OmissionStart { node, .. } => Some(node),
        _ => None,
    });
    let triggered = plan.triggered.iter().map(|t| t.node);
    timed
        .chain(triggered)
        .chain(plan.byzantine.iter().copied())
        .collect()
}

#[cfg(test)]
mod tests {
    use sim_core::faults::{ByzantineSpec, CrashSpec};
    use sim_core::{FaultEvent, Time};

    use super::*;

    fn servers_and_clients() -> Model {
        Model::new()
            .tolerates(super::super::FaultClass::CrashRecover)
            .tolerates(super::super::FaultClass::Reordering)
            .never_faulted(3..6, "the clients")
    }

    #[test]
    fn random_faults_without_nodes_are_kept_off_the_roles() {
        let mut faults = FaultSpec::crashes(CrashSpec::exactly(1, [Time::ZERO, Time(10)]));
        faults.byzantine = Some(ByzantineSpec {
            count: 1,
            nodes: None,
        });
        faults.crashes.push(CrashSpec {
            nodes: Some(vec![4]),
            ..CrashSpec::exactly(1, [Time::ZERO, Time(10)])
        });
        servers_and_clients().keep_faults_off_roles(&mut faults, 6);
        assert_eq!(faults.crashes[0].nodes, Some(vec![0, 1, 2]));
        assert_eq!(faults.byzantine.unwrap().nodes, Some(vec![0, 1, 2]));
        // Nodes a scenario names stay as named (and are flagged, below).
        assert_eq!(faults.crashes[1].nodes, Some(vec![4]));
        let mut untouched = FaultSpec::crashes(CrashSpec::exactly(1, [Time::ZERO, Time(10)]));
        Model::new().keep_faults_off_roles(&mut untouched, 6);
        assert_eq!(untouched.crashes[0].nodes, None);
    }

    #[test]
    fn faults_aimed_at_a_role_are_flagged_before_and_after_a_run() {
        let model = servers_and_clients();
        let mut spec = RunSpec::new(6);
        spec.faults.crashes.push(CrashSpec {
            nodes: Some(vec![2, 5]),
            ..CrashSpec::exactly(1, [Time::ZERO, Time(10)])
        });
        spec.schedule.events.push(FaultEvent {
            at: Time(3),
            kind: FaultKind::Crash { node: 4 },
        });
        let found = model.scenario_breaches("rsm", &spec);
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(
            found[0],
            "faults.crashes.nodes may fault node 5 (the clients), which rsm never faults"
        );
        assert!(
            found[1].starts_with("faults.schedule may fault node 4"),
            "{found:?}"
        );
        let run = RunReport {
            crashed: vec![1, 4],
            ..RunReport::default()
        };
        let b = model.breaches("rsm", &run);
        assert_eq!(
            b.safety,
            ["node 4 faulted (the clients); rsm never faults that role"]
        );
        let inside = RunReport {
            crashed: vec![1],
            ..RunReport::default()
        };
        assert!(model.breaches("rsm", &inside).safety.is_empty());
        assert!(model
            .describe()
            .contains(&"never faulted: the clients (nodes 3..=5)".to_string()));
    }
}
