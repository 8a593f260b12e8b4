//! OM's own properties: validity as IC2 (obey a loyal commander), termination of the loyal
//! lieutenants, and which traitor placement a run tried. Agreement and integrity are the
//! shared consensus ones.

use std::collections::BTreeSet;

use ftsim_api::{nodes_phrase, NodeId, Property, World};

use super::process::{Obs, Om};

/// IC2: if the commander is loyal, every loyal lieutenant decides its order.
#[derive(Default)]
pub struct CommanderValidity {
    order: Option<u64>,
}

impl CommanderValidity {
    fn check_decision(&self, w: &World<'_, Om>, node: NodeId, v: u64) -> Result<(), String> {
        let c = w.state(node).commander();
        if w.is_byzantine(node) || w.is_byzantine(c) {
            return Ok(());
        }
        match self.order {
            Some(o) if o == v => Ok(()),
            Some(o) => Err(format!(
                "lieutenant {node} decided {v} but the loyal commander {c} ordered {o}"
            )),
            None => Err(format!(
                "lieutenant {node} decided {v} before the loyal commander {c} gave an order"
            )),
        }
    }
}

impl Property<Om> for CommanderValidity {
    fn observe(&mut self, w: &World<'_, Om>, node: NodeId, obs: &Obs) -> Result<(), String> {
        match *obs {
            Obs::Order(v) => {
                if !w.is_byzantine(node) {
                    self.order = Some(v);
                }
                Ok(())
            }
            Obs::Decide(v) => self.check_decision(w, node, v),
        }
    }
}

/// Every loyal lieutenant (not Byzantine, never crashed) decides by the end of the run.
#[derive(Default)]
pub struct LieutenantsDecide {
    decided: BTreeSet<NodeId>,
}

impl Property<Om> for LieutenantsDecide {
    fn observe(&mut self, _: &World<'_, Om>, node: NodeId, obs: &Obs) -> Result<(), String> {
        if let Obs::Decide(_) = obs {
            self.decided.insert(node);
        }
        Ok(())
    }
    fn finish(&mut self, w: &World<'_, Om>) -> Result<(), String> {
        let undecided: Vec<NodeId> = w
            .nodes()
            .filter(|&i| i != w.state(i).commander() && w.is_correct(i))
            .filter(|i| !self.decided.contains(i))
            .collect();
        if undecided.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "loyal lieutenant{} {} never decided (at {})",
                if undecided.len() > 1 { "s" } else { "" },
                nodes_phrase(&undecided),
                w.now
            ))
        }
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
    fn finish(&mut self, w: &World<'_, Om>) -> Result<(), String> {
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
