//! What a run of the two generals must satisfy: they attack together or not at all (the
//! property no bounded protocol keeps over a lossy link), they attack when nothing was lost
//! (so doing nothing is no way out), and a reachability property that both attacked.

use std::collections::BTreeMap;

use ftsim_api::properties::{event_ref, Pairwise};
use ftsim_api::{Falsified, NodeId, Property, World};

use super::process::{General, Obs};

/// Safety (coordinated attack): both generals attack or neither does. A violation names both
/// decisions.
pub fn coordinated() -> Pairwise<General, (), bool> {
    Pairwise::new(
        |_: &World<'_, General>, _, obs: &Obs| match *obs {
            Obs::Decide { attack } => Some(((), attack)),
            _ => None,
        },
        |_, earlier, now| {
            let word = |attack: bool| if attack { "attacks" } else { "holds back" };
            (earlier.value != now.value).then(|| {
                format!(
                    "general {} {}, but general {} {}",
                    now.node,
                    word(now.value),
                    earlier.node,
                    word(earlier.value)
                )
            })
        },
    )
}

/// Liveness (validity): when the chain's last messenger arrived (nothing that mattered was
/// lost), both generals attack. A violation names the last messenger's arrival and each
/// decision.
#[derive(Default)]
pub struct AttackIfDelivered {
    /// Where the chain's last messenger arrived, if it did.
    completed: Option<u64>,
    decisions: BTreeMap<NodeId, (bool, u64)>,
}

impl Property<General> for AttackIfDelivered {
    fn observe(
        &mut self,
        w: &World<'_, General>,
        node: NodeId,
        obs: &Obs,
    ) -> Result<(), Falsified> {
        match *obs {
            Obs::Receive { n, last } if n == last => self.completed = Some(w.event()),
            Obs::Decide { attack } => {
                self.decisions.insert(node, (attack, w.event()));
            }
            _ => {}
        }
        Ok(())
    }

    fn finish(&mut self, w: &World<'_, General>) -> Result<(), Falsified> {
        let Some(done) = self.completed else {
            return Ok(());
        };
        let holding: Vec<NodeId> = w
            .nodes()
            .filter(|i| !self.decisions.get(i).is_some_and(|d| d.0))
            .collect();
        if holding.is_empty() {
            return Ok(());
        }
        let said: Vec<String> = holding
            .iter()
            .map(|i| match self.decisions.get(i) {
                Some(&(_, at)) => format!("general {i} held back at {}", event_ref(at)),
                None => format!("general {i} never decided"),
            })
            .collect();
        Err(Falsified::new(format!(
            "every messenger arrived (the last at {}), but {}",
            event_ref(done),
            said.join(" and ")
        ))
        .citing([done])
        .citing(self.decisions.values().map(|d| d.1)))
    }
}

/// Reachability: both generals attacked.
#[derive(Default)]
pub struct BothAttack(BTreeMap<NodeId, bool>);

impl Property<General> for BothAttack {
    fn observe(
        &mut self,
        _: &World<'_, General>,
        node: NodeId,
        obs: &Obs,
    ) -> Result<(), Falsified> {
        if let Obs::Decide { attack } = *obs {
            self.0.insert(node, attack);
        }
        Ok(())
    }

    fn finish(&mut self, w: &World<'_, General>) -> Result<(), Falsified> {
        match w.nodes().all(|i| self.0.get(&i) == Some(&true)) {
            true => Ok(()),
            false => Err("the generals did not both attack".into()),
        }
    }
}
