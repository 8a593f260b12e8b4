//! OM's own properties: validity as IC2 (obey a loyal commander), termination of the loyal
//! lieutenants, and which traitor placement a run tried. Agreement and integrity are the
//! shared consensus ones.

use std::collections::BTreeSet;
use std::hash::Hash;

use ftsim_api::sim_core::entropy::DetHasher;

use ftsim_api::properties::{event_ref, Stuck};
use ftsim_api::{nodes_phrase, Explorable, Falsified, NodeId, Property, World};

use super::process::{Obs, Om};

/// IC2: if the commander is loyal, every loyal lieutenant decides its order. A violation names
/// the decision and the order (or, without one, the commander's last step).
#[derive(Clone, Default)]
pub struct CommanderValidity {
    /// The loyal commander's order and the event it was given at.
    order: Option<(u64, u64)>,
}

impl CommanderValidity {
    fn check_decision(&mut self, w: &World<'_, Om>, node: NodeId, v: u64) -> Result<(), Falsified> {
        let c = w.state(node).commander();
        if w.is_byzantine(node) || w.is_byzantine(c) {
            return Ok(());
        }
        let at = event_ref(w.event());
        match self.order {
            Some((o, _)) if o == v => Ok(()),
            Some((o, ordered)) => Err(Falsified::new(format!(
                "lieutenant {node} decided {v} at {at} but the loyal commander {c} ordered {o} \
                 at {}",
                event_ref(ordered)
            ))
            .citing([ordered, w.event()])),
            None => {
                let last = w.last_event(c);
                Err(Falsified::new(format!(
                    "lieutenant {node} decided {v} at {at} before the loyal commander {c} gave \
                     an order (its last step: {})",
                    last.map_or("none".to_string(), event_ref)
                ))
                .citing(last)
                .citing([w.event()]))
            }
        }
    }
}

impl Property<Om> for CommanderValidity {
    fn observe(&mut self, w: &World<'_, Om>, node: NodeId, obs: &Obs) -> Result<(), Falsified> {
        match *obs {
            Obs::Order(v) => {
                if !w.is_byzantine(node) {
                    self.order = Some((v, w.event()));
                }
                Ok(())
            }
            Obs::Decide(v) => self.check_decision(w, node, v),
        }
    }
}

impl Explorable<Om> for CommanderValidity {
    fn fingerprint(&self, hasher: &mut DetHasher) {
        self.order.map(|(value, _)| value).hash(hasher);
    }
}

/// Every loyal lieutenant (not Byzantine, never crashed) decides by the end of the run. A
/// violation names the commander's order, if any, and each undecided lieutenant's last step.
#[derive(Default)]
pub struct LieutenantsDecide {
    decided: BTreeSet<NodeId>,
    /// The event of the commander's order, loyal or not.
    ordered: Option<u64>,
}

impl Property<Om> for LieutenantsDecide {
    fn observe(&mut self, w: &World<'_, Om>, node: NodeId, obs: &Obs) -> Result<(), Falsified> {
        match obs {
            Obs::Decide(_) => {
                self.decided.insert(node);
            }
            Obs::Order(_) => self.ordered = Some(w.event()),
        }
        Ok(())
    }
    fn finish(&mut self, w: &World<'_, Om>) -> Result<(), Falsified> {
        let undecided: Vec<NodeId> = w
            .nodes()
            .filter(|&i| i != w.state(i).commander() && w.is_correct(i))
            .filter(|i| !self.decided.contains(i))
            .collect();
        if undecided.is_empty() {
            return Ok(());
        }
        let stuck: Vec<Stuck> = undecided.iter().map(|&i| Stuck::new(w, i, None)).collect();
        Err(Falsified::new(format!(
            "loyal {} never decided (at {}; the order was given at {}): {}",
            nodes_phrase(&undecided).replacen("node", "lieutenant", 1),
            w.now,
            self.ordered.map_or("no event".to_string(), event_ref),
            Stuck::details(&stuck, "")
        ))
        .citing(Stuck::evidence(&stuck))
        .citing(self.ordered))
    }
}

/// Reached when the traitor set includes the commander ([`TraitorIs::COMMANDER`]) or only
/// lieutenants ([`TraitorIs::LIEUTENANT`]): a passing sweep over random traitors must have
/// tried both.
pub struct TraitorIs {
    commander: bool,
}

impl TraitorIs {
    pub const COMMANDER: TraitorIs = TraitorIs { commander: true };
    pub const LIEUTENANT: TraitorIs = TraitorIs { commander: false };
}

impl Property<Om> for TraitorIs {
    fn finish(&mut self, w: &World<'_, Om>) -> Result<(), Falsified> {
        let c = w.state(0).commander();
        let lieutenant = w.nodes().any(|i| i != c && w.is_byzantine(i));
        let reached = if self.commander {
            w.is_byzantine(c)
        } else {
            lieutenant && !w.is_byzantine(c)
        };
        if reached {
            Ok(())
        } else {
            Err("not this traitor placement".into())
        }
    }
}
