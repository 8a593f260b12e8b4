//! What a shrunk run must still show. Shrinking keeps a candidate only if it fails the same
//! way as the run it started from: the same property violated, the same panic, or the event
//! budget exhausted again. Another failure on the way is a different bug, not a smaller one.

use serde::{Deserialize, Serialize};
use sim_core::{Outcome, RunReport};

/// How a run fails.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "failure")]
pub enum Failure {
    /// The property of this name was violated.
    Violated {
        /// The property's name, as its protocol's table writes it.
        property: String,
    },
    /// The protocol panicked with this message.
    Panicked {
        /// The panic's message.
        message: String,
    },
    /// The run exhausted its event budget.
    BudgetExceeded,
}

impl Failure {
    /// How `report` fails: `preferred` if it violated that property, else its first violation,
    /// its panic or its budget overrun; `None` if it passed.
    pub fn of(report: &RunReport, preferred: Option<&str>) -> Option<Failure> {
        let violated = |name: &str| Failure::Violated {
            property: name.to_string(),
        };
        match &report.outcome {
            Outcome::Ok => None,
            Outcome::Panicked { message, .. } => Some(Failure::Panicked {
                message: message.clone(),
            }),
            Outcome::BudgetExceeded { .. } => Some(Failure::BudgetExceeded),
            Outcome::Violated => {
                let names = || report.violations.iter().map(|v| v.property.as_str());
                match preferred {
                    Some(p) if names().any(|n| n == p) => Some(violated(p)),
                    _ => names().next().map(violated),
                }
            }
        }
    }

    /// Whether `report` fails this way.
    pub fn shown_by(&self, report: &RunReport) -> bool {
        match (self, &report.outcome) {
            (Failure::Violated { property }, Outcome::Violated) => {
                report.violations.iter().any(|v| &v.property == property)
            }
            (Failure::Panicked { message }, Outcome::Panicked { message: m, .. }) => m == message,
            (Failure::BudgetExceeded, Outcome::BudgetExceeded { .. }) => true,
            _ => false,
        }
    }

    /// The failure in a few words: `violates "agreement"`.
    pub fn describe(&self) -> String {
        match self {
            Failure::Violated { property } => format!("violates \"{property}\""),
            Failure::Panicked { message } => format!("panics: {message}"),
            Failure::BudgetExceeded => "exceeds its event budget".to_string(),
        }
    }
}
